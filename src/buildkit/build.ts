// One build: session up, Status and Solve side by side, everything closed whatever happens.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine/connect';
import { EngineError } from '../engine/errors';
import type { StatusResponse } from '../progress/wire';
import { Control } from './control';
import { expectedContextWalk, withIgnoreLine } from './dockerignore';
import { localCacheStores, makeCacheDirs, recordCacheExports, resolveCacheImports } from './cacheOptions';
import { decodeBuildError } from './errorDetails';
import { ociLayoutStores, withOciDigests } from './ociLayout';
import { enginePushes, outputTargets } from './exporters';
import { pushWithEngine } from './enginePush';
import { WalkPrefetch, worthWalkingAhead } from './filesync/prefetch';
import { dockerfileInContext, remoteContext } from './contextSource';
import { gitAttrs } from './gitInfo';
import { explainResetByDockerfile } from './invalidUtf8';
import { preflight } from './preflight';
import { resolveHostGateway } from './hostGateway';
import { newId, Session } from './session';
import { attachOverControl } from './sessionTunnel';
import { sessionDirs, solveRequest, uploadId } from './solveRequest';
import type { BuildError, BuildHandle, BuildOptions, BuildResult, StatusListener } from './types';

const controls = new WeakMap<Engine, Promise<Control>>();

/** One Control connection per engine, shared by its builds and closed with the engine. */
export function controlFor(engine: Engine): Promise<Control> {
  let c = controls.get(engine);
  if (!c) {
    const opened = Control.open(engine);
    c = opened;
    controls.set(engine, opened);
    engine.onClose(async () => {
      controls.delete(engine);
      await (await opened).close();
    });
  }
  return c;
}

/** Stable per context dir and machine, so the engine can reuse what it already has of it. */
export function sharedKeyFor(contextDir: string): string {
  const h = crypto.createHash('sha256').update(`${process.env.HOSTNAME ?? ''}\0${contextDir}`).digest('hex');
  return `${path.basename(contextDir)}:${h.slice(0, 20)}`;
}

/**
 * The context walk, started now with the patterns the frontend will ask for (prefetch.ts).
 * BUILDKIT_LENS_PREFETCH=0 leaves the walk to the engine's request.
 */
function prefetchContext(opts: BuildOptions): WalkPrefetch | undefined {
  if (process.env.BUILDKIT_LENS_PREFETCH === '0' || remoteContext(opts) || !worthWalkingAhead(opts.contextDir)) return undefined;
  try {
    return new WalkPrefetch('context', opts.contextDir, expectedContextWalk(opts));
  } catch {
    return undefined; // an unreadable ignore file: preflight says so
  }
}

/** Waits for p, but no longer than ms; leaves no timer behind to hold the process open. */
function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).then(() => clearTimeout(timer));
}

function messageOf(e: unknown): BuildError {
  if (e instanceof EngineError || e instanceof Error) return { message: e.message, code: 2, sources: [] };
  return { message: String(e), code: 2, sources: [] };
}

