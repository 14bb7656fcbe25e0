import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildModel } from '../../src/progress/model';
import type { Delta } from '../../src/progress/types';
import { FIXTURE_BASE_MS, loadStatusFixture } from '../fixtures/status/load';

function fold(name: string, now = FIXTURE_BASE_MS + 60_000) {
  const model = new BuildModel({ now: () => now });
  const deltas: Delta[] = [];
  for (const m of loadStatusFixture(name).messages) deltas.push(model.apply(m));
  return { model, deltas };
}

function byName(model: BuildModel, prefix: string) {
  const step = model.steps().find((s) => s.name.startsWith(prefix));
  assert.ok(step, `no step named ${prefix}`);
  return step;
}

test('simple build: #N in order of first start, states and stages', () => {
  const { model } = fold('simple-build.json');
  const steps = model.steps();
  assert.deepEqual(
    steps.map((s) => [s.number, s.state, s.name.slice(0, 30)]),
    [
      [1, 'done', '[internal] load build definitio'.slice(0, 30)],
      [2, 'done', '[internal] load metadata for d'],
      [3, 'done', '[internal] load .dockerignore'],
      [4, 'cached', '[base 1/4] FROM docker.io/libr'],
      [5, 'done', '[internal] load build context'],
      [6, 'cached', '[base 2/4] WORKDIR /app'],
      [7, 'done', '[base 3/4] COPY . /app/'],
      [8, 'done', '[base 4/4] RUN ./build.sh'],
      [9, 'done', 'exporting to image'],
    ],
  );
  assert.deepEqual(byName(model, '[base 3/4]').stage, { name: 'base', index: 3, total: 4 });
  assert.deepEqual(byName(model, '[internal] load .docker').stage, { name: 'internal', index: 0, total: 0 });
  assert.equal(byName(model, 'exporting').stage, undefined);
});

test('a restarted vertex sums its intervals and ignores a non-started duplicate', () => {
  const { model } = fold('simple-build.json');
  const def = byName(model, '[internal] load build definition');
  // 0.010-0.030 and 0.040-0.050 on the engine clock
  assert.ok(Math.abs(def.durationMs - 30) < 1e-6, String(def.durationMs));
  assert.equal(def.started, FIXTURE_BASE_MS + 10);
  assert.ok(Math.abs(def.completed! - (FIXTURE_BASE_MS + 50)) < 1e-6);
  assert.equal(def.state, 'done');
});

test('statuses keep the latest snapshot per ID', () => {
  const { model } = fold('simple-build.json');
  const ctx = byName(model, '[internal] load build context');
  assert.equal(ctx.statuses.length, 1);
  assert.equal(ctx.statuses[0].id, 'transferring context:');
  assert.equal(ctx.statuses[0].current, 100316);
  assert.ok(ctx.statuses[0].completed !== undefined);
  const exp = byName(model, 'exporting to image');
  assert.deepEqual(
    exp.statuses.map((s) => s.id),
    ['exporting layers', `writing image sha256:${'cd'.repeat(32)}`, 'naming to docker.io/library/demo:latest'],
  );
});

test('logs split mid-line and mid-character reach the delta and the store intact', () => {
  const { model, deltas } = fold('simple-build.json');
  const run = byName(model, '[base 4/4]');
  const logs = deltas.flatMap((d) => d.logs).filter((l) => l.digest === run.digest);
  const stdout = logs.filter((l) => l.stream === 1).map((l) => l.text).join('');
  const stderr = logs.filter((l) => l.stream === 2).map((l) => l.text).join('');
  assert.equal(stdout, 'compiling module a\ncompiling module b\ndone\n');
  assert.equal(stderr, 'warning: café ok\n');
  assert.ok(!stderr.includes('\ufffd'));
  assert.equal(logs[0].sinceStartMs !== undefined && Math.round(logs[0].sinceStartMs), 100);
  assert.equal(model.logs.read(run.digest), 'compiling module a\ncompiling module b\nwarning: café ok\ndone\n');
  assert.equal(run.logBytes, Buffer.byteLength('compiling module a\ncompiling module b\nwarning: café ok\ndone\n'));
  assert.equal(model.logs.size(run.digest), run.logBytes);
});

