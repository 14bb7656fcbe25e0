// Engine build history in the editor: attach the build panel to any engine build (a buildx build
// from a terminal included), and "Compare Builds…" drawn in a panel.
import * as vscode from 'vscode';
import type { HistoryRecord } from '../buildkit/history';
import type { BuildComparison, CompareInput } from '../progress/compare';
import { compareBuilds } from '../progress/compare';
import type { HostMessage } from '../../webview/protocol';
import type { BuildDeps, BuildSession } from './buildSession';
import { readConfig } from './config';
import { engineCore, realDeps, type Ctx } from './context';
import { describeRecord, type HistoryTree } from './historyTree';
import type { BuildPanels } from './panel';
import { panelHtml, panelOptions } from './panelHtml';

export const COMPARE_VIEW_TYPE = 'buildkitLens.comparePanel';

/** A session that follows the engine build ref: the same model, panel and output as our own builds. */
export function attachSession(ctx: Ctx, ref: string, label: string): BuildSession {
  const engineHost = readConfig().engineHost || undefined;
  const options = { contextDir: '', dockerfile: '', tags: [], buildArgs: {}, labels: {}, platforms: [], noCache: false, network: 'default' as const, secrets: [], addHosts: [] };
  const deps: BuildDeps = { connect: realDeps.connect, start: (engine, _opts, onStatus) => engineCore().attachBuild(engine, ref, onStatus) };
  return ctx.startBuild({ options, engineHost, label, attachRef: ref }, deps, false);
}

/** Show takes a running build too (following one from a terminal is its point); Compare only finished ones. */
async function pickBuild(tree: HistoryTree, title: string, opts: { except?: string; running?: boolean } = {}): Promise<HistoryRecord | undefined> {
  const listed = await tree.getChildren();
  // the view's own message: the engine cannot be reached, or the workspace is not trusted
  const problem = listed.find((n) => n.kind === 'message');
  const builds = tree.builds.filter((r) => (opts.running || r.state !== 'running') && r.ref !== opts.except);
  if (!builds.length) {
    void vscode.window.showInformationMessage(problem && 'text' in problem ? problem.text : opts.running ? 'No builds in the engine\'s history.' : 'No finished builds in the engine\'s history to compare.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    builds.map((r) => ({ label: tree.labelOf(r), description: describeRecord(r), detail: r.ref, r })),
    // two picks in a row: a build finishing meanwhile (a panel or tree updating) must not close them
    { title, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  return pick?.r;
}

/** A build this window ran knows its steps even when the engine kept no progress for it. */
function withOwnSteps(ctx: Ctx, x: CompareInput): CompareInput {
  if (x.steps?.length) return x;
  const own = [...ctx.sessions.values()].find((s) => s.result?.ref === x.ref);
  return own ? { ...x, steps: own.model.steps(), buildArgs: own.options.buildArgs, target: own.options.target } : x;
}

class ComparePanel {
  private static current?: ComparePanel;
  private comparison?: BuildComparison;

  static show(ctx: Ctx, comparison: BuildComparison): void {
    const p = (ComparePanel.current ??= new ComparePanel(ctx));
    p.comparison = comparison;
    p.panel.title = `Compare: ${comparison.a.label ?? comparison.a.ref.slice(0, 8)} ↔ ${comparison.b.label ?? comparison.b.ref.slice(0, 8)}`;
    p.post();
    p.panel.reveal();
  }

  private readonly panel: vscode.WebviewPanel;

  private constructor(ctx: Ctx) {
    this.panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare builds', vscode.ViewColumn.Beside, panelOptions(ctx.ext.extensionUri));
    this.panel.webview.html = panelHtml(this.panel.webview, ctx.ext.extensionUri);
    this.panel.webview.onDidReceiveMessage((m: { type?: string }) => m?.type === 'ready' && this.post());
    this.panel.onDidDispose(() => (ComparePanel.current = undefined));
  }

  private post(): void {
    if (this.comparison) void this.panel.webview.postMessage({ type: 'compare', comparison: this.comparison } satisfies HostMessage);
  }
}

export function registerHistoryCommands(ctx: Ctx, panels: BuildPanels, tree: HistoryTree): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('buildkitLens.attachBuild', async (ref?: unknown) => {
      if (typeof ref !== 'string') {
        ref = (await pickBuild(tree, 'Show which engine build?', { running: true }))?.ref;
        if (typeof ref !== 'string') return undefined;
      }
      const record = tree.builds.find((r) => r.ref === ref);
      const session = ctx.following(ref) ?? attachSession(ctx, ref, record ? tree.labelOf(record) : `engine build ${ref.slice(0, 8)}`);
      panels.show(session);
      return { id: session.id, done: session.done };
    }),
    vscode.commands.registerCommand('buildkitLens.compareBuilds', async (a?: unknown, b?: unknown) => {
      const refA = typeof a === 'string' ? a : (await pickBuild(tree, 'Compare builds: pick the first (older) build'))?.ref;
      if (!refA) return undefined;
      const refB = typeof b === 'string' ? b : (await pickBuild(tree, 'Compare builds: pick the second build', { except: refA }))?.ref;
      if (!refB) return undefined;
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Comparing builds…' }, async () => {
        let engine;
        try {
          const core = engineCore();
          const host = readConfig().engineHost;
          engine = await core.connectEngine(host ? { host } : {});
          const [x, y] = await Promise.all([core.engineBuildForCompare(engine, refA), core.engineBuildForCompare(engine, refB)]);
          const side = (z: typeof x) => ({ ...withOwnSteps(ctx, z), label: tree.labelOf(z.record) });
          const comparison = compareBuilds(side(x), side(y));
          ComparePanel.show(ctx, comparison);
          return comparison;
        } catch (e) {
          void vscode.window.showErrorMessage(`Compare builds: ${(e as Error).message}`);
          return undefined;
        } finally {
          void engine?.close().catch(() => undefined);
        }
      });
    }),
    vscode.commands.registerCommand('buildkitLens.refreshHistory', () => tree.restart()),
  ];
}
