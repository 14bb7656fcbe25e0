// fsutil's FollowLinks: turns `followpaths` into include patterns, adding every symlink met on
// the way and the paths its target names, so that e.g. a Dockerfile that is a symlink brings
// its target along. Targets are resolved inside the context root (absolute links included).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanPath, dirName } from './patterns';
import { globMatch } from './glob';

/** Go's containsWildcards on a base name ('\' escapes the next byte). */
function hasWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const joinRel = (...parts: string[]) => cleanPath(parts.filter((p) => p !== '').join('/'));

class SymlinkResolver {
  readonly resolved = new Set<string>();
  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return path.join(this.root, rel);
  }

  /** Sorted entry names of a directory, or undefined when it is missing or not a directory. */
  private readDir(rel: string): string[] | undefined {
    const dir = rel === '/' || rel === '.' ? '.' : cleanPath(rel);
    try {
      if (dir !== '.' && !fs.lstatSync(this.abs(dir)).isDirectory()) return undefined;
      return fs.readdirSync(this.abs(dir)).sort(compareNames);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Targets of the symlink at rel (or of every symlink its wildcard base name matches). */
  private readSymlink(rel: string, allowWildcard: boolean): string[] | undefined {
    const base = baseName(rel);
    if (allowWildcard && hasWildcards(base)) {
      const names = this.readDir(dirName(rel));
      if (!names) return undefined;
      let out: string[] | undefined;
      for (const name of names) {
        if (!globMatch(base, name)) continue;
        const targets = this.readSymlink(joinRel(dirName(rel), name), false);
        if (targets) out = [...(out ?? []), ...targets];
      }
      return out;
    }
    const clean = cleanPath(rel);
    if (clean === '/' || clean === '.') return undefined;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.abs(clean));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (!st.isSymbolicLink()) return undefined;
    const link = cleanPath(fs.readlinkSync(this.abs(clean)));
    if (link.startsWith('/')) return [link];
    return [cleanPath('/' + joinRel(dirName(rel), link))];
  }

  append(p: string): void {
    let rest = joinRel('.', p);
    let current = '.';
    for (;;) {
      const slash = rest.indexOf('/');
      const first = slash < 0 ? rest : rest.slice(0, slash);
      current = joinRel(current, first);
      const targets = this.readSymlink(current, true);
      rest = slash < 0 ? '' : rest.slice(slash + 1);
      if ((rest === '' || targets) && this.resolved.has(current)) return;
      if (targets) {
        this.resolved.add(current);
        for (const t of targets) this.append(joinRel(t, rest));
        return;
      }
      if (rest === '') {
        this.resolved.add(current);
        return;
      }
    }
  }
}

/** Byte-order (UTF-8) comparison, which is code point order; Go sorts names this way. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (!surrogate(x) && !surrogate(y)) return x - y;
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** fsutil's dedupePaths: drops paths under the previous kept one; "." means no filter at all. */
export function dedupePaths(paths: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let last = '';
  for (const p of paths) {
    if (p === '.') return undefined;
    if (p.startsWith(last + '/')) continue;
    out.push(p);
    last = p;
  }
  return out;
}

/** The include patterns followpaths add (undefined: no filtering at all). */
export function followLinks(root: string, followPaths: readonly string[]): string[] | undefined {
  const r = new SymlinkResolver(root);
  for (const p of followPaths) r.append(p);
  return dedupePaths([...r.resolved].sort(compareNames));
}
