// Named build contexts from the buildkitLens.build.contexts setting: a workspace folder that
// `RUN --mount=from=NAME` reads, on an engine that has them (Docker 26) and on one that does not (20.10).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, engineNamed, testEngineHost, useTestEngine, writeFile } from './helpers';

const d26 = engineNamed('d26');
const d20 = engineNamed('d20');

suite('named build contexts', function () {
  const settings = () => vscode.workspace.getConfiguration('buildkitLens');
  suiteSetup(async function () {
    if (!d26) return this.skip();
    await api();
  });
  suiteTeardown(async () => {
    await settings().update('build.contexts', undefined, vscode.ConfigurationTarget.Workspace);
    const first = testEngineHost();
    if (first) await useTestEngine(first);
  });

  test('a folder named in the setting is what the Dockerfile reads by that name; an engine without them says so', async () => {
    const nonce = `shared-${Date.now()}`;
    writeFile('named-shared/note.txt', `${nonce}\n`);
    const uri = writeFile('named/Dockerfile', 'FROM busybox:latest\nRUN --mount=from=shared,target=/s cat /s/note.txt\n');
    // relative to the workspace folder, like the build context
    await settings().update('build.contexts', { shared: 'named-shared' }, vscode.ConfigurationTarget.Workspace);
    await useTestEngine(d26!);
    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    assert.ok(ticket, 'the command started no build');
    const r = await ticket.done;
    assert.equal(r.ok, true, r.error?.message);
    const session = (await api()).ctx.sessions.get(ticket.id)!;
    assert.ok(session.model.steps().some((s) => s.name === '[context shared] load from client'), session.model.steps().map((s) => s.name).join('\n'));
    const run = session.model.steps().find((s) => /RUN --mount=from=shared/.test(s.name))!;
    assert.match(session.model.logs.read(run.digest), new RegExp(nonce));

    if (!d20) return;
    await useTestEngine(d20);
    const old = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
    assert.equal(old.ok, false);
    assert.match(old.error!.message, /^named build contexts need BuildKit 0\.10 or later \(Docker 23\.0 or later\)/);
  });

  test('an invalid entry names the setting and starts no build', async () => {
    const { ctx } = await api();
    const uri = writeFile('named-bad/Dockerfile', 'FROM busybox:latest\n');
    await settings().update('build.contexts', { Shared: 'x' }, vscode.ConfigurationTarget.Workspace);
    const before = ctx.sessions.size;
    assert.equal(await vscode.commands.executeCommand('buildkitLens.build', uri), undefined);
    assert.equal(ctx.sessions.size, before, 'no build started');
  });
});
