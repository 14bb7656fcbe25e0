// BuildKit Lens against `docker buildx build` (0.13) on the same engine, in the same run.
// Prints medians over N runs, the ratios, and pass/fail against the targets. Always exits 0.
//   node out/bench/bench.js [--runs 5] [--engine d26] [--only context|logs|export]
// BKL_BENCH_VERBOSE=1 also prints every sample.
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloneContext, makeContext } from './fixtures';
import { measure, median, type Sample } from './measure';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('runs', '5'));
const ENGINE = opt('engine', 'd26');
const ONLY = opt('only', '');
const root = path.resolve(__dirname, '..', '..');
const host = `unix://${process.env.BKL_ENGINE_ROOT ?? '/tmp/bkl-engines'}/${ENGINE}/docker.sock`;
// PATH: the CLI's command (dist/buildkit-lens) runs the `node` this bench runs on
const env = {
  ...process.env,
  DOCKER_HOST: host,
  DOCKER_CONFIG: path.join(root, '.cache/engines/docker-config'),
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
};
const work = fs.mkdtempSync('/tmp/bkl-bench-');

// the CLI as its users run it: its command, which keeps NODE_EXTRA_CA_CERTS out of Node's start-up
const ours = (ctx: string, extra: string[] = []) => [path.join(root, 'dist/buildkit-lens'), 'build', '-H', host, ...extra, ctx];
const buildx = (ctx: string, extra: string[] = []) => ['docker', 'buildx', 'build', ...extra, ctx];

interface Row {
  name: string;
  metric: 'wall' | 'cpu' | 'rss';
  target: number;
  ours: number[];
  theirs: number[];
}

/**
 * One sample of each client, measured alike: the page cache flushed first (a cold build leaves
 * ~200 MB to write back, which would slow whichever client runs next) and the order alternated.
 */
async function pair(i: number, a: () => Promise<Sample>, b: () => Promise<Sample>): Promise<[Sample, Sample]> {
  const settle = () => spawnSync('sync');
  if (i % 2 === 1) {
    settle();
    const sb = await b();
    settle();
    return [await a(), sb];
  }
  settle();
  const sa = await a();
  settle();
  return [sa, await b()];
}

function check(s: Sample, what: string): Sample {
  if (s.code !== 0) throw new Error(`${what} failed (exit ${s.code}): ${s.stderrTail}`);
  return s;
}

async function contextRows(): Promise<Row[]> {
  const base = path.join(work, 'base');
  process.stderr.write('making the 20,000-file + 100 MB context…\n');
  makeContext(base);
  const cold: Row = { name: 'cold build, 20k files + 100 MB', metric: 'wall', target: 0.9, ours: [], theirs: [] };
  const same: Row = { name: 'no-change rebuild', metric: 'wall', target: 0.8, ours: [], theirs: [] };
  const one: Row = { name: 'one file changed', metric: 'wall', target: 1.0, ours: [], theirs: [] };
  const coldRss: Row = { name: 'peak memory of the client (max RSS), cold build', metric: 'rss', target: Infinity, ours: [], theirs: [] };
  const oursCtx = path.join(work, 'warm-ours');
  const theirCtx = path.join(work, 'warm-buildx');
  cloneContext(base, oursCtx);
  cloneContext(base, theirCtx);
  check(await measure(ours(oursCtx, ['--progress', 'quiet', '-t', 'bench-ours']), env), 'warm-up (ours)');
  check(await measure(buildx(theirCtx, ['--progress', 'quiet', '-t', 'bench-buildx']), env), 'warm-up (buildx)');
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`run ${i + 1}/${RUNS}\n`);
    const a = path.join(work, `cold-ours-${i}`);
    const b = path.join(work, `cold-buildx-${i}`);
    cloneContext(base, a);
    cloneContext(base, b);
    const [coldA, coldB] = await pair(
      i,
      () => measure(ours(a, ['--progress', 'quiet', '-t', 'bench-ours']), env),
      () => measure(buildx(b, ['--progress', 'quiet', '-t', 'bench-buildx']), env),
    );
    cold.ours.push(check(coldA, 'cold (ours)').wallMs);
    cold.theirs.push(check(coldB, 'cold (buildx)').wallMs);
    addRss(coldRss, coldA, coldB);
    fs.rmSync(a, { recursive: true });
    fs.rmSync(b, { recursive: true });
    const [sameA, sameB] = await pair(
      i,
      () => measure(ours(oursCtx, ['--progress', 'quiet', '-t', 'bench-ours']), env),
      () => measure(buildx(theirCtx, ['--progress', 'quiet', '-t', 'bench-buildx']), env),
    );
    same.ours.push(check(sameA, 'no-change (ours)').wallMs);
    same.theirs.push(check(sameB, 'no-change (buildx)').wallMs);
    for (const c of [oursCtx, theirCtx]) fs.writeFileSync(path.join(c, 'src/pkg100/file50.txt'), `changed ${i} ${Date.now()}\n`);
    const [oneA, oneB] = await pair(
      i,
      () => measure(ours(oursCtx, ['--progress', 'quiet', '-t', 'bench-ours']), env),
      () => measure(buildx(theirCtx, ['--progress', 'quiet', '-t', 'bench-buildx']), env),
    );
    one.ours.push(check(oneA, 'one-file (ours)').wallMs);
    one.theirs.push(check(oneB, 'one-file (buildx)').wallMs);
  }
  return [cold, same, one, coldRss];
}

