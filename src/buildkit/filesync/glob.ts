// Go's filepath.Match (Unix flavour): the syntax check patternmatcher.New runs on each pattern
// (Match(pattern, ".")), and the plain glob fsutil's followpaths resolver applies to directory entries.

/**
 * What patternmatcher.New's check, filepath.Match(pattern, "."), reports. Match parses a chunk only
 * when it gets to it, and gives up without an error at the first chunk that cannot match: so "a*["
 * passes ("a" does not match "."), while "[" or ".*[" fail. Later chunks are checked, if ever, by
 * the regexp compiled when the pattern is first evaluated (patterns.ts).
 */
export function matchDotSyntaxError(pattern: string): string | undefined {
  return goMatch(pattern, '.').error;
}

/** Where Go's scanChunk stops: the first '*' outside a [...] range (backslash skips a char). */
function chunkEnd(p: string): number {
  let inRange = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 < p.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return i;
}

/** Mirrors matchChunk's parsing (the part that can fail) over one chunk. */
function chunkError(chunk: string): string | undefined {
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i];
    if (c === '[') {
      i++;
      if (chunk[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (chunk[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        const lo = classChar(chunk, i);
        if (typeof lo === 'string') return lo;
        i = lo;
        if (chunk[i] === '-') {
          const hi = classChar(chunk, i + 1);
          if (typeof hi === 'string') return hi;
          i = hi;
        }
        ranges++;
      }
    } else if (c === '\\') {
      if (i + 1 >= chunk.length) return 'trailing backslash';
      i += 2;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Go's getEsc: one class character at i; the index after it, or the reason it is bad. */
function classChar(chunk: string, i: number): number | string {
  if (i >= chunk.length) return 'unterminated character class';
  if (chunk[i] === '-' || chunk[i] === ']') return `unexpected '${chunk[i]}' in character class`;
  if (chunk[i] === '\\') {
    i++;
    if (i >= chunk.length) return 'unterminated character class';
  }
  i += chunk.codePointAt(i)! > 0xffff ? 2 : 1;
  if (i >= chunk.length) return 'unterminated character class';
  return i;
}

/** Go's filepath.Match(pattern, name) on Unix, over UTF-8 bytes like Go; a malformed pattern never matches. */
export function globMatch(pattern: string, name: string): boolean {
  return goMatch(pattern, name).matched;
}

/**
 * Go's filepath.Match: whether the name matched, or the reason of the first malformed chunk it
 * reached (ErrBadPattern). Chunks are matched leftmost-first with no backtracking into earlier ones.
 */
function goMatch(pattern: string, name: string): { matched: boolean; error?: string } {
  let pat: Buffer = Buffer.from(pattern, 'utf8');
  let str: Buffer = Buffer.from(name, 'utf8');
  nextChunk: while (pat.length > 0) {
    let star = false;
    while (pat.length > 0 && pat[0] === 0x2a) {
      pat = pat.subarray(1);
      star = true;
    }
    const end = chunkEnd(pat.toString('latin1'));
    const chunk = pat.subarray(0, end);
    pat = pat.subarray(end);
    if (star && chunk.length === 0) return { matched: !str.includes(0x2f) };
    // Go's matchChunk parses its whole chunk whatever the name holds, so a bad chunk fails where it is reached
    const error = chunkError(chunk.toString('utf8'));
    if (error) return { matched: false, error };
    const rest = matchChunk(chunk, str);
    if (rest && (rest.length === 0 || pat.length > 0)) {
      str = rest;
      continue;
    }
    if (star) {
      for (let i = 0; i < str.length && str[i] !== 0x2f; i++) {
        const t = matchChunk(chunk, str.subarray(i + 1));
        if (t) {
          if (pat.length === 0 && t.length > 0) continue;
          str = t;
          continue nextChunk;
        }
      }
    }
    return { matched: false };
  }
  return { matched: str.length === 0 };
}

/** Decodes one UTF-8 rune like Go (an invalid byte decodes as U+FFFD, width 1). */
function decodeRune(b: Buffer): [number, number] {
  const c = b[0];
  const width = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  if (width === 1) return [c < 0x80 ? c : 0xfffd, 1];
  const text = b.subarray(0, width).toString('utf8');
  const r = text.codePointAt(0)!;
  return r === 0xfffd || text.length > 2 ? [0xfffd, 1] : [r, width];
}

/** Go's matchChunk on a syntax-checked chunk: the rest of s after a match, or undefined. */
function matchChunk(chunk: Buffer, s: Buffer): Buffer | undefined {
  let c = 0;
  while (c < chunk.length) {
    if (s.length === 0) return undefined;
    const ch = chunk[c];
    if (ch === 0x5b /* [ */) {
      const [r, n] = decodeRune(s);
      s = s.subarray(n);
      c++;
      const negated = chunk[c] === 0x5e;
      if (negated) c++;
      let hit = false;
      for (let ranges = 0; chunk[c] !== 0x5d || ranges === 0; ranges++) {
        let lo: number;
        [lo, c] = classRune(chunk, c);
        let hi = lo;
        if (chunk[c] === 0x2d) [hi, c] = classRune(chunk, c + 1);
        if (lo <= r && r <= hi) hit = true;
      }
      c++;
      if (hit === negated) return undefined;
    } else if (ch === 0x3f /* ? */) {
      if (s[0] === 0x2f) return undefined;
      s = s.subarray(decodeRune(s)[1]);
      c++;
    } else {
      if (ch === 0x5c) c++;
      if (chunk[c] !== s[0]) return undefined;
      s = s.subarray(1);
      c++;
    }
  }
  return s;
}

function classRune(chunk: Buffer, c: number): [number, number] {
  if (chunk[c] === 0x5c) c++;
  const [r, n] = decodeRune(chunk.subarray(c));
  return [r, c + n];
}
