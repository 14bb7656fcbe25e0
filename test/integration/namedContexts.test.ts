// --build-context: named contexts sent through the session beside the main one, compared with what
// `docker buildx build` (0.13) makes of the same command on the same engine.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeEngines, writeTree } from '../support/build';
import { buildx, compareImages } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';

after(closeEngines);

/** An app context and a "shared" folder beside it, with its own .dockerignore. */
function workspace(): { app: string; shared: string } {
  const root = writeTree({
    'app/Dockerfile': [
      'FROM base AS tools',
      'FROM scratch',
      'COPY --from=shared / /shared/',
      'COPY --from=tools /bin/busybox /bin/busybox',
      'COPY main.txt /',
      '',
    ].join('\n'),
    'app/main.txt': 'main\n',
    'shared/.dockerignore': '*.log\n',
    'shared/lib/util.txt': 'util v1\n',
    'shared/debug.log': 'not sent\n',
  });
  return { app: path.join(root, 'app'), shared: path.join(root, 'shared') };
}

for (const eng of testEngines()) {
  describe(`--build-context on ${eng.name}`, { skip: !buildxPath() && 'buildx not installed (scripts/engines/install.sh)', timeout: 300_000 }, () => {
    const named = (shared: string) => ['--build-context', `shared=${shared}`, '--build-context', 'base=docker-image://busybox:latest'];

    if (eng.buildkit === '0.8') {
      test('an engine whose frontend has no named contexts says which Docker it takes', async () => {
        const ws = workspace();
        const r = await runCli(['build', '-H', eng.host, '--progress', 'quiet', ...named(ws.shared), ws.app]);
        assert.equal(r.code, 1);
        // the engine's refusal, explained: as buildx, quiet output still says "failed to solve:"
        assert.equal(r.stderr.trim(), 'ERROR: failed to solve: named build contexts need BuildKit 0.10 or later (Docker 23.0 or later): this engine\'s Dockerfile frontend does not know them');
      });
      return;
    }

    test('a folder and an image: the same image as buildx; the folder\'s .dockerignore applies; a change is picked up', async () => {
      const ws = workspace();
      const ours = `bkl-named-ours-${eng.name}:latest`;
      const theirs = `bkl-named-buildx-${eng.name}:latest`;
      const r = await runCli(['build', '-H', eng.host, '--progress', 'plain', '-t', ours, ...named(ws.shared), ws.app]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /\[context shared\] load from client/);
      const b = await buildx(eng, ['--progress', 'quiet', '-t', theirs, ...named(ws.shared), ws.app]);
      assert.equal(b.code, 0, b.stderr);
      const cmp = await compareImages(eng, ours, theirs);
      assert.deepEqual(cmp.diff, []);
      assert.ok(cmp.ours.has('shared/lib/util.txt') && cmp.ours.has('bin/busybox'), [...cmp.ours.keys()].join(' '));
      assert.equal(cmp.ours.has('shared/debug.log'), false, 'the named folder\'s .dockerignore is honoured');

      // the engine keeps its copy of the folder: an edit must still reach the image
      fs.writeFileSync(path.join(ws.shared, 'lib/util.txt'), 'util v2\n');
      const again = await runCli(['build', '-H', eng.host, '--progress', 'plain', '-t', ours, ...named(ws.shared), ws.app]);
      assert.equal(again.code, 0, again.stderr);
      const after2 = await compareImages(eng, ours, theirs);
      assert.deepEqual(after2.diff.map((d) => d.split(':')[0]), ['shared/lib/util.txt']);
    });

    test('an OCI layout folder: built from on the containerd store as buildx builds it; on the classic store one line says what it needs', async () => {
      // the layout: an image exported by the containerd-store engine (-o type=oci), unpacked
      const d26c = testEngines().find((e) => e.name === 'd26c');
      if (!d26c) return;
      const root = writeTree({ 'src/Dockerfile': 'FROM scratch\nCOPY f /f\n', 'src/f': `from the layout ${Date.now()}\n`, 'app/Dockerfile': 'FROM scratch\nCOPY --from=base /f /copied\n' });
      const layout = path.join(root, 'layout');
      fs.mkdirSync(layout);
      const made = await runCli(['build', '-H', d26c.host, '--progress', 'quiet', '-o', `type=oci,dest=${layout}.tar`, path.join(root, 'src')]);
      assert.equal(made.code, 0, made.stderr);
      execFileSync('tar', ['-xf', `${layout}.tar`, '-C', layout]);
      const ctx = ['--build-context', `base=oci-layout://${layout}`, path.join(root, 'app')];
      const r = await runCli(['build', '-H', eng.host, '--progress', 'quiet', '-t', `bkl-oci-ours-${eng.name}`, ...ctx]);
      if (!eng.containerdStore) {
        assert.equal(r.code, 1);
        // with the line that names it, as buildx shows an engine's refusal even in quiet output
        assert.match(r.stderr, /^Dockerfile:2\n[^]*>>> COPY --from=base \/f \/copied\n[^]*ERROR: failed to solve: oci-layout:\/\/ build contexts need the containerd image store, and this engine uses the classic store/);
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      const b = await buildx(eng, ['--progress', 'quiet', '-t', `bkl-oci-buildx-${eng.name}`, ...ctx]);
      assert.equal(b.code, 0, b.stderr);
      const cmp = await compareImages(eng, `bkl-oci-ours-${eng.name}`, `bkl-oci-buildx-${eng.name}`);
      assert.deepEqual(cmp.diff, []);
      assert.ok(cmp.ours.has('copied'));
      // a folder that is no layout
      const bad = await runCli(['build', '-H', eng.host, '--progress', 'quiet', '--build-context', `base=oci-layout://${root}/src:v1`, path.join(root, 'app')]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr.trim(), `ERROR: oci-layout ${root}/src: no readable index.json`);
    });

    test('a named folder that is missing is one line before the build', async () => {
      const ws = workspace();
      const r = await runCli(['build', '-H', eng.host, '--progress', 'quiet', ...named(path.join(ws.shared, 'nope')), ws.app]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `ERROR: build context "shared": "${path.join(ws.shared, 'nope')}" does not exist`);
    });
  });
}
