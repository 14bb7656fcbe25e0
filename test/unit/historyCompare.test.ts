import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBuilds, stepKey, type CompareInput } from '../../src/progress/compare';
import { newStep } from '../../src/progress/model';
import { parseStage } from '../../src/progress/stageName';
import type { Step } from '../../src/progress/types';
import { decodeHistoryRecord, HistoryUnsupportedError } from '../../src/buildkit/history';
import { formatComparison } from '../../src/progress/render/compare';

let n = 0;
function step(name: string, state: Step['state'], durationMs = 0, extra: Partial<Step> = {}): Step {
  n++;
  return {
    ...newStep(`sha256:${n}`, name),
    number: n, state, cached: state === 'cached', durationMs, started: 1000 + n, completed: 1000 + n + durationMs, stage: parseStage(name), ...extra,
  };
}

function ctxLoad(bytes: number): Step {
  return step('[internal] load build context', 'done', 30, { statuses: [{ id: 'transferring context:', name: '', current: bytes, total: 0 }] });
}

function build(ref: string, steps: Step[], args: Record<string, string> = {}, durationMs = 1000): CompareInput {
  return { ref, steps, buildArgs: args, durationMs };
}

test('stepKey drops the stage counter but keeps the stage name', () => {
  assert.equal(stepKey('[build 2/5] COPY a /a'), '[build] COPY a /a');
  assert.equal(stepKey('[2/3] RUN make'), 'RUN make');
  assert.equal(stepKey('[linux/amd64 build 2/5] RUN x'), '[linux/amd64 build] RUN x');
  assert.equal(stepKey('[internal] load build context'), '[internal] load build context');
});

test('a changed context file: COPY is the first miss, later steps pair up, durations compared', () => {
  const a = build('A', [ctxLoad(4000), step('[1/3] FROM docker.io/library/busybox:latest', 'cached'), step('[2/3] COPY a.txt /a.txt', 'cached'), step('[3/3] RUN sleep 3', 'cached')], {}, 400);
  const b = build('B', [ctxLoad(12), step('[1/3] FROM docker.io/library/busybox:latest', 'cached'), step('[2/3] COPY a.txt /a.txt', 'done', 50), step('[3/3] RUN sleep 3', 'done', 3100)], {}, 3500);
  const c = compareBuilds(a, b);
  assert.equal(c.durationDeltaMs, 3100);
  assert.match(formatComparison(c), /^B took 3\.1s longer than A$/m);
  assert.deepEqual([c.a.cached, c.a.total, c.b.cached, c.b.total], [3, 4, 1, 4]);
  assert.equal(c.firstMiss?.name, '[2/3] COPY a.txt /a.txt');
  assert.match(c.firstMiss!.reasons.join('\n'), /build-context files it copies changed: a\.txt \/a\.txt \(context transfer 4\.00kB → 12B\)/);
  const run = c.steps!.find((s) => s.key === 'RUN sleep 3')!;
  assert.deepEqual([run.a?.cached, run.b?.cached, run.b?.durationMs], [true, false, 3100]);
  const text = formatComparison(c);
  assert.match(text, /first cache miss in B: \[2\/3\] COPY a\.txt \/a\.txt/);
  assert.match(text, /RUN sleep 3\s+CACHED\s+3\.1s/);
});

test('short builds print in hundredths, and B is "longer" only when the printed times differ', () => {
  const fast = compareBuilds(build('A', [step('[1/1] RUN a', 'done', 40)], {}, 60), build('B', [step('[1/1] RUN a', 'done', 120)], {}, 140));
  const text = formatComparison(fast);
  assert.match(text, /^A: A {2}0\.06s, /m);
  assert.match(text, /^B: B {2}0\.14s, /m);
  assert.match(text, /^B took 0\.08s longer than A$/m);
  assert.match(text, /^RUN a\s+0\.04s\s+0\.12s$/m);
  // 4.26 s and 4.34 s both print as 4.3s: saying "0.08s longer" under two equal times would read as a bug
  const alike = compareBuilds(build('A', [], {}, 4260), build('B', [], {}, 4340));
  assert.match(formatComparison(alike), /^B took as long as A$/m);
  const less = compareBuilds(build('A', [], {}, 5000), build('B', [], {}, 2600));
  assert.match(formatComparison(less), /^B took 2\.4s less than A$/m);
});

