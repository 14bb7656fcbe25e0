// The extension's pure parts: Dockerfile stages, vertex → instruction mapping, tags, failure placement,
// update batching and a build session driven by a fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { expandTagPattern, instructionOfVertex, isDockerfileName, isVendored, parseStages, stageAtLine } from '../../src/extension/dockerfileModel';
import { failureLocation, isDockerfileFailure, problemMessage, resultLabel, toOutcome } from '../../src/extension/outcome';
import { resultOfStage } from '../../src/extension/buildStore';
import { capLog, UpdateBatcher, type Timers } from '../../src/extension/updateBatcher';
import { BuildSession, type BuildDeps } from '../../src/extension/buildSession';
import type { HostMessage } from '../../webview/protocol';
import type { BuildOptions, BuildResult } from '../../src/buildkit/types';
import type { Step } from '../../src/progress/types';
import { connectEngine, type Engine } from '../../src/engine/connect';
import { tempDir } from '../support/tmp';

const MULTI = `ARG BASE=busybox:latest
FROM \${BASE} AS Build
WORKDIR /src
RUN echo one \\
    two
COPY . .

FROM scratch
COPY --from=build /src /out
`;

test('stages: names are lower-cased, instructions keep their lines, ARG before FROM is no instruction', () => {
  const stages = parseStages(MULTI);
  assert.equal(stages.length, 2);
  assert.equal(stages[0].name, 'build');
  assert.equal(stages[0].fromLine, 1);
  assert.deepEqual(stages[0].instructions.map((i) => [i.keyword, i.startLine, i.endLine]), [['FROM', 1, 1], ['WORKDIR', 2, 2], ['RUN', 3, 4], ['COPY', 5, 5]]);
  assert.equal(stages[1].name, undefined);
  assert.equal(stages[1].image, 'scratch');
  assert.equal(stageAtLine(stages, 4)?.index, 0);
  assert.equal(stageAtLine(stages, 8)?.index, 1);
  assert.equal(stageAtLine(stages, 0), undefined);
});

test('only ADD, COPY, RUN and WORKDIR are numbered after the FROM, as BuildKit counts "[stage i/n]"', () => {
  const text = 'FROM busybox AS a\nARG X\nENV Y=1\nLABEL z=1\nWORKDIR /w\nUSER root\nRUN true\nEXPOSE 80\nCMD ["sh"]\nFROM a\nENV Q=1\nCOPY f /f\n';
  const stages = parseStages(text);
  assert.deepEqual(stages[0].numbered.map((i) => i.keyword), ['FROM', 'WORKDIR', 'RUN']);
  assert.deepEqual(stages[1].numbered.map((i) => i.keyword), ['COPY']);
  assert.equal(stages[0].instructions.length, 9);
  assert.equal(instructionOfVertex(stages, { name: 'a', index: 3, total: 3 })?.startLine, 6);
});

test('vertex "[stage i/n]" maps to its instruction; unnamed final and stage-N forms too', () => {
  const stages = parseStages(MULTI);
  assert.equal(instructionOfVertex(stages, { name: 'build', index: 3, total: 4 })?.startLine, 3);
  // FROM scratch makes no vertex: the COPY is "[1/1]"
  assert.equal(instructionOfVertex(stages, { index: 1, total: 1 })?.startLine, 8);
  assert.equal(instructionOfVertex(stages, { name: 'stage-1', index: 1, total: 1 })?.startLine, 8);
  assert.equal(instructionOfVertex(stages, { name: 'stage-1', index: 2, total: 2 }), undefined);
  // with --target build the unnamed prefix means that stage
  assert.equal(instructionOfVertex(stages, { index: 2, total: 4 }, 'build')?.startLine, 2);
  // a count that does not fit the text (edited file) is refused
  assert.equal(instructionOfVertex(stages, { name: 'build', index: 2, total: 7 }), undefined);
  assert.equal(instructionOfVertex(stages, { name: 'internal', index: 0, total: 0 }), undefined);
});

test('a stage built FROM an earlier stage numbers its steps from the first instruction after FROM', () => {
  const stages = parseStages('FROM busybox AS a\nRUN one\nFROM A\nRUN two\nRUN three\n');
  assert.equal(instructionOfVertex(stages, { name: 'stage-1', index: 1, total: 2 })?.startLine, 3);
  assert.equal(instructionOfVertex(stages, { name: 'stage-1', index: 2, total: 2 })?.startLine, 4);
  assert.equal(instructionOfVertex(stages, { name: 'a', index: 1, total: 2 })?.keyword, 'FROM');
});

