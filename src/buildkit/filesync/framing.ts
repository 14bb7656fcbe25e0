// gRPC message framing done by the sender itself: many small messages in one write
// (batchedWrites.ts passes FramedMessages through unchanged).

/** Messages framed already (gRPC's 5-byte prefix each); only for calls with batching on. */
export class FramedMessages {
  constructor(readonly bytes: Buffer) {}
}

/** Collects encoded messages into FramedMessages of about `target` bytes. */
export class FrameBatch {
  /** allocated by the first message after each take(): the last batch leaves nothing behind */
  private buf = Buffer.alloc(0);
  private pos = 0;

  constructor(private readonly target = 32 * 1024) {}

  get size(): number {
    return this.pos;
  }

  add(message: Buffer): void {
    const [buf, pos] = this.reserve(message.length);
    message.copy(buf, pos);
  }

  /** Room for one message of `length` bytes, its prefix written: where to write the message. */
  reserve(length: number): [Buffer, number] {
    const need = 5 + length;
    if (this.pos + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.target, this.buf.length * 2, this.pos + need));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.buf[this.pos] = 0; // not compressed
    this.buf.writeUInt32BE(length, this.pos + 1);
    const at = this.pos + 5;
    this.pos += need;
    return [this.buf, at];
  }

  /** The collected messages; the next message starts a new buffer (the write may hold this one). */
  take(): FramedMessages {
    const out = new FramedMessages(this.buf.subarray(0, this.pos));
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    return out;
  }
}
