// The fold must keep up with chatty builds: 300,000 log lines in 10,000 messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildModel } from '../../src/progress/model';
import { createPlainRenderer } from '../../src/progress/render/plain';
import type { StatusResponse } from '../../src/progress/wire';

const STEPS = 8;
const digest = (i: number) => `sha256:${String(i).padStart(64, '0')}`;

function stream(messages: number, chunks: number): StatusResponse[] {
  const out: StatusResponse[] = [];
  const vertexes = [];
  for (let i = 0; i < STEPS; i++) {
    vertexes.push({ digest: digest(i), inputs: [], name: `[stage-${i} 1/1] RUN make -j`, cached: false, error: '', started: { seconds: 1000 + i, nanos: 0 } });
  }
  out.push({ vertexes, statuses: [], logs: [], warnings: [] });
  for (let m = 0; m < messages; m++) {
    const logs = [];
    for (let c = 0; c < chunks; c++) {
      logs.push({
        vertex: digest((m + c) % STEPS),
        stream: 1 + (c % 2),
        timestamp: { seconds: 1010 + Math.floor(m / 100), nanos: (m % 100) * 1e7 },
        msg: Buffer.from(`gcc -O2 -c src/file_${m}_${c}.c -o build/file_${m}_${c}.o\n`),
      });
    }
    const statuses = m % 50 === 0 ? [{ ID: 'transferring context:', vertex: digest(0), name: '', current: m * 100, total: 0, timestamp: { seconds: 1010, nanos: 0 }, started: { seconds: 1000, nanos: 0 } }] : [];
    out.push({ vertexes: [], statuses, logs, warnings: [] });
  }
  return out;
}

function timeFold(messages: StatusResponse[]): number {
  const model = new BuildModel({ now: () => 2_000_000 });
  const t0 = process.hrtime.bigint();
  let lines = 0;
  for (const m of messages) lines += model.apply(m).logs.length;
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  assert.equal(lines, messages.reduce((n, m) => n + m.logs.length, 0));
  return us;
}

test('fold speed: 10,000 messages x 30 log chunks, and no quadratic growth', () => {
  const full = stream(10_000, 30);
  const half = stream(5_000, 30);
  timeFold(stream(1_000, 30)); // warm up the JIT
  const tHalf = Math.min(timeFold(half), timeFold(half), timeFold(half));
  const tFull = Math.min(timeFold(full), timeFold(full), timeFold(full));
  const perMessage = tFull / 10_000;
  console.log(`fold: ${perMessage.toFixed(1)} µs/message, ${(tFull / 300_000).toFixed(2)} µs/log line, ${(tFull / 1000).toFixed(0)} ms for 300,000 lines; 5k messages ${(tHalf / 1000).toFixed(0)} ms`);
  assert.ok(perMessage < 500, `fold too slow: ${perMessage} µs/message`);
  // doubling the input must not quadruple the time
  assert.ok(tFull / tHalf < 3.5, `time grows too fast: ${tHalf} -> ${tFull}`);
});

test('plain rendering of the same stream stays linear and prints every line once', () => {
  const messages = stream(10_000, 30);
  const model = new BuildModel({ now: () => 2_000_000 });
  let bytes = 0;
  let lines = 0;
  const r = createPlainRenderer((s) => {
    bytes += s.length;
    for (let i = s.indexOf('gcc'); i !== -1; i = s.indexOf('gcc', i + 1)) lines++;
  }, { now: () => 0, minPrintMs: 0, refreshMs: 0 });
  const t0 = process.hrtime.bigint();
  for (const m of messages) r.update(model, model.apply(m));
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  r.end(model, { ref: 'r', ok: true, canceled: false, exporterResponse: {}, durationMs: 0 });
  console.log(`fold + plain render: ${(us / 10_000).toFixed(1)} µs/message, ${(bytes / 1e6).toFixed(1)} MB of output`);
  assert.equal(lines, 300_000);
  assert.ok(us / 10_000 < 1000, `render too slow: ${us / 10_000} µs/message`);
});
