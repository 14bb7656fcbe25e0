// The context walked ahead in a worker (prefetch.ts) must reach the receiver exactly as the
// request's own walk would: same STATs in the same order, same file bytes, same errors; and it
// is only used by the one request that asks for exactly what was walked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { foldersWorthWalking, keepIdleWalker, WalkPrefetch, worthWalkingAhead } from '../../src/buildkit/filesync/prefetch';
import { metadataFor, receive, startHarness, validateStats, type Received } from '../fixtures/filesync/receiver';
import { writeTree } from '../support/build';
import { tempDir } from '../support/tmp';

function fixture(): string {
  const root = tempDir('fs-pf-');
  const put = (rel: string, body: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), body);
  };
  for (let d = 0; d < 12; d++) for (let f = 0; f < 60; f++) put(`src/p${d}/f${f}.txt`, `${d}/${f}\n`.repeat(f));
  put('big.bin', Buffer.alloc(3 * 1024 * 1024 + 5, 9));
  put('mid.bin', Buffer.alloc(70_000, 3));
  put('logs/a.log', 'a');
  put('logs/keep.log', 'keep');
  put('ünï cödé/x y', 'z');
  fs.mkdirSync(path.join(root, 'empty'));
  fs.symlinkSync('big.bin', path.join(root, 'link'));
  fs.linkSync(path.join(root, 'mid.bin'), path.join(root, 'hard.bin'));
  return root;
}

const EXCLUDES = ['**/*.log', '!logs/keep.log', 'src/p3'];

async function run(root: string, excludes: string[], prefetch?: WalkPrefetch): Promise<Received & { errors: string[] }> {
  const h = await startHarness({ context: root }, { prefetch });
  try {
    const r = await receive(h, metadataFor({ 'dir-name': 'context', 'exclude-patterns': excludes }));
    return { ...r, errors: h.errors };
  } finally {
    await h.close();
  }
}

test('a prefetched walk sends exactly what the request would have walked', async () => {
  const root = fixture();
  const live = await run(root, EXCLUDES);
  const pf = new WalkPrefetch('context', root, { excludePatterns: EXCLUDES }, 100);
  await new Promise((r) => setTimeout(r, 50)); // let it walk (and pause after 100 entries)
  const ahead = await run(root, EXCLUDES, pf);
  assert.equal(pf.matches({ dirName: 'context', excludePatterns: EXCLUDES }), false, 'taken, so used once only');
  validateStats(ahead.stats);
  assert.ok(live.stats.length > 600);
  assert.deepEqual(ahead.stats, live.stats);
  assert.deepEqual([...ahead.files].sort(), [...live.files].sort());
  assert.ok(ahead.files.has('big.bin') && ahead.files.has('logs/keep.log') && !ahead.files.has('logs/a.log') && !ahead.files.has('src/p3/f1.txt'));
  assert.equal(ahead.stats.find((s) => s.path === 'mid.bin')?.linkname, 'hard.bin', 'the second name of a hardlinked file names the first');
  assert.equal(ahead.status.code, 0);
  assert.ok(ahead.gotFin);
});

test('a request with other patterns, or after cancel, walks itself and the prefetch stays unused', async () => {
  const root = fixture();
  const live = await run(root, []);
  const other = new WalkPrefetch('context', root, { excludePatterns: EXCLUDES });
  const got = await run(root, [], other);
  assert.deepEqual(got.stats, live.stats);
  assert.equal(other.matches({ dirName: 'context', excludePatterns: EXCLUDES }), true, 'not taken by a different request');
  other.cancel();
  assert.equal(other.matches({ dirName: 'context', excludePatterns: EXCLUDES }), false);
  const afterCancel = await run(root, EXCLUDES, other);
  assert.deepEqual(afterCancel.stats, (await run(root, EXCLUDES)).stats);
});

test('names that are not UTF-8 reach the receiver the same either way', async () => {
  const root = fixture();
  fs.writeFileSync(Buffer.concat([Buffer.from(root + '/bad'), Buffer.from([0xff]), Buffer.from('.t')]), 'x');
  fs.writeFileSync(Buffer.concat([Buffer.from(root + '/src/'), Buffer.from([0xc3, 0x28])]), 'not UTF-8');
  const live = await run(root, []);
  const ahead = await run(root, [], new WalkPrefetch('context', root, {}));
  assert.deepEqual(live.errors, []);
  assert.deepEqual(ahead.stats, live.stats);
  assert.deepEqual([...ahead.files].sort(), [...live.files].sort());
  // the fixture's decoder shows the bytes as U+FFFD; the files were found and read
  assert.equal(ahead.files.get('bad\uFFFD.t')?.bytes, 1);
  assert.equal(ahead.files.get('src/\uFFFD(')?.bytes, 9);
});

