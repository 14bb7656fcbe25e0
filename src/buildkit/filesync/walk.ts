// Walks a local directory the way fsutil's FilterFS (on top of NewFS, under WithHardlinkReset)
// does for FileSync.DiffCopy: depth-first pre-order, entries of a directory in byte order,
// include/exclude/followpaths filtering with patternmatcher semantics, and directories that are
// themselves filtered out emitted lazily right before their first included descendant.
import * as fs from 'node:fs';
import { fsReason } from '../fsReason';
import { compilePatterns, MatchInfo, PatternMatcher } from './patterns';
import { compareNames, dedupePaths, followLinks } from './followpaths';
import { escapeName, fsPath, hasEscapes, nameBytes } from './rawNames';
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
  /** absPath holds bytes that are not UTF-8 (rawNames.ts) */
  raw?: true;
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
  entries: Entry[];
  next: number;
  emitted: boolean;
  /** abs holds bytes that are not UTF-8: so does every path under it */
  raw?: boolean;
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

// No patterns (most contexts): every entry is kept, one verdict for all.
const KEEP: Verdict = { kind: 'keep' };

/** fsutil filterFS.Walk's decision for one entry, given its parent directory's frame. */
function judge(f: Filter, rel: string, isDir: boolean, parent: Frame): Verdict {
  if (!f.include && !f.exclude) return KEEP;
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

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/** A directory entry; raw when its name is not valid UTF-8 (rawNames.ts). */
type Entry = Pick<fs.Dirent, 'name' | 'isDirectory'> & { raw?: true };

function readEntries(abs: string, raw?: boolean): Entry[] {
  const entries = fs.readdirSync(fsPath(abs, raw), { withFileTypes: true });
  // readdir decodes names as UTF-8, a name that is not comes back with U+FFFD: read it as bytes
  if (entries.some((e) => e.name.includes('\uFFFD'))) return readRawEntries(abs, raw);
  return entries.sort((a, b) => compareNames(a.name, b.name));
}

function readRawEntries(abs: string, raw?: boolean): Entry[] {
  const entries = fs.readdirSync(fsPath(abs, raw), { withFileTypes: true, encoding: 'buffer' }).map((d): Entry => {
    const name = escapeName(d.name);
    const isDirectory = () => d.isDirectory();
    return hasEscapes(name) ? { name, isDirectory, raw: true } : { name, isDirectory };
  });
  // Go sorts names by their bytes
  return entries.sort((a, b) => Buffer.compare(nameBytes(a.name), nameBytes(b.name)));
}

/** lstat + readlink for one entry; undefined when it vanished meanwhile. */
function statEntry(rel: string, abs: string, raw?: boolean): { stat: WireStat; st: fs.BigIntStats } | undefined {
  try {
    const at = fsPath(abs, raw);
    const st = fs.lstatSync(at, { bigint: true });
    let target = st.isSymbolicLink() ? fs.readlinkSync(at) : '';
    if (target.includes('\uFFFD')) target = escapeName(fs.readlinkSync(at, { encoding: 'buffer' }));
    const stat = makeStat(rel, st, target);
    if (raw || (target && hasEscapes(target))) stat.raw = true;
    return { stat, st };
  } catch (err) {
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
  /** keys whose first path is raw */
  private readonly raw = new Set<string>();
  apply(stat: WireStat, st: fs.BigIntStats): void {
    // a single link has no other name to meet later: most files, and a costly key each
    if (st.nlink < 2n || st.isDirectory() || st.isSymbolicLink()) return;
    const key = `${st.dev}:${st.ino}`;
    const first = this.seen.get(key);
    if (first !== undefined && st.nlink > 1n) {
      stat.linkname = first;
      if (this.raw.has(key)) stat.raw = true;
    } else {
      this.seen.set(key, stat.path);
      if (stat.raw) this.raw.add(key);
    }
  }
}

/** Entries next() looks at, at most, before it returns null (nothing found yet). */
const VISITS_PER_CALL = 256;
/** Entries per slice: between slices the event loop runs (health checks, REQs, worker messages). */
const SLICE = 256;

/**
 * The walk itself: next() returns one entry after another, then undefined; null when it went
 * through VISITS_PER_CALL entries without finding one to send (a large filtered-out tree).
 * slices() is how the sender and the walk worker take it: synchronous runs of entries, the event
 * loop running between them. (An async generator per entry cost as much as the lstat it carried.)
 */
export class ContextWalk {
  /** the root with symlinks resolved: a file's bytes are read from realRoot/path */
  readonly realRoot: string;
  private readonly filter: Filter;
  private readonly links = new HardlinkTracker();
  private readonly stack: Frame[];
  /** directories emitted late (before their first included descendant), then that entry */
  private readonly pending: WalkEntry[] = [];
  private readonly signal?: AbortSignal;

  constructor(root: string, opts: WalkOptions = {}) {
    this.signal = opts.signal;
    this.realRoot = resolveRoot(root);
    this.filter = buildFilter(this.realRoot, opts);
    let rootEntries: Entry[];
    try {
      rootEntries = readEntries(this.realRoot);
    } catch (err) {
      throw new WalkError(`cannot read ${root}: ${fsReason(err)}`);
    }
    this.stack = [{ rel: '', abs: this.realRoot, entries: rootEntries, next: 0, emitted: true }];
  }

  next(): WalkEntry | null | undefined {
    const { stack, pending } = this;
    for (let visits = 0; pending.length === 0 && stack.length > 0; visits++) {
      if (visits === VISITS_PER_CALL) return null;
      const parent = stack[stack.length - 1];
      if (parent.next >= parent.entries.length) {
        stack.pop();
        continue;
      }
      const dirent = parent.entries[parent.next++];
      const rel = parent.rel === '' ? dirent.name : `${parent.rel}/${dirent.name}`;
      // a name from readdir has no '/' and the parent is a resolved path: no join needed
      const abs = parent.abs === '/' ? `/${dirent.name}` : `${parent.abs}/${dirent.name}`;
      const raw = parent.raw || dirent.raw;
      const isDir = dirent.isDirectory();
      const verdict = judge(this.filter, rel, isDir, parent);
      if (verdict.kind === 'skipDir') continue;
      if (verdict.kind === 'keep') {
        const found = statEntry(rel, abs, raw);
        if (!found) continue;
        const { stat, st } = found;
        for (const ancestor of stack) {
          if (ancestor.emitted) continue;
          ancestor.emitted = true;
          const ancestorFound = statEntry(ancestor.rel, ancestor.abs, ancestor.raw);
          if (ancestorFound) pending.push(ancestor.raw ? { stat: ancestorFound.stat, absPath: ancestor.abs, raw: true } : { stat: ancestorFound.stat, absPath: ancestor.abs });
        }
        this.links.apply(stat, st);
        const entry: WalkEntry = !isDir && refusedOnOpen(this.filter, rel) ? { stat, absPath: abs, emptyOnOpen: true } : { stat, absPath: abs };
        if (raw) entry.raw = true;
        pending.push(entry);
      }
      if (isDir) this.enter(rel, abs, verdict, raw);
    }
    return pending.shift();
  }

  /** The entries in slices of up to SLICE; throws WalkError once opts.signal is aborted. */
  async *slices(): AsyncGenerator<WalkEntry[]> {
    for (;;) {
      if (this.signal?.aborted) throw new WalkError('walk cancelled');
      const slice: WalkEntry[] = [];
      let entry: WalkEntry | null | undefined;
      while (slice.length < SLICE && (entry = this.next())) slice.push(entry);
      if (slice.length) yield slice;
      if (entry === undefined) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private enter(rel: string, abs: string, verdict: Exclude<Verdict, { kind: 'skipDir' }>, raw: boolean | undefined): void {
    let entries: Entry[];
    try {
      entries = readEntries(abs, raw);
    } catch (err) {
      const c = code(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return;
      if ((c === 'EACCES' || c === 'EPERM') && verdict.kind === 'hidden') return;
      throw new WalkError(`cannot read directory ${rel}: ${fsReason(err)}`);
    }
    this.stack.push({ rel, abs, entries, next: 0, emitted: verdict.kind === 'keep', includeInfo: verdict.includeInfo, excludeInfo: verdict.excludeInfo, raw });
  }
}

/** filterFS.Open's check; it can only differ from the walk's when a matcher has '!' patterns. */
function refusedOnOpen(f: Filter, rel: string): boolean {
  if (f.include?.hasExclusions && !f.include.matchesOrParentMatches(rel)) return true;
  return !!f.exclude?.hasExclusions && f.exclude.matchesOrParentMatches(rel);
}

