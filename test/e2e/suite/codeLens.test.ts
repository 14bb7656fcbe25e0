import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, eventually, lensTitles, writeFile } from './helpers';

const MULTI = `FROM busybox:latest AS base
RUN echo base

FROM base AS Tools
RUN echo tools

FROM busybox:latest
COPY --from=tools /bin/true /true
`;

suite('CodeLens on FROM lines', () => {
  suiteSetup(async () => {
    await api();
  });

  test('named stages get "Build stage <name>", the last stage "Build"', async () => {
    const uri = writeFile('lens/Dockerfile', MULTI);
    await vscode.window.showTextDocument(uri);
    const lenses = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      return l && l.length >= 3 ? l : undefined;
    }, 'CodeLens');
    assert.deepEqual(lensTitles(lenses, 0), ['$(play) Build stage base']);
    assert.deepEqual(lensTitles(lenses, 3), ['$(play) Build stage tools']);
    assert.deepEqual(lensTitles(lenses, 6), ['$(play) Build']);
    const tools = lenses.find((l) => l.range.start.line === 3)!;
    assert.equal(tools.command?.command, 'buildkitLens.buildStage');
    assert.equal(tools.command?.arguments?.[1], 'tools');
    assert.equal(lenses.find((l) => l.range.start.line === 6)!.command?.arguments?.[1], undefined);
  });

  test('files named *.Dockerfile and Containerfile get them too; other files do not', async () => {
    for (const name of ['lens/api.Dockerfile', 'lens/Containerfile', 'lens/Dockerfile.dev', 'lens/web.containerfile']) {
      const uri = writeFile(name, 'FROM scratch\n');
      await vscode.workspace.openTextDocument(uri);
      const lenses = await eventually(async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
        return l && l.length ? l : undefined;
      }, `CodeLens in ${name}`);
      assert.deepEqual(lensTitles(lenses), ['$(play) Build'], name);
    }
    // Dockerfile.dockerignore is buildx's ignore file for a Dockerfile (VS Code gives it the dockerfile language)
    for (const name of ['lens/notes.txt', 'lens/Dockerfile.dockerignore']) {
      const other = writeFile(name, 'FROM scratch\n');
      await vscode.workspace.openTextDocument(other);
      const none = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', other, 10);
      assert.equal((none ?? []).filter((l) => l.command?.command?.startsWith('buildkitLens')).length, 0, name);
    }
  });
});
