// grpc-js's server stream is an object-mode Writable without _writev: it hands one message to
// HTTP/2 and waits for that write's callback before the next. For 20,000 STAT packets that
// is an event-loop round trip each (measured: 20k STATs 1.1–1.9 s locally, 0.5 s batched).
// Giving the call a _writev lets Node pass every queued message at once; we frame them the
// way grpc-js does and write them to the HTTP/2 stream in one go.
// Even batched, each message costs a trip through the Writable (~8 µs: 170 ms for 20,000 STATs),
// so the STAT listing is framed by the sender itself (FramedMessages: hundreds of messages per
// write), and passed through unchanged.
//
// This reaches into grpc-js's call object (pinned by the lockfile). If its shape changes the
// call is left alone and works as before, only slower; a unit test notices the change.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Http2ServerRequest } from 'node:http2';
import { FramedMessages } from './framing';

interface BaseCall {
  stream: Http2ServerRequest['stream'];
  serializeMessage(m: unknown): Buffer;
  maybeSendMetadata(): void;
  checkCancelled?(): boolean;
}

type WritevChunk = { chunk: unknown };

/** Queued frames up to this many bytes in all are joined into one buffer for the HTTP/2 write. */
const CONCAT_LIMIT = 64 * 1024;

function baseCallOf(call: unknown): BaseCall | undefined {
  let c = (call as { call?: unknown }).call as Record<string, unknown> | undefined;
  for (let depth = 0; c && depth < 4; depth++) {
    if (c.stream && typeof c.serializeMessage === 'function' && typeof c.maybeSendMetadata === 'function') {
      return c as unknown as BaseCall;
    }
    c = c.nextCall as Record<string, unknown> | undefined;
  }
  return undefined;
}

/** Returns whether batching is on for this call. Only for handlers without interceptors. */
export function enableBatchedWrites(call: ServerDuplexStream<unknown, unknown>): boolean {
  const base = baseCallOf(call);
  if (!base) return false;
  type Cb = (e?: Error | null) => void;
  const writable = call as unknown as { _writev(chunks: WritevChunk[], cb: Cb): void; _write(chunk: unknown, enc: string, cb: Cb): void };
  const frame = (m: unknown) => (m instanceof FramedMessages ? m.bytes : base.serializeMessage(m));
  writable._writev = (chunks, cb) => {
    if (base.checkCancelled?.()) return cb();
    let frames: Buffer[];
    try {
      frames = chunks.map((c) => frame(c.chunk));
    } catch (e) {
      return cb(e as Error);
    }
    base.maybeSendMetadata();
    const done = (err?: Error | null) => cb(err);
    if (frames.length === 1) return void base.stream.write(frames[0], done);
    let bytes = 0;
    for (const f of frames) bytes += f.length;
    // many small frames: one buffer; large ones (file data) are not worth copying: one corked writev
    if (bytes <= CONCAT_LIMIT) return void base.stream.write(Buffer.concat(frames, bytes), done);
    base.stream.cork();
    frames.forEach((f, i) => base.stream.write(f, i === frames.length - 1 ? done : undefined));
    base.stream.uncork();
  };
  const single = writable._write.bind(call);
  writable._write = (chunk, enc, cb) => (chunk instanceof FramedMessages ? writable._writev([{ chunk }], cb) : single(chunk, enc, cb));
  return true;
}