test('summary counts rows and spans first start to now', () => {
  const { model } = fold('simple-build.json');
  const s = model.summary(FIXTURE_BASE_MS + 60_000);
  assert.equal(s.total, 9);
  assert.equal(s.completed, 9);
  assert.equal(s.cached, 2);
  assert.equal(s.running, 0);
  assert.equal(s.errors, 0);
  assert.equal(s.started, FIXTURE_BASE_MS + 10);
});

test('failing build: error and canceled siblings, warning with its source', () => {
  const { model, deltas } = fold('failing-run.json');
  const failed = byName(model, '[base 3/3]');
  assert.equal(failed.state, 'error');
  assert.match(failed.error!, /exit code: 127$/);
  const sibling = byName(model, '[base 2/3]');
  assert.equal(sibling.state, 'canceled');
  assert.equal(model.summary().errors, 1);
  const [w] = model.warnings();
  assert.equal(w.short, "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)");
  assert.deepEqual(w.detail, ["The 'as' keyword should match the case of the 'from' keyword"]);
  assert.equal(w.source?.filename, 'Dockerfile');
  assert.deepEqual(w.source?.ranges, [{ startLine: 1, endLine: 1, startCharacter: 0, endCharacter: 0 }]);
  assert.match(w.source!.data!, /^FROM alpine:3.20 as base\n/);
  assert.equal(byName(model, '[internal] load build definition').warnings, 1);
  assert.equal(deltas.flatMap((d) => d.warnings).length, 1);
});

test('running step counts up to now, then finish() freezes it as canceled', () => {
  let now = FIXTURE_BASE_MS + 1_000;
  const model = new BuildModel({ now: () => now });
  const msgs = loadStatusFixture('canceled.json').messages;
  for (const m of msgs.slice(0, 4)) model.apply(m);
  const run = () => model.step(byName(model, '[2/2]').digest)!;
  assert.equal(run().state, 'running');
  // the first start (0.010) is taken as "now" locally: the engine clock is 1.000s behind
  now += 2_000;
  assert.ok(Math.abs(run().durationMs - (2_000 + 10 - 200)) < 1e-6, String(run().durationMs));
  const delta = model.finish({ ok: false, canceled: true });
  assert.deepEqual(delta.steps, [run().digest]);
  assert.equal(run().state, 'canceled');
  assert.deepEqual([model.summary().errors, model.summary().canceled], [0, 1]);
  const frozen = run().durationMs;
  now += 10_000;
  assert.equal(run().durationMs, frozen);
  assert.equal(model.summary().durationMs, model.summary(now + 5_000).durationMs);
});

test('the engine reporting the cancel gives the same state', () => {
  const { model } = fold('canceled.json');
  assert.equal(byName(model, '[2/2]').state, 'canceled');
  assert.equal(byName(model, '[1/2]').state, 'cached');
});

test('finish() after a failure marks the failing vertex error and other running steps canceled', () => {
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  const msgs = loadStatusFixture('failing-run.json').messages;
  for (const m of msgs.slice(0, 4)) model.apply(m);
  const a = byName(model, '[base 2/3]');
  const b = byName(model, '[base 3/3]');
  model.finish({ ok: false, canceled: false, error: { message: 'exit code: 127', code: 2, sources: [], vertex: b.digest } });
  assert.equal(model.step(b.digest)!.state, 'error');
  assert.equal(model.step(b.digest)!.error, 'exit code: 127');
  assert.equal(model.step(a.digest)!.state, 'canceled');
  assert.deepEqual([model.summary().errors, model.summary().canceled], [1, 1]);
  assert.equal(model.outcome()?.ok, false);
  assert.ok(model.summary().completed_at !== undefined);
});

test('multi-platform names give platform and stage', () => {
  const { model } = fold('multi-platform.json');
  assert.deepEqual(byName(model, '[linux/amd64 internal]').stage, { name: 'internal', platform: 'linux/amd64', index: 0, total: 0 });
  assert.deepEqual(byName(model, '[linux/arm/v7 build 2/2]').stage, { name: 'build', platform: 'linux/arm/v7', index: 2, total: 2 });
  assert.deepEqual(byName(model, '[linux/arm64 build 1/2]').stage, { name: 'build', platform: 'linux/arm64', index: 1, total: 2 });
  assert.equal(model.steps().length, 8);
  assert.ok(Math.abs(byName(model, '[linux/arm/v7 build 2/2]').durationMs - 1499) < 1e-6);
});

