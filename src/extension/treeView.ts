// The BuildKit view: every Dockerfile in the workspace with its stages, last results and running builds.
import { Coalesced } from './coalesce';
import * as vscode from 'vscode';
import * as path from 'path';
import type { Ctx } from './context';
import { DOCKERFILE_GLOB, isDockerfileName, isVendored, parseStages, type StageDef } from './dockerfileModel';
import { resultLabel } from './outcome';
import { resultOfStage } from './buildStore';

type Node =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'stage'; uri: vscode.Uri; stage: StageDef; isLast: boolean }
  | { kind: 'running'; uri: vscode.Uri; buildId: string };

export class DockerfileTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private files?: vscode.Uri[];
  private readonly stages = new Map<string, StageDef[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refresher = new Coalesced(100, () => this.changed.fire(undefined));

  constructor(private readonly ctx: Ctx) {
    const reset = () => {
      this.files = undefined;
      this.refresh();
    };
    const changed = (u: vscode.Uri) => {
      this.stages.delete(u.fsPath);
      this.refresh();
    };
    this.watch(reset, changed);
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.stages.delete(d.uri.fsPath)) this.refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch(reset, changed);
        reset();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('files.exclude') && reset()),
      ctx.onDidStartBuild(() => this.refresh()),
      ctx.onDidEndBuild(() => this.refresh()),
      // running builds' step counts, at most twice a second
      ctx.onDidChangeBuild(() => {
        if (this.progressTimer) return;
        this.progressTimer = setTimeout(() => {
          this.progressTimer = undefined;
          if (ctx.running.length) this.refresh();
        }, 500);
      }),
      this.changed,
    );
  }

  private watchers: vscode.Disposable[] = [];
  private progressTimer?: NodeJS.Timeout;

  /**
   * One watcher per workspace folder. It watches everything, not just Dockerfile names: a folder
   * created or deleted with Dockerfiles inside reports only the folder.
   */
  private watch(reset: () => void, changed: (u: vscode.Uri) => void): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const created = async (u: vscode.Uri) => {
      if (isDockerfileName(u.fsPath)) return reset();
      const stat = await vscode.workspace.fs.stat(u).then((s) => s, () => undefined);
      if (stat && stat.type & vscode.FileType.Directory) reset();
    };
    const deleted = (u: vscode.Uri) => {
      const gone = u.fsPath;
      if (isDockerfileName(gone) || this.files?.some((f) => f.fsPath.startsWith(gone + path.sep))) reset();
    };
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'), false, false, false);
      this.watchers.push(
        w,
        w.onDidCreate((u) => void created(u)),
        w.onDidDelete(deleted),
        w.onDidChange((u) => isDockerfileName(u.fsPath) && changed(u)),
      );
    }
  }

  refresh(): void {
    this.refresher.schedule();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      // findFiles applies files.exclude when no exclude is given
      this.files ??= (await vscode.workspace.findFiles(DOCKERFILE_GLOB, undefined, 2000))
        .filter((u) => isDockerfileName(u.fsPath) && !isVendored(u.fsPath))
        .sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b)));
      return this.files.map((uri) => ({ kind: 'file', uri }));
    }
    if (node.kind !== 'file') return [];
    const out: Node[] = this.ctx.running.filter((s) => s.options.dockerfile === node.uri.fsPath).map((s) => ({ kind: 'running', uri: node.uri, buildId: s.id }));
    const stages = await this.stagesOf(node.uri);
    stages.forEach((stage, i) => out.push({ kind: 'stage', uri: node.uri, stage, isLast: i === stages.length - 1 }));
    return out;
  }

  private async stagesOf(uri: vscode.Uri): Promise<StageDef[]> {
    let s = this.stages.get(uri.fsPath);
    if (!s) {
      try {
        s = parseStages(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
      } catch {
        s = [];
      }
      this.stages.set(uri.fsPath, s);
    }
    return s;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'file': {
        const item = new vscode.TreeItem(path.basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.Collapsed);
        item.resourceUri = node.uri;
        item.id = `file:${node.uri.toString()}`;
        const dir = path.dirname(vscode.workspace.asRelativePath(node.uri));
        const running = this.ctx.running.some((s) => s.options.dockerfile === node.uri.fsPath);
        const last = this.ctx.store.latest(node.uri.fsPath);
        item.description = [dir === '.' ? '' : dir, running ? 'building…' : last ? resultLabel(last) : ''].filter(Boolean).join(' · ');
        item.iconPath = running ? new vscode.ThemeIcon('sync~spin') : last ? resultIcon(last.ok, last.canceled) : new vscode.ThemeIcon('file');
        item.contextValue = last ? 'dockerfile.built' : 'dockerfile';
        item.tooltip = node.uri.fsPath;
        item.command = { title: 'Open', command: 'vscode.open', arguments: [node.uri] };
        return item;
      }
      case 'stage': {
        const { stage, isLast } = node;
        const target = isLast ? undefined : stage.name;
        const label = stage.name ?? (isLast ? '(final stage)' : `stage ${stage.index}`);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.id = `stage:${node.uri.toString()}:${stage.index}`;
        const r = resultOfStage(this.ctx.store.results(node.uri.fsPath), target, isLast ? stage.name : undefined);
        item.description = [`FROM ${stage.image}`, r ? resultLabel(r) : ''].filter(Boolean).join(' · ');
        item.iconPath = r ? resultIcon(r.ok, r.canceled) : new vscode.ThemeIcon(isLast ? 'target' : 'layers');
        item.contextValue = isLast || stage.name ? (r ? 'stage.buildable.built' : 'stage.buildable') : 'stage';
        item.command = { title: 'Go to stage', command: 'vscode.open', arguments: [node.uri, { selection: new vscode.Range(stage.fromLine, 0, stage.fromLine, 0) }] };
        return item;
      }
      case 'running': {
        const s = this.ctx.sessions.get(node.buildId);
        const sum = s?.model.summary();
        const item = new vscode.TreeItem(`Building${s?.options.target ? ` ${s.options.target}` : ''}…`, vscode.TreeItemCollapsibleState.None);
        item.id = `running:${node.buildId}`;
        item.description = sum ? `${sum.completed}/${sum.total} steps` : '';
        item.iconPath = new vscode.ThemeIcon('sync~spin');
        item.contextValue = 'runningBuild';
        item.command = { title: 'Show build', command: 'buildkitLens.showBuild', arguments: [node.buildId] };
        return item;
      }
    }
  }

  dispose(): void {
    this.refresher.dispose();
    if (this.progressTimer) clearTimeout(this.progressTimer);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function resultIcon(ok: boolean, canceled: boolean): vscode.ThemeIcon {
  if (ok) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (canceled) return new vscode.ThemeIcon('circle-slash');
  return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
}

/** Tree nodes carry what the build commands need. */
export function nodeTarget(node: unknown): { uri: vscode.Uri; target?: string; buildId?: string } | undefined {
  const n = node as Node | undefined;
  if (!n || typeof n !== 'object' || !('kind' in n)) return undefined;
  if (n.kind === 'stage') return { uri: n.uri, target: n.isLast ? undefined : n.stage.name };
  if (n.kind === 'running') return { uri: n.uri, buildId: n.buildId };
  return { uri: n.uri };
}
