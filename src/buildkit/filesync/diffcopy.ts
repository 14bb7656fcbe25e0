// The sender side of FileSync.DiffCopy (fsutil's send.go): stream every STAT of the filtered
// local dir, then an empty STAT; answer each REQ{ID} with DATA chunks and an empty DATA; reply
// FIN to FIN. The engine is the receiver and asks only for the regular files it lacks.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { endWithStatus } from '../callStatus';
import { enableBatchedWrites } from './batchedWrites';
import { FrameBatch, FramedMessages } from './framing';
import { parseDiffCopyRequest, type DiffCopyRequest } from './metadata';
import { DATA_HEADROOM, encodeDataPacket, encodeStatPacket, frameDataInPlace, frameDataPacket, frameStatPacket } from './packetCodec';
import type { StatBatch, WalkPrefetch } from './prefetch';
import { fsPath } from './rawNames';
import { canRequestData } from './stat';
import { fsReason } from '../fsReason';
import { ContextWalk } from './walk';

export interface LocalDirs {
  get(name: string): string | undefined;
}

export interface DiffCopyOptions {
  onError?(msg: string): void;
  /** a walk started ahead (prefetch.ts); used once, by the request that asks for exactly it */
  prefetch?: WalkPrefetch;
  /** the message a failed walk sends the engine (build.ts puts the .dockerignore line before a bad pattern) */
  describeWalkError?(message: string): string;
}

/** Bytes per DATA packet: large enough to amortise per-message cost, far below 16 MiB. */
export const CHUNK_SIZE = 1 << 20;
/** Files read and sent at once, as fsutil's sender does. */
const FILE_SENDERS = 4;
/**
 * Large files' chunks written and not yet sent on by HTTP/2. grpc-js would queue 16 before it says
 * "wait"; with the chunks' buffers reused once sent, at most this many plus one per sender exist.
 */
const CHUNKS_IN_FLIGHT = 4;
/**
 * Files up to this size are read with one synchronous call and sent at once: three thread-pool
 * round trips (open, read, close) per tiny file cost far more than the read itself.
 */
const SMALL_FILE = 64 * 1024;
/**
 * grpc-js's Writable says "wait" after 16 queued messages, whatever their size: for 20,000 tiny
 * STAT packets that is a stall every 16 entries. Small packets may queue up to this many.
 */
const MAX_QUEUED_SMALL = 2048;
/** STAT packets go out framed together in writes of about this size (batchedWrites.ts). */
const STAT_BATCH = 16 * 1024;
/**
 * Small files' DATA and EOF packets go out framed together in writes of about this size: two
 * messages per file through grpc-js's Writable cost ~8 µs each (~0.3 s for 20,000 files).
 */
const SMALL_BATCH = 64 * 1024;
/** Framed batches of small files queued in grpc-js before waiting for 'drain' (~4 MiB). */
const MAX_QUEUED_SMALL_BATCHES = 64;

interface FileRef {
  /** where to read it: `abs`, or `rel` under `root` (joined only if the file is requested) */
  abs?: string;
  root?: string;
  rel: string;
  /** size at walk time; only picks the read strategy */
  size: number;
  /** sent as an empty file, as fsutil does for a file its filter refuses to open */
  empty?: boolean;
  /** its path is not UTF-8 (rawNames.ts) */
  raw?: boolean;
}

interface Packet {
  type: 'PACKET_STAT' | 'PACKET_REQ' | 'PACKET_DATA' | 'PACKET_FIN' | 'PACKET_ERR';
  stat?: unknown;
  ID?: number;
  data?: Buffer;
}

class Transfer {
  private readonly files = new Map<number, FileRef>();
  /** large files, read by up to FILE_SENDERS async readers */
  private readonly queue: { id: number; file: FileRef }[] = [];
  /** small files waiting for room in grpc-js's queue; never stuck behind a large file */
  private readonly smallQueue: { id: number; file: FileRef }[] = [];
  private waitingForDrain = false;
  private smallScheduled = false;
  /** small files' packets not written yet (framed calls only) */
  private readonly smallBatch = new FrameBatch(SMALL_BATCH + 1024);

