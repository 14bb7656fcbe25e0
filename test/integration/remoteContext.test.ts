// A context the engine fetches itself: an HTTP tarball and a Git repository (served here over git's
// plain HTTP protocol, which the engine's git reads from 127.0.0.1 like any remote). Each build is
// compared with buildx's from the same URL: the same image, or the same failure.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { writeTree } from '../support/build';
import { buildx } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';
import { tempDir } from '../support/tmp';

const served = tempDir('bkl-served-');
let server: http.Server;
let base = '';

before(async () => {
  const src = writeTree({
    Dockerfile: 'FROM busybox:latest\nCOPY . /ctx/\n',
    'hello.txt': 'hi\n',
    'sub/Dockerfile.alt': 'FROM busybox:latest\nCOPY sub/x /from-sub\n',
    'sub/x': 'in sub\n',
  });
  execFileSync('tar', ['-C', src, '-czf', path.join(served, 'ctx.tar.gz'), '.']);
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'pipe' });
  // master: the branch BuildKit 0.8 assumes when the URL names none
  git(src, 'init', '-q', '-b', 'master');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'context');
  git(src, 'clone', '-q', '--bare', src, path.join(served, 'repo.git'));
  git(path.join(served, 'repo.git'), 'update-server-info');
  // files as they are; git's "dumb" protocol needs nothing more
  server = http.createServer((req, res) => {
    const file = path.join(served, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    fs.readFile(file, (err, data) => (err ? res.writeHead(404).end() : res.writeHead(200).end(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server?.close());

for (const eng of testEngines()) {
  describe(`a context from a URL on ${eng.name}`, { skip: !buildxPath() && 'buildx not installed (scripts/engines/install.sh)', timeout: 300_000 }, () => {
    const common = ['--network', 'none', '-q', '--provenance=false'];
    /** ours and buildx's: the image id each prints, or the failure */
    const both = async (args: string[]) => {
      const ours = await runCli(['build', '-H', eng.host, ...common, ...args], { timeoutMs: 120_000 });
      const theirs = await buildx(eng, [...common, ...args]);
      return { ours, theirs };
    };

    test('an HTTP tarball, with its own Dockerfile or one inside it named by a relative -f: the image buildx makes', async () => {
      for (const args of [[`${base}/ctx.tar.gz`], ['-f', 'sub/Dockerfile.alt', `${base}/ctx.tar.gz`]]) {
        const { ours, theirs } = await both(args);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(theirs.code, 0, theirs.stderr);
        assert.match(ours.stdout, /^sha256:[0-9a-f]{64}\n$/);
        assert.equal(ours.stdout, theirs.stdout, args.join(' '));
      }
    });

    test('a Git repository: the image buildx makes; a subfolder with a local Dockerfile (absolute -f)', async () => {
      const { ours, theirs } = await both([`${base}/repo.git`]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout);
      // BuildKit 0.8 has no subfolders in Git sources ("subdir not supported yet")
      if (eng.buildkit === '0.8') return;
      const dockerfile = path.join(tempDir('bkl-local-df-'), 'Local.Dockerfile');
      // "x" is only in sub/: this builds only from the subfolder, and only with our Dockerfile
      fs.writeFileSync(dockerfile, 'FROM busybox:latest\nCOPY x /x\n');
      const sub = await both(['-f', dockerfile, `${base}/repo.git#master:sub`]);
      assert.equal(sub.ours.code, 0, sub.ours.stderr);
      assert.equal(sub.ours.stdout, sub.theirs.stdout);
    });

    test('a URL that is not there: exit 1 and the engine\'s reason, as buildx', async () => {
      const { ours, theirs } = await both([`${base}/missing.tar.gz`]);
      assert.equal(ours.code, 1);
      assert.equal(theirs.code, 1);
      // buildx on Docker 20.10 also prints the gRPC wrapping ("rpc error: code = Unknown desc = ...")
      for (const r of [ours, theirs]) assert.match(r.stderr.trim().split('\n').at(-1)!, /^ERROR: failed to solve: .*failed to read downloaded context: .*invalid response status 404$/);
    });
  });
}
