// The engine dies mid-build: the build must fail at once with a clear line, and once the engine is
// back the next build must work in the same window. Runs on a private engine, never the shared ones.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, eventually, testEngineHost, useTestEngine, writeFile } from './helpers';

const sharedHost = testEngineHost();
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const ROOT = '/tmp/bkl-kill';
const killHost = `unix://${ROOT}/d26/docker.sock`;

function engines(script: 'start.sh' | 'stop.sh', ...args: string[]): void {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'engines', script), ...args], { env: { ...process.env, BKL_ENGINE_ROOT: ROOT }, stdio: 'pipe', timeout: 120_000 });
}

suite('engine killed during a build', function () {
  suiteSetup(async function () {
    // BKL_TEST_ENGINES set means the engines are installed
    if (!sharedHost) return this.skip();
    await api();
    engines('start.sh', 'd26');
    await useTestEngine(killHost);
  });
  suiteTeardown(async () => {
    if (!sharedHost) return;
    await useTestEngine(sharedHost);
    engines('stop.sh', '--purge', 'd26');
  });

  test('SIGKILL of dockerd fails the running build within 5 s; after a restart the next build succeeds', async () => {
    const { ctx } = await api();
    const nonce = Date.now();
    const uri = writeFile('kill/Dockerfile', `FROM busybox:latest\nRUN echo started-${nonce} && sleep 120\n`);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    const session = ctx.sessions.get(ticket.id)!;
    await eventually(() => session.model.steps().some((s) => /sleep 120/.test(s.name) && s.state === 'running' && session.model.logs.read(s.digest).includes(`started-${nonce}`)), 'the RUN step printing "started"', 60_000);

    const killedAt = Date.now();
    process.kill(Number(fs.readFileSync(`${ROOT}/d26/docker.pid`, 'utf8').trim()), 'SIGKILL');
    const r = await ticket.done;
    const endedAfter = Date.now() - killedAt;
    console.log(`      build ended ${endedAfter} ms after SIGKILL: ${r.error?.message}`);
    assert.ok(endedAfter < 5000, `the build ended ${endedAfter} ms after the kill`);
    assert.equal(r.ok, false);
    assert.equal(r.canceled, false);
    assert.match(r.error!.message, /^lost the connection to (BuildKit in )?the Docker engine at unix:\/\/\/tmp\/bkl-kill\/d26\/docker.sock: /);
    assert.ok(!r.error!.message.includes('\n'), r.error!.message);
    // what the panel draws
    const shown = session.snapshot();
    assert.equal(shown.outcome?.ok, false);
    assert.match(shown.outcome!.error!.message, /lost the connection .*bkl-kill/);
    assert.ok(!shown.steps.some((s) => s.state === 'running'), 'no step is left running');

    engines('start.sh', 'd26');
    const again = writeFile('kill/Dockerfile', `FROM busybox:latest\nRUN echo after-restart-${nonce}\n`);
    const next = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', again)).done;
    assert.equal(next.ok, true, next.error?.message);
  });
});
