// The same context built by BuildKit Lens and by `docker buildx build` (0.13) on the same engine
// must give the same image filesystem.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildxPath, dockerCliEnv, testEngines } from '../support/engines';
import { build, closeEngines, engineFor, options, writeTree } from '../support/build';
import { diffFilesystems, imageFilesystem } from '../support/imagefs';

const run = promisify(execFile);
after(closeEngines);

/** A context exercising .dockerignore negations and **, links, empty dirs, modes and odd names. */
function trickyContext(): string {
  const ctx = writeTree({
    Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
    '.dockerignore': ['**/*.log', '!keep/important.log', 'secret/', 'docs/**/draft*', 'build', '!build/dist', 'x[0-9].txt', '# comment', ''].join('\n'),
    'app/main.js': 'console.log(1)\n',
    'app/debug.log': 'ignored\n',
    'keep/important.log': 'kept\n',
    'keep/other.log': 'ignored\n',
    'secret/key.pem': 'never sent\n',
    'docs/a/b/draft-1.md': 'ignored\n',
    'docs/a/b/final.md': 'kept\n',
    'build/tmp.o': 'ignored\n',
    'build/dist/app.bin': 'kept\n',
    'x1.txt': 'ignored\n',
    'xa.txt': 'kept\n',
    'empty/dir': null,
    'name with spaces.txt': 'spaces\n',
    'ünïcødé/文件.txt': 'unicode\n',
    'a.b': 'dot', 'a-b': 'dash', 'a/b': 'slash',
    'modes/exec.sh': '#!/bin/sh\n',
    'modes/private': 'p',
  });
  fs.chmodSync(path.join(ctx, 'modes/exec.sh'), 0o755);
  fs.chmodSync(path.join(ctx, 'modes/private'), 0o600);
  fs.chmodSync(path.join(ctx, 'empty/dir'), 0o711);
  fs.symlinkSync('../app/main.js', path.join(ctx, 'keep/link-in'));
  fs.symlinkSync('/etc/passwd', path.join(ctx, 'keep/link-abs'));
  fs.symlinkSync('../../outside', path.join(ctx, 'keep/link-out'));
  fs.symlinkSync('missing-target', path.join(ctx, 'keep/dangling'));
  fs.linkSync(path.join(ctx, 'app/main.js'), path.join(ctx, 'app/hardlink.js'));
  return ctx;
}

const buildx = buildxPath();
const engines = testEngines();

for (const eng of engines) {
  describe(`same image as buildx on ${eng.name}`, { skip: !buildx && 'buildx not installed (scripts/engines/install.sh)', timeout: 300_000 }, () => {
    test('tricky context: .dockerignore, links, empty dirs, modes, names', async () => {
      const ctx = trickyContext();
      const ours = `bkl-cmp-ours-${eng.name}:latest`;
      const theirs = `bkl-cmp-buildx-${eng.name}:latest`;
      const b = await build(eng.host, options(ctx, { tags: [ours] }));
      assert.equal(b.result.ok, true, b.result.error?.message);
      await run('docker', ['buildx', 'build', '--network', 'none', '--progress', 'quiet', '-t', theirs, ctx], { env: dockerCliEnv(eng) as NodeJS.ProcessEnv });
      const docker = (await engineFor(eng.host)).docker;
      const a = await imageFilesystem(docker, ours);
      const c = await imageFilesystem(docker, theirs);
      assert.deepEqual(diffFilesystems(a, c), []);
      // and the ignore rules really applied
      assert.ok(a.has('ctx/keep/important.log'));
      assert.ok(!a.has('ctx/keep/other.log'));
      assert.ok(!a.has('ctx/secret/key.pem') && !a.has('ctx/secret'));
      assert.ok(a.has('ctx/build/dist/app.bin') && !a.has('ctx/build/tmp.o'));
      assert.equal(a.get('ctx/keep/link-out')?.linkname, '../../outside');
      assert.equal(a.get('ctx/modes/exec.sh')?.mode, 0o755);
      assert.equal(a.get('ctx/empty/dir')?.type, 'directory');
    });
  });
}
