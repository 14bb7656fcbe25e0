// File names are bytes; Node's fs gives them as UTF-8 text, and a name that is not valid UTF-8
// comes back with U+FFFD in place of its bytes, a name that cannot be opened again. fsutil sends
// such names as they are (Go strings are bytes), so the context walk keeps them too: each byte that
// is not part of valid UTF-8 is held as a lone surrogate U+DC80-U+DCFF (Python's "surrogateescape"),
// which no valid name can produce, and turned back into that byte for fs and for the wire.
// Only names that need it take this path: a directory is re-read as bytes when a name in it has
// U+FFFD, and entries under it are marked, so ordinary names cost nothing.

const ESCAPE_BASE = 0xdc00;

/** Bytes → text, each byte that is not part of a valid UTF-8 sequence escaped. */
export function escapeName(b: Uint8Array): string {
  let out = '';
  let i = 0;
  let start = 0;
  const flush = (end: number) => {
    if (end > start) out += Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
  };
  while (i < b.length) {
    const n = validSequence(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    out += String.fromCharCode(ESCAPE_BASE + b[i]);
    start = ++i;
  }
  flush(i);
  return out;
}

/** The length of the valid UTF-8 sequence at i (as Go's utf8.DecodeRune accepts it), or 0. */
function validSequence(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  // no overlong forms, no surrogates (ED A0-BF), nothing above U+10FFFF
  if (c >= 0xe0 && c <= 0xef) return cont(1, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf) && cont(2) ? 3 : 0;
  if (c >= 0xf0 && c <= 0xf4) return cont(1, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Text → the bytes it stands for: escaped bytes as themselves, the rest as UTF-8. */
export function nameBytes(s: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      i++; // a pair: one valid character
      continue;
    }
    if (c < 0xdc80 || c > 0xdcff) continue;
    if (i > start) parts.push(Buffer.from(s.slice(start, i), 'utf8'));
    parts.push(Buffer.of(c - ESCAPE_BASE));
    start = i + 1;
  }
  if (start === 0) return Buffer.from(s, 'utf8');
  if (start < s.length) parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** Does text hold escaped bytes (a lone U+DC80-U+DCFF, never the second half of a pair)? */
export function hasEscapes(s: string): boolean {
  return /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/.test(s);
}

/** Bytes from the wire as text: UTF-8, with escapes only where it is not (readdir's U+FFFD check, for messages). */
export function wireName(b: Buffer): string {
  const text = b.toString('utf8');
  return text.includes('\uFFFD') ? escapeName(b) : text;
}

/** A path as fs takes it: its bytes when it holds escaped ones. */
export function fsPath(s: string, raw: boolean | undefined): string | Buffer {
  return raw ? nameBytes(s) : s;
}
