// Entry point: wires the features to the shared context. Everything else lives in its own module.
import * as vscode from 'vscode';
import * as path from 'path';
import { Ctx, engineCore, useEngineCoreCodeCache } from './context';
import { registerCommands } from './commands';
import { BuildPanels, PANEL_VIEW_TYPE } from './panel';
import { StageCodeLensProvider } from './codeLens';
import { StepDecorations } from './decorations';
import { registerDiagnostics } from './diagnostics';
import { BuildStatusBar } from './statusBar';
import { registerEnginePicker } from './enginePicker';
import { DockerfileTree } from './treeView';
import { HistoryTree } from './historyTree';
import { registerHistoryCommands } from './historyCommands';
import { Launcher } from './launcher';
import { registerLogDocuments } from './logDocument';
import type { BuildSession } from './buildSession';

/** What activate() returns; the extension-host tests use it to watch builds. */
export interface ExtensionApi {
  ctx: Ctx;
}

const DOCKERFILE_SELECTOR: vscode.DocumentSelector = [
  { language: 'dockerfile', scheme: 'file' },
  { pattern: '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,*.Containerfile,*.containerfile}', scheme: 'file' },
];

export function activate(ext: vscode.ExtensionContext): ExtensionApi {
  const ctx = new Ctx(ext);
  // the panels rebuild through the launcher, which shows new builds in the panels
  let launcher: Launcher | undefined;
  const panels = new BuildPanels(ctx, {
    rebuild: async (session, record) => {
      const build = session?.info() ?? record?.snapshot.build;
      // an engine build followed by its ref has no Dockerfile here to build again
      if (!build?.dockerfile || !launcher) return undefined;
      return launcher.rebuild(build.dockerfile, build.target, false);
    },
  });
  launcher = new Launcher(ctx, (s) => panels.show(s, true));
  const codeLens = new StageCodeLensProvider(ctx);
  const tree = new DockerfileTree(ctx);
  const history = new HistoryTree(ctx);
  ext.subscriptions.push(
    ctx,
    panels,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    registerLogDocuments(ctx),
    ...registerCommands(ctx, panels, launcher),
    codeLens,
    vscode.languages.registerCodeLensProvider(DOCKERFILE_SELECTOR, codeLens),
    new StepDecorations(ctx),
    registerDiagnostics(ctx),
    new BuildStatusBar(ctx),
    ...registerEnginePicker(),
    tree,
    vscode.window.createTreeView('buildkitLens.dockerfiles', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.commands.registerCommand('buildkitLens.refreshDockerfiles', () => tree.refresh()),
    history,
    vscode.window.createTreeView('buildkitLens.history', { treeDataProvider: history }),
    ...registerHistoryCommands(ctx, panels, history),
    vscode.workspace.onDidGrantWorkspaceTrust(() => codeLens.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('buildkitLens') && codeLens.refresh()),
    ctx.onDidEndBuild((s) => notifyIfHidden(s, panels)),
  );
  // The engine side stays out of activation; load it once the window has settled, not on the first click.
  useEngineCoreCodeCache(path.join(ext.globalStorageUri.fsPath, 'code-cache'));
  const warm = setTimeout(() => vscode.workspace.isTrusted && engineCore(), 3000);
  ext.subscriptions.push({ dispose: () => clearTimeout(warm) });
  return { ctx };
}

/** A build that ends out of sight gets a notification; one on screen speaks for itself. */
function notifyIfHidden(s: BuildSession, panels: BuildPanels): void {
  if (panels.isVisible(s)) return;
  const r = s.result!;
  const what = `${s.request.label}${s.options.target ? ` › ${s.options.target}` : ''}`;
  if (r.canceled) return;
  const show = 'Show Build';
  const p = r.ok
    ? vscode.window.showInformationMessage(`Build of ${what} finished in ${(r.durationMs / 1000).toFixed(1)} s.`, show)
    : vscode.window.showErrorMessage(`Build of ${what} failed: ${r.error?.message ?? 'unknown error'}`, show);
  void p.then((pick) => pick && vscode.commands.executeCommand('buildkitLens.showBuild', s.id));
}

export function deactivate(): void {
  // Ctx.dispose (via subscriptions) cancels running builds.
}