test('a walk error reaches the receiver with the same message either way', async () => {
  const root = fixture();
  // passes the syntax check (which stops at "a", no match for "b"), fails when first evaluated
  const bad = ['big*['];
  const live = await run(root, bad);
  const ahead = await run(root, bad, new WalkPrefetch('context', root, { excludePatterns: bad }));
  assert.equal(live.errors.length, 1);
  assert.match(live.errors[0], /big\*\[/);
  assert.deepEqual(ahead.errors, live.errors);
  assert.equal(ahead.errPacket, live.errPacket);
  assert.equal(ahead.status.code, live.status.code);
});

test('the launcher parses a build command only when an argument names a folder worth walking ahead', () => {
  const big = fixture();
  const small = tempDir('fs-pf-small-');
  fs.writeFileSync(path.join(small, 'Dockerfile'), 'FROM scratch\n');
  const cwd = path.dirname(big);
  const flags = ['--progress', 'plain', '--network', 'none', '--build-arg', 'N=1', '-t', 'x:latest'];
  assert.deepEqual(foldersWorthWalking([...flags, small]), []);
  assert.deepEqual(foldersWorthWalking([...flags, big]), [big]);
  // the context before the flags, relative to the working folder, as buildx takes it too
  assert.deepEqual(foldersWorthWalking([path.basename(big), ...flags], cwd), [big]);
  assert.deepEqual(foldersWorthWalking(['-', ...flags]), []);
  assert.deepEqual(foldersWorthWalking(['-f', path.join(small, 'Dockerfile'), 'https://example.invalid/repo.git']), []);
});

test('a context is walked ahead only when it is larger than a small project: entries counted through its folders', () => {
  // files hold "x"; folders are empty
  const tree = (files: string[], folders: string[] = []) => writeTree(Object.fromEntries([...files.map((f) => [f, 'x']), ...folders.map((d) => [d, null])]));
  const n = (count: number, name: (i: number) => string) => Array.from({ length: count }, (_, i) => name(i));
  // a project with a few folders: a worker would cost more than its walk
  assert.equal(worthWalkingAhead(tree(['Dockerfile', '.vscode/settings.json', 'src/app/main.go', 'src/app/util.go', 'docs/README.md'])), false);
  assert.equal(worthWalkingAhead(tree(n(250, (i) => `f${i}`))), false);
  // more entries than that, wherever they are: deep down, or at the top
  assert.equal(worthWalkingAhead(tree(['Dockerfile', ...n(300, (i) => `a/b/c/f${i}`)])), true);
  assert.equal(worthWalkingAhead(tree(n(300, (i) => `f${i}`))), true);
  // many folders: counted no further
  assert.equal(worthWalkingAhead(tree([], n(40, (i) => `d${i}/e`))), true);
  assert.equal(worthWalkingAhead(path.join(tempDir('fs-pf-size-'), 'missing')), false);
});

test('a finished walker waits for the next build, but not where each process builds once (the CLI)', async () => {
  const root = fixture();
  // the process's threads: a walker is one of them while it lives
  const threads = () => fs.readdirSync('/proc/self/task').length;
  const settle = async (ok: () => boolean) => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 30));
  };
  const walkAhead = async () => {
    const r = await run(root, EXCLUDES, new WalkPrefetch('context', root, { excludePatterns: EXCLUDES }));
    assert.ok(r.gotFin);
  };
  try {
    // a walk that takes any walker left idle by the tests before, which then ends
    keepIdleWalker(false);
    await walkAhead();
    await new Promise((r) => setTimeout(r, 300));
    const none = threads();
    keepIdleWalker(true);
    await walkAhead();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(threads() > none, 'the idle walker is still there');
    keepIdleWalker(false);
    // this walk takes the idle walker, which then ends
    await walkAhead();
    await settle(() => threads() <= none);
    assert.equal(threads(), none, 'no walker left');
  } finally {
    keepIdleWalker(true);
  }
});
