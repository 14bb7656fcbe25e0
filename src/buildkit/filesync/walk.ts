// Walks a local directory the way fsutil's FilterFS (on top of NewFS, under WithHardlinkReset)
// does for FileSync.DiffCopy: depth-first pre-order, entries of a directory in byte order,
// include/exclude/followpaths filtering with patternmatcher semantics, and directories that are
// themselves filtered out emitted lazily right before their first included descendant.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePatterns, MatchInfo, PatternMatcher } from './patterns';
import { compareNames, dedupePaths, followLinks } from './followpaths';
import { makeStat, WireStat } from './stat';

export type { WireStat } from './stat';

export interface WalkOptions {
  includePatterns?: readonly string[];
  excludePatterns?: readonly string[];
  followPaths?: readonly string[];
  signal?: AbortSignal;
}

export interface WalkEntry {
  stat: WireStat;
  /** where to read a regular file's bytes from */
  absPath: string;
  /**
   * fsutil's filterFS.Open re-checks a requested file with MatchesOrParentMatches, which can
   * disagree with the walk's incremental matching (a dir excluded after a '!' re-include):
   * the file is listed but refused on open, and sent empty. Same bytes as buildx.
   */
  emptyOnOpen?: boolean;
}

/** Do two walks ask for the same entries (same include, exclude and follow patterns)? */
export function sameWalk(a: WalkOptions, b: WalkOptions): boolean {
  const same = (x: readonly string[] = [], y: readonly string[] = []) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.includePatterns, b.includePatterns) && same(a.excludePatterns, b.excludePatterns) && same(a.followPaths, b.followPaths);
}

export class WalkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalkError';
  }
}

interface Filter {
  include?: PatternMatcher;
  exclude?: PatternMatcher;
  onlyPrefixIncludes: boolean;
  onlyPrefixExcludeExceptions: boolean;
}

interface Frame {
  rel: string;
  abs: string;
  entries: fs.Dirent[];
  next: number;
  emitted: boolean;
  includeInfo?: MatchInfo;
  excludeInfo?: MatchInfo;
}

const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(text: string): string {
  let t = text;
  if (t.endsWith('/**')) t = t.slice(0, -3);
  if (t.endsWith('/*')) t = t.slice(0, -2);
  return t;
}

/** Could a pattern (with its trailing /** or /* dropped) name something inside dir? */
function reachesInto(patterns: PatternMatcher, exclusion: boolean, dir: string): boolean {
  return patterns.patterns.some((p) => p.exclusion === exclusion && (withoutTrailingGlob(p.text) + '/').startsWith(dir + '/'));
}

function onlyPrefixes(patterns: PatternMatcher | undefined, exclusion: boolean): boolean {
  return !patterns || patterns.patterns.every((p) => p.exclusion !== exclusion || !PATTERN_CHARS.test(withoutTrailingGlob(p.text)));
}

function buildFilter(root: string, opts: WalkOptions): Filter {
  let includes: string[] | undefined = opts.includePatterns ? [...opts.includePatterns] : undefined;
  if (opts.followPaths) {
    const targets = followLinks(root, opts.followPaths);
    if (targets) includes = dedupePaths([...(includes ?? []), ...targets]);
  }
  const include = includes && includes.length > 0 ? compilePatterns(includes) : undefined;
  const exclude = opts.excludePatterns && opts.excludePatterns.length > 0 ? compilePatterns(opts.excludePatterns) : undefined;
  return {
    include,
    exclude,
    onlyPrefixIncludes: onlyPrefixes(include, false),
    onlyPrefixExcludeExceptions: onlyPrefixes(exclude, true),
  };
}

type Verdict = { kind: 'skipDir' } | { kind: 'hidden' | 'keep'; includeInfo?: MatchInfo; excludeInfo?: MatchInfo };

/** fsutil filterFS.Walk's decision for one entry, given its parent directory's frame. */
function judge(f: Filter, rel: string, isDir: boolean, parent: Frame): Verdict {
  let hidden = false;
  let includeInfo: MatchInfo | undefined;
  let excludeInfo: MatchInfo | undefined;
  if (f.include) {
    const r = f.include.matchesUsingParentResults(rel, parent.includeInfo);
    includeInfo = r.info;
    if (!r.matched) {
      if (isDir && f.onlyPrefixIncludes && !reachesInto(f.include, false, rel)) return { kind: 'skipDir' };
      hidden = true;
    }
  }
  if (f.exclude) {
    const r = f.exclude.matchesUsingParentResults(rel, parent.excludeInfo);
    excludeInfo = r.info;
    if (r.matched) {
      if (isDir && f.onlyPrefixExcludeExceptions && !(f.exclude.hasExclusions && reachesInto(f.exclude, true, rel))) {
        return { kind: 'skipDir' };
      }
      hidden = true;
    }
  }
  return { kind: hidden ? 'hidden' : 'keep', includeInfo, excludeInfo };
}

/** "permission denied" from Node's "EACCES: permission denied, open '/x'" (the path is said already). */
export function fsReason(err: unknown): string {
  const m = /^[A-Z0-9_]+: (.*?)(, \w+(?: '.*')?)?$/.exec((err as Error).message ?? '');
  return m ? m[1] : String((err as Error).message ?? err);
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

function readEntries(abs: string): fs.Dirent[] {
  return fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => compareNames(a.name, b.name));
}

