// .dockerignore pattern semantics, ported from moby/patternmatcher (which fsutil's FilterFS
// uses for exclude, include and follow patterns). Paths are '/'-separated and relative.
import { compileGoRegexp, GoRegexpError } from './goregexp';
import { matchDotSyntaxError } from './glob';

export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`invalid pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'PatternError';
  }
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

export interface Pattern {
  /** the pattern after trimming, cleaning and dropping a leading '!' */
  readonly text: string;
  /** a '!' re-include ("exception") pattern */
  readonly exclusion: boolean;
}

interface CompiledPattern extends Pattern {
  readonly dirs: string[];
  readonly type: MatchType;
  /** the Go regexp's source, for type 'regexp' */
  readonly source?: string;
  /** compiled at the pattern's first use: a RegExp, or why it does not compile */
  regexp?: RegExp | PatternError;
}

/** Per-pattern results for a directory, handed to its children (patternmatcher's MatchInfo). */
export type MatchInfo = readonly boolean[];

// Go's strings.TrimSpace set (unicode.IsSpace), which differs from JS trim() on U+0085/U+FEFF.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');
const goTrimSpace = (s: string) => s.replace(GO_TRIM, '');

/** Go's filepath.Clean for '/'-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's filepath.Dir for '/'-separated paths. */
export function dirName(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

// Upstream means to escape `.+()|{}$`, but its bitmap (escapeBytes[b%8] |= 1<<(b/8), a byte)
// loses every bit for b >= 64, so `{`, `|` and `}` reach Go's regexp raw (alternation, counted
// repetition). We reproduce what it does, not what it meant.
const ESCAPED_IN_REGEXP = new Set('.+()$');

/** patternmatcher's Pattern.compile: classifies the pattern and writes its Go regexp. */
function classify(text: string): { type: MatchType; source?: string } {
  const chars = Array.from(text);
  let re = '^';
  let type: MatchType = 'exact';
  for (let pos = 0, i = 0; pos < chars.length; i++) {
    const ch = chars[pos++];
    if (ch === '*') {
      if (chars[pos] === '*') {
        pos++;
        if (chars[pos] === '/') pos++; // "**/" behaves as "**"
        if (pos >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ESCAPED_IN_REGEXP.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (pos < chars.length) {
        re += '\\' + chars[pos++];
        type = 'regexp';
      } else re += '\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  return type === 'regexp' ? { type, source: re + '$' } : { type };
}

/**
 * patternmatcher compiles a pattern's regexp when the pattern is first evaluated, not in New():
 * a pattern the walk never reaches (a "!" re-include when nothing before it matched, say) does not
 * fail the build even when its regexp is invalid ("a\yb": Go has no \y), as with buildx.
 */
function regexpOf(p: CompiledPattern): RegExp {
  if (p.regexp === undefined) {
    try {
      p.regexp = compileGoRegexp(p.source!);
    } catch (e) {
      if (!(e instanceof GoRegexpError)) throw e;
      p.regexp = new PatternError(p.text, e.message);
    }
  }
  if (p.regexp instanceof PatternError) throw p.regexp;
  return p.regexp;
}

function matchOne(p: CompiledPattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.text;
    case 'prefix':
      return path.startsWith(p.text.slice(0, -2));
    case 'suffix': {
      const suffix = p.text.slice(2);
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp':
      return regexpOf(p).test(path);
  }
}

/** True when the pattern or one of the path's ancestors (as in patternmatcher) matches. */
function matchSelfOrAncestor(p: CompiledPattern, path: string): boolean {
  if (matchOne(p, path)) return true;
  const parent = dirName(path);
  if (parent === '.') return false;
  const parts = parent.split('/');
  for (let i = 1; i <= parts.length; i++) if (matchOne(p, parts.slice(0, i).join('/'))) return true;
  return false;
}

export class PatternMatcher {
  private constructor(private readonly list: CompiledPattern[]) {}

  static compile(patterns: readonly string[]): PatternMatcher {
    const list: CompiledPattern[] = [];
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new PatternError(raw, 'illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      const syntax = matchDotSyntaxError(p);
      if (syntax) throw new PatternError(raw, syntax);
      list.push({ text: p, exclusion, dirs: p.split('/'), ...classify(p) });
    }
    return new PatternMatcher(list);
  }

  get patterns(): readonly Pattern[] {
    return this.list.map(({ text, exclusion }) => ({ text, exclusion }));
  }

  /** True when at least one '!' pattern exists. */
  get hasExclusions(): boolean {
    return this.list.some((p) => p.exclusion);
  }

  /**
   * patternmatcher's legacy Matches: the path or its ancestor at the pattern's own depth.
   * Kept for parity with upstream tables; prefer matchesOrParentMatches.
   */
  matches(path: string): boolean {
    let matched = false;
    const parent = dirName(path);
    const parentDirs = parent.split('/');
    for (const p of this.list) {
      if (p.exclusion !== matched) continue;
      let m = matchOne(p, path);
      if (!m && parent !== '.' && p.dirs.length <= parentDirs.length) {
        m = matchOne(p, parentDirs.slice(0, p.dirs.length).join('/'));
      }
      if (m) matched = !p.exclusion;
    }
    return matched;
  }

  /** The .dockerignore rule: the last pattern that matches the path or any ancestor wins. */
  matchesOrParentMatches(path: string): boolean {
    let matched = false;
    for (const p of this.list) {
      if (p.exclusion !== matched) continue;
      if (matchSelfOrAncestor(p, path)) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * The incremental form a tree walk uses (MatchesUsingParentResults): `parent` is what this
   * returned for the containing directory, or undefined at the top / without context.
   */
  matchesUsingParentResults(path: string, parent?: MatchInfo): { matched: boolean; info: MatchInfo } {
    const info = new Array<boolean>(this.list.length).fill(false);
    let matched = false;
    this.list.forEach((p, i) => {
      let m = parent !== undefined && parent.length > 0 ? parent[i] : false;
      if (!m) {
        if (p.exclusion !== matched) return;
        m = parent !== undefined && parent.length > 0 ? matchOne(p, path) : matchSelfOrAncestor(p, path);
      }
      info[i] = m;
      if (m) matched = !p.exclusion;
    });
    return { matched, info };
  }
}

export function compilePatterns(patterns: readonly string[]): PatternMatcher {
  return PatternMatcher.compile(patterns);
}

/** moby/patternmatcher/ignorefile.ReadAll: .dockerignore text to the pattern list. */
export function parseIgnoreFile(text: string): string[] {
  return parseIgnoreLines(text).map((l) => l.pattern);
}

/** parseIgnoreFile, keeping each pattern's 1-based line number for error messages. */
export function parseIgnoreLines(text: string): { line: number; pattern: string }[] {
  const out: { line: number; pattern: string }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.startsWith('#')) return;
      let p = goTrimSpace(line);
      if (p === '') return;
      const invert = p.startsWith('!');
      if (invert) p = goTrimSpace(p.slice(1));
      if (p.length > 0) {
        p = cleanPath(p);
        if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
      }
      out.push({ line: i + 1, pattern: invert ? '!' + p : p });
    });
  return out;
}
