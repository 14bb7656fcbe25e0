import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawJsonLine, rfc3339Nano } from '../../src/progress/render/rawjson';
import { loadStatusFixture } from '../fixtures/status/load';

test('RFC3339Nano like Go: trailing zeros trimmed, no fraction when zero', () => {
  assert.equal(rfc3339Nano({ seconds: 1764240000, nanos: 0 }), '2025-11-27T10:40:00Z');
  assert.equal(rfc3339Nano({ seconds: 1764240000, nanos: 10_000_000 }), '2025-11-27T10:40:00.01Z');
  assert.equal(rfc3339Nano({ seconds: 1764240000, nanos: 123_456_789 }), '2025-11-27T10:40:00.123456789Z');
  assert.equal(rfc3339Nano({ seconds: 1764240000, nanos: 1 }), '2025-11-27T10:40:00.000000001Z');
});

test('vertex: Go field order, omitempty, HTML-safe escaping, one line', () => {
  const line = rawJsonLine({
    vertexes: [
      { digest: 'sha256:ab', inputs: [], name: '[2/2] COPY <<EOF /x & y', cached: false, error: '', started: { seconds: 1764240000, nanos: 500_000_000 }, completed: null },
      { digest: 'sha256:cd', inputs: ['sha256:ab'], name: 'n', cached: true, error: 'e', started: { seconds: 1764240000, nanos: 0 }, completed: { seconds: 1764240001, nanos: 0 }, progressGroup: { id: 'g', name: 'G', weak: false } },
    ],
    statuses: [],
    logs: [],
    warnings: [],
  });
  assert.equal(
    line,
    '{"vertexes":[{"digest":"sha256:ab","name":"[2/2] COPY \\u003c\\u003cEOF /x \\u0026 y","started":"2025-11-27T10:40:00.5Z"},' +
      '{"digest":"sha256:cd","inputs":["sha256:ab"],"name":"n","started":"2025-11-27T10:40:00Z","completed":"2025-11-27T10:40:01Z","cached":true,"error":"e","progressGroup":{"id":"g","name":"G"}}]}',
  );
});

test('status and log: id/current/timestamp always present, data base64', () => {
  const line = rawJsonLine({
    vertexes: [],
    statuses: [{ ID: 'transferring context:', vertex: 'sha256:ab', name: '', current: 0, total: 0, timestamp: null, started: { seconds: 1764240000, nanos: 0 }, completed: null }],
    logs: [{ vertex: 'sha256:ab', stream: 2, msg: Buffer.from('hi\n'), timestamp: { seconds: 1764240000, nanos: 250_000_000 } }],
    warnings: [],
  });
  assert.deepEqual(JSON.parse(line), {
    statuses: [{ id: 'transferring context:', vertex: 'sha256:ab', current: 0, timestamp: '1970-01-01T00:00:00Z', started: '2025-11-27T10:40:00Z' }],
    logs: [{ vertex: 'sha256:ab', stream: 2, data: 'aGkK', timestamp: '2025-11-27T10:40:00.25Z' }],
  });
  assert.equal(
    line,
    '{"statuses":[{"id":"transferring context:","vertex":"sha256:ab","current":0,"timestamp":"1970-01-01T00:00:00Z","started":"2025-11-27T10:40:00Z"}],' +
      '"logs":[{"vertex":"sha256:ab","stream":2,"data":"aGkK","timestamp":"2025-11-27T10:40:00.25Z"}]}',
  );
});

test('warning: bytes base64, sourceInfo and range with json tags of client.VertexWarning', () => {
  const [msg] = loadStatusFixture('failing-run.json').messages.filter((m) => m.warnings.length > 0);
  const json = JSON.parse(rawJsonLine(msg));
  const w = json.warnings[0];
  assert.deepEqual(Object.keys(w), ['vertex', 'level', 'short', 'detail', 'url', 'sourceInfo', 'range']);
  assert.equal(Buffer.from(w.short, 'base64').toString(), "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)");
  assert.equal(w.level, 1);
  assert.deepEqual(Object.keys(w.sourceInfo), ['filename', 'data', 'language']);
  assert.match(Buffer.from(w.sourceInfo.data, 'base64').toString(), /^FROM alpine/);
  assert.deepEqual(w.range, [{ start: { line: 1 }, end: { line: 1 } }]);
});

test('every fixture message is one parseable line', () => {
  for (const name of ['simple-build.json', 'failing-run.json', 'canceled.json', 'multi-platform.json', 'progress-groups.json']) {
    for (const m of loadStatusFixture(name).messages) {
      const line = rawJsonLine(m);
      assert.ok(!line.includes('\n'));
      JSON.parse(line);
    }
  }
});

test('a real buildx rawjson recording round-trips byte for byte', async () => {
  const { loadRawJsonFixture } = await import('../fixtures/status/load');
  const { lines, messages } = loadRawJsonFixture('recorded-engine26-failing-run.jsonl');
  assert.equal(lines.length, 34);
  messages.forEach((m, i) => assert.equal(rawJsonLine(m), lines[i], `line ${i + 1}`));
});
