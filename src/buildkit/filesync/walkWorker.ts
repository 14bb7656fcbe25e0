// Worker thread side of prefetch.ts: walks the context, encodes and frames the STAT packets,
// and posts them in batches with what the sender needs to answer REQs (the regular files).
// Walking is CPU work (lstat, filters, encoding); here it runs beside the main thread, which
// meanwhile sets the build up and then only has to write the batches.
import { parentPort } from 'node:worker_threads';
import { FrameBatch } from './framing';
import { encodeStatPacket } from './packetCodec';
import { canRequestData } from './stat';
import { walkContext, WalkError, type WalkOptions } from './walk';

export interface WalkJob {
  root: string;
  opts: WalkOptions;
  /** entries walked before waiting for 'resume' (bounds memory when nobody takes the walk) */
  pauseAfter: number;
}

/** [stream id, absolute path, relative path, size at walk time, sent empty] */
export type RequestableFile = [number, string, string, number, boolean];

/** parent → worker: the walk to do, then (once a request takes it) go on past pauseAfter */
export type WalkCommand = { kind: 'job'; job: WalkJob } | { kind: 'resume' };

export type WalkMessage =
  | { kind: 'batch'; framed: Buffer; files: RequestableFile[] }
  | { kind: 'done' }
  | { kind: 'error'; message: string };

const BATCH_BYTES = 16 * 1024;

async function run(job: WalkJob, post: (m: WalkMessage) => void, resumed: Promise<void>): Promise<void> {
  const batch = new FrameBatch(BATCH_BYTES + 1024);
  let files: RequestableFile[] = [];
  let id = 0;
  const flush = () => {
    post({ kind: 'batch', framed: batch.take().bytes, files });
    files = [];
  };
  try {
    for await (const entry of walkContext(job.root, job.opts)) {
      if (canRequestData(entry.stat.mode)) files.push([id, entry.absPath, entry.stat.path, Number(entry.stat.size), !!entry.emptyOnOpen]);
      batch.add(encodeStatPacket(entry.stat));
      if (batch.size >= BATCH_BYTES) flush();
      if (++id === job.pauseAfter) await resumed;
    }
    if (batch.size > 0) flush();
    post({ kind: 'done' });
  } catch (e) {
    post({ kind: 'error', message: e instanceof WalkError ? e.message : `cannot walk the context: ${(e as Error).message}` });
  }
}

// The worker may be started before its job is known (the CLI starts one while it loads), and
// serves one job after another: a finished walker is kept for the next build (prefetch.ts).
if (parentPort) {
  const port = parentPort;
  let resume = () => undefined as void;
  port.on('message', (m: WalkCommand) => {
    if (m.kind === 'resume') return resume();
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    void run(m.job, (out) => port.postMessage(out), resumed);
  });
}
