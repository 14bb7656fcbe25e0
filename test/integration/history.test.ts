// The engine's build history through the CLI: builds started by buildx in a terminal, attaching to
// one live, replaying a finished one, comparing two of ours; and the message on engines without it.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTree } from '../support/build';
import { runCli } from '../support/cli';
import { buildxPath, dockerCliEnv, testEngines } from '../support/engines';
import { tempDir } from '../support/tmp';

const d26 = testEngines().find((e) => e.name === 'd26');
const d20 = testEngines().find((e) => e.name === 'd20');

interface Rec { ref: string; state: string; frontend: string; buildArgs: Record<string, string>; durationMs?: number; cachedSteps: number; totalSteps: number }

async function history(host: string, n = 15): Promise<Rec[]> {
  const r = await runCli(['history', 'ls', '--json', '-n', String(n), '-H', host]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Rec[];
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('build history on Docker 26.1 (BuildKit 0.13)', { skip: !d26 && 'no d26 engine', timeout: 240_000 }, () => {
  test('a buildx build from a terminal is listed while it runs, attach follows it live, then replays it', { skip: !buildxPath() && 'no buildx' }, async () => {
    const n = crypto.randomUUID();
    // the RUN's 6 s are the window in which attach must find the build still running, with CI's other
    // test files sharing the 2 cores (3 s were not always enough)
    const ctx = writeTree({ Dockerfile: `FROM busybox:latest\nARG N\nRUN echo start-$N && sleep 6 && echo done-$N\n` });
    const buildx = spawn('docker', ['buildx', 'build', '--network', 'none', '--progress', 'plain', '--build-arg', `N=${n}`, ctx], { env: dockerCliEnv(d26!) as NodeJS.ProcessEnv, stdio: 'ignore' });
    const buildxDone = new Promise<number | null>((r) => buildx.on('close', r));

    const running = await waitFor('the buildx build in history ls', async () => (await history(d26!.host)).find((r) => r.buildArgs.N === n));
    assert.equal(running.state, 'running');
    assert.equal(running.frontend, '', 'buildx drives the Dockerfile frontend itself: the engine names none');

    // attach at once; the table is read meanwhile
    const [attach, table] = await Promise.all([
      runCli(['history', 'attach', '--progress', 'plain', '-H', d26!.host, running.ref]),
      runCli(['history', 'ls', '-H', d26!.host]),
    ]);
    assert.match(table.stdout, new RegExp(`^${running.ref}\\s+(running|completed)\\s+\\S+ \\S+\\s+\\S+\\s+\\d+/\\d+\\s+\\(client\\)`, 'm'));
    assert.equal(attach.code, 0, attach.stderr);
    assert.match(attach.stderr, new RegExp(`attached to build ${running.ref}, running since`));
    assert.match(attach.stderr, new RegExp(`^#\\d+ \\[2/2\\] RUN echo start-${n} && sleep 6 && echo done-${n}$`, 'm'));
    assert.match(attach.stderr, new RegExp(`^#\\d+ \\d+\\.\\d+ done-${n}$`, 'm'), 'the RUN log, as our own builds show it');
    assert.match(attach.stderr, /^#\d+ DONE \d+\.\d+s$/m);
    assert.match(attach.stderr, new RegExp(`build ${running.ref} completed in ([6-9]|1\\d)\\.\\ds, \\d+/[1-9]\\d* steps cached`));
    assert.ok(attach.ms < 9000, `attach ended with the build (${attach.ms} ms)`);
    assert.equal(await buildxDone, 0);

    const done = (await history(d26!.host)).find((r) => r.ref === running.ref)!;
    assert.equal(done.state, 'completed');
    assert.ok(done.durationMs! >= 6000, `duration ${done.durationMs}`);

    const replay = await runCli(['history', 'attach', '--progress', 'plain', '-H', d26!.host, `default/default/${running.ref}`]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stderr, /replaying the progress the engine stored/);
    assert.match(replay.stderr, new RegExp(`done-${n}`));
  });

  test('attach to a failed buildx build prints the Dockerfile excerpt buildx printed, from the engine\'s record', { skip: !buildxPath() && 'no buildx' }, async () => {
    const n = crypto.randomUUID().slice(0, 8);
    const ctx = writeTree({ Dockerfile: `FROM busybox:latest\nARG N\nRUN echo failing-$N && exit 3\n` });
    const x = spawn(buildxPath()!, ['build', '--network', 'none', '--progress', 'plain', '--build-arg', `N=${n}`, ctx], { env: dockerCliEnv(d26!) as NodeJS.ProcessEnv });
    let theirs = '';
    x.stderr.on('data', (d: Buffer) => (theirs += d.toString()));
    assert.equal(await new Promise((r) => x.on('close', r)), 1);
    const failed = await waitFor('the failed build in the history', async () => (await history(d26!.host)).find((r) => r.buildArgs.N === n && r.state === 'failed'));
    const attach = await runCli(['history', 'attach', '--progress', 'plain', '-H', d26!.host, failed.ref]);
    assert.equal(attach.code, 1, attach.stderr);
    const excerpt = (s: string) => /^Dockerfile:3\n-+\n[^]*?\n-+\n/m.exec(s)?.[0];
    assert.ok(excerpt(theirs), theirs);
    assert.equal(excerpt(attach.stderr), excerpt(theirs));
    assert.equal(/^ERROR: failed to solve: .*$/m.exec(attach.stderr)?.[0], /^ERROR: failed to solve: .*$/m.exec(theirs)?.[0]);
  });

  test('compare two of our builds where one context file changed names the COPY as the first cache miss', async () => {
    const id = crypto.randomUUID();
    const ctx = writeTree({ Dockerfile: `FROM busybox:latest\nRUN echo ${id} > /id\nCOPY a.txt /a.txt\nRUN cat /a.txt\n`, 'a.txt': 'one\n' });
    const refOf = async () => {
      const md = path.join(tempDir('bkl-md-'), 'md.json');
      const r = await runCli(['build', '--network', 'none', '--progress', 'quiet', '--metadata-file', md, '-H', d26!.host, ctx]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(fs.readFileSync(md, 'utf8'))['buildx.build.ref'] as string;
    };
    await refOf(); // warms the cache, so A is all cached
    const a = await refOf();
    fs.writeFileSync(path.join(ctx, 'a.txt'), 'two, longer\n');
    const b = await refOf();

    const cmp = await runCli(['history', 'compare', '-H', d26!.host, a, b]);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(cmp.stdout, /^first cache miss in B: \[3\/4\] COPY a\.txt \/a\.txt$/m);
    assert.match(cmp.stdout, /the build-context files it copies changed: a\.txt \/a\.txt \(context transfer \d+B → \d+B\)/);
    assert.match(cmp.stdout, /^RUN cat \/a\.txt\s+CACHED\s+\d+\.\d{1,2}s\s+← cache miss$/m);
    assert.match(cmp.stdout, new RegExp(`^RUN echo ${id} > /id\\s+CACHED\\s+CACHED$`, 'm'));

    const json = JSON.parse((await runCli(['history', 'compare', '--json', '-H', d26!.host, a, b])).stdout);
    assert.equal(json.firstMiss.key, 'COPY a.txt /a.txt');
    assert.ok(json.a.cached > json.b.cached, `A ${json.a.cached} cached, B ${json.b.cached}`);
  });
});

describe('build history on Docker 20.10 (BuildKit 0.8)', { skip: !d20 && 'no d20 engine' }, () => {
  test('history ls and attach say which engine version is needed, in one line', async () => {
    for (const args of [['ls'], ['attach', 'abcdef']]) {
      const r = await runCli(['history', ...args, '-H', d20!.host]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^ERROR: build history needs Docker 24\.0 or newer \(BuildKit 0\.11\); this engine is Docker 20\.10\.\S+ with BuildKit 0\.8\n$/);
    }
  });
});