async function logRows(): Promise<Row[]> {
  const ctx = path.join(work, 'logs');
  fs.mkdirSync(ctx);
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM busybox\nARG N\nRUN seq 1 300000 | sed "s/^/log line $N: /"\n');
  const row: Row = { name: 'RUN printing 300,000 lines (client CPU s)', metric: 'cpu', target: 1.0, ours: [], theirs: [] };
  // The same client on a fully cached build: what starting up costs, before any log arrives.
  const idle: Row = { name: '… of which start-up (a fully cached build)', metric: 'cpu', target: Infinity, ours: [], theirs: [] };
  const rss: Row = { name: 'peak memory of the client (max RSS), 300,000-line RUN', metric: 'rss', target: Infinity, ours: [], theirs: [] };
  const extraFor = (n: string) => ['--progress', 'plain', '--network', 'none', '--build-arg', `N=${n}`];
  check(await measure(ours(ctx, extraFor('cached')), env), 'log flood warm-up');
  for (let i = 0; i < RUNS; i++) {
    const extra = extraFor(crypto.randomUUID());
    const a = check(await measure(ours(ctx, extra), env), 'log flood (ours)');
    const b = check(await measure(buildx(ctx, extra), env), 'log flood (buildx)');
    row.ours.push(a.cpuSec);
    row.theirs.push(b.cpuSec);
    addRss(rss, a, b);
    idle.ours.push(check(await measure(ours(ctx, extraFor('cached')), env), 'cached (ours)').cpuSec);
    idle.theirs.push(check(await measure(buildx(ctx, extraFor('cached')), env), 'cached (buildx)').cpuSec);
  }
  return [row, idle, rss];
}

/** -o DIR: the result sent back into a directory (no target in the issue: a row for information). */
async function exportRows(): Promise<Row[]> {
  const ctx = path.join(work, 'export-ctx');
  process.stderr.write('making the context for -o DIR…\n');
  makeContext(ctx);
  const row: Row = { name: 'result to a directory (-o DIR), 20k files + 100 MB', metric: 'wall', target: Infinity, ours: [], theirs: [] };
  const to = (dest: string) => ['--progress', 'quiet', '-o', `type=local,dest=${dest}`];
  // built once first: the runs measure the export, not the context transfer
  check(await measure(ours(ctx, to(path.join(work, 'export-warm'))), env), 'export warm-up');
  fs.rmSync(path.join(work, 'export-warm'), { recursive: true });
  for (let i = 0; i < RUNS; i++) {
    const a = path.join(work, `export-ours-${i}`);
    const b = path.join(work, `export-buildx-${i}`);
    const [sa, sb] = await pair(i, () => measure(ours(ctx, to(a)), env), () => measure(buildx(ctx, to(b)), env));
    row.ours.push(check(sa, 'export (ours)').wallMs);
    row.theirs.push(check(sb, 'export (buildx)').wallMs);
    fs.rmSync(a, { recursive: true });
    fs.rmSync(b, { recursive: true });
  }
  return [row];
}

/** peak memory, where GNU time could measure both clients */
function addRss(r: Row, a: Sample, b: Sample): void {
  if (a.maxRssKiB === undefined || b.maxRssKiB === undefined) return;
  r.ours.push(a.maxRssKiB);
  r.theirs.push(b.maxRssKiB);
}

const samples = (r: Row, vs: number[]) => vs.map((v) => (r.metric === 'wall' ? (v / 1000).toFixed(2) : r.metric === 'rss' ? (v / 1024).toFixed(0) : v.toFixed(3))).join(' ');

function table(rows: Row[]): string {
  const fmt = (r: Row, v: number) => (r.metric === 'wall' ? `${(v / 1000).toFixed(2)} s` : r.metric === 'rss' ? `${(v / 1024).toFixed(0)} MiB` : `${v.toFixed(2)} s`);
  const lines = [
    `| scenario (engine ${ENGINE}, ${RUNS} runs) | BuildKit Lens | buildx 0.13 | ratio | target | |`,
    '|---|---|---|---|---|---|',
  ];
  // a row GNU time could not measure (not installed) is left out
  for (const r of rows.filter((x) => x.ours.length > 0)) {
    const a = median(r.ours);
    const b = median(r.theirs);
    const ratio = a / b;
    const target = Number.isFinite(r.target) ? `≤ ${r.target.toFixed(1)}` : '(info)';
    const verdict = Number.isFinite(r.target) ? (ratio <= r.target ? 'pass' : 'MISS') : '';
    lines.push(`| ${r.name} | ${fmt(r, a)} | ${fmt(r, b)} | ${ratio.toFixed(2)} | ${target} | ${verdict} |`);
  }
  return lines.join('\n');
}

(async () => {
  const rows: Row[] = [];
  try {
    if (!ONLY || ONLY === 'context') rows.push(...(await contextRows()));
    if (!ONLY || ONLY === 'logs') rows.push(...(await logRows()));
    if (!ONLY || ONLY === 'export') rows.push(...(await exportRows()));
  } catch (e) {
    process.stderr.write(`bench stopped: ${(e as Error).message}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    // each run leaves ~2 GB of images and context caches on the engine: take them back
    spawnSync('docker', ['rmi', '-f', 'bench-ours', 'bench-buildx'], { env, stdio: 'ignore' });
    spawnSync('docker', ['image', 'prune', '-f'], { env, stdio: 'ignore' });
    spawnSync('docker', ['builder', 'prune', '-f', '--filter', 'type=source.local'], { env, stdio: 'ignore' });
  }
  console.log(table(rows));
  // every sample, in run order, for telling a slow run from a slow client
  if (process.env.BKL_BENCH_VERBOSE) for (const r of rows) process.stderr.write(`${r.name}: ours ${samples(r, r.ours)}; buildx ${samples(r, r.theirs)}\n`);
})();
