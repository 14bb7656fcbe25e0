import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../src/cli/args';
import { UsageError } from '../../src/buildkit/options';
import { bareRef } from '../../src/buildkit/attach';
import { metadataFromResult } from '../../src/cli/metadata';

test('history subcommands parse, with one-line usage errors', () => {
  assert.deepEqual(parseCommand(['history', 'ls', '--json', '-n', '5', '-H', 'unix:///x']), { kind: 'history', action: 'ls', host: 'unix:///x', context: undefined, json: true, limit: 5 });
  assert.equal((parseCommand(['history', 'ls']) as { limit: number }).limit, 20);
  assert.deepEqual(parseCommand(['history', 'attach', '--progress', 'plain', 'abc']), { kind: 'history', action: 'attach', host: undefined, context: undefined, ref: 'abc', progress: 'plain' });
  assert.deepEqual(parseCommand(['history', 'compare', 'a', 'b']), { kind: 'history', action: 'compare', host: undefined, context: undefined, refs: ['a', 'b'], json: false });
  assert.equal(parseCommand(['history']).kind, 'help');
  assert.throws(() => parseCommand(['history', 'compare', 'a']), (e: Error) => e instanceof UsageError && /requires exactly 2 arguments/.test(e.message));
  assert.throws(() => parseCommand(['history', 'ls', '-n', 'x']), UsageError);
  assert.throws(() => parseCommand(['history', 'attach', '--progress', 'fancy', 'r']), UsageError);
  assert.throws(() => parseCommand(['history', 'rm', 'r']), /unknown history command "rm"/);
});

test('refs from buildx and our metadata files reduce to the engine ref', () => {
  assert.equal(bareRef('default/default/jrpujft2737fj1rbraodp42ym'), 'jrpujft2737fj1rbraodp42ym');
  assert.equal(bareRef('buildkit-lens/7kj32'), '7kj32');
  assert.equal(bareRef('abc'), 'abc');
});

test('history: pflag forms (-n=5, --json=true), and an empty ref refused', () => {
  const ls = parseCommand(['history', 'ls', '-n=5', '--json=true']) as { limit: number; json: boolean };
  assert.deepEqual([ls.limit, ls.json], [5, true]);
  assert.throws(() => parseCommand(['history', 'attach', '']), /a build ref cannot be empty/);
});

test('--metadata-file: keys sorted as Go writes them; the ref as builder/node/ref, as buildx names it', () => {
  const md = metadataFromResult({ ref: 'r1', ok: true, canceled: false, durationMs: 1, exporterResponse: { 'image.name': 'a', 'containerimage.digest': 'sha256:x' } }, undefined);
  assert.deepEqual(Object.keys(md), ['buildx.build.ref', 'containerimage.digest', 'image.name']);
  assert.equal(md['buildx.build.ref'], 'default/default/r1');
  assert.equal(metadataFromResult({ ref: 'r2', ok: true, canceled: false, durationMs: 1, exporterResponse: {} }, 'ci')['buildx.build.ref'], 'ci/ci/r2');
  assert.equal(bareRef('default/default/r1'), 'r1', 'history takes it back');
});
