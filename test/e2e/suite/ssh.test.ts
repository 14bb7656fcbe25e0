// SSH agents from the buildkitLens.build.ssh setting reach RUN --mount=type=ssh.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, eventually, testEngineHost, useTestEngine, writeFile } from './helpers';

const host = testEngineHost();

suite('SSH agent forwarding', function () {
  const settings = () => vscode.workspace.getConfiguration('buildkitLens');
  let agent: ChildProcess | undefined;
  let dir = '';
  suiteSetup(async function () {
    if (!host) return this.skip();
    await api();
    await useTestEngine(host);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-e2e-ssh-'));
    agent = spawn('ssh-agent', ['-D', '-a', path.join(dir, 'agent.sock')], { stdio: 'ignore' });
    agent.on('error', () => undefined);
  });
  suiteTeardown(async () => {
    agent?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await settings().update('build.ssh', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('an agent named in the setting is the socket a required ssh mount gets; an invalid entry starts no build', async function () {
    const sock = path.join(dir, 'agent.sock');
    try {
      await eventually(() => fs.existsSync(sock), 'ssh-agent', 5000);
    } catch {
      return this.skip(); // no openssh-client here
    }
    // a new RUN each time, so it really runs (a cached step has no log)
    const nonce = Date.now();
    const uri = writeFile('ssh/Dockerfile', `FROM busybox:latest\nRUN --mount=type=ssh,id=deploy,required=true test -S "$SSH_AUTH_SOCK" && echo agent-here ${nonce}\n`);
    await settings().update('build.ssh', [`deploy=${sock}`], vscode.ConfigurationTarget.Workspace);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    assert.ok(ticket, 'the command started no build');
    const r = await ticket.done;
    assert.equal(r.ok, true, r.error?.message);
    const { ctx } = await api();
    const session = ctx.sessions.get(ticket.id)!;
    assert.deepEqual(session.options.ssh, [{ id: 'deploy', socket: sock }]);
    const run = session.model.steps().find((s) => /RUN --mount=type=ssh/.test(s.name))!;
    assert.match(session.model.logs.read(run.digest), new RegExp(`agent-here ${nonce}`));

    await settings().update('build.ssh', ['deploy=a,b'], vscode.ConfigurationTarget.Workspace);
    const before = ctx.sessions.size;
    assert.equal(await vscode.commands.executeCommand('buildkitLens.build', uri), undefined);
    assert.equal(ctx.sessions.size, before, 'no build started');
  });
});
