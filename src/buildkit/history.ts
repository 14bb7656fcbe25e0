// The engine's build history (Control.ListenBuildHistory, BuildKit >= 0.11): every build the engine ran,
// including those started by `docker buildx build` in a terminal, and their replayed progress.
import * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine/connect';
import { EngineError } from '../engine/errors';
import { timestampMs } from '../progress/time';
import type { StatusResponse, Timestamp } from '../progress/wire';
import { controlFor } from './build';
import { bundledBuildkit } from './builderInfo';
import { buildErrorFromRecord, isFailureDetail } from './errorDetails';
import type { BuildError } from './types';

export type HistoryState = 'running' | 'completed' | 'failed' | 'canceled';

export interface HistoryRecord {
  ref: string;
  state: HistoryState;
  frontend: string;
  /** the Dockerfile stage built (FrontendAttrs "target"), if one was named */
  target?: string;
  /** build-arg:NAME attributes, by NAME */
  buildArgs: Record<string, string>;
  frontendAttrs: Record<string, string>;
  /** image names the exporter wrote ("image.name", comma-separated by the engine) */
  images: string[];
  imageDigest?: string;
  createdAt?: number; // epoch ms
  completedAt?: number;
  /** completed builds only */
  durationMs?: number;
  cachedSteps: number;
  totalSteps: number;
  completedSteps: number;
  error?: string;
  /** the error with its Dockerfile source and failing step, as a Solve error carries them (not enumerable) */
  readonly failure?: BuildError;
  /** the stored progress stream exists: Status can replay this build */
  hasLogs: boolean;
  pinned: boolean;
}

export type HistoryEventType = 'STARTED' | 'COMPLETE' | 'DELETED';

interface WireRecord {
  Ref: string;
  Frontend: string;
  FrontendAttrs: Record<string, string>;
  error?: { code: number; message: string; details?: { type_url: string; value: Uint8Array }[] | null } | null;
  CreatedAt?: Timestamp | null;
  CompletedAt?: Timestamp | null;
  logs?: { digest: string; size: number } | null;
  ExporterResponse: Record<string, string>;
  pinned: boolean;
  numCachedSteps: number;
  numTotalSteps: number;
  numCompletedSteps: number;
}

interface WireEvent {
  type: HistoryEventType;
  record?: WireRecord | null;
}

const CANCELED = 1;

function stateOf(r: WireRecord): HistoryState {
  if (!r.CompletedAt) return 'running';
  if (!r.error) return 'completed';
  return r.error.code === CANCELED || r.error.message.endsWith('context canceled') ? 'canceled' : 'failed';
}

