// The "Engine Builds" view: the engine's build history, live (builds started from a terminal with
// buildx show up too). Clicking one attaches the build panel to it.
import { Coalesced } from './coalesce';
import * as vscode from 'vscode';
import type { HistoryRecord } from '../buildkit/history';
import type { Engine } from '../engine/connect';
import { readConfig, SECTION } from './config';
import { engineCore, type Ctx } from './context';

const SHOWN = 50;

type BuildNode = { kind: 'build'; record: HistoryRecord };
type Node = BuildNode | { kind: 'message'; text: string; detail?: string };

export function describeRecord(r: HistoryRecord, now = Date.now()): string {
  const took = r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)}s` : r.createdAt ? `${((now - r.createdAt) / 1000).toFixed(0)}s…` : '';
  const when = r.createdAt ? new Date(r.createdAt).toLocaleTimeString() : '';
  return [r.state, took, `${r.cachedSteps}/${r.totalSteps} cached`, r.frontend ? '' : 'buildx', when].filter(Boolean).join(' · ');
}

export class HistoryTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly records = new Map<string, HistoryRecord>();
  private engine?: Engine;
  private watch?: { close(): void };
  private error?: string;
  private starting?: Promise<void>;
  /** which start() the state belongs to */
  private generation = 0;
  private readonly refresher = new Coalesced(150, () => this.flush());
  /** the rows last listed, by ref, as the same objects: a changed build redraws only its own row */
  private nodes = new Map<string, BuildNode>();
  private readonly changedRefs = new Set<string>();
  private wholeList = false;
  /** an engine that went away (a restart) is asked again, less often each time it does not answer */
  private retryTimer?: NodeJS.Timeout;
  private retryMs = 0;

  private readonly disposables: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    // A new engine (setting, status-bar picker) or newly granted trust: list that engine's builds.
    const again = () => this.starting && void this.restart();
    this.disposables = [
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SECTION}.engine.host`) && again()),
      vscode.workspace.onDidGrantWorkspaceTrust(again),
    ];
  }

  /** Newest first, as listed. */
  get builds(): HistoryRecord[] {
    return [...this.records.values()].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  }

  /** Our own builds carry the Dockerfile they built; the engine only knows their ref. */
  labelOf(r: HistoryRecord): string {
    const mine = [...this.ctx.sessions.values()].find((s) => s.result?.ref === r.ref);
    if (mine) return `${mine.request.label}${mine.options.target ? ` › ${mine.options.target}` : ''}`;
    return `${r.frontendAttrs.filename ?? 'build'}${r.target ? ` › ${r.target}` : ''} (${r.ref.slice(0, 8)})`;
  }

  async restart(): Promise<void> {
    this.stop();
    this.records.clear();
    this.error = undefined;
    await this.start();
    this.changed.fire(undefined);
  }

  private start(): Promise<void> {
    this.starting ??= this.connect(++this.generation);
    return this.starting;
  }

  /** A start that a newer one has replaced (the engine changed while it connected) closes what it opened and says nothing. */
  private async connect(generation: number): Promise<void> {
    const current = () => generation === this.generation;
    if (!vscode.workspace.isTrusted) {
      this.error = 'Trust this workspace to list the engine\'s builds.';
      return;
    }
    try {
      const core = engineCore();
      const host = readConfig().engineHost;
      const engine = await core.connectEngine(host ? { host } : {});
      if (!current()) return void engine.close().catch(() => undefined);
      this.engine = engine;
      const watch = await core.watchHistory(
        engine,
        (type, record) => {
          if (!current()) return;
          this.retryMs = 0;
          if (type === 'DELETED') this.records.delete(record.ref);
          else this.records.set(record.ref, record);
          this.changedRefs.add(record.ref);
          this.refresh();
        },
        (err) => {
          if (!current()) return;
          this.error = err.message;
          this.wholeList = true;
          this.refresh();
          this.retryLater(generation, err);
        },
      );
      // stop() has closed the engine already
      if (!current()) return void watch.close();
      this.watch = watch;
    } catch (e) {
      if (!current()) return;
      this.error = (e as Error).message;
      this.retryLater(generation, e as Error);
    }
  }

  private retryLater(generation: number, err: Error): void {
    // an engine without build history will not grow one
    if (this.retryTimer || generation !== this.generation || err.name === 'HistoryUnsupportedError') return;
    this.retryMs = Math.min(60_000, this.retryMs ? this.retryMs * 2 : 2_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (generation === this.generation) void this.restart();
    }, this.retryMs);
  }

  private stop(): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.watch?.close();
    this.watch = undefined;
    void this.engine?.close().catch(() => undefined);
    this.engine = undefined;
    this.starting = undefined;
  }

  private refresh(): void {
    this.refresher.schedule();
  }

  /**
   * Redraws what changed. Redrawing the whole list re-issues every row's click command, and a click
   * landing in between runs a command gone ("Actual command not found"): on a busy engine the rows
   * would take clicks only now and then. So the list is redrawn only when its rows change (a new
   * build, one gone); a build that moved on redraws its own row.
   */
  private flush(): void {
    const top = this.error ? [] : this.builds.slice(0, SHOWN).map((r) => r.ref);
    const shown = [...this.nodes.keys()];
    const same = !this.wholeList && top.length === shown.length && top.every((ref, i) => ref === shown[i]);
    this.wholeList = false;
    const refs = [...this.changedRefs];
    this.changedRefs.clear();
    if (!same) return this.changed.fire(undefined);
    const rows: BuildNode[] = [];
    for (const ref of refs) {
      const node = this.nodes.get(ref);
      const record = this.records.get(ref);
      if (node && record) {
        node.record = record;
        rows.push(node);
      }
    }
    if (rows.length) this.changed.fire(rows);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node) return [];
    await this.start();
    const builds = this.error ? [] : this.builds.slice(0, SHOWN);
    const nodes = new Map<string, BuildNode>();
    for (const record of builds) {
      const node = this.nodes.get(record.ref) ?? { kind: 'build', record };
      node.record = record;
      nodes.set(record.ref, node);
    }
    this.nodes = nodes;
    if (this.error) return [{ kind: 'message', text: this.error }];
    if (!builds.length) return [{ kind: 'message', text: 'No builds in the engine\'s history yet.' }];
    return [...nodes.values()];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('info');
      item.tooltip = node.text;
      return item;
    }
    const r = node.record;
    const item = new vscode.TreeItem(this.labelOf(r));
    item.id = `engine-build:${r.ref}`;
    item.description = describeRecord(r);
    item.iconPath = stateIcon(r.state);
    item.contextValue = r.state === 'running' ? 'engineBuild.running' : 'engineBuild';
    const args = Object.entries(r.buildArgs).map(([k, v]) => `${k}=${v}`).join(' ');
    item.tooltip = [`ref ${r.ref}`, `frontend ${r.frontend || '(client-side: buildx)'}`, args && `args ${args}`, r.images.length ? `image ${r.images.join(', ')}` : '', r.error ?? ''].filter(Boolean).join('\n');
    item.command = { title: 'Show build', command: 'buildkitLens.attachBuild', arguments: [r.ref] };
    return item;
  }

  dispose(): void {
    this.refresher.dispose();
    this.stop();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

function stateIcon(state: HistoryRecord['state']): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'canceled':
      return new vscode.ThemeIcon('circle-slash');
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}