  private running = 0;
  private finished = false;
  /** FIN arrived: the receiver may half-close now without that being an error */
  finRequested = false;
  private readonly abort = new AbortController();
  private wakeSender?: () => void;
  private chunksInFlight = 0;
  private readonly chunkWaiters: (() => void)[] = [];
  /**
   * Chunk buffers HTTP/2 has written out, for the next reads: a fresh 1 MiB buffer per chunk left
   * ~30 MiB of them for the GC to find, a fifth of a cold build's peak memory.
   */
  private readonly spareChunks: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly call: ServerDuplexStream<Packet, Packet | Buffer | FramedMessages>,
    private readonly opts: DiffCopyOptions,
    /** the call takes FramedMessages (batchedWrites.ts) */
    private readonly framed: boolean,
  ) {
    const wakeAll = () => {
      for (const w of this.chunkWaiters.splice(0)) w();
    };
    this.abort.signal.addEventListener('abort', wakeAll);
    call.once('close', () => {
      this.closed = true;
      wakeAll();
    });
  }

  get done(): boolean {
    return this.finished;
  }

  /** Writes one packet, waiting for 'drain' when grpc-js's buffer is full. */
  /** Pre-encoded packets (Buffers) pass the service's serializer untouched; see proto/index.ts. */
  async send(p: Packet | Buffer | FramedMessages): Promise<void> {
    if (this.finished) throw new Error('transfer ended');
    if (this.call.write(p) || !this.mustWait(p)) return;
    await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        this.call.off('drain', done);
        this.call.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('close', done);
      signal.addEventListener('abort', done);
    });
  }

  /**
   * A large file's chunk, once fewer than CHUNKS_IN_FLIGHT are on their way; `buf` (which the chunk's
   * message is a view of) is reused once HTTP/2 has written it.
   */
  private async sendChunk(p: Buffer | FramedMessages, buf: Buffer): Promise<void> {
    while (this.chunksInFlight >= CHUNKS_IN_FLIGHT && !this.finished && !this.closed) await new Promise<void>((r) => this.chunkWaiters.push(r));
    if (this.finished || this.closed) throw new Error('transfer ended');
    this.chunksInFlight++;
    const room = this.call.write(p, (err?: Error | null) => {
      this.chunksInFlight--;
      // a write that failed may still be held somewhere: its buffer is not reused
      if (!err && this.spareChunks.length < CHUNKS_IN_FLIGHT + FILE_SENDERS) this.spareChunks.push(buf);
      this.chunkWaiters.shift()?.();
    });
    if (!room) await this.drained();
  }

  /**
   * A packet past a small file's size (a STAT batch with long names or extended attributes) waits as soon
   * as grpc-js says so; small ones only past a much deeper queue. Large files' chunks go by sendChunk.
   */
  private mustWait(p: Packet | Buffer | FramedMessages): boolean {
    const size = Buffer.isBuffer(p) ? p.length : p instanceof FramedMessages ? p.bytes.length : p.data?.length ?? 0;
    return size > SMALL_FILE || this.call.writableLength >= MAX_QUEUED_SMALL;
  }

  /** Ends the call with PACKET_ERR and an error status; the engine reports "error from sender: …". */
  fail(message: string, code = status.UNKNOWN): void {
    if (this.finished) return;
    this.opts.onError?.(message);
    if (!this.call.cancelled && !this.call.destroyed) this.call.write({ type: 'PACKET_ERR', data: Buffer.from(message) });
    this.stop();
    endWithStatus(this.call, code, message);
  }

  /** Stops walking and reading; in-flight readers notice and close their files. */
  stop(): void {
    this.finished = true;
    this.abort.abort();
    this.wakeSender?.();
  }

  async streamStats(root: string, req: DiffCopyRequest): Promise<void> {
    const ahead = this.opts.prefetch;
    if (this.framed && ahead?.root === root && ahead.matches(req)) return this.streamWalked(ahead.take(this.abort.signal));
    let id = 0;
    // framed calls: each STAT is encoded straight into the batch (packetCodec.ts frameStatPacket)
    const batch = this.framed ? new FrameBatch(STAT_BATCH + 1024) : undefined;
    for await (const slice of new ContextWalk(root, { ...req, signal: this.abort.signal }).slices()) {
      for (const entry of slice) {
        if (this.finished) return;
        if (canRequestData(entry.stat.mode)) {
          const ref: FileRef = entry.emptyOnOpen ? { abs: entry.absPath, rel: entry.stat.path, size: 0, empty: true } : { abs: entry.absPath, rel: entry.stat.path, size: Number(entry.stat.size) };
          if (entry.raw) ref.raw = true;
          this.files.set(id, ref);
        }
        id++;
        if (!batch) await this.send(encodeStatPacket(entry.stat));
        else {
          frameStatPacket(entry.stat, batch);
          if (batch.size >= STAT_BATCH) await this.send(batch.take());
        }
      }
    }
    if (this.finished) return;
    if (!batch) return this.send(encodeStatPacket(undefined));
    batch.add(encodeStatPacket(undefined));
    await this.send(batch.take());
  }

  /** The listing walked ahead (prefetch.ts): framed batches, then the end-of-listing STAT. */
  private async streamWalked(batches: AsyncGenerator<StatBatch>): Promise<void> {
    for await (const { framed, files } of batches) {
      if (this.finished) return;
      const rels = files.ids.length ? files.rels.split('\0') : [];
      const empty = new Set(files.empty);
      const raw = new Set(files.raw);
      files.ids.forEach((id, i) => {
        const ref: FileRef = { root: files.root, rel: rels[i], size: files.sizes[i] };
        if (raw.has(id)) ref.raw = true;
        this.files.set(id, empty.has(id) ? { ...ref, size: 0, empty: true } : ref);
      });
      await this.send(new FramedMessages(framed));
    }
    if (this.finished) return;
    const end = new FrameBatch(16);
    end.add(encodeStatPacket(undefined));
    await this.send(end.take());
  }

  request(id: number): void {
    const file = this.files.get(id);
    if (file === undefined) return this.fail(`invalid file id ${id}`);
    file.abs ??= path.join(file.root!, file.rel);
    this.files.delete(id);
    if (file.size <= SMALL_FILE) {
      this.smallQueue.push({ id, file });
      // the receiver's requests arrive in bursts: answer a burst in batches, not one by one
      if (!this.smallScheduled) {
        this.smallScheduled = true;
        setImmediate(() => {
          this.smallScheduled = false;
          this.flushSmall();
        });
      }
    } else {
      this.queue.push({ id, file });
      this.pump();
    }
  }

  /** Sends queued small files while grpc-js's queue has room; resumes on 'drain'. */
  private flushSmall(): void {
    while (this.smallQueue.length > 0 && !this.finished) {
      if (this.call.writableLength >= (this.framed ? MAX_QUEUED_SMALL_BATCHES : MAX_QUEUED_SMALL)) {
        if (!this.waitingForDrain) {
          this.waitingForDrain = true;
          this.call.once('drain', () => {
            this.waitingForDrain = false;
            this.flushSmall();
          });
        }
        return;
      }
      const { id, file } = this.smallQueue.shift()!;
      try {
        this.sendSmallFile(id, file);
      } catch (err) {
        return this.fail((err as Error).message);
      }
      if (this.smallBatch.size >= SMALL_BATCH) this.call.write(this.smallBatch.take());
    }
    if (this.smallBatch.size > 0 && !this.finished) this.call.write(this.smallBatch.take());
    if (this.running === 0) this.wakeSender?.();
  }

  /** Reads a small file in one go and writes its DATA and EOF packets right away. */
  private sendSmallFile(id: number, file: FileRef): void {
    let data: Buffer;
    try {
      data = file.empty ? Buffer.alloc(0) : fs.readFileSync(fsPath(file.abs!, file.raw));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENXIO') throw new Error(`cannot read ${file.rel}: ${fsReason(err)}`);
      data = Buffer.alloc(0);
    }
    // A file that grew past the chunk size since the walk still goes out in bounded packets.
    for (let off = 0; off < data.length; off += CHUNK_SIZE) {
      const chunk = data.subarray(off, off + CHUNK_SIZE);
      if (this.framed) frameDataPacket(id, chunk, this.smallBatch);
      else this.call.write(encodeDataPacket(id, chunk));
    }
    if (this.framed) frameDataPacket(id, undefined, this.smallBatch);
    else this.call.write(encodeDataPacket(id));
  }

  private pump(): void {
    while (this.running < FILE_SENDERS && this.queue.length > 0 && !this.finished) {
      const { id, file } = this.queue.shift()!;
      this.running++;
      this.sendFile(id, file)
        .catch((err: Error) => this.fail(err.message))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.smallQueue.length === 0) this.wakeSender?.();
        });
    }
  }

  private async sendFile(id: number, file: FileRef): Promise<void> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(fsPath(file.abs!, file.raw), 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // fsutil sends a file it cannot open as empty: it vanished, or it is a socket (ENXIO)
      if (code !== 'ENOENT' && code !== 'ENXIO') throw new Error(`cannot read ${file.rel}: ${fsReason(err)}`);
      if (!this.finished) await this.send(encodeDataPacket(id));
      return;
    }
    try {
      // Read to EOF rather than to the size sent in the STAT: a file that grew or shrank since
      // is sent as it is now, as fsutil does.
      for (;;) {
        if (this.finished) return;
        // A buffer HTTP/2 is done with, or a fresh one: the write holds it until HTTP/2 has sent it. On a
        // framed call the chunk is read straight into its gRPC message (frameDataInPlace): no copies.
        const at = this.framed ? DATA_HEADROOM : 0;
        const buf = this.spareChunks.pop() ?? Buffer.allocUnsafe(DATA_HEADROOM + CHUNK_SIZE);
        let n: number;
        try {
          n = (await fh.read(buf, at, CHUNK_SIZE, null)).bytesRead;
        } catch (err) {
          throw new Error(`cannot read ${file.rel}: ${fsReason(err)}`);
        }
        if (this.finished) return;
        if (n === 0) break;
        await this.sendChunk(this.framed ? new FramedMessages(frameDataInPlace(buf, id, n)) : encodeDataPacket(id, buf.subarray(0, n)), buf);
      }
      await this.send(encodeDataPacket(id));
    } finally {
      await fh.close();
    }
  }

  /** FIN from the receiver: let in-flight files finish, answer FIN, end with OK. */
  async finish(): Promise<void> {
    while ((this.running > 0 || this.smallQueue.length > 0) && !this.finished) {
      await new Promise<void>((r) => (this.wakeSender = r));
    }
    if (this.finished) return;
    await this.send({ type: 'PACKET_FIN' });
    this.finished = true;
    this.abort.abort();
    this.call.end();
  }
}

