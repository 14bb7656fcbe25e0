// The panel's state fold: snapshots, incremental updates, log subscription, persistence and layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyMessage,
  axisTicks,
  cacheLabel,
  createState,
  endAnnouncement,
  formatDuration,
  fromPersisted,
  graphLayout,
  groupByStage,
  liveDuration,
  liveTotal,
  stepProgress,
  timelineBars,
  toPersisted,
} from '../../webview/state';
import type { HostMessage, Snapshot, Step } from '../../webview/protocol';
import { newStep } from '../../src/progress/model';

function step(p: Partial<Step> & { digest: string }): Step {
  return { ...newStep(p.digest, p.digest), ...p };
}

function snapshot(steps: Step[], now = 10_000): Snapshot {
  return {
    build: { id: 'b1', dockerfileLabel: 'Dockerfile', dockerfile: '/w/Dockerfile', contextDir: '/w', tags: ['w:latest'], platforms: [], startedAt: 1000 },
    steps,
    summary: { total: steps.length, completed: 0, cached: 0, running: 1, errors: 0, started: 1000, durationMs: 9000 },
    warnings: [],
    now,
  };
}

test('a snapshot replaces the state and asks for a full render', () => {
  const s = createState();
  const c = applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' }), step({ digest: 'b' })]) }, 10_000);
  assert.equal(c.all, true);
  assert.deepEqual([...s.steps.keys()], ['a', 'b']);
  assert.equal(s.build?.id, 'b1');
});

