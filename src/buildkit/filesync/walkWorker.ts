// Worker thread side of prefetch.ts: walks the context, encodes and frames the STAT packets,
// and posts them in batches with what the sender needs to answer REQs (the regular files).
// Walking is CPU work (lstat, filters, encoding); here it runs beside the main thread, which
// meanwhile sets the build up and then only has to write the batches.
import { parentPort, workerData } from 'node:worker_threads';
import { FrameBatch } from './framing';
import { frameStatPacket } from './packetCodec';
import { canRequestData } from './stat';
import { ContextWalk, sameWalk, type WalkOptions } from './walk';

export interface WalkJob {
  root: string;
  opts: WalkOptions;
  /** entries walked before waiting for 'resume' (bounds memory when nobody takes the walk) */
  pauseAfter: number;
}

/**
 * The regular files of a batch (the ones a REQ may name), in a shape that is cheap to post:
 * typed arrays and one string, not an object per file.
 */
export interface RequestableFiles {
  /** the walk's root, symlinks resolved: a file is read from root/rel */
  root: string;
  ids: Int32Array;
  /** relative paths joined by NUL (which no path contains) */
  rels: string;
  /** sizes at walk time (they only pick how a file is read) */
  sizes: Float64Array;
  /** ids of files to send empty (walk.ts: emptyOnOpen) */
  empty: number[];
  /** ids of files whose path is not UTF-8 (walk.ts: raw) */
  raw: number[];
}

/** parent → worker: the walk to do, then (once a request takes it) go on past pauseAfter */
export type WalkCommand = { kind: 'job'; job: WalkJob } | { kind: 'resume' };

export type WalkMessage =
  | { kind: 'batch'; framed: Buffer; files: RequestableFiles }
  | { kind: 'done' }
  | { kind: 'error'; message: string };

/** what the CLI launcher passes: the walk its build will ask for, to start before the CLI has loaded */
export interface WalkWorkerData {
  job?: WalkJob;
}

const BATCH_BYTES = 16 * 1024;

export function sameJob(a: WalkJob, b: WalkJob): boolean {
  return a.root === b.root && sameWalk(a.opts, b.opts);
}

/** One walk. A speculative one holds its messages until a matching job claims it. */
class Walker {
  private held: WalkMessage[] | undefined;
  private readonly abort = new AbortController();
  private resumeNow!: () => void;
  private readonly resumed = new Promise<void>((resolve) => (this.resumeNow = resolve));

  constructor(
    readonly job: WalkJob,
    private readonly post: (m: WalkMessage) => void,
    speculative: boolean,
  ) {
    this.held = speculative ? [] : undefined;
    void this.run();
  }

  get claimed(): boolean {
    return this.held === undefined;
  }

  claim(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const m of held) this.post(m);
  }

  resume(): void {
    this.resumeNow();
  }

  stop(): void {
    this.abort.abort();
    this.resumeNow();
  }

  private emit(m: WalkMessage): void {
    if (this.abort.signal.aborted) return;
    if (this.held) this.held.push(m);
    else this.post(m);
  }

  private async run(): Promise<void> {
    const batch = new FrameBatch(BATCH_BYTES + 1024);
    let root = this.job.root;
    let ids: number[] = [];
    let rels: string[] = [];
    let sizes: number[] = [];
    let empty: number[] = [];
    let raw: number[] = [];
    const flush = () => {
      const files: RequestableFiles = { root, ids: Int32Array.from(ids), rels: rels.join('\0'), sizes: Float64Array.from(sizes), empty, raw };
      this.emit({ kind: 'batch', framed: batch.take().bytes, files });
      [ids, rels, sizes, empty, raw] = [[], [], [], [], []];
    };
    try {
      const walk = new ContextWalk(this.job.root, { ...this.job.opts, signal: this.abort.signal });
      root = walk.realRoot;
      let id = 0;
      for await (const slice of walk.slices()) {
        for (const entry of slice) {
          if (canRequestData(entry.stat.mode)) {
            ids.push(id);
            rels.push(entry.stat.path);
            sizes.push(Number(entry.stat.size));
            if (entry.emptyOnOpen) empty.push(id);
            if (entry.raw) raw.push(id);
          }
          frameStatPacket(entry.stat, batch);
          if (batch.size >= BATCH_BYTES) flush();
          if (++id === this.job.pauseAfter) await this.resumed;
          if (this.abort.signal.aborted) return;
        }
      }
      if (batch.size > 0) flush();
      this.emit({ kind: 'done' });
    } catch (e) {
      // as the request's own walk reports it (diffcopy.ts): a pattern's error is said as it is
      this.emit({ kind: 'error', message: (e as Error).message });
    }
  }
}

// The worker serves one job after another: a finished walker is kept for the next build
// (prefetch.ts). Started by the CLI launcher, it begins with the walk the build will want.
if (parentPort) {
  const port = parentPort;
  const post = (m: WalkMessage) => port.postMessage(m);
  const guess = (workerData as WalkWorkerData | undefined)?.job;
  let current = guess && new Walker(guess, post, true);
  port.on('message', (m: WalkCommand) => {
    if (m.kind === 'resume') return current?.resume();
    if (current && !current.claimed && sameJob(current.job, m.job)) return current.claim();
    if (current && !current.claimed) current.stop();
    current = new Walker(m.job, post, false);
  });
}
