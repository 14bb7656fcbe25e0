// A context the engine fetches itself (a Git repository, an HTTP tarball): told from a path as
// buildx tells it, and sent as buildx sends it: the URL in the frontend's "context", no local folder.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isGitSsh, isRemoteContext } from '../../src/buildkit/contextSource';
import { checkPaths } from '../../src/buildkit/preflight';
import { frontendAttrs, sessionDirs } from '../../src/buildkit/solveRequest';
import { parseCommand, type BuildCommand } from '../../src/cli/args';
import { tempDir } from '../support/tmp';

test('URLs and Git references are remote; paths are not', () => {
  for (const url of ['https://example.com/ctx.tar.gz', 'http://h/r.git#main:sub', 'git://h/r', 'ssh://git@h/r.git', 'git@github.com:o/r.git', 'github.com/o/r', 'gitlab.com/o/r.git#v1']) {
    assert.equal(isRemoteContext(url), true, url);
  }
  for (const p of ['.', 'ctx', './r.git', 'sub/r.git', 'r.git', '/abs/x', 'C:/x', 'user@host']) assert.equal(isRemoteContext(p), false, p);
  assert.deepEqual(['ssh://h/r', 'git@h:r.git', 'https://h/r.git', 'github.com/o/r'].map(isGitSsh), [true, true, false, false]);
});

test('a URL context: sent to the frontend, no folder served; a relative -f is inside it, an absolute one is ours', () => {
  const cwd = tempDir('bkl-remote-');
  const cmd = (args: string[], env: NodeJS.ProcessEnv = {}) => parseCommand(['build', ...args], env, cwd) as BuildCommand;
  const url = 'https://example.com/r.git#main:app';
  const plain = cmd([url]).options;
  assert.equal(plain.contextUrl, url);
  assert.equal(plain.dockerfile, 'Dockerfile');
  assert.deepEqual(sessionDirs(plain), {});
  assert.equal(frontendAttrs(plain).context, url);
  assert.equal(frontendAttrs(plain).filename, 'Dockerfile');
  assert.equal('dockerfilekey' in frontendAttrs(plain), false);
  assert.doesNotThrow(() => checkPaths(plain), 'nothing local to check');
  const inside = cmd(['-f', 'docker/Dockerfile.prod', url]).options;
  assert.equal(frontendAttrs(inside).filename, 'docker/Dockerfile.prod');
  assert.deepEqual(sessionDirs(inside), {});
  const local = cmd(['-f', '/work/Dockerfile.ci', url]).options;
  assert.deepEqual(sessionDirs(local), { dockerfile: '/work' });
  assert.deepEqual([frontendAttrs(local).filename, frontendAttrs(local).dockerfilekey], ['Dockerfile.ci', 'dockerfile']);
  assert.throws(() => checkPaths(local), /Dockerfile "\/work\/Dockerfile.ci" does not exist/);
  // a folder that exists is the context, whatever its name looks like (buildx tries the path first)
  fs.mkdirSync(path.join(cwd, 'github.com/o/r'), { recursive: true });
  const dir = cmd(['github.com/o/r']).options;
  assert.equal(dir.contextUrl, undefined);
  assert.equal(dir.contextDir, path.join(cwd, 'github.com/o/r'));
});

test('a Git context over SSH forwards the default agent, as buildx does; without one, one line says what to do', () => {
  const cmd = (args: string[], env: NodeJS.ProcessEnv) => parseCommand(['build', ...args], env, '/w') as BuildCommand;
  assert.deepEqual(cmd(['git@h:r.git'], { SSH_AUTH_SOCK: '/run/agent' }).options.ssh, [{ id: 'default', socket: '/run/agent' }]);
  assert.deepEqual(cmd(['--ssh', 'k=/run/k', 'git@h:r.git'], { SSH_AUTH_SOCK: '/run/agent' }).options.ssh, [{ id: 'k', socket: '/run/k' }]);
  assert.equal(cmd(['https://h/r.git'], { SSH_AUTH_SOCK: '/run/agent' }).options.ssh, undefined);
  assert.throws(() => cmd(['ssh://git@h/r.git'], {}), /^UsageError: the context ssh:\/\/git@h\/r.git is fetched over SSH, which needs an agent, and SSH_AUTH_SOCK is not set/);
});
