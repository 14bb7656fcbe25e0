// The context walk, started before the engine asks for it, in a worker thread. Between the
// build's start and the engine's DiffCopy request for the context lie the session and control
// round trips, the solve, and the Dockerfile and .dockerignore transfers (~150 ms); walking
// (lstat + filters + STAT encoding, ~250 ms for 20,000 files) meanwhile, on the other core,
// takes most of a no-change rebuild off the clock. The walk is used only by the request that
// asks for exactly the predicted patterns; otherwise it is dropped and the request walks itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import type { DiffCopyRequest } from './metadata';
import { sameWalk, type WalkOptions } from './walk';
import type { RequestableFiles, WalkCommand, WalkJob, WalkMessage } from './walkWorker';

export interface StatBatch {
  /** gRPC-framed STAT packets (framing.ts) */
  framed: Buffer;
  files: RequestableFiles;
}

/** Entries walked before the worker waits to be taken: bounds what an unused walk holds. */
export const PAUSE_AFTER = 50_000;

/**
 * A walk worker started ahead of time, without a job: dist/cli.js starts one while the CLI
 * bundle loads (a worker takes ~40 ms to boot). Set through a global as the launcher and
 * this code are separate bundles.
 */
export const SPARE_WALK_WORKER = Symbol.for('buildkit-lens.spareWalkWorker');

/** worker_threads is required on first use: loading it is ~2.5 ms of every CLI start, and small contexts need no worker. */
export function newWorker(file: string, options?: WorkerOptions): Worker {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  return new threads.Worker(file, options);
}

const alive = (w: Worker | undefined) => (w && w.threadId >= 0 ? w : undefined); // -1 once exited

/** One idle walker is kept: a new isolate per build costs ~40 ms and leaves memory behind. */
let idle: Worker | undefined;
let keepIdle = true;

/**
 * Whether a walker that has finished waits for the next build. The CLI builds once per process: there
 * an idle walker only held its ~15 MiB to the end (a cold build's peak memory 126-129 → 107-113 MiB).
 */
export function keepIdleWalker(keep: boolean): void {
  keepIdle = keep;
}

function acquireWorker(): Worker {
  const g = globalThis as { [SPARE_WALK_WORKER]?: Worker };
  const spare = g[SPARE_WALK_WORKER];
  g[SPARE_WALK_WORKER] = undefined;
  const reused = alive(spare) ?? alive(idle);
  if (reused === idle) idle = undefined;
  const w = reused ?? newWorker(path.join(__dirname, 'walkWorker.js'));
  w.unref();
  return w;
}

function releaseWorker(w: Worker): void {
  if (keepIdle && !idle && alive(w)) idle = w;
  else void w.terminate();
}

/** Entries a context may hold and still be walked by its request alone: 256 take ~3 ms (~9 ms in a first walk, its code not yet compiled). */
const WALK_IN_REQUEST_MAX = 256;
/** Folders read to decide; a context with more is walked ahead whatever their size. */
const FOLDERS_READ_MAX = 32;

/**
 * Worth a worker? Booting one costs ~40 ms of CPU (36-44 ms measured), more than walking a few hundred
 * entries in the request itself, and a window's first build pays it while VS Code makes the panel's
 * webview on the same cores. So the context is counted first, a folder at a time, until it has more
 * than WALK_IN_REQUEST_MAX entries or FOLDERS_READ_MAX folders: a small project with a subfolder or
 * two is walked by the request, anything larger ahead.
 */
export function worthWalkingAhead(root: string): boolean {
  const folders = [root];
  let entries = 0;
  for (let i = 0; i < folders.length; i++) {
    if (i === FOLDERS_READ_MAX) return true;
    let list: fs.Dirent[];
    try {
      list = fs.readdirSync(folders[i], { withFileTypes: true });
    } catch {
      if (i === 0) return false; // the build reports an unreadable context itself
      continue; // and the walk an unreadable folder in it
    }
    entries += list.length;
    if (entries > WALK_IN_REQUEST_MAX) return true;
    for (const e of list) if (e.isDirectory()) folders.push(path.join(folders[i], e.name));
  }
  return false;
}

/**
 * The folders named on a command line that are worth a worker: every argument that is not a flag,
 * resolved as the context would be. The launcher asks this before parsing the command: the parse costs
 * a CLI run ~2.5 ms (node:util parseArgs' first use, and the parser compiled without the bundle's code
 * cache), and most builds of small contexts need no worker. A folder given as a flag's value only costs
 * that parse; the parsed context must be one of these.
 */
export function foldersWorthWalking(args: string[], cwd = process.cwd()): string[] {
  return args.filter((a) => !a.startsWith('-')).map((a) => path.resolve(cwd, a)).filter(worthWalkingAhead);
}

export class WalkPrefetch {
  private readonly worker: Worker;
  private readonly batches: StatBatch[] = [];
  private ended = false;
  private failure?: string;
  private taken = false;
  private wake?: () => void;

  constructor(
    readonly dirName: string,
    readonly root: string,
    private readonly expected: WalkOptions,
    pauseAfter = PAUSE_AFTER,
  ) {
    const job: WalkJob = { root, opts: expected, pauseAfter };
    // walkWorker.js sits beside this file in both layouts: dist/ (bundles) and out/ (tsc)
    this.worker = acquireWorker();
    this.worker.on('message', this.onMessage);
    this.worker.on('error', this.onGone);
    this.worker.on('exit', this.onGone);
    this.command({ kind: 'job', job });
  }

  private readonly onMessage = (m: WalkMessage) => {
    if (m.kind === 'batch') {
      this.batches.push({ framed: Buffer.from(m.framed.buffer, m.framed.byteOffset, m.framed.byteLength), files: m.files });
      return this.wake?.();
    }
    this.end(m.kind === 'error' ? m.message : undefined);
    this.detach();
    releaseWorker(this.worker);
  };

  /** A worker that cannot start, or dies, is never used: the request walks itself. */
  private readonly onGone = () => {
    this.end('unusable');
    this.detach();
  };

  private detach(): void {
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onGone);
    this.worker.off('exit', this.onGone);
  }

  private command(c: WalkCommand): void {
    this.worker.postMessage(c);
  }

  private end(failure?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake?.();
  }

  /** Does this request ask for what is being walked, and is the walk still unused and usable? */
  matches(req: DiffCopyRequest): boolean {
    return !this.taken && this.failure !== 'unusable' && req.dirName === this.dirName && sameWalk(req, this.expected);
  }

  /** The walk's batches for its one consumer; a walk error is thrown where the live walk would throw it. */
  take(signal: AbortSignal): AsyncGenerator<StatBatch> {
    this.taken = true;
    if (!this.ended) this.command({ kind: 'resume' }); // a finished walker may serve another build by now
    return this.drain(signal);
  }

  private async *drain(signal: AbortSignal): AsyncGenerator<StatBatch> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) return;
        const next = this.batches.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.ended) {
          if (this.failure === 'unusable') throw new Error('the context walk stopped unexpectedly');
          if (this.failure) throw new Error(this.failure);
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.cancel();
    }
  }

  /** Drops the walk (not used, or the build ended); no request can take it afterwards. */
  cancel(): void {
    this.taken = true;
    this.batches.length = 0;
    if (this.ended) return;
    // still walking: this worker cannot be handed on
    this.ended = true;
    this.detach();
    void this.worker.terminate();
  }
}
