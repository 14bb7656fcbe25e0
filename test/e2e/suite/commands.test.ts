import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api } from './helpers';

suite('commands', () => {
  suiteSetup(async () => {
    await api();
  });

  test('every contributed command is registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const pkg = vscode.extensions.getExtension('buildkit-lens.buildkit-lens')!.packageJSON;
    const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 10 && contributed.includes('buildkitLens.pickEngine'), contributed.join(' '));
    for (const c of contributed) assert.ok(all.has(c), `${c} is not registered`);
  });

  test('"Build with BuildKit…" on a Dockerfile that no longer exists says so, and starts nothing', async () => {
    const gone = vscode.Uri.file(path.join(os.tmpdir(), `bkl-gone-${Date.now()}`, 'Dockerfile'));
    const r = await vscode.commands.executeCommand('buildkitLens.buildWithOptions', gone);
    assert.equal(r, undefined);
  });

  test('the package contributes the panel serializer and the BuildKit view', () => {
    const pkg = vscode.extensions.getExtension('buildkit-lens.buildkit-lens')!.packageJSON;
    assert.ok(pkg.activationEvents.includes('onWebviewPanel:buildkitLens.buildPanel'));
    assert.equal(pkg.contributes.views.buildkitLens[0].id, 'buildkitLens.dockerfiles');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