test('a snapshot of another build (a rebuild in the same panel) says so, keeping the open steps open', () => {
  const s = createState();
  assert.equal(applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' })]) }, 10_000).newBuild, false, 'the first build');
  s.expanded.add('a');
  assert.equal(applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' })]) }, 10_000).newBuild, false, 'the same build again');
  const next = snapshot([step({ digest: 'a' })]);
  next.build = { ...next.build, id: 'b2' };
  const c = applyMessage(s, { type: 'snapshot', snapshot: next }, 10_000);
  // main.ts then closes every log view, and reopening 'a' asks the host for the new build's log
  assert.deepEqual([c.newBuild, c.all, [...s.expanded]], [true, true, ['a']]);
  // a rebuild's first snapshot often has no steps yet: 'a' stays open for when it appears
  const empty = snapshot([]);
  empty.build = { ...empty.build, id: 'b3' };
  applyMessage(s, { type: 'snapshot', snapshot: empty }, 10_000);
  assert.deepEqual([...s.expanded], ['a']);
  // the build ended without it: nothing to keep open
  applyMessage(s, { type: 'end', outcome: { ok: true, canceled: false, durationMs: 1 }, summary: empty.summary, now: 10_001 } as HostMessage, 10_001);
  assert.deepEqual([...s.expanded], []);
});

test('updates change only the listed steps and append new warnings', () => {
  const s = createState();
  applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' })]) }, 10_000);
  const w = { vertex: 'a', level: 1, short: 'JSONArgsRecommended: use JSON', detail: [], url: '' };
  const c = applyMessage(s, { type: 'update', steps: [step({ digest: 'a', state: 'running' }), step({ digest: 'n' })], summary: snapshot([]).summary, warnings: [w], logs: [], now: 10_050 }, 10_050);
  assert.deepEqual(c.steps, ['a', 'n']);
  assert.equal(s.steps.get('a')!.state, 'running');
  assert.equal(s.steps.size, 2);
  assert.equal(c.warnings, true);
  assert.deepEqual(s.warnings, [w]);
});

test('log text reaches the view only for expanded steps, a full log resets it', () => {
  const s = createState();
  applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' }), step({ digest: 'b' })]) }, 0);
  s.expanded.add('a');
  const c = applyMessage(s, { type: 'update', steps: [], summary: snapshot([]).summary, warnings: [], now: 1, logs: [{ digest: 'a', text: 'x\n' }, { digest: 'b', text: 'y\n' }] }, 1);
  assert.deepEqual(c.logs, [{ digest: 'a', text: 'x\n', reset: false }]);
  const full = applyMessage(s, { type: 'log', digest: 'a', text: 'all\n' }, 2);
  assert.deepEqual(full.logs, [{ digest: 'a', text: 'all\n', reset: true }]);
  assert.deepEqual(applyMessage(s, { type: 'log', digest: 'b', text: 'z' }, 2).logs, []);
});

test('running steps tick on between updates using the host clock; finished builds stop ticking', () => {
  const s = createState();
  // host clock is 5 s ahead of the panel's
  applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a', state: 'running', durationMs: 2000, started: 8000 })], 10_000) }, 5_000);
  const a = s.steps.get('a')!;
  assert.equal(liveDuration(s, a, 5_000), 2000);
  assert.equal(liveDuration(s, a, 6_500), 3500);
  assert.equal(liveTotal(s, 6_500), 10_500); // 11.5 s host time - start at 1 s
  applyMessage(s, { type: 'end', outcome: { ok: true, canceled: false, durationMs: 9_900 }, summary: { ...s.summary, durationMs: 9_900 }, now: 12_000 }, 7_000);
  assert.equal(liveDuration(s, a, 60_000), 2000);
  assert.equal(liveTotal(s, 60_000), 9_900);
});

test('persisted state round-trips, dropping expanded steps that no longer exist', () => {
  const s = createState();
  applyMessage(s, { type: 'snapshot', snapshot: snapshot([step({ digest: 'a' })]) }, 0);
  s.expanded.add('a');
  s.view = 'graph';
  const p = toPersisted(s, 100)!;
  p.expanded.push('gone');
  const back = fromPersisted(JSON.parse(JSON.stringify(p)), 200);
  assert.deepEqual([...back.expanded], ['a']);
  assert.equal(back.view, 'graph');
  assert.equal(back.steps.get('a')!.digest, 'a');
  assert.equal(toPersisted(createState(), 0), undefined);
});

test('steps group by stage in order, preparation first and output last', () => {
  const groups = groupByStage([
    step({ digest: 'exp', name: 'exporting to image', number: 9 }),
    step({ digest: 'r2', name: '[build 3/3] RUN b', number: 6, stage: { name: 'build', index: 3, total: 3 } }),
    step({ digest: 'r1', name: '[build 2/3] RUN a', number: 5, stage: { name: 'build', index: 2, total: 3 } }),
    step({ digest: 'f', name: '[2/2] COPY --from=build', number: 8, stage: { index: 2, total: 2 } }),
    step({ digest: 'ld', name: '[internal] load build definition from Dockerfile', number: 1, stage: { name: 'internal', index: 0, total: 0 } }),
  ]);
  assert.deepEqual(groups.map((g) => g.label), ['Preparation', 'build', 'final stage', 'Output']);
  assert.deepEqual(groups[1].steps.map((s) => s.digest), ['r1', 'r2']);
});

test('the timeline puts overlapping steps on separate lanes', () => {
  const s = createState();
  applyMessage(s, {
    type: 'snapshot',
    snapshot: {
      ...snapshot([
        step({ digest: 'a', state: 'done', started: 1000, completed: 3000, durationMs: 2000 }),
        step({ digest: 'b', state: 'done', started: 1500, completed: 2500, durationMs: 1000 }),
        step({ digest: 'c', state: 'done', started: 3000, completed: 4000, durationMs: 1000 }),
        step({ digest: 'q' }),
      ]),
      outcome: { ok: true, canceled: false, durationMs: 3000 },
    },
  }, 0);
  const t = timelineBars(s, 0);
  assert.equal(t.lanes, 2);
  assert.deepEqual(t.bars.map((b) => [b.digest, b.lane, b.start, b.end]), [['a', 0, 0, 2000], ['b', 1, 500, 1500], ['c', 0, 2000, 3000]]);
  assert.equal(t.span, 3000);
});

test('the graph layers each step right of its deepest input and survives cycles', () => {
  const g = graphLayout([
    step({ digest: 'base', number: 1 }),
    step({ digest: 'ctx', number: 2 }),
    step({ digest: 'run', number: 3, inputs: ['base'] }),
    step({ digest: 'copy', number: 4, inputs: ['run', 'ctx', 'unknown'] }),
  ]);
  const layer = Object.fromEntries(g.nodes.map((n) => [n.digest, n.layer]));
  assert.deepEqual(layer, { base: 0, ctx: 0, run: 1, copy: 2 });
  assert.deepEqual(g.edges, [['base', 'run'], ['run', 'copy'], ['ctx', 'copy']]);
  assert.equal(g.layers, 3);
  const cyc = graphLayout([step({ digest: 'x', inputs: ['y'] }), step({ digest: 'y', inputs: ['x'] })]);
  assert.equal(cyc.nodes.length, 2);
});

test('the timeline axis ticks at round times with distinct labels, at most six', () => {
  const labels = (span: number) => axisTicks(span).map((t) => t.label);
  assert.deepEqual(labels(300), ['0.0s', '0.1s', '0.2s', '0.3s']);
  assert.deepEqual(labels(240), ['0.00s', '0.05s', '0.10s', '0.15s', '0.20s']);
  assert.deepEqual(labels(90), ['0.00s', '0.02s', '0.04s', '0.06s', '0.08s']);
  assert.deepEqual(labels(4200), ['0s', '1s', '2s', '3s', '4s']);
  assert.deepEqual(labels(95_000), ['0s', '20s', '40s', '1m 00s', '1m 20s']);
  for (const span of [1, 7, 99, 101, 333, 999, 1001, 12_345, 61_000, 3_600_000, 10 * 3_600_000]) {
    const ticks = axisTicks(span);
    assert.ok(ticks.length >= 1 && ticks.length <= 6, `${span}: ${ticks.length} ticks`);
    assert.equal(new Set(ticks.map((t) => t.label)).size, ticks.length, `${span}: ${ticks.map((t) => t.label)}`);
    assert.ok(ticks.every((t) => t.pct >= 0 && t.pct <= 100));
  }
  assert.deepEqual(axisTicks(0), [{ ms: 0, label: '0s', pct: 0 }]);
});

test('labels: durations, cache ratio and transfer progress', () => {
  assert.equal(formatDuration(1234), '1.2s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(125_000), '2m 05s');
  assert.equal(cacheLabel({ total: 5, cached: 4, completed: 5, running: 0, errors: 0, durationMs: 0 }), '4/5 cached (80%)');
  assert.equal(cacheLabel({ total: 0, cached: 0, completed: 0, running: 0, errors: 0, durationMs: 0 }), '0/0 cached (0%)');
  const p = stepProgress(step({ digest: 'a', statuses: [{ id: 'sha', name: 'extracting', current: 512 * 1024, total: 1024 * 1024 }] }));
  // buildx's units, as the CLI and the compare view print the same size
  assert.equal(p?.label, '524.29kB / 1.05MB');
  assert.equal(p?.fraction, 0.5);
  const sent = stepProgress(step({ digest: 'c', statuses: [{ id: 'ctx', name: 'transferring context', current: 44, total: 0, completed: 1 }] }));
  assert.equal(sent?.label, '44B done');
  assert.equal(stepProgress(step({ digest: 'b' })), undefined);
});

test("a log terminal is given only the lines it can keep: the last n, whole lines, the final line's newline or not", async () => {
  const { lastLines } = await import('../../webview/logLimits');
  assert.equal(lastLines('a\nb\nc\n', 2), 'b\nc\n');
  assert.equal(lastLines('a\nb\nc', 2), 'b\nc');
  assert.equal(lastLines('\nb\nc\n', 2), 'b\nc\n');
  assert.equal(lastLines('a\nb\n', 5), 'a\nb\n');
  assert.equal(lastLines('', 3), '');
  const many = Array.from({ length: 25_000 }, (_, i) => `line ${i}\n`).join('');
  const tail = lastLines(many, 10_000);
  assert.equal(tail.split('\n').length - 1, 10_000);
  assert.ok(tail.startsWith('line 15000\n') && tail.endsWith('line 24999\n'));
});

test('the end of a build is said in words for screen readers', () => {
  const s = createState();
  assert.equal(endAnnouncement(s), '', 'nothing before the end');
  s.summary = { total: 7, completed: 7, cached: 5, running: 0, errors: 0, durationMs: 12_300 };
  s.outcome = { ok: true, canceled: false } as NonNullable<typeof s.outcome>;
  assert.equal(endAnnouncement(s), 'Build succeeded in 12s, 5 of 7 steps cached');
  s.outcome = { ok: false, canceled: true } as NonNullable<typeof s.outcome>;
  assert.equal(endAnnouncement(s), 'Build canceled');
  s.outcome = { ok: false, canceled: false } as NonNullable<typeof s.outcome>;
  assert.equal(endAnnouncement(s), 'Build failed');
});
