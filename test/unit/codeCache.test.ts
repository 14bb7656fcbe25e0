// src/codeCache.ts: a bundle loaded through V8's code cache behaves as required, the cache is written
// once when missing or rejected, kept when accepted, and a new bundle's cache replaces the old ones.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { codeCacheFor, loadThroughCodeCache } from '../../src/codeCache';
import { tempDir } from '../support/tmp';

function bundleIn(dir: string, value: number): string {
  const file = path.join(dir, 'bundle.js');
  fs.writeFileSync(file, `exports.value = () => ${value};\nexports.dir = __dirname;\nexports.fs = typeof require('node:fs').statSync;\n`);
  return file;
}

test('a bundle loads the same with and without its cache; an accepted cache is not rewritten', () => {
  const dir = tempDir('bkl-codecache-');
  const bundle = bundleIn(dir, 41);
  fs.utimesSync(bundle, 1_700_000_000, 1_700_000_000);
  const cache = codeCacheFor(bundle, path.join(dir, 'cache'), 'b-')!;
  const first = loadThroughCodeCache<{ value(): number; dir: string; fs: string }>(bundle, cache);
  assert.deepEqual([first.exports.value(), first.exports.dir, first.exports.fs], [41, dir, 'function']);
  assert.equal(fs.existsSync(cache.file), false, 'written only by save()');
  first.save();
  const written = fs.statSync(cache.file);
  assert.ok(written.size > 0);
  const second = loadThroughCodeCache<{ value(): number }>(bundle, cache);
  assert.equal(second.exports.value(), 41);
  second.save();
  const after = fs.statSync(cache.file);
  assert.deepEqual([after.ino, after.mtimeMs], [written.ino, written.mtimeMs], 'accepted: kept as is');

  // a source this process has not compiled yet (V8 would take its own in-memory copy), same file name
  bundleIn(dir, 43);
  fs.utimesSync(bundle, 1_700_000_000, 1_700_000_000);
  assert.equal(codeCacheFor(bundle, path.join(dir, 'cache'), 'b-')!.file, cache.file);
  fs.writeFileSync(cache.file, Buffer.alloc(written.size, 7));
  const third = loadThroughCodeCache<{ value(): number }>(bundle, cache);
  assert.equal(third.exports.value(), 43, 'a corrupt cache is rejected, not used');
  third.save();
  assert.notDeepEqual(fs.readFileSync(cache.file), Buffer.alloc(written.size, 7), 'and rewritten');
});

test("a new bundle's cache removes the old bundle's; other files stay; no cache or an unwritable folder still loads", () => {
  const dir = tempDir('bkl-codecache-');
  const cacheDir = path.join(dir, 'cache');
  const old = codeCacheFor(bundleIn(dir, 1), cacheDir, 'b-')!;
  loadThroughCodeCache(path.join(dir, 'bundle.js'), old).save();
  fs.writeFileSync(path.join(cacheDir, 'other-v1.v8cache'), 'x');
  const bundle = bundleIn(dir, 22);
  fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
  const next = codeCacheFor(bundle, cacheDir, 'b-')!;
  assert.notEqual(next.file, old.file);
  const loaded = loadThroughCodeCache<{ value(): number }>(bundle, next);
  assert.equal(loaded.exports.value(), 22);
  loaded.save();
  assert.deepEqual(fs.readdirSync(cacheDir).sort(), [path.basename(next.file), 'other-v1.v8cache'].sort());

  assert.equal(loadThroughCodeCache<{ value(): number }>(bundle, undefined).exports.value(), 22);
  const blocked = path.join(dir, 'blocked');
  fs.writeFileSync(blocked, 'a file where the folder would be');
  const unwritable = loadThroughCodeCache<{ value(): number }>(bundle, codeCacheFor(bundle, blocked, 'b-'));
  assert.equal(unwritable.exports.value(), 22);
  assert.doesNotThrow(() => unwritable.save());
  assert.equal(codeCacheFor(path.join(dir, 'missing.js'), cacheDir, 'b-'), undefined);
});