test('progress group: hidden while only weak members ran, one row afterwards', () => {
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  const msgs = loadStatusFixture('progress-groups.json').messages;
  model.apply(msgs[0]);
  const d1 = model.apply(msgs[1]);
  model.apply(msgs[2]);
  assert.deepEqual(d1.steps, []);
  assert.deepEqual(model.steps().map((s) => s.name), ['[stage-1 1/2] FROM docker.io/library/busybox']);
  const reveal = model.apply(msgs[3]);
  assert.deepEqual(reveal.steps, ['merge-stage-1']);
  const logDelta = model.apply(msgs[4]);
  assert.equal(logDelta.logs[0].digest, 'merge-stage-1');
  for (const m of msgs.slice(5)) model.apply(m);
  const rows = model.steps();
  assert.deepEqual(rows.map((s) => [s.number, s.name, s.state]), [
    [1, '[stage-1 1/2] FROM docker.io/library/busybox', 'cached'],
    [2, '[stage-1 2/2] COPY --link /out /', 'done'],
    [3, 'exporting to image', 'done'],
  ]);
  const group = rows[1];
  assert.equal(group.members?.length, 2);
  assert.equal(model.step(group.members![0]), group);
  // merged intervals 0.200-0.250 and 0.300-0.700
  assert.ok(Math.abs(group.durationMs - 450) < 1e-6, String(group.durationMs));
  assert.deepEqual(group.stage, { name: 'stage-1', index: 2, total: 2 });
  assert.equal(model.logs.read('merge-stage-1'), 'merging 2 layers\n');
});

test('logs for a vertex not announced yet are kept', () => {
  const model = new BuildModel({ now: () => 0 });
  model.apply({ vertexes: [], statuses: [], warnings: [], logs: [{ vertex: 'sha256:x', stream: 1, msg: Buffer.from('early\n'), timestamp: null }] });
  assert.equal(model.steps().length, 0);
  model.apply({ vertexes: [{ digest: 'sha256:x', inputs: [], name: '[1/1] RUN x', cached: false, error: '', started: { seconds: 1, nanos: 0 } }], statuses: [], logs: [], warnings: [] });
  assert.equal(model.steps()[0].logBytes, 6);
  assert.equal(model.logs.read('sha256:x'), 'early\n');
});

test('a stream recorded from a real engine folds into the steps buildx showed', async () => {
  const { loadRawJsonFixture } = await import('../fixtures/status/load');
  const model = new BuildModel({ now: () => 0 });
  for (const m of loadRawJsonFixture('recorded-engine26-failing-run.jsonl').messages) model.apply(m);
  assert.deepEqual(
    model.steps().map((s) => `${s.number} ${s.state} ${s.stage?.index ?? '-'}/${s.stage?.total ?? '-'}`),
    ['1 done 0/0', '2 done 0/0', '3 done 0/0', '4 done 1/5', '5 cached 2/5', '6 done 0/0', '7 done 3/5', '8 done 4/5', '9 error 5/5'],
  );
  const run = model.steps()[7];
  assert.equal(model.logs.read(run.digest), 'line 1\nline 2\nline 3\nno newline at endto stderr\n');
  assert.ok(Math.abs(run.durationMs - 1012.6) < 0.1, String(run.durationMs));
  assert.equal(model.summary().errors, 1);
});

test('a real cancel (SIGINT during RUN): the engine reports the RUN canceled', async () => {
  const { loadRawJsonFixture } = await import('../fixtures/status/load');
  const model = new BuildModel({ now: () => 0 });
  const deltas = loadRawJsonFixture('recorded-engine26-canceled.jsonl').messages.map((m) => model.apply(m));
  const run = model.steps().find((s) => s.name.startsWith('[2/2] RUN'))!;
  assert.equal(run.state, 'canceled');
  assert.match(run.error!, /exit code: 137: context canceled: context canceled$/);
  assert.equal(model.logs.read(run.digest), 'starting\nhalf a line');
  assert.deepEqual(model.finish({ ok: false, canceled: true }).steps, []);
  assert.equal(model.summary().running, 0);
  assert.ok(deltas.some((d) => d.logs.some((l) => l.text === 'half a line')));
});
