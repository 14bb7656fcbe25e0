import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildModel } from '../../src/progress/model';
import { createPlainRenderer } from '../../src/progress/render/plain';
import type { BuildResult } from '../../src/buildkit/types';
import type { StatusResponse, WireVertex } from '../../src/progress/wire';
import { FIXTURE_BASE_MS, loadStatusFixture } from '../fixtures/status/load';

const OK: BuildResult = { ref: 'r', ok: true, canceled: false, exporterResponse: {}, durationMs: 0 };

function render(messages: StatusResponse[], result: BuildResult = OK, now = () => 0) {
  const model = new BuildModel({ now: () => FIXTURE_BASE_MS });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now, minPrintMs: 0, refreshMs: 0 });
  for (const m of messages) r.update(model, model.apply(m));
  r.update(model, model.finish(result));
  r.end(model, result);
  return out;
}

const msg = (p: Partial<StatusResponse>): StatusResponse => ({ vertexes: [], statuses: [], logs: [], warnings: [], ...p });
const t = (ms: number) => ({ seconds: 1000 + Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const vtx = (digest: string, name: string, started?: number, completed?: number, extra: Partial<WireVertex> = {}): WireVertex => ({
  digest, name, inputs: [], cached: false, error: '',
  started: started === undefined ? null : t(started), completed: completed === undefined ? null : t(completed), ...extra,
});
const log = (vertex: string, ms: number, text: string, stream = 1) => ({ vertex, stream, timestamp: t(ms), msg: Buffer.from(text) });

test('simple build prints like buildx --progress=plain', () => {
  const out = render(loadStatusFixture('simple-build.json').messages);
  assert.equal(
    out,
    `#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 97B done
#1 DONE 0.0s

#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/alpine:3.20
#2 ...

#3 [internal] load .dockerignore
#3 transferring context: 2B done
#3 DONE 0.0s

#2 [internal] load metadata for docker.io/library/alpine:3.20
#2 DONE 1.1s

#4 [base 1/4] FROM docker.io/library/alpine:3.20@sha256:${'ab'.repeat(32)}
#4 CACHED

#5 [internal] load build context
#5 transferring context: 32.77kB 0.1s
#5 transferring context: 100.32kB 0.2s done
#5 DONE 0.2s

#6 [base 2/4] WORKDIR /app
#6 CACHED

#7 [base 3/4] COPY . /app/
#7 DONE 0.2s

#8 [base 4/4] RUN ./build.sh
#8 0.100 compiling module a
#8 0.110 compiling module b
#8 0.600 warning: café ok
#8 0.700 done
#8 DONE 10.4s

#9 exporting to image
#9 exporting layers
#9 exporting layers 0.7s done
#9 writing image sha256:${'cd'.repeat(32)} done
#9 naming to docker.io/library/demo:latest done
#9 DONE 0.7s
`,
  );
});

test('failed build: ERROR line, last logs, warnings summary, Dockerfile excerpt', () => {
  const df = 'FROM alpine:3.20 as base\nRUN apk add --no-cache curl\nRUN ./missing.sh && \\\n    echo never\n';
  const message = 'process "/bin/sh -c ./missing.sh &&     echo never" did not complete successfully: exit code: 127';
  const result: BuildResult = {
    ...OK, ok: false,
    error: { message, code: 2, sources: [{ filename: 'Dockerfile', language: 'Dockerfile', data: df, ranges: [3, 4].map((l) => ({ startLine: l, endLine: l, startCharacter: 0, endCharacter: 0 })) }] },
  };
  const out = render(loadStatusFixture('failing-run.json').messages, result);
  assert.ok(out.includes('#1 WARN: FromAsCasing'));
  assert.ok(out.includes(`#4 0.090 /bin/sh: ./missing.sh: not found\n#4 ERROR: ${message}\n`));
  assert.ok(out.includes('#3 CANCELED\n'));
  assert.ok(
    out.endsWith(`------
 > [base 3/3] RUN ./missing.sh &&     echo never:
0.090 /bin/sh: ./missing.sh: not found
------

 1 warning found:
 - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1) (Dockerfile:1)
Dockerfile:3
--------------------
   2 |     RUN apk add --no-cache curl
   3 | >>> RUN ./missing.sh && \\
   4 | >>>     echo never
   5 |     
--------------------
ERROR: failed to solve: ${message}
`),
    out,
  );
});

test('a partial line continues on the same output line; the error block keeps the last 10 lines', () => {
  const out = render(
    [
      msg({ vertexes: [vtx('a', '[1/1] RUN seq', 0)] }),
      msg({ logs: [log('a', 100, 'compiling mod')] }),
      msg({ logs: [log('a', 200, 'ule a\n')] }),
      msg({ logs: Array.from({ length: 12 }, (_, i) => log('a', 12_345 + i, `line ${i}\n`)) }),
      msg({ vertexes: [vtx('a', '[1/1] RUN seq', 0, 13_000, { error: 'exit code: 1' })] }),
    ],
    { ...OK, ok: false, error: { message: 'exit code: 1', code: 2, sources: [] } },
  );
  assert.ok(out.startsWith('#1 [1/1] RUN seq\n#1 0.100 compiling module a\n#1 12.35 line 0\n'), out);
  const block = out.slice(out.indexOf('------'));
  assert.equal(block.split('\n').filter((l) => l.startsWith('12.')).length, 10);
  assert.ok(block.includes('12.36 line 11\n------\nERROR: failed to solve: exit code: 1\n'));
});

test('parallel steps: output switches with "#N ..." and loses no line', () => {
  let clock = 0;
  const messages = [msg({ vertexes: [vtx('a', '[a 1/1] RUN a', 0), vtx('b', '[b 1/1] RUN b', 0)] })];
  for (let i = 0; i < 6; i++) messages.push(msg({ logs: [log('a', i * 10, `a${i}\n`), log('b', i * 10, `b${i}\n`)] }));
  messages.push(msg({ vertexes: [vtx('a', '[a 1/1] RUN a', 0, 100), vtx('b', '[b 1/1] RUN b', 0, 120)] }));
  const model = new BuildModel({ now: () => 0 });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now: () => clock, minPrintMs: 0, refreshMs: 0 });
  messages.forEach((m, i) => {
    clock = i * 3000; // b waits more than 10 s at some point and gets its turn
    r.update(model, model.apply(m));
  });
  r.end(model, OK);
  const lines = out.split('\n');
  for (let i = 0; i < 6; i++) {
    const at = (i / 100).toFixed(3);
    assert.equal(lines.filter((l) => l === `#1 ${at} a${i}`).length, 1, `a${i}\n${out}`);
    assert.equal(lines.filter((l) => l === `#2 ${at} b${i}`).length, 1, `b${i}\n${out}`);
  }
  assert.ok(out.includes('#1 ...\n') || out.includes('#2 ...\n'), out);
  assert.ok(out.includes('#1 DONE 0.1s\n') && out.includes('#2 DONE 0.1s\n'), out);
});

