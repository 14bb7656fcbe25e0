// Build secrets from the buildkitLens.build.secrets setting: the RUN gets the value, and the value is
// written nowhere the extension keeps or shows things (only the id and the file path are).
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, eventually, testEngineHost, useTestEngine, workspaceDir, writeFile } from './helpers';

const host = testEngineHost();

/** Every file under dir (recursively) that exists, as text. */
function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(e.parentPath ?? e.path, e.name);
    if (e.isFile()) out.set(file, fs.readFileSync(file, 'utf8'));
  }
  return out;
}

/** What VS Code wrote for the extension's "BuildKit" output channel (it logs channels next to the extension's log folder). */
function outputChannelText(logUri: vscode.Uri): string {
  const logs = readTree(path.dirname(logUri.fsPath));
  return [...logs].filter(([f]) => /output_logging_[^/]*\/\d+-BuildKit\.log$/.test(f)).map(([, text]) => text).join('\n');
}

function stateText(m: vscode.Memento): string {
  return m.keys().map((k) => `${k}=${JSON.stringify(m.get(k))}`).join('\n');
}

suite('build secrets', function () {
  const secrets = () => vscode.workspace.getConfiguration('buildkitLens');
  suiteSetup(async function () {
    if (!host) return this.skip();
    await api();
    await useTestEngine(host);
  });
  suiteTeardown(async () => {
    if (host) await secrets().update('build.secrets', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('RUN --mount=type=secret reads the file named in the setting; its value is stored and shown nowhere', async () => {
    const value = `bkl-secret-${crypto.randomBytes(12).toString('hex')}`;
    const nonce = Date.now();
    writeFile('secrets/tok.txt', value);
    const md5 = crypto.createHash('md5').update(value).digest('hex');
    const uri = writeFile('secrets/Dockerfile', `FROM busybox:latest\nRUN --mount=type=secret,id=tok test "$(md5sum < /run/secrets/tok | cut -d' ' -f1)" = ${md5} && echo secret-ok ${nonce}\n`);
    // relative to the workspace folder, not to the Dockerfile
    await secrets().update('build.secrets', ['id=tok,src=secrets/tok.txt'], vscode.ConfigurationTarget.Workspace);

    const ticket = await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri);
    assert.ok(ticket, 'the command started no build');
    const result = await ticket.done;
    assert.equal(result.ok, true, result.error?.message);
    const { ctx } = await api();
    const session = ctx.sessions.get(ticket.id)!;
    assert.deepEqual(session.options.secrets, [{ id: 'tok', src: path.join(workspaceDir(), 'secrets', 'tok.txt') }]);
    const run = session.model.steps().find((s) => /secret-ok/.test(s.name))!;
    assert.match(session.model.logs.read(run.digest), new RegExp(`secret-ok ${nonce}`));

    const places: [string, string, RegExp][] = [
      // [where, its text, something that must be there, so the look is not at an empty place]
      ['output channel', await eventually(() => { const t = outputChannelText(ctx.ext.logUri); return t.includes(`secret-ok ${nonce}`) && t; }, 'the build in the BuildKit output log'), /secret-ok/],
      ['workspace settings', fs.readFileSync(path.join(workspaceDir(), '.vscode', 'settings.json'), 'utf8'), /id=tok,src=secrets\/tok\.txt/],
      ['effective settings', JSON.stringify(vscode.workspace.getConfiguration('buildkitLens')), /secrets/],
      ['workspaceState', stateText(ctx.ext.workspaceState), /tok\.txt/],
      ['globalState', stateText(ctx.ext.globalState), /.?/],
      ['build records', [...readTree(path.join(ctx.ext.globalStorageUri.fsPath, 'builds'))].map(([f, t]) => `${f}\n${t}`).join('\n'), new RegExp(ticket.id)],
      ['panel snapshot and logs', JSON.stringify(session.snapshot()) + session.model.steps().map((s) => session.model.logs.read(s.digest)).join('\n'), /secret-ok/],
    ];
    const userSettings = path.resolve(ctx.ext.globalStorageUri.fsPath, '..', '..', 'settings.json');
    if (fs.existsSync(userSettings)) places.push(['user settings', fs.readFileSync(userSettings, 'utf8'), /buildkitLens/]);
    for (const [where, text, expected] of places) {
      assert.match(text, expected, `${where}: not the place we meant to look`);
      assert.ok(!text.includes(value), `the secret value is in the ${where}`);
    }
  });

  test('an invalid entry stops the build before it starts; a missing file fails it with one clear line', async () => {
    const { ctx } = await api();
    const uri = writeFile('secrets-bad/Dockerfile', 'FROM busybox:latest\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n');
    await secrets().update('build.secrets', ['id=tok,file=x'], vscode.ConfigurationTarget.Workspace);
    const before = ctx.sessions.size;
    assert.equal(await vscode.commands.executeCommand('buildkitLens.build', uri), undefined);
    assert.equal(ctx.sessions.size, before, 'no build started');

    await secrets().update('build.secrets', ['id=tok,src=secrets-bad/missing.txt'], vscode.ConfigurationTarget.Workspace);
    const r = await (await vscode.commands.executeCommand<BuildTicket>('buildkitLens.build', uri)).done;
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /secret tok: cannot read .*secrets-bad\/missing\.txt: no such file or directory$/);
    assert.ok(!r.error!.message.includes('\n'), r.error!.message);
  });
});
