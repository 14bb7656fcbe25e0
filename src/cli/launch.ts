// The CLI's entry (dist/cli.js): loads the real CLI bundle (dist/cliMain.js) through V8's code cache.
// Compiling the bundle and its lazily compiled functions is half of a short build's CPU time, and
// Node 20 has no module compile cache of its own. The cache lives under ~/.cache/buildkit-lens and is
// keyed by command, Node version and bundle identity (V8 also checks the source and rejects a stale
// cache, which is then rewritten). A cache holds the functions its run compiled, so it is written only
// after a successful run, one per command; writing it removes that command's caches of other bundles or
// Node versions (0.5-0.8 MB each, never read again after an update). Any problem with the cache falls
// back to a plain require.
// BUILDKIT_LENS_NO_CODE_CACHE=1 turns it off.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { expectedContextWalk } from '../buildkit/dockerignore';
import { newWorker, PAUSE_AFTER, SPARE_WALK_WORKER, worthWalkingAhead } from '../buildkit/filesync/prefetch';
import type { WalkJob, WalkWorkerData } from '../buildkit/filesync/walkWorker';
import { parseCommand } from './args';

type CliMain = { main(argv: string[]): Promise<number> };

const bundle = path.join(__dirname, 'cliMain.js');

const command = ['build', 'info', 'history'].includes(process.argv[2]) ? process.argv[2] : 'other';

function cacheFile(): string | undefined {
  if (process.env.BUILDKIT_LENS_NO_CODE_CACHE) return undefined;
  const st = fs.statSync(bundle);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = `${command}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`;
  return path.join(base, 'buildkit-lens', `cli-${key}.v8cache`);
}

/** This command's caches for other bundles or Node versions, and their leftover temporary files. */
function removeOtherCaches(keep: string): void {
  const dir = path.dirname(keep);
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (file !== keep && name.startsWith(`cli-${command}-`)) fs.rmSync(file, { force: true });
  }
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache once the run is over, so it holds the functions this run compiled too. */
function saveOnExit(script: vm.Script, file: string): void {
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
      removeOtherCaches(file);
    } catch {
      // a read-only home or a full disk only costs the next start its compile time
    }
  });
}

function compileCached(): vm.Script | undefined {
  try {
    const file = cacheFile();
    if (!file) return undefined;
    const cachedData = readOrUndefined(file);
    const source = fs.readFileSync(bundle, 'utf8');
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
    if (!cachedData || script.cachedDataRejected) saveOnExit(script, file);
    return script;
  } catch {
    return undefined;
  }
}

function load(): CliMain {
  const script = compileCached();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!script) return require(bundle) as CliMain;
  const mod = { exports: {} as CliMain };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, __dirname);
  return mod.exports;
}

/**
 * A build walks its context in a worker (filesync/prefetch.ts): start it now, on the walk this
 * command's build will ask for, so it walks while the CLI loads. The build claims it if it asks
 * for the same walk; bad arguments start nothing (the CLI reports them).
 */
function startWalkWorker(): void {
  if (process.argv[2] !== 'build' || process.env.BUILDKIT_LENS_PREFETCH === '0') return;
  try {
    const cmd = parseCommand(process.argv.slice(2));
    if (cmd.kind !== 'build' || !worthWalkingAhead(cmd.options.contextDir)) return;
    const job: WalkJob = { root: cmd.options.contextDir, opts: expectedContextWalk(cmd.options), pauseAfter: PAUSE_AFTER };
    const g = globalThis as Record<symbol, unknown>;
    const w = newWorker(path.join(__dirname, 'walkWorker.js'), { workerData: { job } satisfies WalkWorkerData });
    w.unref();
    // a worker that failed is not handed out: the build then starts its own or walks in-thread
    w.on('error', () => undefined);
    w.on('exit', () => g[SPARE_WALK_WORKER] === w && (g[SPARE_WALK_WORKER] = undefined));
    g[SPARE_WALK_WORKER] = w;
  } catch {
    // no worker: the build starts its own
  }
}

startWalkWorker();
load()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
