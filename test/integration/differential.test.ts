// Differential: the same contexts built by BuildKit Lens and by `docker buildx build` 0.13 on the
// same engine give the same image filesystem, entry by entry (type, mode, size, content, link).
// All fixtures share one context per engine (test/fixtures/differential): builds cost seconds.
// --no-cache on both sides: a COPY cached from the other client's transfer would hide a difference.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPTH, differentialContext, dockerfileIgnoreContext, MANY, ODD_NAMES } from '../fixtures/differential/context';
import { IGNORE_CASES } from '../fixtures/differential/ignoreCases';
import { build, closeEngines, options, writeTree } from '../support/build';
import { buildx, compareImages } from '../support/buildx';
import { buildxPath, testEngines } from '../support/engines';
import type { FsEntry } from '../support/imagefs';

after(closeEngines);

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Files and links (not dirs) under prefix/, relative to it, sorted. */
function leavesUnder(fsMap: Map<string, FsEntry>, prefix: string): string[] {
  return [...fsMap].filter(([p, e]) => p.startsWith(prefix + '/') && e.type !== 'directory').map(([p]) => p.slice(prefix.length + 1)).sort();
}

const engines = testEngines();
const skip = !buildxPath() && 'buildx not installed (scripts/engines/install.sh)';

for (const eng of engines) {
  // d26 gets everything; the other engines the same context without the 20,000 files
  const full = eng.name === 'd26';
  describe(`differential vs buildx on ${eng.name}`, { skip, timeout: 600_000 }, () => {
    test(`one context, every fixture${full ? ' (with 20,000 files)' : ''}`, async (t) => {
      const ctx = differentialContext({ many: full });
      t.after(() => {
        for (const d of [ctx.dir, path.dirname(ctx.outsideFile)]) fs.rmSync(d, { recursive: true, force: true });
      });
      const ours = `bkl-diff-ours-${eng.name}:latest`;
      const theirs = `bkl-diff-buildx-${eng.name}:latest`;
      const t0 = Date.now();
      const [b, x] = await Promise.all([
        build(eng.host, options(ctx.dir, { tags: [ours], noCache: true })),
        buildx(eng, ['--network', 'none', '--no-cache', '--progress', 'quiet', '-t', theirs, ctx.dir]),
      ]);
      assert.equal(b.result.ok, true, b.result.error?.message);
      assert.equal(x.code, 0, x.stderr);
      const { ours: img, diff } = await compareImages(eng, ours, theirs);
      t.diagnostic(`${ctx.fixtures} fixtures (${IGNORE_CASES.length} .dockerignore cases), ${img.size} image entries, ${Date.now() - t0} ms`);
      assert.deepEqual(diff, [], 'image filesystems differ from buildx');

      for (const c of IGNORE_CASES) {
        assert.deepEqual(leavesUnder(img, `ctx/${c.dir}`), [...c.kept].sort(), `${c.dir}: ${c.what} (${c.lines.join(' | ')})`);
      }
      assert.equal(img.get('ctx/c11/src/vendor/v.go')?.size, 0, 'listed by the walk, refused on open: empty, as fsutil sends it');
      // nothing outside the context: the link is sent as a link, the file it names never
      const link = img.get('ctx/links/outside-file');
      assert.equal(link?.type, 'symlink');
      assert.equal(link?.linkname, ctx.outsideFile);
      const outsideHash = sha(ctx.outsideContent);
      assert.ok(![...img.values()].some((e) => e.sha256 === outsideHash), 'the outside file content is in the image');
      assert.equal(img.get('ctx/links/dangling')?.linkname, 'missing-target');
      assert.equal(img.get('ctx/links/loop')?.linkname, 'loop');
      assert.equal(img.get('ctx/links/dirlink')?.type, 'symlink');

      assert.equal(img.get('ctx/modes/setuid')?.mode, 0o4755);
      assert.equal(img.get('ctx/modes/sticky-dir')?.mode, 0o1777);
      assert.equal(img.get('ctx/modes/setgid-dir')?.mode, 0o2755);
      assert.equal(img.get('ctx/modes/none')?.mode, 0o000);
      assert.equal(img.get('ctx/modes/all')?.mode, 0o777);
      assert.ok(!img.has('ctx/hard/x-ignored.bin') && img.get('ctx/hard/y.bin')?.size === 19, 'a hardlink whose first name is ignored arrives as a file');
      assert.equal(img.get('ctx/empty/a/b/c')?.type, 'directory');
      for (const n of ODD_NAMES) assert.ok(img.has(`ctx/names/${n}`), `names/${JSON.stringify(n)} missing`);
      const deep = Array.from({ length: DEPTH }, (_, i) => `d${String(i + 1).padStart(2, '0')}`).join('/');
      assert.ok(img.has(`ctx/deep/${deep}/leaf.txt`), 'the leaf at depth 40');
      if (full) assert.equal(leavesUnder(img, 'ctx/many').length, MANY);
    });

    // The shared .dockerignore above holds a pattern with ", ", which gets its key's values escaped
    // anyway; here non-ASCII patterns travel alone (BuildKit 0.8 sends them as raw UTF-8, unflagged).
    test('a .dockerignore whose only unusual patterns are non-ASCII', async () => {
      const dir = writeTree({ Dockerfile: 'FROM scratch\nCOPY . /ctx/\n', '.dockerignore': 'ünï*\n文件\nz\n', 'ünïx': '1', '文件': '2', z: '3', k: '4' });
      const ours = `bkl-na-ours-${eng.name}:latest`;
      const theirs = `bkl-na-buildx-${eng.name}:latest`;
      const [b, x] = await Promise.all([
        build(eng.host, options(dir, { tags: [ours], noCache: true })),
        buildx(eng, ['--network', 'none', '--no-cache', '--progress', 'quiet', '-t', theirs, dir]),
      ]);
      assert.equal(b.result.ok, true, b.result.error?.message);
      assert.equal(x.code, 0, x.stderr);
      const { ours: img, diff } = await compareImages(eng, ours, theirs);
      assert.deepEqual(diff, []);
      assert.deepEqual(leavesUnder(img, 'ctx'), ['.dockerignore', 'Dockerfile', 'k']);
    });

    test('-f sub/app.Dockerfile with its own .dockerignore; named COPY sources (followpaths, non-ASCII)', { skip: eng.buildkit === '0.8' && 'BuildKit 0.8 has no <Dockerfile>.dockerignore' }, async () => {
      const ctx = dockerfileIgnoreContext();
      const ours = `bkl-dfi-ours-${eng.name}:latest`;
      const theirs = `bkl-dfi-buildx-${eng.name}:latest`;
      const [b, x] = await Promise.all([
        build(eng.host, options(ctx.dir, { dockerfile: ctx.dockerfile, tags: [ours], noCache: true })),
        buildx(eng, ['--network', 'none', '--no-cache', '--progress', 'quiet', '-f', ctx.dockerfile, '-t', theirs, ctx.dir]),
      ]);
      assert.equal(b.result.ok, true, b.result.error?.message);
      assert.equal(x.code, 0, x.stderr);
      const { ours: img, diff } = await compareImages(eng, ours, theirs);
      assert.deepEqual(diff, []);
      assert.ok(img.has('one/文件 1.txt'));
      assert.deepEqual(leavesUnder(img, 'keep'), ['k.txt'], 'sub/app.Dockerfile.dockerignore applies, the context .dockerignore does not');
      assert.equal(img.get('via-link/link-to-keep')?.type, 'file', 'COPY of a symlink copies its target');
    });
  });
}