test('a step cached in neither build (FROM of a local image) is passed over for the one A had cached', () => {
  const a = build('A', [step('[1/2] FROM busybox', 'done'), step('[2/2] COPY x /x', 'cached')]);
  const b = build('B', [step('[1/2] FROM busybox', 'done'), step('[2/2] COPY x /x', 'done')]);
  assert.equal(compareBuilds(a, b).firstMiss?.key, 'COPY x /x');
});

test('an inserted instruction is the first miss and does not shift the pairing of the rest', () => {
  const a = build('A', [step('[1/2] FROM busybox', 'cached'), step('[2/2] RUN echo hi', 'cached')]);
  const b = build('B', [step('[1/3] FROM busybox', 'cached'), step('[2/3] RUN touch /x', 'done', 20), step('[3/3] RUN echo hi', 'done', 10)]);
  const c = compareBuilds(a, b);
  assert.equal(c.firstMiss?.key, 'RUN touch /x');
  assert.match(c.firstMiss!.reasons[0], /not in the first build/);
  assert.ok(c.steps!.find((s) => s.key === 'RUN echo hi')?.a, 'RUN echo hi pairs across the renumbering');
});

test('changed build args and target are named; an all-cached rebuild has no first miss', () => {
  const a = build('A', [step('[1/2] FROM busybox', 'cached'), step('[2/2] RUN echo $V', 'cached')], { V: '1', OLD: 'x' });
  const b = build('B', [step('[1/2] FROM busybox', 'cached'), step('[2/2] RUN echo $V', 'done', 5)], { V: '2' });
  b.target = 'final';
  const c = compareBuilds(a, b);
  assert.deepEqual(c.argChanges, [{ name: 'OLD', a: 'x', b: undefined }, { name: 'V', a: '1', b: '2' }]);
  assert.ok(c.firstMiss!.reasons.includes('build arg V changed: 1 → 2'));
  assert.ok(c.firstMiss!.reasons.some((r) => r.startsWith('target changed')));
  const same = compareBuilds(a, build('C', [step('[1/2] FROM busybox', 'cached'), step('[2/2] RUN echo $V', 'cached')], { V: '1', OLD: 'x' }));
  assert.equal(same.firstMiss, undefined);
  assert.match(formatComparison(same), /every step of B came from the cache/);
  const cold = compareBuilds(build('A', [step('[1/1] RUN x', 'done', 5)]), build('B', [step('[1/1] RUN x', 'done', 5)]));
  assert.deepEqual(cold.firstMiss?.reasons, ['it was not cached in the first build either: A did not leave a cache for it to hit']);
});

test('a build known only by its record: totals compared, the gap said in one line', () => {
  const a: CompareInput = { ref: 'r1', buildArgs: {}, durationMs: 2000, cachedSteps: 1, totalSteps: 8 };
  const b = build('r2', [step('[1/1] FROM busybox', 'cached')], {}, 500);
  const c = compareBuilds(a, b);
  assert.equal(c.steps, undefined);
  assert.match(c.note!, /no step list for r1/);
  assert.deepEqual([c.a.cached, c.a.total], [1, 8]);
  assert.match(formatComparison(c), /1\/8 cached/);
});