/** Serves one FileSync.DiffCopy call for the local dirs in `dirs`. */
export function serveDiffCopy(call: ServerDuplexStream<any, any>, dirs: LocalDirs, opts: DiffCopyOptions = {}): void {
  const req = parseDiffCopyRequest(call.metadata);
  const root = dirs.get(req.dirName);
  // a plain-object lookup can hand back inherited members ("constructor"): only strings are dirs
  if (typeof root !== 'string') {
    const message = `no access allowed to dir ${JSON.stringify(req.dirName)}`;
    opts.onError?.(message);
    endWithStatus(call, status.NOT_FOUND, message);
    return;
  }
  const t = new Transfer(call, opts, enableBatchedWrites(call));
  call.on('cancelled', () => t.stop());
  call.on('error', () => t.stop());
  call.on('data', (p: Packet) => {
    if (t.done) return;
    switch (p.type) {
      case 'PACKET_REQ':
        return t.request(p.ID ?? 0);
      case 'PACKET_FIN':
        t.finRequested = true;
        t.finish().catch((err: Error) => t.fail(err.message));
        return;
      case 'PACKET_ERR':
        return t.fail(`error from receiver: ${p.data?.toString() ?? ''}`);
    }
  });
  call.on('end', () => {
    if (!t.done && !t.finRequested) t.fail('receiver closed the stream before FIN', status.CANCELLED);
  });
  t.streamStats(root, req).catch((err: Error) => t.fail(opts.describeWalkError?.(err.message) ?? err.message));
}
