// Following a build someone else started (e.g. `docker buildx build` in a terminal) by its ref,
// shaped like our own builds (a BuildHandle), so the same model, renderers and panel show it.
import type { Engine } from '../engine/connect';
import { EngineError } from '../engine/errors';
import type { CompareInput } from '../progress/compare';
import { BuildModel } from '../progress/model';
import { followStatus, listHistory, type HistoryRecord } from './history';
import type { BuildHandle, BuildResult, StatusListener } from './types';

/** "default/default/abc" (buildx metadata) or "buildkit-lens/abc" → "abc". */
export function bareRef(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The record of ref, or the one record whose ref starts with it. */
export async function findRecord(engine: Engine, ref: string): Promise<HistoryRecord> {
  const want = bareRef(ref);
  const exact = await listHistory(engine, { ref: want });
  if (exact.length) return exact[0];
  const prefixed = want.length >= 4 ? (await listHistory(engine)).filter((r) => r.ref.startsWith(want)) : [];
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) throw new EngineError(`build ref "${ref}" is ambiguous: ${prefixed.slice(0, 3).map((r) => r.ref).join(', ')}…`);
  throw new EngineError(`no build "${ref}" in this engine's history (see "buildkit-lens history ls")`);
}

function resultOf(r: HistoryRecord, exporterResponse: Record<string, string> = {}): BuildResult {
  const durationMs = r.durationMs ?? (r.createdAt ? Date.now() - r.createdAt : 0);
  if (r.state === 'completed') return { ref: r.ref, ok: true, canceled: false, exporterResponse, durationMs };
  const canceled = r.state === 'canceled';
  const error = !canceled && r.failure ? r.failure : { message: r.error ?? 'failed', code: canceled ? 1 : 2, sources: [] };
  return { ref: r.ref, ok: false, canceled, exporterResponse, durationMs, error };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The engine completes the record just after the progress stream ends, and counts its steps
 * a moment later still; wait briefly for both.
 */
async function settledRecord(engine: Engine, ref: string): Promise<HistoryRecord> {
  let r = await findRecord(engine, ref);
  for (let i = 0; i < 20 && (r.state === 'running' || r.totalSteps === 0); i++) {
    await sleep(100);
    r = await findRecord(engine, ref);
  }
  return r;
}

export interface AttachHandle extends BuildHandle {
  /** the record as found when attaching: running, or finished (then its progress is replayed) */
  record: Promise<HistoryRecord>;
  /** status messages received; 0 after a finished build means the engine kept no progress for it */
  messages(): number;
  /** the record once the build ended (set before done resolves) */
  readonly finalRecord: HistoryRecord | undefined;
}

/**
 * Attaches to ref: live progress while it runs; for a finished build the engine (BuildKit 0.13)
 * replays the progress it stored. cancel() detaches; the build itself goes on.
 */
export function attachBuild(engine: Engine, ref: string, onStatus: StatusListener): AttachHandle {
  let detach: (() => void) | undefined;
  let detached = false;
  let count = 0;
  let final: HistoryRecord | undefined;
  const record = findRecord(engine, ref);
  const done = (async (): Promise<BuildResult> => {
    let first: HistoryRecord;
    try {
      first = await record;
      if (detached) return resultOf({ ...first, state: 'canceled', error: 'detached' });
      const follow = await followStatus(engine, first.ref, (s) => {
        count++;
        onStatus(s);
      });
      detach = follow.cancel;
      if (detached) follow.cancel();
      await follow.done;
    } catch (e) {
      return { ref: bareRef(ref), ok: false, canceled: false, exporterResponse: {}, durationMs: 0, error: { message: (e as Error).message, code: 2, sources: [] } };
    }
    if (detached) return { ref: first.ref, ok: false, canceled: true, exporterResponse: {}, durationMs: 0, error: { message: 'detached; the build goes on in the engine', code: 1, sources: [] } };
    const last = await settledRecord(engine, first.ref).catch(() => first);
    final = last;
    return resultOf(last);
  })();
  record.catch(() => undefined);
  return {
    ref: bareRef(ref),
    get finalRecord() {
      return final;
    },
    record,
    done,
    messages: () => count,
    cancel: () => {
      detached = true;
      detach?.();
    },
  };
}

/**
 * A finished build as the comparison wants it: its record, and its steps folded from the progress
 * the engine replays (no steps when the engine kept none).
 */
export async function engineBuildForCompare(engine: Engine, ref: string): Promise<CompareInput & { record: HistoryRecord }> {
  const model = new BuildModel();
  const handle = attachBuild(engine, ref, (s) => model.apply(s));
  const record = await handle.record;
  if (record.state === 'running') {
    handle.cancel();
    throw new EngineError(`build ${record.ref} is still running: compare it once it finished`);
  }
  const result = await handle.done;
  model.finish({ ok: result.ok, canceled: result.canceled, error: result.error });
  const steps = handle.messages() > 0 ? model.steps() : undefined;
  model.logs.dispose();
  return {
    record,
    ref: record.ref,
    state: record.state,
    durationMs: record.durationMs,
    cachedSteps: record.cachedSteps,
    totalSteps: record.totalSteps,
    target: record.target,
    buildArgs: record.buildArgs,
    steps,
  };
}
