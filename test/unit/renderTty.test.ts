import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildModel } from '../../src/progress/model';
import { createTtyRenderer } from '../../src/progress/render/tty';
import type { BuildResult } from '../../src/buildkit/types';
import { FIXTURE_BASE_MS, loadStatusFixture } from '../fixtures/status/load';

function fakeTerminal(columns = 70, rows = 12) {
  const writes: string[] = [];
  const stream = { columns, rows, write: (s: string) => (writes.push(s), true), hasColors: () => false } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

// what the terminal shows after the last frame: strip cursor movement and clears
const visible = (frame: string) =>
  frame.replace(/\x1b\[\?25[lh]/g, '').replace(/\x1b\[\d+F/g, '').replace(/\x1b\[2K/g, '').replace(/\x1b\[J/g, '');

const OK: BuildResult = { ref: 'r', ok: true, canceled: false, exporterResponse: {}, durationMs: 0 };

test('live frame: header, steps with timers, statuses, and the running step\'s last log lines', () => {
  const { stream, writes } = fakeTerminal();
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS + 3_000 });
  const tty = createTtyRenderer(stream, { now: () => FIXTURE_BASE_MS + 3_000, minRedrawMs: 0, refreshMs: 0 });
  const msgs = loadStatusFixture('simple-build.json').messages;
  // up to the RUN's logs, before it completes
  for (const m of msgs.slice(0, 22)) tty.update(model, model.apply(m));
  const frame = visible(writes[writes.length - 1]).split('\n');
  assert.match(frame[0], /^\[\+\] Building \d+\.\ds \(7\/8\)$/);
  assert.ok(frame.some((l) => /^ => CACHED \[base 1\/4\] FROM docker\.io\/library\/alpine:3\.20@sha256  \d\.\ds$/.test(l)));
  assert.ok(frame.some((l) => /^ => => transferring context: 100\.32kB\s+0\.2s$/.test(l)), frame.join('\n'));
  assert.ok(frame.some((l) => /^ => \[base 4\/4\] RUN \.\/build\.sh\s+\d+\.\ds$/.test(l)));
  assert.deepEqual(frame.filter((l) => l.startsWith(' => => # ')), [' => => # compiling module a', ' => => # compiling module b', ' => => # warning: café ok', ' => => # done']);
  // as buildx: step lines stop one column short of the edge
  assert.ok(frame.slice(1).every((l) => l.length <= 69), frame.join('\n'));
  const run = frame.find((l) => l.includes('RUN ./build.sh'))!;
  assert.equal(run.length, 69);
  // the next frame moves back over the previous one
  tty.update(model, model.apply(msgs[22]));
  assert.ok(writes[writes.length - 1].includes(`\x1b[${frame.length - 1}F`));
});

test('a small terminal keeps running steps visible', () => {
  const { stream, writes } = fakeTerminal(70, 5);
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS + 3_000 });
  const tty = createTtyRenderer(stream, { minRedrawMs: 0, refreshMs: 0 });
  const msgs = loadStatusFixture('simple-build.json').messages;
  for (const m of msgs.slice(0, 20)) tty.update(model, model.apply(m));
  const frame = visible(writes[writes.length - 1]).split('\n').filter((l) => l !== '');
  assert.equal(frame.length, 4); // header + rows - 2
  assert.ok(frame.some((l) => l.includes('RUN ./build.sh')));
});

test('end: FINISHED frame with every step, then the error block', () => {
  const { stream, writes } = fakeTerminal(100, 6);
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  const tty = createTtyRenderer(stream, { minRedrawMs: 1e12, refreshMs: 0 });
  for (const m of loadStatusFixture('failing-run.json').messages) tty.update(model, model.apply(m));
  assert.equal(writes.length, 1); // throttled: only the first update drew
  const result = { ...OK, ok: false, error: { message: 'exit code: 127', code: 2, sources: [] } };
  model.finish(result);
  tty.end(model, result);
  const out = visible(writes.slice(1).join(''));
  assert.match(out, /^\[\+\] Building 0\.3s \(4\/4\) FINISHED\n/);
  assert.ok(out.includes(' => ERROR [base 3/3] RUN ./missing.sh'));
  assert.ok(out.includes(' => CANCELED [base 2/3] RUN apk add'));
  assert.ok(out.includes('------\n > [base 3/3] RUN ./missing.sh &&     echo never:\n0.090 /bin/sh: ./missing.sh: not found\n------\n'));
  assert.ok(out.endsWith('ERROR: failed to solve: exit code: 127\n'));
});

test('colors only when the stream has them', () => {
  const { stream, writes } = fakeTerminal();
  (stream as unknown as { hasColors: () => boolean }).hasColors = () => true;
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  const tty = createTtyRenderer(stream, { minRedrawMs: 0, refreshMs: 0 });
  for (const m of loadStatusFixture('canceled.json').messages) tty.update(model, model.apply(m));
  assert.ok(writes[writes.length - 1].includes('\x1b[33m => CANCELED [2/2] RUN sleep 60'));
  assert.ok(writes[writes.length - 1].includes('\x1b[34m => CACHED [1/2] FROM'));
});

test('throttled updates are drawn by the refresh timer, which end() stops', async () => {
  const { stream, writes } = fakeTerminal();
  let clock = 0;
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  const tty = createTtyRenderer(stream, { now: () => clock, minRedrawMs: 100, refreshMs: 20 });
  const msgs = loadStatusFixture('canceled.json').messages;
  tty.update(model, model.apply(msgs[0]));
  for (const m of msgs.slice(1)) tty.update(model, model.apply(m));
  assert.equal(writes.length, 1);
  await new Promise((r) => setTimeout(r, 80));
  assert.ok(writes.length >= 2);
  assert.ok(visible(writes[writes.length - 1]).includes('CANCELED [2/2] RUN sleep 60'));
  tty.end(model, { ...OK, ok: false, canceled: true });
  const count = writes.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(writes.length, count);
});

test('log lines are made terminal-safe: last carriage-return segment, no escapes', async () => {
  const { terminalSafe } = await import('../../src/progress/render/tty');
  assert.equal(terminalSafe('10%\r50%\r\x1b[32m100%\x1b[0m done\tok'), '100% done ok');
  assert.equal(terminalSafe('bell\x07 and \x1b[?25l'), 'bell and ');
});

test('a whole log as an editor shows it: CRLF lines kept, progress redraws resolved, escapes and hyperlinks gone, tabs kept', async () => {
  const { plainLog } = await import('../../src/progress/render/tty');
  const log = 'one\r\ntwo\tcols\r\n10%\r100%\n\x1b[31mred\x1b[0m \x1b]8;;https://example.invalid/\x1b\\link\x1b]8;;\x1b\\ \x1b]0;title\x07end\n';
  assert.equal(plainLog(log), 'one\ntwo\tcols\n100%\nred link end\n');
});

test('the builder sits at the header\'s right, one column short of the edge, as buildx draws it', () => {
  const { stream, writes } = fakeTerminal(60, 12);
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS + 3_000 });
  const tty = createTtyRenderer(stream, { now: () => FIXTURE_BASE_MS + 3_000, minRedrawMs: 0, refreshMs: 0, desc: 'docker:default' });
  for (const m of loadStatusFixture('simple-build.json').messages.slice(0, 5)) tty.update(model, model.apply(m));
  const head = visible(writes[writes.length - 1]).split('\n')[0];
  assert.match(head, /^\[\+\] Building \d+\.\ds \(\d+\/\d+\) +docker:default$/);
  assert.equal(head.length, 59);
});

test('a step name too long for the line is cut two spaces before its timer, as buildx cuts it', () => {
  const { stream, writes } = fakeTerminal(30, 12);
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS + 3_000 });
  const tty = createTtyRenderer(stream, { now: () => FIXTURE_BASE_MS + 3_000, minRedrawMs: 0, refreshMs: 0 });
  for (const m of loadStatusFixture('simple-build.json').messages.slice(0, 22)) tty.update(model, model.apply(m));
  const line = visible(writes[writes.length - 1]).split('\n').find((l) => l.startsWith(' => [base 4/4] RUN'));
  assert.ok(line, visible(writes[writes.length - 1]));
  assert.match(line!, /^ => \[base 4\/4\] RUN \.\/bu  \d+\.\ds$/);
  assert.equal(line!.length, 29);
});