/** One record as the service definitions hand it over, in the shape the CLI and the panel show. */
export function decodeHistoryRecord(r: WireRecord): HistoryRecord {
  const attrs = r.FrontendAttrs ?? {};
  const buildArgs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (k.startsWith('build-arg:')) buildArgs[k.slice('build-arg:'.length)] = v;
  const exp = r.ExporterResponse ?? {};
  const createdAt = r.CreatedAt ? timestampMs(r.CreatedAt) : undefined;
  const completedAt = r.CompletedAt ? timestampMs(r.CompletedAt) : undefined;
  const record: HistoryRecord = {
    ref: r.Ref,
    state: stateOf(r),
    frontend: r.Frontend,
    target: attrs.target || undefined,
    buildArgs,
    frontendAttrs: attrs,
    images: (exp['image.name'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    imageDigest: exp['containerimage.digest'] || undefined,
    createdAt,
    completedAt,
    durationMs: createdAt !== undefined && completedAt !== undefined ? completedAt - createdAt : undefined,
    cachedSteps: r.numCachedSteps ?? 0,
    totalSteps: r.numTotalSteps ?? 0,
    completedSteps: r.numCompletedSteps ?? 0,
    error: r.error ? r.error.message : undefined,
    hasLogs: !!r.logs?.digest,
    pinned: !!r.pinned,
  };
  if (r.error) {
    // decoded when asked for (a panel following the build): an engine keeps thousands of records,
    // and the list needs none of this; kept out of JSON (the source holds the whole Dockerfile).
    // Only what it is decoded from is kept, not the engine's stack traces beside it.
    const { code, message } = r.error;
    const details = (r.error.details ?? []).filter((d) => isFailureDetail(d.type_url));
    let failure: BuildError | undefined;
    Object.defineProperty(record, 'failure', { enumerable: false, get: () => (failure ??= buildErrorFromRecord({ code, message, details })) });
  }
  return record;
}

/** The one-line answer for engines whose BuildKit predates build history. */
export class HistoryUnsupportedError extends EngineError {
  constructor(engineVersion?: string) {
    const has = engineVersion ? `; this engine is Docker ${engineVersion}${bundledOf(engineVersion)}` : '';
    super(`build history needs Docker 24.0 or newer (BuildKit 0.11)${has}`, 'UNIMPLEMENTED');
    this.name = 'HistoryUnsupportedError';
  }
}

function bundledOf(serverVersion: string): string {
  const b = bundledBuildkit(serverVersion);
  return b ? ` with BuildKit ${b.split(' ')[0].replace(/^v/, '')}` : '';
}

async function unsupported(engine: Engine): Promise<HistoryUnsupportedError> {
  const version = await engine.info().then((i) => i.serverVersion, () => undefined);
  return new HistoryUnsupportedError(version);
}

/** Builds the engine knows, newest first; with activeOnly only those still running. */
export async function listHistory(engine: Engine, opts: { activeOnly?: boolean; ref?: string } = {}): Promise<HistoryRecord[]> {
  const control = await controlFor(engine);
  const byRef = new Map<string, HistoryRecord>();
  const stream = control.listenBuildHistory({ ActiveOnly: !!opts.activeOnly, Ref: opts.ref ?? '', EarlyExit: true });
  await new Promise<void>((resolve, reject) => {
    let failed = false; // grpc-js emits 'end' after 'error'
    stream.on('data', (e: WireEvent) => {
      if (!e.record) return;
      if (e.type === 'DELETED') byRef.delete(e.record.Ref);
      else byRef.set(e.record.Ref, decodeHistoryRecord(e.record));
    });
    stream.on('end', () => failed || resolve());
    stream.on('error', (err: grpc.ServiceError) => {
      failed = true;
      if (err.code === grpc.status.UNIMPLEMENTED) unsupported(engine).then(reject);
      else reject(control.explain(err));
    });
  });
  return [...byRef.values()].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

export interface HistoryWatch {
  close(): void;
}

/**
 * Follows the history live: the current records, then every start, completion and deletion.
 * onError gets a HistoryUnsupportedError on engines without the RPC, or the transport failure.
 */
export async function watchHistory(
  engine: Engine,
  onEvent: (type: HistoryEventType, record: HistoryRecord) => void,
  onError: (err: Error) => void,
): Promise<HistoryWatch> {
  const control = await controlFor(engine);
  const stream = control.listenBuildHistory({ ActiveOnly: false, Ref: '', EarlyExit: false });
  let closed = false;
  stream.on('data', (e: WireEvent) => e.record && onEvent(e.type, decodeHistoryRecord(e.record)));
  stream.on('error', (err: grpc.ServiceError) => {
    if (closed || err.code === grpc.status.CANCELLED) return;
    if (err.code === grpc.status.UNIMPLEMENTED) unsupported(engine).then(onError);
    else onError(control.explain(err));
  });
  // the engine ends the stream only when it goes away (a restart): a quiet end would look like a list that never changes
  stream.on('end', () => closed || onError(new EngineError(`the engine at ${engine.endpoint.host} stopped sending its build history (restarted?)`)));
  return {
    close: () => {
      closed = true;
      stream.cancel();
    },
  };
}

/**
 * Progress of a build by ref: live while it runs; on BuildKit 0.13 a finished build still in the
 * history is replayed from its stored progress stream. Resolves when the stream ends.
 */
export async function followStatus(engine: Engine, ref: string, onStatus: (s: StatusResponse) => void): Promise<{ messages: number; cancel(): void; done: Promise<void> }> {
  const control = await controlFor(engine);
  const stream = control.status(ref);
  const handle = { messages: 0, cancel: () => stream.cancel(), done: Promise.resolve() };
  handle.done = new Promise<void>((resolve, reject) => {
    let failed = false;
    stream.on('data', (s: StatusResponse) => {
      handle.messages++;
      onStatus(s);
    });
    stream.on('end', () => failed || resolve());
    stream.on('error', (err: grpc.ServiceError) => {
      failed = true;
      if (err.code === grpc.status.CANCELLED) resolve();
      else if (err.code === grpc.status.NOT_FOUND || /not found/i.test(err.details ?? '')) reject(new EngineError(`no build "${ref}" on this engine (it may have been pruned from the history)`));
      else reject(control.explain(err));
    });
  });
  return handle;
}
