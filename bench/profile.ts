// CPU profiles of the CLI's hot paths, summed by area: the context walk (lstat, readdir, filters),
// STAT packet encoding and framing, file data chunking, gRPC/HTTP/2, status folding and
// rendering, start-up (module loading), GC. One table per scenario and thread (the walk worker
// is its own thread). Profiles the tsc output (real file names; the bundles are minified).
//   node out/bench/profile.js [--engine d26] [--keep DIR]   (npm run bench:profile)
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloneContext, makeContext } from './fixtures';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ENGINE = opt('engine', 'd26');
const host = `unix://${process.env.BKL_ENGINE_ROOT ?? '/tmp/bkl-engines'}/${ENGINE}/docker.sock`;
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'out', 'src', 'cli', 'main.js');
const work = fs.mkdtempSync('/tmp/bkl-profile-');
const keep = opt('keep', '');

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Which area a sampled function belongs to; the first matching rule wins. */
const AREAS: [string, (fn: string, url: string) => boolean][] = [
  ['idle', (fn) => fn === '(idle)'],
  ['GC', (fn) => fn === '(garbage collector)'],
  ['walk: lstat + readdir (kernel)', (fn, url) => !url && /^(lstat|readdir|realpath)/.test(fn)],
  ['walk: filters, stat objects', (_, url) => /filesync\/(walk|patterns|followpaths|stat)\.js$/.test(url) || /internal\/fs\/utils/.test(url)],
  ['STAT encoding + framing', (_, url) => /filesync\/(packetCodec|framing)\.js$/.test(url)],
  ['prefetch worker plumbing', (_, url) => /filesync\/(walkWorker|prefetch)\.js$/.test(url)],
  ['file data: read + chunk', (fn, url) => /filesync\/(diffcopy|batchedWrites)\.js$/.test(url) || (!url && /^(read|open|close)$/.test(fn))],
  ['status folding + rendering', (_, url) => /src\/progress\//.test(url)],
  ['gRPC, protobuf, HTTP/2', (_, url) => /@grpc|protobufjs|internal\/http2|node:http2/.test(url)],
  ['start-up: loading modules', (fn, url) => /internal\/modules|internal\/bootstrap|realm|node:vm/.test(url) || fn === 'compileFunction'],
  ['Node I/O: net, streams, events, buffers', (_, url) => /node:(net|events|stream|buffer|_http)|internal\/(streams|stream_base|net|buffer|timers|process\/task_queues|async_hooks)/.test(url)],
  ['V8 runtime (compiling, ICs)', (fn) => fn === '(program)'],
];

function summarize(p: CpuProfile): Map<string, number> {
  const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = frames.get(id)!;
    const area = AREAS.find(([, test]) => test(f.functionName, f.url))?.[0] ?? 'other';
    out.set(area, (out.get(area) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

function profile(name: string, argv: string[]): void {
  const dir = path.join(work, name);
  spawnSync('sync');
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', cli, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  // one profile per thread; the worker's is the one running walkWorker.js
  const tables = fs.readdirSync(dir).map((f) => {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
    const worker = p.nodes.some((n) => n.callFrame.url.endsWith('walkWorker.js'));
    return { thread: worker ? 'walk worker' : 'main', areas: summarize(p) };
  });
  tables.sort((a, b) => a.thread.localeCompare(b.thread));
  for (const t of tables) {
    const busy = [...t.areas].filter(([a]) => a !== 'idle').reduce((n, [, ms]) => n + ms, 0);
    console.log(`\n### ${name} — ${t.thread} thread: ${busy.toFixed(0)} ms busy\n\n| area | ms | share of busy |\n|---|---|---|`);
    for (const [area, ms] of [...t.areas].sort((a, b) => b[1] - a[1])) {
      if (area === 'idle' || ms < 1) continue;
      console.log(`| ${area} | ${ms.toFixed(1)} | ${((ms / busy) * 100).toFixed(0)}% |`);
    }
  }
}

try {
  const base = path.join(work, 'base');
  makeContext(base);
  const ctx = path.join(work, 'ctx');
  cloneContext(base, ctx);
  const logs = path.join(work, 'logs');
  fs.mkdirSync(logs);
  fs.writeFileSync(path.join(logs, 'Dockerfile'), 'FROM busybox\nARG N\nRUN seq 1 300000 | sed "s/^/log line $N: /"\n');
  const build = (dir: string, extra: string[] = []) => ['build', '-H', host, '--progress', 'quiet', '-t', 'bench-profile', ...extra, dir];
  console.log(`CPU profiles by area (engine ${ENGINE}; ms of samples at 200 µs; the profiler adds overhead)`);
  profile('cold build, 20k files + 100 MB', build(ctx));
  profile('no-change rebuild', build(ctx));
  fs.writeFileSync(path.join(ctx, 'src/pkg100/file50.txt'), `changed ${Date.now()}\n`);
  profile('one file changed', build(ctx));
  profile('RUN printing 300,000 lines, --progress plain', ['build', '-H', host, '--progress', 'plain', '--network', 'none', '--build-arg', `N=${crypto.randomUUID()}`, logs]);
} catch (e) {
  console.error(`profile stopped: ${(e as Error).message}`);
} finally {
  if (keep) fs.cpSync(work, keep, { recursive: true, filter: (src) => !src.includes('/base') && !src.includes('/ctx') });
  fs.rmSync(work, { recursive: true, force: true });
}