test('the last stage\'s result is the newer of a plain build and one with --target NAME (tree and CodeLens)', () => {
  const r = (finishedAt: number, ok = true) => ({ ok, canceled: false, durationMs: 1, cached: 0, total: 1, finishedAt, buildId: String(finishedAt) });
  assert.equal(resultOfStage({ '': r(1), app: r(2, false) }, undefined, 'app')?.finishedAt, 2);
  assert.equal(resultOfStage({ '': r(3), app: r(2) }, undefined, 'app')?.finishedAt, 3);
  assert.equal(resultOfStage({ app: r(2) }, undefined, 'app')?.finishedAt, 2);
  // a named stage that is not the last has only its own
  assert.equal(resultOfStage({ '': r(5), build: r(2) }, 'build')?.finishedAt, 2);
  assert.equal(resultOfStage({ '': r(5) }, 'build'), undefined);
});

test('Dockerfile names', () => {
  for (const yes of ['Dockerfile', 'a/b/Dockerfile', 'api.Dockerfile', 'Dockerfile.dev', 'Containerfile', 'dockerfile', 'app.containerfile', 'web.Containerfile']) assert.equal(isDockerfileName(yes), true, yes);
  assert.deepEqual(['/w/node_modules/x/Dockerfile', '/w/.git/Dockerfile', '/w/app/Dockerfile'].map(isVendored), [true, true, false]);
  for (const no of ['Dockerfile-notes.md', 'docker-compose.yml', 'MyDockerfileX', 'Dockerfile.dockerignore', 'api.Dockerfile.dockerignore', 'Dockerfile.md']) assert.equal(isDockerfileName(no), false, no);
});

test('tag pattern expands folder and stage into a valid reference', () => {
  assert.equal(expandTagPattern('${folder}:${stage}', { folder: 'My App', stage: undefined, file: 'Dockerfile' }), 'my-app:latest');
  assert.equal(expandTagPattern('${folder}:${stage}', { folder: 'web', stage: 'Build', file: 'Dockerfile' }), 'web:build');
  assert.equal(expandTagPattern('reg/${file}', { folder: 'x', file: 'api.Dockerfile' }), 'reg/api.dockerfile');
});

const stepWith = (stage: Step['stage']): Step => ({ digest: 'v', number: 3, name: 'x', inputs: [], state: 'error', cached: false, durationMs: 0, statuses: [], warnings: 0, logBytes: 0, stage });

test('failure location: engine ranges first, else the failing step\'s instruction', () => {
  const withSource = { message: 'boom', code: 2, sources: [{ filename: 'Dockerfile', language: 'Dockerfile', ranges: [{ startLine: 4, endLine: 5, startCharacter: 0, endCharacter: 0 }] }] };
  assert.deepEqual(failureLocation(withSource, 'Dockerfile', MULTI, () => undefined), { startLine: 4, endLine: 5, startCharacter: 0, endCharacter: 0 });
  const noSource = { message: 'process "/bin/sh -c echo one" did not complete successfully: exit code: 1', code: 2, sources: [], vertex: 'v' };
  assert.deepEqual(failureLocation(noSource, 'Dockerfile', MULTI, () => stepWith({ name: 'build', index: 3, total: 4 })), { startLine: 4, endLine: 5, startCharacter: 0, endCharacter: 7 });
  assert.equal(failureLocation(noSource, 'Dockerfile', MULTI, () => undefined), undefined);
  const old = { message: 'failed to create LLB definition: dockerfile parse error line 3: unknown instruction: RUNN', code: 2, sources: [] };
  assert.deepEqual(failureLocation(old, 'Dockerfile', MULTI, () => undefined), { startLine: 3, endLine: 3, startCharacter: 0, endCharacter: 0 });
});

test('a failure is the Dockerfile\'s (a Problems entry) when a step of it failed, an image it names or the frontend did', () => {
  const named = (name: string, stage?: Step['stage']) => () => ({ ...stepWith(stage), name });
  const at = (vertex?: string, message = 'boom') => ({ message, code: 2, sources: [], ...(vertex ? { vertex } : {}) });
  assert.equal(isDockerfileFailure(at('v'), named('[build 3/4] RUN make', { name: 'build', index: 3, total: 4 })), true);
  assert.equal(isDockerfileFailure(at('v'), named('[internal] load metadata for docker.io/library/nope:latest')), true);
  assert.equal(isDockerfileFailure(at(undefined, 'failed to solve with frontend dockerfile.v0: failed to create LLB definition: circular dependency'), () => undefined), true);
  // not the Dockerfile's: the export, the context, the engine going away, a push afterwards
  assert.equal(isDockerfileFailure(at('v'), named('exporting to image')), false);
  assert.equal(isDockerfileFailure(at('v'), named('[internal] load build context')), false);
  assert.equal(isDockerfileFailure(at(undefined, 'the engine closed the connection'), () => undefined), false);
  assert.equal(isDockerfileFailure(at(undefined, 'pushing app:1: unauthorized'), () => undefined), false);
  assert.equal(isDockerfileFailure(at('gone'), () => undefined), false);
});

