// Loads a CommonJS bundle through V8's code cache: the CLI's dist/cliMain.js, and the extension host's
// dist/extensionMain.js and dist/engineCore.js. Node 20 has no module compile cache of its own, and compiling
// a bundle plus the functions its first run calls is a large part of a short run's CPU. V8 checks a cache against the
// source, its version and its flags; a missing or rejected cache is written by save(), which callers
// run after the work the cache should hold (so it holds the functions that work compiled too). Any
// problem with the cache falls back to a plain require: a cache only ever costs its compile time.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface CodeCacheFile {
  file: string;
  /** on save, other files in the cache's folder whose names start with this are removed (older bundles or Nodes) */
  stalePrefix: string;
}

export interface CachedLoad<T> {
  exports: T;
  /** Writes the cache if it was missing or rejected; once. Never throws. */
  save(): void;
}

export function loadThroughCodeCache<T>(bundle: string, cache: CodeCacheFile | undefined): CachedLoad<T> {
  const compiled = cache && compile(bundle, cache.file);
  if (!cache || !compiled) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exports: require(bundle) as T, save: () => undefined };
  }
  const mod = { exports: {} as T };
  (compiled.script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  let pending = compiled.stale;
  return {
    exports: mod.exports,
    save() {
      if (!pending) return;
      pending = false;
      writeCache(compiled.script, cache);
    },
  };
}

/** The bundle wrapped as Node wraps a module, compiled with its cache; stale: the cache was missing or rejected. */
function compile(bundle: string, cacheFile: string): { script: vm.Script; stale: boolean } | undefined {
  try {
    const cachedData = readOrUndefined(cacheFile);
    const source = fs.readFileSync(bundle, 'utf8');
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
    return { script, stale: !cachedData || script.cachedDataRejected === true };
  } catch {
    return undefined;
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(script: vm.Script, cache: CodeCacheFile): void {
  try {
    const dir = path.dirname(cache.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${cache.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cache.file);
    // 0.5-2 MB each, never read again once the bundle or Node changed
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (file !== cache.file && name.startsWith(cache.stalePrefix)) fs.rmSync(file, { force: true });
    }
  } catch {
    // a read-only home or a full disk only costs the next start its compile time
  }
}

/** `<prefix><node version>-<arch>-<bundle size>-<bundle mtime>.v8cache` in dir: a new bundle or Node gets a new file. */
export function codeCacheFor(bundle: string, dir: string, prefix: string): CodeCacheFile | undefined {
  try {
    const st = fs.statSync(bundle);
    const file = path.join(dir, `${prefix}${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8cache`);
    return { file, stalePrefix: prefix };
  } catch {
    return undefined;
  }
}