test('progress group prints as one step; "#0" description comes first', () => {
  const model = new BuildModel({ now: () => 0 });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { minPrintMs: 0, refreshMs: 0, desc: 'building with "default" instance using docker driver' });
  for (const m of loadStatusFixture('progress-groups.json').messages) r.update(model, model.apply(m));
  r.end(model, OK);
  assert.ok(out.startsWith('#0 building with "default" instance using docker driver\n\n#1 [stage-1 1/2] FROM'));
  assert.ok(out.includes('#2 [stage-1 2/2] COPY --link /out /\n#2 0.010 merging 2 layers\n#2 DONE 0.5s\n'), out);
  assert.ok(!out.includes('copy /out /\n'));
});

test('canceled build ends with the canceled step and a one-line error', () => {
  const out = render(loadStatusFixture('canceled.json').messages, { ...OK, ok: false, canceled: true });
  assert.ok(out.endsWith('#3 [2/2] RUN sleep 60\n#3 0.800 sleeping\n#3 CANCELED\nERROR: build canceled\n'), out);
});

test('the warnings summary lists a warning raised by several vertices once', () => {
  const warning = (vertex: string) => ({ vertex, level: 1, short: Buffer.from('JSONArgsRecommended: use JSON'), detail: [], url: '', info: null, ranges: [] });
  const out = render([
    msg({ vertexes: [vtx('a', '[linux/amd64 1/1] RUN x', 0, 10), vtx('b', '[linux/arm64 1/1] RUN x', 0, 10)] }),
    msg({ warnings: [warning('a'), warning('b')] }),
  ]);
  assert.equal(out.split('\n').filter((l) => l.endsWith('WARN: JSONArgsRecommended: use JSON')).length, 2);
  assert.ok(out.endsWith('\n 1 warning found:\n - JSONArgsRecommended: use JSON\n'), out);
});

