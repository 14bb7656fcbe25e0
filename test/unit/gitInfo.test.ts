// The context's Git commit and remote as buildx 0.13 sends them (build/git.go), from a real repository.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitAttrs, withoutCredentials } from '../../src/buildkit/gitInfo';
import { tempDir } from '../support/tmp';

function repo(): { root: string; sha: string } {
  const root = fs.realpathSync(tempDir('bkl-git-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: root, encoding: 'utf8' }).trim();
  git('init', '-q');
  fs.mkdirSync(path.join(root, 'app'));
  fs.writeFileSync(path.join(root, 'app', 'Dockerfile'), 'FROM scratch\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  git('remote', 'add', 'origin', 'https://user:secret@git.example.com/team/app.git');
  return { root, sha: git('rev-parse', 'HEAD') };
}

test('a context in a work tree: its commit, its remote without credentials, each local dir relative to the root', async () => {
  const { root, sha } = repo();
  const ctx = path.join(root, 'app');
  const req = { contextDir: ctx, dockerfile: path.join(ctx, 'Dockerfile'), dirs: { context: ctx, dockerfile: ctx, shared: root }, env: {} };
  assert.deepEqual(await gitAttrs(req), {
    'vcs:revision': sha,
    'vcs:source': 'https://git.example.com/team/app.git',
    'vcs:localdir:context': 'app',
    'vcs:localdir:dockerfile': 'app',
    'vcs:localdir:shared': '.',
  });
  // BUILDX_GIT_LABELS adds the OCI labels (and the Dockerfile's place); BUILDX_GIT_INFO=0 leaves out vcs:*
  assert.deepEqual(await gitAttrs({ ...req, env: { BUILDX_GIT_LABELS: 'full', BUILDX_GIT_INFO: '0' } }), {
    'label:org.opencontainers.image.revision': sha,
    'label:org.opencontainers.image.source': 'https://git.example.com/team/app.git',
    'label:com.docker.image.source.entrypoint': 'app/Dockerfile',
  });
  assert.deepEqual(await gitAttrs({ ...req, env: { BUILDX_GIT_INFO: 'false' } }), {});
  // dirty only when asked to look
  fs.writeFileSync(path.join(ctx, 'new.txt'), 'x');
  assert.equal((await gitAttrs(req))['vcs:revision'], sha);
  assert.equal((await gitAttrs({ ...req, env: { BUILDX_GIT_CHECK_DIRTY: '1' } }))['vcs:revision'], `${sha}-dirty`);
});

test('outside a work tree, or in a repository with no commit: nothing, and no failure', async () => {
  const plain = tempDir('bkl-nogit-');
  assert.deepEqual(await gitAttrs({ contextDir: plain, dockerfile: path.join(plain, 'Dockerfile'), dirs: { context: plain }, env: {} }), {});
  const empty = fs.realpathSync(tempDir('bkl-git-empty-'));
  execFileSync('git', ['init', '-q'], { cwd: empty });
  assert.deepEqual(await gitAttrs({ contextDir: empty, dockerfile: path.join(empty, 'Dockerfile'), dirs: { context: empty }, env: {} }), { 'vcs:localdir:context': '.' });
});

test('remote URLs keep their form, minus any user and password', () => {
  assert.equal(withoutCredentials('https://u:p@host.example/a/b.git'), 'https://host.example/a/b.git');
  assert.equal(withoutCredentials('ssh://git@host.example/a/b.git'), 'ssh://host.example/a/b.git');
  assert.equal(withoutCredentials('git@host.example:a/b.git'), 'git@host.example:a/b.git');
  assert.equal(withoutCredentials(''), '');
  // as Go's url.URL.String(): no "/" added, the port and the host's case kept, the last "@" ends the user info
  assert.equal(withoutCredentials('https://tok@Host.Example'), 'https://Host.Example');
  assert.equal(withoutCredentials('https://u:p@host.example:443/a.git?x=1#f'), 'https://host.example:443/a.git?x=1#f');
  assert.equal(withoutCredentials('https://u:p@ss@host.example/a.git'), 'https://host.example/a.git');
  assert.equal(withoutCredentials('HTTPS://host.example/a.git'), 'https://host.example/a.git');
});
