// The sender side of FileSync.DiffCopy (fsutil's send.go): stream every STAT of the filtered
// local dir, then an empty STAT; answer each REQ{ID} with DATA chunks and an empty DATA; reply
// FIN to FIN. The engine is the receiver and asks only for the regular files it lacks.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import * as fsp from 'node:fs/promises';
import { parseDiffCopyRequest } from './metadata';
import { canRequestData } from './stat';
import { fsReason, walkContext } from './walk';

export interface LocalDirs {
  get(name: string): string | undefined;
}

export interface DiffCopyOptions {
  onError?(msg: string): void;
}

/** Bytes per DATA packet: large enough to amortise per-message cost, far below 16 MiB. */
export const CHUNK_SIZE = 1 << 20;
/** Files read and sent at once, as fsutil's sender does. */
const FILE_SENDERS = 4;

interface Packet {
  type: 'PACKET_STAT' | 'PACKET_REQ' | 'PACKET_DATA' | 'PACKET_FIN' | 'PACKET_ERR';
  stat?: unknown;
  ID?: number;
  data?: Buffer;
}

class Transfer {
  private readonly files = new Map<number, { abs: string; rel: string }>();
  private readonly queue: { id: number; file: { abs: string; rel: string } }[] = [];
  private running = 0;
  private finished = false;
  /** FIN arrived: the receiver may half-close now without that being an error */
  finRequested = false;
  private readonly abort = new AbortController();
  private wakeSender?: () => void;

  constructor(
    private readonly call: ServerDuplexStream<Packet, Packet>,
    private readonly opts: DiffCopyOptions,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  /** Writes one packet, waiting for 'drain' when grpc-js's buffer is full. */
  async send(p: Packet): Promise<void> {
    if (this.finished) throw new Error('transfer ended');
    if (this.call.write(p)) return;
    await new Promise<void>((resolve) => {
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

  /** Ends the call with PACKET_ERR and an error status; the engine reports "error from sender: …". */
  fail(message: string, code = status.UNKNOWN): void {
    if (this.finished) return;
    this.opts.onError?.(message);
    if (!this.call.cancelled && !this.call.destroyed) this.call.write({ type: 'PACKET_ERR', data: Buffer.from(message) });
    this.stop();
    if (!this.call.destroyed) this.call.emit('error', { code, details: message });
  }

  /** Stops walking and reading; in-flight readers notice and close their files. */
  stop(): void {
    this.finished = true;
    this.abort.abort();
    this.wakeSender?.();
  }

  async streamStats(root: string, req: ReturnType<typeof parseDiffCopyRequest>): Promise<void> {
    let id = 0;
    for await (const entry of walkContext(root, { ...req, signal: this.abort.signal })) {
      if (this.finished) return;
      if (canRequestData(entry.stat.mode)) this.files.set(id, { abs: entry.absPath, rel: entry.stat.path });
      id++;
      await this.send({ type: 'PACKET_STAT', stat: entry.stat });
    }
    if (!this.finished) await this.send({ type: 'PACKET_STAT' });
  }

  request(id: number): void {
    const file = this.files.get(id);
    if (file === undefined) return this.fail(`invalid file id ${id}`);
    this.files.delete(id);
    this.queue.push({ id, file });
    this.pump();
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
          if (this.running === 0) this.wakeSender?.();
        });
    }
  }

  private async sendFile(id: number, file: { abs: string; rel: string }): Promise<void> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file.abs, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // fsutil sends a file it cannot open as empty: it vanished, or it is a socket (ENXIO)
      if (code !== 'ENOENT' && code !== 'ENXIO') throw new Error(`cannot read ${file.rel}: ${fsReason(err)}`);
      if (!this.finished) await this.send({ type: 'PACKET_DATA', ID: id });
      return;
    }
    try {
      // Read to EOF rather than to the size sent in the STAT: a file that grew or shrank since
      // is sent as it is now, as fsutil does.
      for (;;) {
        if (this.finished) return;
        const buf = Buffer.allocUnsafe(CHUNK_SIZE);
        let n: number;
        try {
          n = (await fh.read(buf, 0, CHUNK_SIZE, null)).bytesRead;
        } catch (err) {
          throw new Error(`cannot read ${file.rel}: ${fsReason(err)}`);
        }
        if (this.finished) return;
        if (n === 0) break;
        await this.send({ type: 'PACKET_DATA', ID: id, data: n === CHUNK_SIZE ? buf : buf.subarray(0, n) });
      }
      await this.send({ type: 'PACKET_DATA', ID: id });
    } finally {
      await fh.close();
    }
  }

  /** FIN from the receiver: let in-flight files finish, answer FIN, end with OK. */
  async finish(): Promise<void> {
    while (this.running > 0 && !this.finished) await new Promise<void>((r) => (this.wakeSender = r));
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
    call.emit('error', { code: status.NOT_FOUND, details: message });
    return;
  }
  const t = new Transfer(call, opts);
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
  t.streamStats(root, req).catch((err: Error) => t.fail(err.message));
}
