// The extension's entry (dist/extension.js): loads the extension itself (dist/extensionMain.js, built from
// main.ts) through V8's code cache, kept in the extension's global storage. Compiling that bundle was 4-6 ms of
// a 20-25 ms activation in a fresh window (profiled); a cache written once per version and Node spares most of
// it, and the functions activation compiles too. Without a usable cache this is a plain require.
import type * as vscode from 'vscode';
import * as path from 'node:path';
import { codeCacheFor, loadThroughCodeCache, type CachedLoad } from '../codeCache';

type Main = typeof import('./main');

/** written this long after activation, so that it holds what activation compiled and the window has settled */
const SAVE_AFTER_MS = 2000;

let main: CachedLoad<Main> | undefined;

export function activate(ext: vscode.ExtensionContext): ReturnType<Main['activate']> {
  const bundle = path.join(__dirname, 'extensionMain.js');
  main = loadThroughCodeCache<Main>(bundle, codeCacheFor(bundle, path.join(ext.globalStorageUri.fsPath, 'code-cache'), 'extension-'));
  const api = main.exports.activate(ext);
  const save = setTimeout(() => main?.save(), SAVE_AFTER_MS);
  ext.subscriptions.push({ dispose: () => clearTimeout(save) });
  return api;
}

export function deactivate(): void {
  main?.exports.deactivate();
}
