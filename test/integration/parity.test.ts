// Parity with buildx on the same engine: the progress we report (vertex names, cached flags, RUN
// log text) and the Dockerfile lines we blame for an error.
import { after, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { build, closeEngines, options, writeTree } from '../support/build';
import { buildx } from '../support/buildx';
import { runCli } from '../support/cli';
import { buildxPath, testEngines } from '../support/engines';

after(closeEngines);

interface RawProgress {
  /** vertex name → cached, as last reported */
  cached: Map<string, boolean>;
  /** "vertex name|stream" → its log text (stdout and stderr apart: their interleaving is not fixed) */
  logs: Map<string, string>;
}

/** JSON objects one after another: ours one per line, buildx's indented over many lines. */
function jsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let buf = '';
  for (const line of text.split('\n')) {
    if (buf === '' && !line.startsWith('{')) continue;
    buf += line + '\n';
    if (line === '}' || (line.startsWith('{') && line.endsWith('}') && buf === line + '\n')) {
      out.push(JSON.parse(buf));
      buf = '';
    }
  }
  return out;
}

/** Folds rawjson (client.SolveStatus as JSON) into vertex names, cached flags and logs. */
function foldRawJson(text: string): RawProgress {
  const names = new Map<string, string>();
  const cached = new Map<string, boolean>();
  const logs = new Map<string, string>();
  for (const obj of jsonObjects(text)) {
    const s = obj as { vertexes?: { digest: string; name: string; cached?: boolean }[]; logs?: { vertex: string; stream?: number; data: string }[] };
    for (const v of s.vertexes ?? []) {
      names.set(v.digest, v.name);
      cached.set(v.name, !!v.cached);
    }
    for (const l of s.logs ?? []) {
      const key = `${names.get(l.vertex) ?? l.vertex}|${l.stream ?? 0}`;
      logs.set(key, (logs.get(key) ?? '') + Buffer.from(l.data, 'base64').toString());
    }
  }
  return { cached, logs };
}

/** buildx's error excerpt: from "Dockerfile:N" to the closing rule. */
function excerpt(stderr: string): { text: string; start: number; marked: number[] } | undefined {
  const m = /^Dockerfile:(\d+)\n-{20}\n((?:.*\n)*?)-{20}$/m.exec(stderr);
  if (!m) return undefined;
  const marked = [...m[2].matchAll(/^\s*(\d+) \| >>>/gm)].map((x) => Number(x[1]));
  return { text: m[0], start: Number(m[1]), marked };
}

const eng = testEngines().find((e) => e.name === 'd26');
const skip = (!eng && 'needs the d26 engine') || (!buildxPath() && 'buildx not installed');

describe('parity with buildx on d26', { skip, timeout: 300_000 }, () => {
  test('progress: vertex names, cached flags and RUN log text equal buildx --progress=rawjson', async () => {
    const nonce = `${process.pid}-${Date.now()}`;
    const ctx = writeTree({
      Dockerfile: 'FROM busybox\nCOPY a.txt /a.txt\nRUN echo stable-step\nARG N\nRUN cat /a.txt && echo "run-output $N" && echo to-stderr >&2\n',
      'a.txt': `content ${nonce}\n`,
    });
    const args = (n: string) => ['--network', 'none', '--build-arg', `N=${n}`, '--progress', 'rawjson', ctx];
    // warm the cache so COPY and the first RUN are cached in both compared builds; N differs in
    // each, so the last RUN runs in both
    const warm = await runCli(['build', '-H', eng!.host, ...args('0')]);
    assert.equal(warm.code, 0, warm.stderr);
    const ours = await runCli(['build', '-H', eng!.host, ...args('1')]);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = await buildx(eng!, args('2'));
    assert.equal(theirs.code, 0, theirs.stderr);
    const a = foldRawJson(ours.stderr);
    // the engine expands $N in the step's name
    const b = foldRawJson(theirs.stderr.replaceAll('run-output 2', 'run-output 1'));
    assert.deepEqual([...a.cached].sort(), [...b.cached].sort(), 'vertex names and cached flags');
    assert.equal(a.cached.get('[3/4] RUN echo stable-step'), true, 'the stable RUN is cached');
    assert.equal(a.cached.get('[2/4] COPY a.txt /a.txt'), true, 'the COPY is cached');
    const run = '[4/4] RUN cat /a.txt && echo "run-output 1" && echo to-stderr >&2';
    assert.equal(a.logs.get(`${run}|1`), b.logs.get(`${run}|1`)?.replace('run-output 2', 'run-output 1'));
    assert.equal(a.logs.get(`${run}|2`), b.logs.get(`${run}|2`));
    assert.equal(a.logs.get(`${run}|1`), `content ${nonce}\nrun-output 1\n`);
    assert.equal(a.logs.get(`${run}|2`), 'to-stderr\n');
  });

  const failing: [string, string, [number, number]][] = [
    ['a failing RUN', 'FROM busybox\nRUN echo fine\nRUN echo about-to-fail && exit 3\n', [3, 3]],
    ['a missing COPY source', 'FROM busybox\n\nCOPY does-not-exist.txt /x\n', [3, 3]],
    ['a parse error', 'FROM busybox\nRUN echo fine\nFOO bar\n', [3, 3]],
    ['a backslash-continued failing RUN', 'FROM busybox\nRUN echo one && \\\n    echo two && \\\n    exit 5\nRUN echo never\n', [2, 4]],
  ];
  for (const [what, dockerfile, [start, end]] of failing) {
    test(`error lines: ${what} → lines ${start}-${end}, same excerpt as buildx`, async () => {
      const ctx = writeTree({ Dockerfile: dockerfile });
      const [lib, cli, x] = await Promise.all([
        build(eng!.host, options(ctx, { noCache: true })),
        runCli(['build', '-H', eng!.host, '--network', 'none', '--no-cache', '--progress', 'plain', ctx]),
        buildx(eng!, ['--network', 'none', '--no-cache', '--progress', 'plain', ctx]),
      ]);
      assert.equal(lib.result.ok, false);
      assert.notEqual(x.code, 0);
      const theirs = excerpt(x.stderr);
      assert.ok(theirs, `no excerpt in buildx output:\n${x.stderr}`);
      // a continued instruction comes as one range per line
      const ranges = lib.result.error!.sources[0]?.ranges ?? [];
      const ours = [Math.min(...ranges.map((r) => r.startLine)), Math.max(...ranges.map((r) => r.endLine))];
      assert.deepEqual(ours, [theirs.start, theirs.marked[theirs.marked.length - 1]], JSON.stringify(lib.result.error));
      assert.deepEqual(ours, [start, end]);
      assert.equal(cli.code, 1);
      // "#0 building with "default" instance using docker driver"
      assert.equal(cli.stderr.split('\n')[0], x.stderr.split('\n')[0]);
      assert.equal(excerpt(cli.stderr)?.text, theirs.text, `our excerpt:\n${cli.stderr}`);
      // the checksum error names a per-session ref
      const norm = (m: string) => m.replace(/ref [\w-]+::\w+/g, 'ref R');
      const buildxMessage = norm(/^ERROR: failed to solve: (.*)$/m.exec(x.stderr)?.[1] ?? '');
      const ourMessage = norm(lib.result.error!.message);
      assert.ok(buildxMessage.includes(ourMessage) || ourMessage.includes(buildxMessage), `${ourMessage} vs ${buildxMessage}`);
    });
  }
});
