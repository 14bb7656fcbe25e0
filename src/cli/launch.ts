// The CLI's entry (dist/cli.js): loads the real CLI bundle (dist/cliMain.js) through V8's code cache
// (src/codeCache.ts). The cache lives under ~/.cache/buildkit-lens, one per command (each runs different
// functions), and is written only after a successful run.
// BUILDKIT_LENS_NO_CODE_CACHE=1 turns it off.
import * as os from 'node:os';
import * as path from 'node:path';
import { expectedContextWalk } from '../buildkit/dockerignore';
import { foldersWorthWalking, newWorker, PAUSE_AFTER, SPARE_WALK_WORKER } from '../buildkit/filesync/prefetch';
import type { WalkJob, WalkWorkerData } from '../buildkit/filesync/walkWorker';
import { codeCacheFor, loadThroughCodeCache } from '../codeCache';
import { restoreForChildren } from '../engine/launcherCa';
import { parseCommand } from './args';

type CliMain = { main(argv: string[]): Promise<number> };

const bundle = path.join(__dirname, 'cliMain.js');

const command = ['build', 'info', 'history'].includes(process.argv[2]) ? process.argv[2] : 'other';

function load(): CliMain {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'buildkit-lens');
  const cache = process.env.BUILDKIT_LENS_NO_CODE_CACHE ? undefined : codeCacheFor(bundle, dir, `cli-${command}-`);
  const loaded = loadThroughCodeCache<CliMain>(bundle, cache);
  process.once('exit', (code) => code === 0 && loaded.save());
  return loaded.exports;
}

/**
 * A build walks its context in a worker (filesync/prefetch.ts): start it now, on the walk this
 * command's build will ask for, so it walks while the CLI loads. The build claims it if it asks
 * for the same walk; bad arguments start nothing (the CLI reports them).
 */
function startWalkWorker(): void {
  if (process.argv[2] !== 'build' || process.env.BUILDKIT_LENS_PREFETCH === '0') return;
  const worth = foldersWorthWalking(process.argv.slice(3));
  if (worth.length === 0) return;
  try {
    const cmd = parseCommand(process.argv.slice(2));
    if (cmd.kind !== 'build' || cmd.stdin === 'context' || cmd.options.contextUrl || !worth.includes(cmd.options.contextDir)) return;
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

restoreForChildren();
startWalkWorker();
load()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
