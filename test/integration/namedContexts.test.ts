// --build-context: named contexts sent through the session beside the main one, compared with what
// `docker buildx build` (0.13) makes of the same command on the same engine.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
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
        assert.equal(r.stderr.trim(), 'ERROR: named build contexts need BuildKit 0.10 or later (Docker 23.0 or later): this engine\'s Dockerfile frontend does not know them');
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

    test('a named folder that is missing is one line before the build', async () => {
      const ws = workspace();
      const r = await runCli(['build', '-H', eng.host, '--progress', 'quiet', ...named(path.join(ws.shared, 'nope')), ws.app]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `ERROR: build context "shared": "${path.join(ws.shared, 'nope')}" does not exist`);
    });
  });
}