test('history records decode: state, args, target, image, duration, logs', () => {
  const ts = (s: number) => ({ seconds: s, nanos: 500_000_000 });
  const base = {
    Ref: 'abc', Frontend: 'dockerfile.v0', FrontendAttrs: { target: 'app', 'build-arg:V': '2', filename: 'Dockerfile' },
    CreatedAt: ts(100), CompletedAt: ts(103), ExporterResponse: { 'image.name': 'docker.io/library/a:1,docker.io/library/a:latest', 'containerimage.digest': 'sha256:d' },
    logs: { digest: 'sha256:l', size: 10 }, pinned: false, numCachedSteps: 2, numTotalSteps: 5, numCompletedSteps: 5, error: null,
  };
  const ok = decodeHistoryRecord(base);
  assert.deepEqual([ok.state, ok.target, ok.buildArgs, ok.images, ok.durationMs, ok.hasLogs, ok.cachedSteps, ok.totalSteps], ['completed', 'app', { V: '2' }, ['docker.io/library/a:1', 'docker.io/library/a:latest'], 3000, true, 2, 5]);
  assert.equal(decodeHistoryRecord({ ...base, CompletedAt: null }).state, 'running');
  assert.equal(decodeHistoryRecord({ ...base, CompletedAt: null }).durationMs, undefined);
  assert.equal(decodeHistoryRecord({ ...base, error: { code: 1, message: 'context canceled' } }).state, 'canceled');
  const failed = decodeHistoryRecord({ ...base, error: { code: 2, message: 'exit code: 7' }, logs: null });
  assert.deepEqual([failed.state, failed.error, failed.hasLogs], ['failed', 'exit code: 7', false]);
});

test('the unsupported-engine message names the Docker and BuildKit versions needed and present', () => {
  assert.equal(new HistoryUnsupportedError('20.10.24+dfsg1').message, 'build history needs Docker 24.0 or newer (BuildKit 0.11); this engine is Docker 20.10.24+dfsg1 with BuildKit 0.8');
});

test('a failed record keeps its Dockerfile source and failing step, as a Solve error does', () => {
  const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
  const data = Buffer.from('FROM busybox\nRUN exit 3\n').toString('base64');
  const r = decodeHistoryRecord({
    Ref: 'abc', Frontend: 'dockerfile.v0', FrontendAttrs: {}, ExporterResponse: {}, pinned: false, numCachedSteps: 0, numTotalSteps: 2, numCompletedSteps: 2,
    CreatedAt: { seconds: 1, nanos: 0 }, CompletedAt: { seconds: 2, nanos: 0 },
    error: {
      code: 2,
      message: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
      details: [
        { type_url: 'github.com/moby/buildkit/stack.Stack+json', value: json({ frames: [] }) },
        { type_url: 'github.com/moby/buildkit/errdefs.Source+json', value: json({ info: { filename: 'Dockerfile', data }, ranges: [{ start: { line: 2 }, end: { line: 2 } }] }) },
        { type_url: 'github.com/moby/buildkit/errdefs.Vertex+json', value: json({ digest: 'sha256:v' }) },
        { type_url: 'github.com/moby/buildkit/errdefs.Source+json', value: new Uint8Array(Buffer.from('not json')) },
      ],
    },
  });
  assert.equal(r.state, 'failed');
  assert.equal(r.failure?.vertex, 'sha256:v');
  assert.equal(r.failure?.sources.length, 1);
  assert.equal(r.failure?.sources[0].data, 'FROM busybox\nRUN exit 3\n');
  assert.deepEqual(r.failure?.sources[0].ranges.map((x) => x.startLine), [2]);
  assert.equal(r.failure?.message, 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
  assert.ok(!JSON.stringify(r).includes('failure'), 'the list as JSON keeps the message only');
});

test('an engine refusal reads as the engine\'s words, without grpc-js\'s "13 INTERNAL: " prefix', async () => {
  const { Control } = await import('../../src/buildkit/control');
  const c = Object.assign(Object.create(Control.prototype), { engine: { endpoint: { host: 'unix:///x.sock' } }, bridge: undefined }) as { explain(err: unknown): Error };
  const e = c.explain(Object.assign(new Error('13 INTERNAL: rpc error: code = Internal desc = history record not ready'), { code: 13, details: 'rpc error: code = Internal desc = history record not ready', metadata: undefined as never }));
  assert.equal(e.message, 'history record not ready');
  assert.equal((e as Error & { code?: string }).code, 'INTERNAL');
});
