// dist/cli.js loads the CLI bundle through V8's code cache: written after a successful run,
// reused as is, rewritten when V8 rejects it, never written after a failure or when turned off.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli';
import { tempDir } from '../support/tmp';

function cacheDir(): { env: NodeJS.ProcessEnv; files(): string[] } {
  const home = tempDir('bkl-cache-');
  const dir = path.join(home, 'buildkit-lens');
  return { env: { XDG_CACHE_HOME: home, BUILDKIT_LENS_NO_CODE_CACHE: '' }, files: () => (fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : []) };
}

test('the code cache is written once after a successful run and reused as is', async () => {
  const c = cacheDir();
  const first = await runCli(['--version'], { env: c.env });
  assert.equal(first.code, 0);
  assert.match(first.stdout, /^buildkit-lens \d/);
  const [file, ...more] = c.files();
  assert.deepEqual(more, []);
  assert.match(path.basename(file), /^cli-other-v\d+.*\.v8cache$/);
  assert.ok(fs.statSync(file).size > 100_000, 'holds the compiled bundle');
  const before = fs.statSync(file);
  const second = await runCli(['--version'], { env: c.env });
  assert.equal(second.stdout, first.stdout);
  const after = fs.statSync(file);
  assert.equal(after.ino, before.ino, 'an accepted cache is not rewritten');
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test('a corrupt cache is rejected by V8, the run still works, and the cache is rewritten', async () => {
  const c = cacheDir();
  await runCli(['--version'], { env: c.env });
  const [file] = c.files();
  const size = fs.statSync(file).size;
  fs.writeFileSync(file, Buffer.alloc(size, 7));
  const run = await runCli(['--version'], { env: c.env });
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^buildkit-lens \d/);
  assert.equal(run.stderr, '');
  assert.notDeepEqual(fs.readFileSync(file), Buffer.alloc(size, 7));
});

test('a failed run or BUILDKIT_LENS_NO_CODE_CACHE writes no cache; each command has its own', async () => {
  const c = cacheDir();
  const bad = await runCli(['build', '--no-such-flag', '.'], { env: c.env });
  assert.equal(bad.code, 2);
  assert.deepEqual(c.files(), []);
  const off = await runCli(['--version'], { env: { ...c.env, BUILDKIT_LENS_NO_CODE_CACHE: '1' } });
  assert.equal(off.code, 0);
  assert.deepEqual(c.files(), []);
  await runCli(['--help'], { env: c.env });
  await runCli(['history', '--help'], { env: c.env });
  assert.deepEqual(c.files().map((f) => path.basename(f).split('-')[1]).sort(), ['history', 'other']);
});

test('an unwritable cache folder costs nothing but the cache', async () => {
  const c = cacheDir();
  fs.writeFileSync(path.join(c.env.XDG_CACHE_HOME!, 'buildkit-lens'), 'a file where the folder would be');
  const run = await runCli(['--version'], { env: c.env });
  assert.equal(run.code, 0);
  assert.equal(run.stderr, '');
});

test("writing a command's cache removes that command's caches of other bundles, not other commands' caches", async () => {
  const c = cacheDir();
  const dir = path.join(c.env.XDG_CACHE_HOME!, 'buildkit-lens');
  fs.mkdirSync(dir);
  const stale = ['cli-other-v18.0.0-x64-1000-1.v8cache', 'cli-other-v20.0.0-x64-1000-2.v8cache.4242.tmp'];
  const others = ['cli-history-v18.0.0-x64-1000-1.v8cache', 'notes.txt'];
  for (const f of [...stale, ...others]) fs.writeFileSync(path.join(dir, f), 'old');
  const run = await runCli(['--version'], { env: c.env });
  assert.equal(run.code, 0);
  const left = c.files().map((f) => path.basename(f));
  for (const f of stale) assert.ok(!left.includes(f), `${f} is gone`);
  for (const f of others) assert.ok(left.includes(f), `${f} is kept`);
  assert.equal(left.filter((f) => f.startsWith('cli-other-')).length, 1, "this bundle's own cache is there");
});
