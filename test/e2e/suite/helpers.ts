// Shared helpers for the extension-host suites: the extension's API, workspace files, waiting.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/main';
import { testEngines, type EngineName } from '../../support/engines';

export const EXTENSION_ID = 'buildkit-lens.buildkit-lens';

export async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspaceDir(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test run needs a workspace folder');
  return f.uri.fsPath;
}

/** Writes a file into a fresh sub-folder of the workspace; returns its Uri. */
export function writeFile(rel: string, text: string): vscode.Uri {
  const file = path.join(workspaceDir(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The host of a named engine of BKL_TEST_ENGINES ("name=host,..."). */
export function engineNamed(name: EngineName): string | undefined {
  return testEngines().find((e) => e.name === name)?.host;
}

/** The first engine of BKL_TEST_ENGINES ("name=host,..."), or undefined. */
export function testEngineHost(): string | undefined {
  return testEngines()[0]?.host;
}

/** Points the extension at the test engine; RUN needs network none on the test engines. */
export async function useTestEngine(host: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('buildkitLens');
  await c.update('engine.host', host, vscode.ConfigurationTarget.Global);
  await c.update('build.network', 'none', vscode.ConfigurationTarget.Global);
  await c.update('build.tagPattern', 'bkl-e2e-${file}:${stage}', vscode.ConfigurationTarget.Global);
}

export function lensTitles(lenses: vscode.CodeLens[] | undefined, line?: number): string[] {
  return (lenses ?? []).filter((l) => line === undefined || l.range.start.line === line).map((l) => l.command?.title ?? '');
}
