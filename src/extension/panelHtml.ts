// The build panel's HTML shell: strict CSP, nonce'd script, assets only from dist/.
// The panel's script and styles are inlined: a webview fetches each resource through VS Code's service
// worker and the workbench (50-200 ms each), and VS Code shows the panel only once its page has loaded.
import * as vscode from 'vscode';
import * as fs from 'fs';
import type { HostMessage } from '../../webview/protocol';
import { inertJson } from './inertJson';

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    retainContextWhenHidden: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

const inlined = new Map<string, string>();

/** A dist/ file's text, read once per extension host, made safe to sit inside a <script> or <style> element. */
function inline(extensionUri: vscode.Uri, file: string): string {
  const p = vscode.Uri.joinPath(extensionUri, 'dist', file).fsPath;
  let text = inlined.get(p);
  if (text === undefined) {
    text = fs.readFileSync(p, 'utf8').replace(/<\/(script|style)/gi, '<\\/$1');
    inlined.set(p, text);
  }
  return text;
}

/** The panel's page; `initial` is drawn as the page loads (webview/main.ts), before any message. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, initial?: HostMessage): string {
  // required here, not at the top: loading node:crypto is ~5 ms that activation need not pay
  const nonce = (require('crypto') as typeof import('crypto')).randomBytes(16).toString('base64');
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', f)).toString();
  // Inline styles are allowed because xterm.js sets them; scripts need the nonce (also dist/terminal.js and
  // dist/elements.js, which the panel adds after its first paint; see webview/deferred.ts).
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>${inline(extensionUri, 'webview.css')}</style>
<title>BuildKit build</title>
</head>
<body>
${initial ? `<script type="application/json" id="bkl-initial">${inertJson(initial)}</script>\n` : ''}<script nonce="${nonce}" data-codicons="${asset('codicon.css')}" data-elements="${asset('elements.js')}" data-terminal="${asset('terminal.js')}">${inline(extensionUri, 'webview.js')}</script>
</body>
</html>`;
}
