// Which engine builds run on: a status bar item naming it, and a picker listing the Docker
// contexts (plus "default" and a free-form host) that writes buildkitLens.engine.host.
import * as vscode from 'vscode';
import { listContexts } from '../engine/contexts';
import { CONTEXT_PREFIX } from '../engine/endpoint';
import { readConfig, SECTION } from './config';

export const PICK_ENGINE_COMMAND = 'buildkitLens.pickEngine';

/** What the status bar shows for a value of the engine.host setting. */
export function engineLabel(setting: string): string {
  if (!setting) return 'default engine';
  if (setting.startsWith(CONTEXT_PREFIX)) return `context ${setting.slice(CONTEXT_PREFIX.length)}`;
  return setting;
}

type Choice = vscode.QuickPickItem & { value?: string };

async function pickEngine(): Promise<void> {
  const current = readConfig().engineHost;
  const items: Choice[] = listContexts().map((c) => {
    const value = c.name === 'default' ? '' : `${CONTEXT_PREFIX}${c.name}`;
    return {
      label: `${value === current ? '$(check) ' : ''}${c.name}`,
      description: c.host + (c.current ? ' (docker CLI current)' : ''),
      detail: c.description,
      value,
    };
  });
  items.push({ label: '$(edit) Enter a host…', description: 'unix://, tcp://, ssh:// or buildkit+unix://' });
  const choice = await vscode.window.showQuickPick(items, { title: 'Build on which engine?', placeHolder: engineLabel(current) });
  if (!choice) return;
  let value = choice.value;
  if (value === undefined) {
    value = await vscode.window.showInputBox({ title: 'Engine host', value: current.startsWith(CONTEXT_PREFIX) ? '' : current, placeHolder: 'tcp://host:2376' });
    if (value === undefined) return;
  }
  // where the value in force lives: a workspace value would override a user one written under it
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const inWorkspace = cfg.inspect<string>('engine.host')?.workspaceValue !== undefined;
  await cfg.update('engine.host', value.trim(), inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

export function registerEnginePicker(): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('buildkitLens.engine', vscode.StatusBarAlignment.Left, 48);
  item.name = 'BuildKit engine';
  item.command = PICK_ENGINE_COMMAND;
  const render = () => {
    const setting = readConfig().engineHost;
    item.text = `$(server-environment) ${engineLabel(setting)}`;
    item.tooltip = 'Engine for BuildKit Lens builds (click to change)';
    item.show();
  };
  render();
  return [
    item,
    vscode.commands.registerCommand(PICK_ENGINE_COMMAND, pickEngine),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SECTION}.engine.host`) && render()),
  ];
}
