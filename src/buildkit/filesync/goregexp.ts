// Translates the Go (RE2, Perl flags) regular expressions that patternmatcher builds from
// .dockerignore patterns into equivalent JavaScript RegExps. A pattern's `[...]` and `\x`
// pass straight into Go's regexp, so user text can carry any RE2 construct: classes with
// POSIX names, \d, \pL, octal and hex escapes, \Q..\E. JS differs on most of these, so we
// parse RE2 ourselves and emit only constructs whose JS meaning is unambiguous.

export class GoRegexpError extends Error {}

type Range = [number, number];
const MAX_RUNE = 0x10ffff;

const PERL: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

const hex = (c: number) => `\\u{${c.toString(16)}}`;
const rangeText = ([lo, hi]: Range) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
const isOctal = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x37;
const isHex = (c: number | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(String.fromCodePoint(c));

/** A class member set: plain ranges plus JS \p{..}/\P{..} fragments. */
interface ClassSet {
  ranges: Range[];
  props: string[];
}

function classText(set: ClassSet, negate: boolean): string {
  if (set.ranges.length === 0 && set.props.length === 0) return negate ? '[\\u{0}-\\u{10ffff}]' : '[^\\u{0}-\\u{10ffff}]';
  return `[${negate ? '^' : ''}${set.ranges.map(rangeText).join('')}${set.props.join('')}]`;
}

function unicodeProperty(name: string, negated: boolean): ClassSet {
  if (name === 'Any') return negated ? { ranges: [], props: [] } : { ranges: [[0, MAX_RUNE]], props: [] };
  const p = negated ? 'P' : 'p';
  for (const candidate of [name, `Script=${name}`]) {
    try {
      new RegExp(`\\${p}{${candidate}}`, 'u');
      return { ranges: [], props: [`\\${p}{${candidate}}`] };
    } catch {
      /* try the next spelling */
    }
  }
  throw new GoRegexpError(`invalid character class range: \\p{${name}}`);
}

class Parser {
  private readonly cps: number[];
  private pos = 0;
  constructor(src: string) {
    this.cps = Array.from(src, (ch) => ch.codePointAt(0)!);
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset];
  }
  private startsWith(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (this.peek(i) !== text.charCodeAt(i)) return false;
    return true;
  }
  private fail(what: string): never {
    throw new GoRegexpError(what);
  }

  translate(): string {
    // Each stack frame is one alternation branch under construction: items are JS atoms,
    // `null` marks an assertion-only or group-open position where a repeat is invalid.
    type Frame = { branches: string[][]; items: string[]; lastRepeat: boolean };
    const stack: Frame[] = [{ branches: [], items: [], lastRepeat: false }];
    const top = () => stack[stack.length - 1];
    const push = (atom: string) => {
      top().items.push(atom);
      top().lastRepeat = false;
    };
    while (this.pos < this.cps.length) {
      const c = this.cps[this.pos];
      switch (c) {
        case 0x28 /* ( */:
          if (this.peek(1) === 0x3f /* ? */) this.fail('unsupported group flags in pattern');
          this.pos++;
          stack.push({ branches: [], items: [], lastRepeat: false });
          break;
        case 0x29 /* ) */: {
          if (stack.length === 1) this.fail('unexpected ) in pattern');
          this.pos++;
          const f = stack.pop()!;
          push(`(?:${[...f.branches, f.items].map((b) => b.join('')).join('|')})`);
          break;
        }
        case 0x7c /* | */:
          this.pos++;
          top().branches.push(top().items);
          top().items = [];
          top().lastRepeat = false;
          break;
        case 0x2a /* * */:
        case 0x2b /* + */:
        case 0x3f /* ? */: {
          this.pos++;
          if (top().lastRepeat) this.fail('invalid nested repetition operator');
          const items = top().items;
          if (items.length === 0) this.fail('missing argument to repetition operator');
          let op = String.fromCharCode(c);
          if (this.peek() === 0x3f) {
            this.pos++;
            op += '?';
          }
          items[items.length - 1] = `(?:${items[items.length - 1]})${op}`;
          top().lastRepeat = true;
          break;
        }
        case 0x7b /* { */: {
          const repeat = this.countedRepeat();
          if (!repeat) {
            this.pos++;
            push(hex(c)); // Go treats a { that starts no valid repeat as a literal
            break;
          }
          if (top().lastRepeat) this.fail('invalid nested repetition operator');
          const items = top().items;
          if (items.length === 0) this.fail('missing argument to repetition operator');
          items[items.length - 1] = `(?:${items[items.length - 1]})${repeat}`;
          top().lastRepeat = true;
          break;
        }
        case 0x5e /* ^ */:
          this.pos++;
          push('^');
          break;
        case 0x24 /* $ */:
          this.pos++;
          push('$');
          break;
        case 0x2e /* . */:
          this.pos++;
          push('[^\\n]');
          break;
        case 0x5b /* [ */:
          push(this.parseClass());
          break;
        case 0x5c /* \ */:
          this.parseTopEscape(push);
          break;
        default:
          this.pos++;
          push(hex(c));
      }
    }
    if (stack.length !== 1) this.fail('missing closing ) in pattern');
    return [...stack[0].branches, stack[0].items].map((b) => b.join('')).join('|');
  }

  /** Go's parseRepeat at pos: `{n}`, `{n,}` or `{n,m}` (no leading zeros); JS text or undefined. */
  private countedRepeat(): string | undefined {
    const text = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40));
    const m = /^\{(0|[1-9]\d*)(,(0|[1-9]\d*)?)?\}/.exec(text);
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? -1 : Number(m[3]);
    if (min > 1000 || max > 1000 || (max >= 0 && min > max)) this.fail(`invalid repeat count: ${m[0]}`);
    this.pos += m[0].length;
    let op = m[0];
    if (this.peek() === 0x3f) {
      this.pos++;
      op += '?';
    }
    return op;
  }

  private parseTopEscape(push: (atom: string) => void): void {
    const next = this.peek(1);
    if (next === undefined) this.fail('trailing backslash at end of expression');
    switch (next) {
      case 0x41 /* A */:
        this.pos += 2;
        return push('^');
      case 0x7a /* z */:
        this.pos += 2;
        return push('$');
      case 0x62 /* b */:
        this.pos += 2;
        return push('\\b');
      case 0x42 /* B */:
        this.pos += 2;
        return push('\\B');
      case 0x43 /* C */:
        this.fail('invalid escape sequence: \\C');
        break;
      case 0x51 /* Q */: {
        this.pos += 2;
        while (this.pos < this.cps.length && !this.startsWith('\\E')) push(hex(this.cps[this.pos++]));
        if (this.startsWith('\\E')) this.pos += 2;
        return;
      }
    }
    const set = this.tryClassEscape();
    if (set) return push(classText(set.set, set.negated));
    push(hex(this.parseEscape()));
  }

  /** \d \s \w (and negations) and \p{..}; undefined when the escape is not a class. */
  private tryClassEscape(): { set: ClassSet; negated: boolean } | undefined {
    const c = this.peek(1);
    if (c === undefined) return undefined;
    const letter = String.fromCharCode(c);
    const perl = PERL[letter.toLowerCase()];
    if (perl) {
      this.pos += 2;
      return { set: { ranges: perl, props: [] }, negated: letter !== letter.toLowerCase() };
    }
    if (letter !== 'p' && letter !== 'P') return undefined;
    this.pos += 2;
    let name: string;
    if (this.peek() === 0x7b) {
      const end = this.cps.indexOf(0x7d, this.pos);
      if (end < 0) this.fail('invalid character class range: missing }');
      name = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
      this.pos = end + 1;
    } else {
      const ch = this.peek();
      if (ch === undefined) this.fail('invalid character class range: \\p');
      name = String.fromCodePoint(ch);
      this.pos++;
    }
    let negated = letter === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    return { set: unicodeProperty(name, negated), negated: false };
  }

  /** One escaped rune (after the backslash at pos); mirrors Go's regexp/syntax parseEscape. */
  private parseEscape(): number {
    this.pos++; // the backslash
    const c = this.cps[this.pos++];
    if (c === undefined) this.fail('trailing backslash at end of expression');
    if (c < 0x80 && !isAlnum(c)) return c;
    const ch = String.fromCodePoint(c);
    if (ch >= '1' && ch <= '7' && !isOctal(this.peek())) this.fail(`invalid escape sequence: \\${ch}`);
    if (ch >= '0' && ch <= '7') {
      let r = c - 0x30;
      for (let i = 1; i < 3 && isOctal(this.peek()); i++) r = r * 8 + (this.cps[this.pos++] - 0x30);
      return r;
    }
    if (ch === 'x') {
      if (this.peek() === 0x7b) {
        this.pos++;
        let r = 0;
        let n = 0;
        while (isHex(this.peek())) {
          r = r * 16 + parseInt(String.fromCodePoint(this.cps[this.pos++]), 16);
          n++;
          if (r > MAX_RUNE) this.fail('invalid escape sequence: \\x{...}');
        }
        if (n === 0 || this.peek() !== 0x7d) this.fail('invalid escape sequence: \\x{...}');
        this.pos++;
        return r;
      }
      if (!isHex(this.peek()) || !isHex(this.peek(1))) this.fail('invalid escape sequence: \\x');
      const r = parseInt(String.fromCodePoint(this.cps[this.pos], this.cps[this.pos + 1]), 16);
      this.pos += 2;
      return r;
    }
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (ch in simple) return simple[ch];
    this.fail(`invalid escape sequence: \\${ch}`);
  }

  /** Parses `[...]` at pos the way Go's parseClass does (Perl mode: '-' allowed anywhere). */
  private parseClass(): string {
    this.pos++; // [
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.pos++;
    }
    const set: ClassSet = { ranges: [], props: [] };
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing closing ]');
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.peek(1) === 0x3a /* [: */) {
        const rest = String.fromCodePoint(...this.cps.slice(this.pos + 2));
        const end = rest.indexOf(':]');
        if (end >= 0) {
          let name = rest.slice(0, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const ranges = POSIX[name];
          if (!ranges) this.fail(`invalid character class range: [:${rest.slice(0, end)}:]`);
          set.ranges.push(...(neg ? complement(ranges) : ranges));
          this.pos += 2 + Array.from(rest.slice(0, end)).length + 2;
          continue;
        }
      }
      if (c === 0x5c) {
        const cls = this.tryClassEscape();
        if (cls) {
          if (cls.negated) set.ranges.push(...complement(cls.set.ranges));
          else set.ranges.push(...cls.set.ranges);
          set.props.push(...cls.set.props);
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === 0x2d && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) this.fail(`invalid character class range: ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
      }
      set.ranges.push([lo, hi]);
    }
    return classText(set, negated);
  }

  private classChar(): number {
    const c = this.peek();
    if (c === undefined) this.fail('missing closing ]');
    if (c === 0x5c) return this.parseEscape();
    this.pos++;
    return c;
  }
}

/** Compiles a Go regexp source into a JS RegExp with the same matches; throws GoRegexpError. */
export function compileGoRegexp(source: string): RegExp {
  return new RegExp(new Parser(source).translate(), 'u');
}
