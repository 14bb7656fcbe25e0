// Run with BKL_E2E_RESTRICTED=1 in an untrusted workspace: building must refuse and explain.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BuildTicket } from '../../../src/extension/commands';
import { api, eventually, lensTitles, writeFile } from './helpers';

suite('Restricted Mode', () => {
  test('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('build commands start nothing, CodeLens stays available', async () => {
    const { ctx } = await api();
    const uri = writeFile('restricted/Dockerfile', 'FROM scratch\n');
    await vscode.workspace.openTextDocument(uri);
    const ticket = await vscode.commands.executeCommand<BuildTicket | undefined>('buildkitLens.build', uri);
    assert.equal(ticket, undefined);
    assert.equal(ctx.sessions.size, 0);
    const lenses = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      return l && l.length ? l : undefined;
    }, 'CodeLens');
    assert.deepEqual(lensTitles(lenses), ['$(play) Build']);
  });
});
