// A step's log arrives in chunks that can end inside a UTF-8 character. TextDecoder's streaming mode
// keeps such a tail, but it goes through ICU's converter, ~8× slower than the one-shot path (which
// V8 and Node decode with SIMD): a 300,000-line RUN spent ~2 ms there. This keeps the tail itself.

/** Decodes one stream's chunks; a character split across chunks is decoded whole with the later one. */
export class Utf8Chunks {
  // each one-shot decode would drop a leading BOM; a stream drops only the one it starts with
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private carry: Uint8Array | undefined;
  private started = false;

  decode(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.carry) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    const end = completeLength(bytes);
    if (end < bytes.length) {
      this.carry = bytes.slice(end);
      bytes = bytes.subarray(0, end);
    }
    const text = this.decoder.decode(bytes);
    if (this.started || text === '') return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}

/**
 * Bytes up to where the decoder would stop and wait: a character cut short at the chunk's end, which
 * the next chunk can still complete (WHATWG's UTF-8 decoder: lead byte and the second byte's range).
 */
export function completeLength(b: Uint8Array): number {
  const n = b.length;
  // a character is at most 4 bytes: its lead byte is among the last 3 if it is cut short
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const size = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    if (i + size <= n) return n; // complete, or no lead byte at all
    if (i + 1 < n) {
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (b[i + 1] < lo || b[i + 1] > hi) return n; // can never become a character
    }
    return i;
  }
  // no lead byte close enough: complete, or not UTF-8 (decoded to U+FFFD either way)
  return n;
}
