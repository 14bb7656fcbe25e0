// The extension's commands. Build commands return { id, done } so tests and other extensions can await a build.
import * as vscode from 'vscode';
import type { BuildResult } from '../buildkit/types';
import type { BuildSession, SessionRequest } from './buildSession';
import type { Ctx } from './context';
import type { BuildPanels } from './panel';
import { requestOrExplain, promptChoices, labelFor } from './buildRequest';
import { DOCKERFILE_GLOB, isDockerfileCompanion, isDockerfileName, isVendored } from './dockerfileModel';
import { checkTrust } from './trust';
import { nodeTarget } from './treeView';
import type { Launcher } from './launcher';

export interface BuildTicket {
  id: string;
  done: Promise<BuildResult>;
}

function ticket(s: BuildSession): BuildTicket {
  return { id: s.id, done: s.done };
}

async function resolveDockerfile(arg: unknown, title = 'Build which Dockerfile?'): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) {
    if (arg.scheme === 'file') return arg;
    // an untitled buffer, a diff side, a file of another file system: the engine reads from disk
    void vscode.window.showInformationMessage(arg.scheme === 'untitled' ? 'Save the Dockerfile first: the build reads it from disk, beside its context.' : `Only Dockerfiles on disk can be built, not ${arg.scheme}: resources.`);
    return undefined;
  }
  const fromNode = nodeTarget(arg);
  if (fromNode) return fromNode.uri;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.uri.scheme === 'file' && (doc.languageId === 'dockerfile' || isDockerfileName(doc.uri.fsPath)) && !isDockerfileCompanion(doc.uri.fsPath)) return doc.uri;
  const files = (await vscode.workspace.findFiles(DOCKERFILE_GLOB, undefined, 500)).filter((u) => isDockerfileName(u.fsPath) && !isVendored(u.fsPath));
  if (files.length === 0) {
    void vscode.window.showInformationMessage('No Dockerfile found in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(files.map((u) => ({ label: labelFor(u), uri: u })), { title });
  return pick?.uri;
}

export function registerCommands(ctx: Ctx, panels: BuildPanels, launcher: Launcher): vscode.Disposable[] {
  const launch = async (request: SessionRequest, uri?: vscode.Uri): Promise<BuildTicket | undefined> => {
    const session = await launcher.launch(request, uri);
    return session && ticket(session);
  };

  const build = async (arg?: unknown, target?: string, explicitTarget = false): Promise<BuildTicket | undefined> => {
    const uri = await resolveDockerfile(arg);
    if (!uri) return undefined;
    const choices = ctx.store.choices(uri.fsPath);
    const request = requestOrExplain(uri, choices, explicitTarget ? target : choices.target);
    return request && launch(request, uri);
  };

  const showBuild = (id?: string) => {
    const session = id ? ctx.sessions.get(id) : [...ctx.sessions.values()].sort((a, b) => b.startedAt - a.startedAt)[0];
    if (session) return panels.show(session);
    const record = id ? ctx.records.load(id) : undefined;
    if (record) return panels.showRecord(record);
    void vscode.window.showInformationMessage(id ? 'That build is no longer available.' : 'No build has run in this window yet.');
  };

  return [
    vscode.commands.registerCommand('buildkitLens.build', (arg?: unknown) => build(arg)),
    vscode.commands.registerCommand('buildkitLens.buildStage', (arg?: unknown, target?: string) => {
      const n = nodeTarget(arg);
      return n ? build(n.uri, n.target, true) : build(arg, typeof target === 'string' ? target : undefined, true);
    }),
    vscode.commands.registerCommand('buildkitLens.buildWithOptions', async (arg?: unknown) => {
      if (!checkTrust()) return undefined;
      const uri = await resolveDockerfile(arg);
      if (!uri) return undefined;
      // invalid settings are reported before the menu, which shows what they resolve to
      if (!requestOrExplain(uri, ctx.store.choices(uri.fsPath), undefined)) return undefined;
      let choices;
      try {
        choices = await promptChoices(uri, ctx.store.choices(uri.fsPath));
      } catch (e) {
        // the Dockerfile deleted under a stale tree row, or a setting made invalid while the menu was open
        const why = (e as { code?: string }).code === 'FileNotFound' ? `${labelFor(uri)} no longer exists` : e instanceof Error ? e.message : String(e);
        void vscode.window.showErrorMessage(`Build with BuildKit…: ${why}`);
        return undefined;
      }
      if (!choices) return undefined;
      await ctx.store.setChoices(uri.fsPath, choices);
      const request = requestOrExplain(uri, choices, choices.target);
      return request && launch(request, uri);
    }),
    vscode.commands.registerCommand('buildkitLens.rebuildLast', () => {
      const last = ctx.store.lastRequest();
      if (!last) {
        void vscode.window.showInformationMessage('Nothing to rebuild yet: build a Dockerfile first.');
        return undefined;
      }
      // the last Dockerfile and target, with the settings as they are now (another engine, new args…)
      return launcher.rebuild(last.options.dockerfile, last.options.target).then((s) => s && ticket(s));
    }),
    vscode.commands.registerCommand('buildkitLens.showBuild', (id?: unknown) => showBuild(typeof id === 'string' ? id : nodeTarget(id)?.buildId)),
    vscode.commands.registerCommand('buildkitLens.openLastBuild', async (arg?: unknown) => {
      const uri = await resolveDockerfile(arg, 'Open the last build of which Dockerfile?');
      if (!uri) return;
      const n = nodeTarget(arg);
      const results = ctx.store.results(uri.fsPath);
      const r = n && (arg as { kind?: string }).kind === 'stage' ? results[n.target ?? ''] : ctx.store.latest(uri.fsPath);
      const live = ctx.latestFor(uri.fsPath);
      if (live && (!r || live.startedAt >= r.finishedAt - r.durationMs)) return panels.show(live);
      if (r) return showBuild(r.buildId);
      void vscode.window.showInformationMessage(`${labelFor(uri)} has not been built yet.`);
    }),
    vscode.commands.registerCommand('buildkitLens.cancelBuild', async (id?: unknown) => {
      const buildId = typeof id === 'string' ? id : nodeTarget(id)?.buildId;
      let session = buildId ? ctx.sessions.get(buildId) : undefined;
      if (!session) {
        const running = ctx.running;
        if (running.length === 1) session = running[0];
        else if (running.length > 1) {
          const pick = await vscode.window.showQuickPick(running.map((s) => ({ label: s.request.label, description: s.options.target, s })), { title: 'Cancel which build?' });
          session = pick?.s;
        }
      }
      if (!session && ctx.running.length === 0) void vscode.window.showInformationMessage('No build is running.');
      session?.cancel();
    }),
  ];
}
