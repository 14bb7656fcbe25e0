import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeIntervals, totalDuration } from '../../src/progress/intervals';
import { parseStage } from '../../src/progress/stageName';
import { formatBytes, formatLogOffset, formatProgress } from '../../src/progress/render/format';
import { LogLines } from '../../src/progress/render/logLines';

test('parseStage: stage, counter, platform, internal, none', () => {
  assert.deepEqual(parseStage('[stage-1 2/5] RUN make'), { name: 'stage-1', index: 2, total: 5 });
  assert.deepEqual(parseStage('[2/3] COPY . /app'), { index: 2, total: 3 });
  assert.deepEqual(parseStage('[linux/arm64 build 1/2] RUN x'), { name: 'build', platform: 'linux/arm64', index: 1, total: 2 });
  assert.deepEqual(parseStage('[linux/arm64 1/1] COPY . /app/'), { platform: 'linux/arm64', index: 1, total: 1 });
  assert.deepEqual(parseStage('[linux/arm/v7 internal] load metadata for x'), { name: 'internal', platform: 'linux/arm/v7', index: 0, total: 0 });
  assert.deepEqual(parseStage('[internal] load .dockerignore'), { name: 'internal', index: 0, total: 0 });
  // a stage on the build platform for another target (FROM --platform=$BUILDPLATFORM), as 26.1 names it
  assert.deepEqual(parseStage('[linux/amd64->arm64 gen 2/2] RUN x'), { name: 'gen', platform: 'linux/amd64->arm64', index: 2, total: 2 });
  assert.deepEqual(parseStage('[linux/amd64->windows/amd64 2/2] RUN x'), { platform: 'linux/amd64->windows/amd64', index: 2, total: 2 });
  assert.deepEqual(parseStage('[auth] library/alpine:pull token for registry'), { name: 'auth', index: 0, total: 0 });
  assert.equal(parseStage('exporting to image'), undefined);
  assert.equal(parseStage('[no closing bracket RUN x'), undefined);
});

test('mergeIntervals: overlaps merge, gaps stay, an open interval swallows what follows', () => {
  assert.deepEqual(mergeIntervals([{ start: 5, stop: 7 }, { start: 0, stop: 2 }, { start: 1, stop: 3 }]), [{ start: 0, stop: 3 }, { start: 5, stop: 7 }]);
  assert.deepEqual(mergeIntervals([{ start: 0, stop: 10 }, { start: 2, stop: 4 }]), [{ start: 0, stop: 10 }]);
  assert.deepEqual(mergeIntervals([{ start: 0, stop: 2 }, { start: 1 }, { start: 5, stop: 6 }]), [{ start: 0 }]);
  assert.deepEqual(mergeIntervals([{ start: 0 }, { start: 5, stop: 6 }]), [{ start: 0 }]);
  assert.deepEqual(mergeIntervals([]), []);
  assert.equal(totalDuration([{ start: 0, stop: 3 }, { start: 5 }], 9), 7);
});

test('formats match tonistiigi/units and progressui', () => {
  assert.equal(formatBytes(97), '97B');
  assert.equal(formatBytes(999), '999B');
  assert.equal(formatBytes(1000), '1.00kB');
  assert.equal(formatBytes(100316), '100.32kB');
  assert.equal(formatBytes(52_428_800), '52.43MB');
  assert.equal(formatProgress(0, 0), '');
  assert.equal(formatProgress(1500, 3_000_000), '1.50kB / 3.00MB');
  assert.equal(formatLogOffset(90), '0.090');
  assert.equal(formatLogOffset(12_500), '12.50');
  assert.equal(formatLogOffset(123_400), '123.4');
});

test('LogLines: a chunk of many lines is numbered whole; a partial line is continued, or repeated after another step', () => {
  const l = new LogLines();
  const many = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n');
  l.feed(`${many}\nhalf`, 1500);
  assert.equal(l.pendingLines(), 26);
  const first = l.take('#4 ');
  assert.ok(first.startsWith('#4 1.500 line 1\n#4 1.500 line 2\n'));
  assert.ok(first.endsWith('#4 1.500 line 25\n#4 1.500 half'), 'the open line is printed as far as it goes');
  assert.deepEqual(l.lastLines(), [...Array.from({ length: 10 }, (_, i) => `1.500 line ${i + 16}`), '1.500 half']);
  l.feed(' done\nnext\n', 2000);
  assert.equal(l.take('#4 '), ' done\n#4 2.000 next\n', 'continues the line it began, without a new prefix');
  assert.equal(l.pendingLines(), 0);
  l.feed('open', 3000);
  l.take('#4 ');
  // another step printed in between (plain.ts resets printedChars): the open line comes again whole
  l.printedChars = 0;
  l.feed(' end\n', 3100);
  assert.equal(l.take('#4 '), '#4 3.000 open end\n');
  assert.deepEqual(l.lastLines().slice(-3), ['1.500 half done', '2.000 next', '3.000 open end']);
});