test('a stream recorded from a real engine prints like buildx did for the same build', async () => {
  const { loadRawJsonFixture } = await import('../fixtures/status/load');
  const { messages } = loadRawJsonFixture('recorded-engine26-failing-run.jsonl');
  const ms = (x?: { seconds: number; nanos: number } | null) => (x ? x.seconds * 1000 + x.nanos / 1e6 : NaN);
  const times = (m: StatusResponse) =>
    [...m.vertexes.flatMap((v) => [ms(v.started), ms(v.completed)]), ...m.statuses.flatMap((s) => [ms(s.timestamp), ms(s.completed)]), ...m.logs.map((l) => ms(l.timestamp))].filter((x) => !Number.isNaN(x));
  // replay at the pace the engine produced the events
  let clock = Math.min(...messages.flatMap(times));
  const model = new BuildModel({ now: () => clock });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now: () => clock, refreshMs: 0, desc: 'building with "default" instance using docker driver' });
  for (const m of messages) {
    clock = Math.max(clock, ...times(m));
    r.update(model, model.apply(m));
  }
  const message = 'process "/bin/sh -c ls /app &&     cat /app/missing.txt" did not complete successfully: exit code: 1';
  const result: BuildResult = { ...OK, ok: false, error: { message, code: 2, sources: [] } };
  r.update(model, model.finish(result));
  r.end(model, result);
  // buildx 0.13.1 printed exactly this for the same Dockerfile (its context and timings differ: 2B/14.96kB, 0.065 ...)
  assert.equal(
    out,
    `#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 240B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/busybox:latest
#2 DONE 0.0s

#3 [internal] load .dockerignore
#3 transferring context: 51B done
#3 DONE 0.0s

#4 [1/5] FROM docker.io/library/busybox:latest
#4 DONE 0.0s

#5 [2/5] WORKDIR /app
#5 CACHED

#6 [internal] load build context
#6 transferring context: 333B done
#6 DONE 0.0s

#7 [3/5] COPY . /app/
#7 DONE 0.0s

#8 [4/5] RUN for i in 1 2 3; do echo "line $i"; sleep 0.3; done; printf 'no newline at end'; echo >&2 "to stderr"
#8 0.086 line 1
#8 0.387 line 2
#8 0.688 line 3
#8 0.990 no newline at endto stderr
#8 DONE 1.0s

#9 [5/5] RUN ls /app &&     cat /app/missing.txt
#9 0.150 Dockerfile
#9 0.150 a.txt
#9 0.151 cat: can't open '/app/missing.txt': No such file or directory
#9 ERROR: ${message}
------
 > [5/5] RUN ls /app &&     cat /app/missing.txt:
0.150 Dockerfile
0.150 a.txt
0.151 cat: can't open '/app/missing.txt': No such file or directory
------
ERROR: failed to solve: ${message}
`,
  );
});

test('throttled updates reach the output through the refresh timer', async () => {
  const model = new BuildModel({ now: () => 0 });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now: () => 0, minPrintMs: 100, refreshMs: 10 });
  r.update(model, model.apply(msg({ vertexes: [vtx('a', '[1/1] RUN a', 0)] })));
  r.update(model, model.apply(msg({ logs: [log('a', 5, 'hello\n')] })));
  assert.ok(!out.includes('hello'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(out.includes('#1 0.005 hello\n'), out);
  r.end(model, OK);
});

test('a silent current step yields to a step that has waited 5 s', () => {
  let clock = 0;
  const model = new BuildModel({ now: () => 0 });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now: () => clock, minPrintMs: 0, refreshMs: 0 });
  r.update(model, model.apply(msg({ vertexes: [vtx('a', '[a 1/1] RUN sleep', 0)] })));
  r.update(model, model.apply(msg({ vertexes: [vtx('b', '[b 1/1] RUN chatty', 10)] })));
  r.update(model, model.apply(msg({ logs: [log('b', 20, 'b says hi\n')] })));
  assert.ok(!out.includes('#2'), out);
  clock = 6_000;
  r.update(model, model.apply(msg({ logs: [log('b', 6_000, 'still here\n')] })));
  assert.ok(out.endsWith('#1 ...\n\n#2 [b 1/1] RUN chatty\n#2 0.010 b says hi\n#2 5.990 still here\n'), out);
});

test('end() prints the states finish() settled even without their delta', () => {
  const model = new BuildModel({ now: () => 0 });
  let out = '';
  const r = createPlainRenderer((s) => (out += s), { now: () => 0, minPrintMs: 0, refreshMs: 0 });
  r.update(model, model.apply(msg({ vertexes: [vtx('a', '[1/1] RUN sleep 60', 0)] })));
  model.finish({ ok: false, canceled: true });
  r.end(model, { ...OK, ok: false, canceled: true });
  assert.equal(out, '#1 [1/1] RUN sleep 60\n#1 CANCELED\nERROR: build canceled\n');
});

test('"#N" is handed out as steps are printed, so a step started later but finished first is #1', () => {
  const out = render([
    msg({ vertexes: [vtx('sha256:a', '[internal] load build context', 0), vtx('sha256:b', '[1/2] FROM docker.io/library/busybox:latest', 10, 10, { cached: true })] }),
    msg({ vertexes: [vtx('sha256:a', '[internal] load build context', 0, 50)] }),
  ]);
  const heads = out.split('\n').filter((l) => /^#\d+ \[/.test(l));
  assert.deepEqual(heads, ['#1 [1/2] FROM docker.io/library/busybox:latest', '#2 [internal] load build context']);
  assert.match(out, /^#1 CACHED$/m);
  assert.match(out, /^#2 DONE 0\.1s$/m);
});
