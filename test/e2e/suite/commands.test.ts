import * as assert from 'assert';
import * as vscode from 'vscode';
import { api } from './helpers';

suite('commands', () => {
  suiteSetup(async () => {
    await api();
  });

  test('every contributed command is registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of [
      'buildkitLens.build',
      'buildkitLens.buildWithOptions',
      'buildkitLens.buildStage',
      'buildkitLens.rebuildLast',
      'buildkitLens.showBuild',
      'buildkitLens.openLastBuild',
      'buildkitLens.cancelBuild',
      'buildkitLens.refreshDockerfiles',
    ]) {
      assert.ok(all.has(c), `${c} is not registered`);
    }
  });

  test('the package contributes the panel serializer and the BuildKit view', () => {
    const pkg = vscode.extensions.getExtension('buildkit-lens.buildkit-lens')!.packageJSON;
    assert.ok(pkg.activationEvents.includes('onWebviewPanel:buildkitLens.buildPanel'));
    assert.equal(pkg.contributes.views.buildkitLens[0].id, 'buildkitLens.dockerfiles');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