export function startBuild(engine: Engine, opts: BuildOptions, onStatus: StatusListener): BuildHandle {
  const ref = newId();
  const t0 = Date.now();
  let cancelRequested = false;
  let cancelSolve: (() => void) | undefined;

  const run = async (): Promise<BuildResult> => {
    const end = (r: Omit<BuildResult, 'ref' | 'durationMs'>): BuildResult => ({ ref, durationMs: Date.now() - t0, ...r });
    let session: Session | undefined;
    /** why the result could not be written here, said plainly (the engine wraps it in RPC words) */
    let outputError: string | undefined;
    let statusStream: grpc.ClientReadableStream<StatusResponse> | undefined;
    try {
      session = new Session({
        dirs: sessionDirs(opts),
        sharedKey: sharedKeyFor(opts.contextDir),
        secrets: opts.secrets,
        ssh: opts.ssh,
        contentStores: new Map([...localCacheStores(opts.cacheFrom, opts.cacheTo), ...ociLayoutStores(opts)]),
        uploads: opts.contextArchive ? new Map([[uploadId(opts.contextArchive), opts.contextArchive]]) : undefined,
        prefetch: prefetchContext(opts),
        describeWalkError: (message) => withIgnoreLine(opts, message),
        outputs: outputTargets(opts.outputs),
        onOutputError: (message) => (outputError ??= message),
      });
      // Independent round trips, side by side: checks, the control connection, the session.
      // A standalone buildkitd has no POST /session: the session rides inside Control.Session.
      const controlReady = controlFor(engine);
      const sessionUp = engine.buildkit ? controlReady.then((c) => attachOverControl(session!, c)) : session.attach(engine.endpoint);
      // a context from stdin has no folder, so no commit (as with buildx)
      // as buildx: Git details only of a local folder
      const vcs = remoteContext(opts) ? {} : gitAttrs({ contextDir: opts.contextDir, dockerfile: opts.dockerfile, dirs: sessionDirs(opts), env: process.env });
      const setup = Promise.all([preflight(engine, opts), controlReady, vcs, sessionUp]);
      // Cancel does not wait for an engine slow to answer these (up to 10 s each)
      const canceled = new Promise<undefined>((resolve) => (cancelSolve = () => resolve(undefined)));
      const ready = await Promise.race([setup, canceled]);
      if (!ready || cancelRequested) {
        setup.catch(() => undefined);
        return end({ ok: false, canceled: true, exporterResponse: {} });
      }
      const [traits, control, vcsAttrs] = ready;
      const addHosts = await resolveHostGateway(opts.addHosts, () => control.listWorkers());

      statusStream = control.status(ref);
      const statusDone = new Promise<void>((resolve) => {
        statusStream!.on('data', (s: StatusResponse) => onStatus(s));
        statusStream!.on('end', resolve);
        statusStream!.on('error', () => resolve());
        statusStream!.on('close', resolve);
      });

      makeCacheDirs(opts.cacheTo);
      const resolved = withOciDigests({ ...opts, addHosts });
      const asked = opts.cacheFrom ? { ...resolved, cacheFrom: resolveCacheImports(opts.cacheFrom) } : resolved;
      const request = solveRequest(ref, session.id, asked, traits);
      // after the user's labels, as buildx sets them
      Object.assign(request.FrontendAttrs, vcsAttrs);
      const { call, response } = control.solve(request);
      cancelSolve = () => call.cancel();
      if (cancelRequested) call.cancel();
      const dropped = session.droppedByEngine.then((err) => {
        call.cancel();
        return err;
      });

      let solveErr: grpc.ServiceError | undefined;
      let exporterResponse: Record<string, string> = {};
      try {
        exporterResponse = (await response).ExporterResponse ?? {};
      } catch (e) {
        solveErr = e as grpc.ServiceError;
      }
      // The engine ends Status once the job is gone; don't wait forever if it never does.
      await settleWithin(statusDone, cancelRequested ? 2000 : 5000);

      if (!solveErr) {
        try {
          recordCacheExports(opts.cacheTo, exporterResponse);
        } catch (e) {
          return end({ ok: false, canceled: false, exporterResponse, error: { message: `cannot record the exported cache: ${(e as Error).message}`, code: 2, sources: [] } });
        }
        const pushes = enginePushes(opts.outputs, opts.tags, traits);
        if (pushes.length) {
          const abort = new AbortController();
          cancelSolve = () => abort.abort();
          if (cancelRequested) abort.abort();
          const pushErr = await pushWithEngine(engine, pushes, onStatus, abort.signal);
          if (abort.signal.aborted) return end({ ok: false, canceled: true, exporterResponse: {}, error: { message: 'build canceled', code: 1, sources: [] } });
          if (pushErr) return end({ ok: false, canceled: false, exporterResponse, error: { message: pushErr, code: 2, sources: [], local: true } });
        }
        return end({ ok: true, canceled: false, exporterResponse });
      }
      const droppedErr = await Promise.race([dropped, Promise.resolve(undefined)]);
      if (cancelRequested || (solveErr.code === grpc.status.CANCELLED && !droppedErr)) {
        return end({ ok: false, canceled: true, exporterResponse: {}, error: { message: 'build canceled', code: 1, sources: [] } });
      }
      if (droppedErr) return end({ ok: false, canceled: false, exporterResponse: {}, error: messageOf(droppedErr) });
      if (outputError) return end({ ok: false, canceled: false, exporterResponse: {}, error: { message: outputError, code: solveErr.code, sources: [] } });
      if (solveErr.code === grpc.status.UNAVAILABLE) {
        return end({ ok: false, canceled: false, exporterResponse: {}, error: messageOf(control.explain(solveErr)) });
      }
      const reset = solveErr.code === grpc.status.INTERNAL && !dockerfileInContext(opts) ? explainResetByDockerfile(solveErr.details ?? '', opts.dockerfile) : undefined;
      if (reset) return end({ ok: false, canceled: false, exporterResponse: {}, error: { message: reset, code: solveErr.code, sources: [] } });
      return end({ ok: false, canceled: false, exporterResponse: {}, error: decodeBuildError(solveErr) });
    } catch (e) {
      return end({ ok: false, canceled: cancelRequested, exporterResponse: {}, error: { ...messageOf(e), local: true } });
    } finally {
      statusStream?.cancel();
      session?.close();
    }
  };

  return {
    ref,
    done: run(),
    cancel: () => {
      cancelRequested = true;
      cancelSolve?.();
    },
  };
}