/** lstat + readlink for one entry; undefined when it vanished meanwhile. */
function statEntry(rel: string, abs: string): { stat: WireStat; st: fs.BigIntStats } | undefined {
  try {
    const st = fs.lstatSync(abs, { bigint: true });
    return { stat: makeStat(rel, st, st.isSymbolicLink() ? fs.readlinkSync(abs) : ''), st };
  } catch (err) {
    // readdir decodes names as UTF-8; a name that is not valid UTF-8 comes back altered and
    // cannot be found again. Say so rather than silently leave the file out.
    if (code(err) === 'ENOENT' && rel.includes('\uFFFD')) throw new WalkError(`cannot send ${rel}: its name is not valid UTF-8`);
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
    throw new WalkError(`cannot stat ${rel}: ${fsReason(err)}`);
  }
}

/** Resolves the root like fsutil.NewFS: symlinks evaluated, must be a directory. */
function resolveRoot(root: string): string {
  let real: string;
  try {
    real = fs.realpathSync(root);
  } catch (err) {
    throw new WalkError(`cannot resolve ${root}: ${fsReason(err)}`);
  }
  if (!fs.statSync(real).isDirectory()) throw new WalkError(`${root} is not a directory`);
  return real;
}

/** Hardlinks: a regular file whose inode was already sent names the first path instead. */
class HardlinkTracker {
  private readonly seen = new Map<string, string>();
  apply(stat: WireStat, st: fs.BigIntStats): void {
    // a single link has no other name to meet later: most files, and a costly key each
    if (st.nlink < 2n || st.isDirectory() || st.isSymbolicLink()) return;
    const key = `${st.dev}:${st.ino}`;
    const first = this.seen.get(key);
    if (first !== undefined && st.nlink > 1n) stat.linkname = first;
    else this.seen.set(key, stat.path);
  }
}

const YIELD_EVERY = 256;

/** The entries DiffCopy sends for `root`, in the order the receiver validates. */
export async function* walkContext(root: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const realRoot = resolveRoot(root);
  const filter = buildFilter(realRoot, opts);
  const links = new HardlinkTracker();
  let rootEntries: fs.Dirent[];
  try {
    rootEntries = readEntries(realRoot);
  } catch (err) {
    throw new WalkError(`cannot read ${root}: ${fsReason(err)}`);
  }
  const stack: Frame[] = [{ rel: '', abs: realRoot, entries: rootEntries, next: 0, emitted: true }];
  let sinceYield = 0;
  while (stack.length > 0) {
    if (opts.signal?.aborted) throw new WalkError('walk cancelled');
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve)); // let I/O (health checks, REQs) run
    }
    const parent = stack[stack.length - 1];
    if (parent.next >= parent.entries.length) {
      stack.pop();
      continue;
    }
    const dirent = parent.entries[parent.next++];
    const rel = parent.rel === '' ? dirent.name : `${parent.rel}/${dirent.name}`;
    const abs = path.join(parent.abs, dirent.name);
    const isDir = dirent.isDirectory();
    const verdict = judge(filter, rel, isDir, parent);
    if (verdict.kind === 'skipDir') continue;
    let frame: Frame | undefined;
    if (isDir) frame = { rel, abs, entries: [], next: 0, emitted: verdict.kind === 'keep', ...infoOf(verdict) };
    if (verdict.kind === 'keep') {
      const found = statEntry(rel, abs);
      if (!found) continue;
      for (const ancestor of stack) {
        if (ancestor.emitted) continue;
        ancestor.emitted = true;
        const ancestorFound = statEntry(ancestor.rel, ancestor.abs);
        if (ancestorFound) yield { stat: ancestorFound.stat, absPath: ancestor.abs };
      }
      links.apply(found.stat, found.st);
      yield { stat: found.stat, absPath: abs, ...(!isDir && refusedOnOpen(filter, rel) ? { emptyOnOpen: true } : {}) };
    }
    if (frame) {
      try {
        frame.entries = readEntries(abs);
      } catch (err) {
        const c = code(err);
        if (c === 'ENOENT' || c === 'ENOTDIR') continue;
        if ((c === 'EACCES' || c === 'EPERM') && verdict.kind === 'hidden') continue;
        throw new WalkError(`cannot read directory ${rel}: ${fsReason(err)}`);
      }
      stack.push(frame);
    }
  }
}

/** filterFS.Open's check; it can only differ from the walk's when a matcher has '!' patterns. */
function refusedOnOpen(f: Filter, rel: string): boolean {
  if (f.include?.hasExclusions && !f.include.matchesOrParentMatches(rel)) return true;
  return !!f.exclude?.hasExclusions && f.exclude.matchesOrParentMatches(rel);
}

function infoOf(v: Verdict): { includeInfo?: MatchInfo; excludeInfo?: MatchInfo } {
  return v.kind === 'skipDir' ? {} : { includeInfo: v.includeInfo, excludeInfo: v.excludeInfo };
}
