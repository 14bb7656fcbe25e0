// --push on an engine with Docker's classic image store: its BuildKit has no "image" exporter, so
// the result goes into the image store (moby) and the engine pushes it afterwards through
// POST /images/{name}/push, as buildx's docker driver does ("pushing NAME with docker"). The push
// shows as one more step in the build's progress, with the engine's push messages as its log.
import * as crypto from 'node:crypto';
import type { Engine } from '../engine/connect';
import type { StatusResponse, Timestamp } from '../progress/wire';
import { credentialsFor } from './auth';
import type { StatusListener } from './types';

/** The registry host of an image name, as Docker's reference grammar splits it. */
export function registryHostOf(name: string): string {
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

function now(): Timestamp {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function status(part: Partial<StatusResponse>): StatusResponse {
  return { vertexes: [], statuses: [], logs: [], warnings: [], ...part };
}

interface PushEvent {
  status?: string;
  id?: string;
  /** a text progress bar */
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Pushes each name; the first failure, said in one line, or undefined. An abort stops the push at once. */
export async function pushWithEngine(engine: Engine, names: readonly string[], onStatus: StatusListener, signal?: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const name of names) {
    if (signal?.aborted) return 'push canceled';
    const digest = `sha256:${crypto.createHash('sha256').update(`buildkit-lens push ${name} ${Date.now()}`).digest('hex')}`;
    const vertex = { digest, inputs: [], name: `pushing ${name} with docker`, cached: false, error: '' };
    const started = now();
    onStatus(status({ vertexes: [{ ...vertex, started }] }));
    let error: string | undefined;
    try {
      const serveraddress = registryHostOf(name);
      const creds = await credentialsFor(serveraddress, env);
      const authconfig = !creds ? { serveraddress } : creds.Username ? { username: creds.Username, password: creds.Secret, serveraddress } : { identitytoken: creds.Secret, serveraddress };
      const stream = await engine.docker.getImage(name).push({ authconfig });
      // closing the request makes the engine drop the push
      const stop = () => (stream as NodeJS.ReadableStream & { destroy(e?: Error): void }).destroy(new Error('push canceled'));
      if (signal?.aborted) stop();
      signal?.addEventListener('abort', stop, { once: true });
      // the engine reports a refused push inside the stream, with HTTP 200
      let reported: string | undefined;
      const streamErr = await new Promise<string | undefined>((resolve) => {
        engine.docker.modem.followProgress(
          stream,
          (err: Error | null) => resolve(err?.message),
          (e: PushEvent) => {
            if (e.error) return void (reported ??= e.errorDetail?.message ?? e.error);
            // a layer's progress bar comes many times a second; its "Pushed" line says it all
            if (e.progress) return;
            const line = [e.id, e.status].filter(Boolean).join(' ');
            if (line) onStatus(status({ logs: [{ vertex: digest, stream: 1, msg: Buffer.from(`${line}\n`), timestamp: now() }] }));
          },
        );
      });
      signal?.removeEventListener('abort', stop);
      error = signal?.aborted ? 'push canceled' : reported ?? streamErr;
    } catch (e) {
      error = (e as Error).message;
    }
    onStatus(status({ vertexes: [{ ...vertex, started, completed: now(), error: error ?? '' }] }));
    if (error) return `pushing ${name}: ${error}`;
  }
  return undefined;
}
