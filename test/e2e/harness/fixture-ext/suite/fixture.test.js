const assert = require('node:assert/strict');
const vscode = require('vscode');

// Tab groups catch up with a new panel asynchronously.
async function eventually(check, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

suite('fixture extension in the real extension host', () => {
  test('the extension under development is loaded and activates', async () => {
    const ext = vscode.extensions.getExtension('buildkit-lens-test.bkl-e2e-fixture');
    assert.ok(ext, 'fixture extension not found');
    const api = await ext.activate();
    assert.deepEqual(api, { fixture: true });
  });

  test('its command opens a webview panel', async () => {
    const title = await vscode.commands.executeCommand('bklFixture.openWebview');
    assert.equal(title, 'Fixture Panel');
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    assert.ok(await eventually(() => labels().includes('Fixture Panel')), `tabs: ${labels().join(', ')}`);
  });

  test('the opened folder is the workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0].uri.scheme, 'file');
  });
});
