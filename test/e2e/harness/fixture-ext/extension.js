// Fixture extension for the harness self-test: a command that opens a webview whose page
// talks back to the extension, so the test can see both directions of the message channel.
const vscode = require('vscode');

function html(nonce) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
</head><body>
<h1 id="greeting">Hello from the fixture webview</h1>
<p id="reply">waiting</p>
<button id="ping">Ping</button>
<script nonce="${nonce}">
  const api = acquireVsCodeApi();
  window.addEventListener('message', (e) => { document.getElementById('reply').textContent = e.data.text; });
  document.getElementById('ping').addEventListener('click', () => api.postMessage({ type: 'ping' }));
</script></body></html>`;
}

function activate(context) {
  let opened = 0;
  context.subscriptions.push(
    vscode.commands.registerCommand('bklFixture.openWebview', () => {
      const panel = vscode.window.createWebviewPanel('bklFixture', 'Fixture Panel', vscode.ViewColumn.One, {
        enableScripts: true,
      });
      panel.webview.html = html(String(Date.now()));
      panel.webview.onDidReceiveMessage((m) => {
        if (m.type === 'ping') panel.webview.postMessage({ text: `pong ${++opened}` });
      });
      return panel.title;
    }),
  );
  return { fixture: true };
}

module.exports = { activate, deactivate() {} };
