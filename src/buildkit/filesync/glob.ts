// The syntax check patternmatcher.New runs on each pattern: Go's filepath.Match(pattern, ".")
// on Unix, which reports ErrBadPattern for a malformed pattern anywhere in it. Only the error
// matters here, so this walks the pattern with Match's own chunking and class grammar.

/** Returns a reason when Go's filepath.Match would reject the pattern, else undefined. */
export function globSyntaxError(pattern: string): string | undefined {
  let rest = pattern;
  while (rest.length > 0) {
    while (rest.startsWith('*')) rest = rest.slice(1);
    const end = chunkEnd(rest);
    const problem = chunkError(rest.slice(0, end));
    if (problem) return problem;
    rest = rest.slice(end);
  }
  return undefined;
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
