// --cache-to / --cache-from type=local: the session serves the folder as a content store. Checked on
// the containerd store (where a Docker engine exports cache) against what buildx 0.13 writes and reads.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeEngines, engineFor, writeTree } from '../support/build';
import { buildx } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';
import { imageFilesystem } from '../support/imagefs';
import { tempDir } from '../support/tmp';

after(closeEngines);

const d26c = testEngines().find((e) => e.name === 'd26c');
const classic = testEngines().find((e) => e.name === 'd26');

/** Names in a folder, recursively, sorted; blobs by count only (their digests hold timestamps). */
function layout(dir: string): string[] {
  const names = fs.readdirSync(dir, { recursive: true }).map(String).filter((n) => !n.startsWith('blobs/sha256/'));
  return names.sort();
}

describe('local build cache', { skip: (!d26c && 'needs the d26c engine') || (!buildxPath() && 'buildx not installed'), timeout: 300_000 }, () => {
  const eng = d26c!;
  // a RUN whose result differs each time it really runs: the same stamp proves the layer came from the cache
  const ctx = writeTree({ Dockerfile: 'FROM busybox\nRUN cat /proc/sys/kernel/random/uuid > /stamp\n' });
  const work = tempDir('bkl-localcache-');
  const base = ['build', '-H', eng.host, '--network', 'none', '--progress', 'plain'];
  const stamp = async (image: string) => (await imageFilesystem((await engineFor(eng.host)).docker, image)).get('stamp')?.sha256;
  const forget = async (image: string) => {
    const docker = (await engineFor(eng.host)).docker;
    await docker.getImage(image).remove();
    await docker.pruneBuilder({ all: true } as object);
  };

  test('exported to a folder as buildx lays it out; reused from it after a prune, by us and by buildx', async () => {
    const dir = path.join(work, 'cache');
    const r = await runCli([...base, '--no-cache', '--cache-to', `type=local,dest=${dir},mode=max`, '-t', 'bkl-lc:1', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /writing cache manifest sha256:[a-f0-9]{64} done/);
    const exported = await stamp('bkl-lc:1');
    assert.ok(exported);
    const theirs = path.join(work, 'buildx-cache');
    const b = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '--cache-to', `type=local,dest=${theirs},mode=max`, ctx]);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(layout(dir), layout(theirs));
    assert.equal(fs.readdirSync(path.join(dir, 'blobs', 'sha256')).length, fs.readdirSync(path.join(theirs, 'blobs', 'sha256')).length);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    assert.deepEqual(Object.keys(index), Object.keys(JSON.parse(fs.readFileSync(path.join(theirs, 'index.json'), 'utf8'))));
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'latest');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'ingest')), [], 'no write left half-done');

    await forget('bkl-lc:1');
    const again = await runCli([...base, '--cache-from', `type=local,src=${dir}`, '-t', 'bkl-lc:1', ctx]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await stamp('bkl-lc:1'), exported, 'the RUN\'s layer came from the folder');

    await forget('bkl-lc:1');
    const bx = await buildx(eng, ['--network', 'none', '--progress', 'quiet', '--cache-from', `type=local,src=${dir}`, '-t', 'bkl-lc:1', ctx]);
    assert.equal(bx.code, 0, bx.stderr);
    assert.equal(await stamp('bkl-lc:1'), exported, 'buildx reads the folder we wrote');

    await forget('bkl-lc:1');
    const none = await runCli([...base, '--cache-from', `type=local,src=${path.join(work, 'nothing-yet')}`, '-t', 'bkl-lc:1', ctx]);
    assert.equal(none.code, 0, none.stderr);
    assert.notEqual(await stamp('bkl-lc:1'), exported, 'a folder with no cache yet is passed over, and the RUN runs');
  });

  test('the classic store cannot export it: one line before the build', { skip: !classic && 'needs the d26 engine' }, async () => {
    const r = await runCli(['build', '-H', classic!.host, '--progress', 'quiet', '--cache-to', `type=local,dest=${path.join(work, 'c2')}`, ctx]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: --cache-to type=local needs the containerd image store/);
    assert.equal(fs.existsSync(path.join(work, 'c2')), false);
  });
});