test('outcome: image id on success, excerpt around the failing lines', () => {
  const ok: BuildResult = { ref: 'r', ok: true, canceled: false, durationMs: 10, exporterResponse: { 'containerimage.config.digest': 'sha256:abc', 'containerimage.digest': 'sha256:def' } };
  assert.equal(toOutcome(ok, { dockerfile: '/w/Dockerfile', stepOf: () => undefined }).imageId, 'sha256:abc');
  const bad: BuildResult = { ref: 'r', ok: false, canceled: false, durationMs: 10, exporterResponse: {}, error: { message: 'x', code: 2, sources: [], vertex: 'v' } };
  const o = toOutcome(bad, { dockerfile: '/w/Dockerfile', text: MULTI, stepOf: () => stepWith({ name: 'build', index: 4, total: 4 }) });
  assert.deepEqual(o.excerpt, { file: '/w/Dockerfile', startLine: 3, lines: MULTI.split('\n').slice(2, 9), errorLines: [6] });
  assert.equal(resultLabel({ ok: true, canceled: false, durationMs: 3210, cached: 4, total: 5 }), '✓ 3.2 s · 4/5 cached');
  assert.equal(resultLabel({ ok: false, canceled: false, durationMs: 1, cached: 0, total: 5, failedLine: 12 }), '✗ failed at line 12');
});

function fakeTimers() {
  let pending: (() => void) | undefined;
  let t = 0;
  let delay = -1;
  const timers: Timers = { set: (fn, ms) => ((pending = fn), (delay = ms), 1), clear: () => (pending = undefined), now: () => t };
  return { timers, fire: () => pending?.(), advance: (ms: number) => (t += ms), get armed() { return !!pending; }, get delay() { return delay; } };
}

test('the batcher sends the first change at once, then at most one update per interval', () => {
  const sent: HostMessage[] = [];
  const ft = fakeTimers();
  const b = new UpdateBatcher({ step: () => undefined, summary: () => ({ total: 0, completed: 0, cached: 0, running: 0, errors: 0, durationMs: 0 }) }, (m) => sent.push(m), ft.timers, 33);
  const change = { steps: ['a'], logs: [], warnings: [] };
  b.add(change);
  assert.equal(ft.delay, 0, 'nothing sent lately: no wait');
  ft.fire();
  ft.advance(10);
  b.add(change);
  assert.equal(ft.delay, 23, 'the rest of the interval since the last update');
  ft.fire();
  ft.advance(100);
  b.add(change);
  assert.equal(ft.delay, 0);
  assert.equal(sent.length, 2);
});

test('the batcher sends one update per interval with latest steps and logs of subscribed steps only', () => {
  const sent: HostMessage[] = [];
  const steps = new Map<string, Step>([['a', { ...stepWith(undefined), digest: 'a' }], ['b', { ...stepWith(undefined), digest: 'b' }]]);
  const ft = fakeTimers();
  const b = new UpdateBatcher({ step: (d) => steps.get(d), summary: () => ({ total: 2, completed: 0, cached: 0, running: 1, errors: 0, durationMs: 0 }) }, (m) => sent.push(m), ft.timers);
  b.subscribe('a');
  b.add({ steps: ['a'], logs: [{ digest: 'a', stream: 1, text: 'one ' }, { digest: 'b', stream: 1, text: 'hidden' }], warnings: [] });
  b.add({ steps: ['a', 'b'], logs: [{ digest: 'a', stream: 1, text: 'two' }], warnings: [] });
  assert.equal(sent.length, 0);
  assert.equal(ft.armed, true);
  ft.fire();
  assert.equal(sent.length, 1);
  const m = sent[0];
  assert.equal(m.type, 'update');
  if (m.type !== 'update') return;
  assert.deepEqual(m.steps.map((s) => s.digest), ['a', 'b']);
  assert.deepEqual(m.logs, [{ digest: 'a', text: 'one two' }]);
  b.flush();
  assert.equal(sent.length, 1, 'nothing pending, nothing sent');
});

function fakeEngine(): Engine {
  return { endpoint: { host: 'unix:///fake.sock', source: 'test', kind: 'unix' }, close: async () => undefined, info: async () => { throw new Error('unused'); } } as unknown as Engine;
}

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

test('a build session folds status, reports deltas and places the failure', async () => {
  const dir = tempDir('bkl-session-');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nRUN false\n');
  const opts: BuildOptions = { contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none', secrets: [], addHosts: [] };
  const deps: BuildDeps = {
    connect: async () => fakeEngine(),
    start: (_e, _o, onStatus) => {
      const done = (async (): Promise<BuildResult> => {
        await new Promise((r) => setTimeout(r, 5));
        onStatus({ vertexes: [{ digest: 'sha256:run', inputs: [], name: '[2/2] RUN false', cached: false, started: ts(1000), completed: null, error: '' }], statuses: [], logs: [], warnings: [] });
        onStatus({ vertexes: [], statuses: [], logs: [{ vertex: 'sha256:run', stream: 2, msg: Buffer.from('nope\n'), timestamp: ts(1100) }], warnings: [] });
        onStatus({ vertexes: [{ digest: 'sha256:run', inputs: [], name: '[2/2] RUN false', cached: false, started: ts(1000), completed: ts(1200), error: 'exit code: 1' }], statuses: [], logs: [], warnings: [] });
        return { ref: 'r', ok: false, canceled: false, durationMs: 200, exporterResponse: {}, error: { message: 'exit code: 1', code: 2, sources: [], vertex: 'sha256:run' } };
      })();
      return { ref: 'r', done, cancel: () => undefined };
    },
  };
  const s = new BuildSession({ options: opts, label: 'Dockerfile' }, deps);
  const deltas: string[][] = [];
  s.onDelta((d) => deltas.push(d.steps));
  const result = await s.done;
  assert.equal(result.ok, false);
  assert.ok(deltas.length >= 3);
  assert.equal(s.model.logs.read('sha256:run'), 'nope\n');
  assert.deepEqual(s.failure && [s.failure.startLine, s.failure.endLine], [2, 2]);
  assert.equal(s.outcome?.excerpt?.errorLines[0], 2);
  assert.equal(s.snapshot().steps[0].state, 'error');
  let ended = false;
  s.onEnd(() => (ended = true));
  assert.equal(ended, true, 'late subscribers hear about the end at once');
  s.dispose();
});

test('a build session that cannot reach the engine ends with its one-line message', async () => {
  const opts = { contextDir: '/nonexistent', dockerfile: '/nonexistent/Dockerfile', tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none', secrets: [], addHosts: [] } as BuildOptions;
  const s = new BuildSession({ options: opts, label: 'Dockerfile' }, { connect: async () => { throw new Error('cannot reach the Docker engine at unix:///nope.sock'); }, start: () => { throw new Error('not reached'); } });
  const r = await s.done;
  assert.equal(r.ok, false);
  assert.equal(r.error?.message, 'cannot reach the Docker engine at unix:///nope.sock');
  assert.equal(s.outcome?.excerpt, undefined);
  s.dispose();
});

test('a build listener that throws leaves the others their news, and done still resolves', async () => {
  const opts = { contextDir: '/nonexistent', dockerfile: '/nonexistent/Dockerfile', tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none', secrets: [], addHosts: [] } as BuildOptions;
  const s = new BuildSession({ options: opts, label: 'Dockerfile' }, { connect: async () => { throw new Error('no engine'); }, start: () => { throw new Error('not reached'); } });
  const heard: string[] = [];
  const errors: unknown[] = [];
  const saved = console.error;
  console.error = (...a: unknown[]) => errors.push(a);
  try {
    s.onDelta(() => {
      throw new Error('channel closed');
    });
    s.onDelta(() => heard.push('delta'));
    s.onEnd(() => {
      throw new Error('channel closed');
    });
    s.onEnd(() => heard.push('end'));
    const r = await s.done;
    assert.equal(r.error?.message, 'no engine');
  } finally {
    console.error = saved;
  }
  assert.ok(heard.includes('end'), 'the second end listener ran');
  assert.ok(errors.length >= 1, 'the failure is logged');
  s.dispose();
});

test('Cancel while the engine is still connecting ends the build as canceled at once; the late connection is closed', async () => {
  const opts = { contextDir: '/nonexistent', dockerfile: '/nonexistent/Dockerfile', tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'none', secrets: [], addHosts: [] } as BuildOptions;
  // an engine socket that answers GET /version only when told to
  const sock = path.join(tempDir('bkl-slow-engine-'), 'docker.sock');
  const held: net.Socket[] = [];
  let closed = 0;
  const server = net.createServer((c) => {
    held.push(c);
    // read the request, so the client's close reaches this side as an EOF
    c.resume();
    c.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const s = new BuildSession({ options: opts, label: 'Dockerfile' }, { connect: () => connectEngine({ host: `unix://${sock}` }), start: () => { throw new Error('not reached'); } });
  for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(held.length, 1, 'the session is connecting');
  const t0 = Date.now();
  s.cancel();
  const r = await s.done;
  assert.equal(r.canceled, true);
  assert.equal(r.error, undefined);
  assert.ok(Date.now() - t0 < 500, 'ended without waiting for the engine');
  // the engine answers after the cancel: that connection is closed, not left open
  const body = JSON.stringify({ Version: '26.1.5', ApiVersion: '1.45', Os: 'linux', Arch: 'amd64' });
  held[0].write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  for (let i = 0; i < 200 && closed < held.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(closed, held.length, 'the connection that came after the cancel is closed');
  server.close();
  s.dispose();
});

test('a huge log is cut at a line start, keeping its end and saying so', () => {
  assert.equal(capLog('short\n', 100), 'short\n');
  const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const cut = capLog(log, 50);
  assert.match(cut, /^\x1b\[2m\(showing the last .* MiB of .* MiB/);
  assert.ok(cut.endsWith('line 99\n'));
  const body = cut.slice(cut.indexOf('\n') + 1);
  assert.ok(body.startsWith('line '), 'starts at a whole line');
  assert.ok(body.length <= 50);
});

test('a Problems entry puts the cause first, then the engine\'s words', () => {
  const cases: [string, string][] = [
    // BuildKit 0.8 (Docker 20.10) and 0.13 (Docker 26.1), as the engines said them
    ['failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN', 'unknown instruction: RUNN'],
    ['dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)', 'unknown instruction: RUNN (did you mean RUN?)'],
    ['executor failed running [/bin/sh -c echo one && exit 3]: exit code: 3', 'exit code: 3'],
    ['process "/bin/sh -c echo \\"a: b\\" && exit 3" did not complete successfully: exit code: 3', 'exit code: 3'],
    ['failed to compute cache key: "/nothere.txt" not found: not found', '"/nothere.txt" not found: not found'],
    ['failed to compute cache key: failed to calculate checksum of ref 9ab43365-d134-43d7-b889-1b53cd3dbd8c::v5uyvs6h3059u63s9bb54o53w: "/nothere.txt": not found', '"/nothere.txt": not found'],
    ['failed to solve with frontend dockerfile.v0: failed to create LLB definition: base name (${X}) should not be blank', 'base name (${X}) should not be blank'],
  ];
  for (const [engine, cause] of cases) {
    const lines = problemMessage(engine).split('\n');
    assert.deepEqual(lines, [cause, engine], engine);
  }
  // nothing to strip: the engine's message alone, once
  assert.equal(problemMessage('base name (${X}) should not be blank'), 'base name (${X}) should not be blank');
  assert.equal(problemMessage('lstat /x/merged/f/g: not a directory'), 'lstat /x/merged/f/g: not a directory');
  // a wrapper with nothing after it stays
  assert.equal(problemMessage('failed to solve: '), 'failed to solve:');
});

test('stored results: of two overlapping builds of a stage, the one started later keeps its word whichever ends last', async () => {
  const { BuildStore } = await import('../../src/extension/buildStore');
  const data = new Map<string, unknown>();
  const memento = { get: (k: string, d?: unknown) => (data.has(k) ? data.get(k) : d), update: async (k: string, v: unknown) => void data.set(k, v), keys: () => [...data.keys()] };
  const store = new BuildStore(memento as never);
  const r = (ok: boolean, startedAt: number) => ({ ok, canceled: false, durationMs: 1, cached: 0, total: 1, finishedAt: Date.now(), startedAt, buildId: `b${startedAt}` });
  await store.setResult('/w/Dockerfile', undefined, r(true, 200)); // the quick fixed build
  await store.setResult('/w/Dockerfile', undefined, r(false, 100)); // the slow old one, ending after it
  assert.equal(store.results('/w/Dockerfile')[''].ok, true);
  await store.setResult('/w/Dockerfile', undefined, r(false, 300));
  assert.equal(store.results('/w/Dockerfile')[''].ok, false);
  // results stored before startedAt was kept give way to any new one
  await store.setResult('/w/Dockerfile', 'app', { ...r(true, 0), startedAt: undefined });
  await store.setResult('/w/Dockerfile', 'app', r(false, 5));
  assert.equal(store.results('/w/Dockerfile').app.ok, false);
});
