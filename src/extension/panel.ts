// Build panels: one webview per running build, fed by an UpdateBatcher while the build runs, and restored
// from the build record after a window reload (WebviewPanelSerializer). Like VS Code's preview editors, a new
// build takes over a panel whose build has finished (buildkitLens.panel.reuse): a webview that is already
// loaded paints the first step at once, where a new one takes from half a second to over a second.
import * as vscode from 'vscode';
import * as path from 'path';
import { isDockerfileName } from './dockerfileModel';
import type { HostMessage, PersistedState, Snapshot, WebviewMessage } from '../../webview/protocol';
import type { BuildRecord } from './buildRecords';
import type { BuildSession } from './buildSession';
import type { Ctx } from './context';
import { readConfig } from './config';
import { panelHtml, panelOptions } from './panelHtml';
import { capLog, UpdateBatcher } from './updateBatcher';
import { logDocumentUri, refreshLogDocument } from './logDocument';

export const PANEL_VIEW_TYPE = 'buildkitLens.buildPanel';

/** How long a new panel waits for its build's first steps before its page is set without them. */
const FIRST_PAGE_WAIT_MS = 150;

export interface PanelActions {
  /** rebuild what this panel shows; returns the new session */
  rebuild(session: BuildSession | undefined, record: BuildRecord | undefined): Promise<BuildSession | undefined>;
}

class BuildPanel {
  session?: BuildSession;
  record?: BuildRecord;
  /** when this panel last got a build to show (the most recent finished panel is the one reused) */
  usedAt = 0;
  private batcher?: UpdateBatcher;
  private unsubscribe: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** the page is set: messages go to it (before, its state goes into the page itself) */
  private shown = false;
  /** the page was set with the state to draw, and has not said 'ready' since */
  private pageCarriesState = false;
  private rebuilding = false;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: Ctx,
    private readonly actions: PanelActions,
    private readonly onDispose: (p: BuildPanel) => void,
    private readonly onShow: () => void,
  ) {
    panel.iconPath = vscode.Uri.joinPath(ctx.ext.extensionUri, 'media', 'buildkit.svg');
    this.disposables.push(
      // e.g. Go to line in a Dockerfile deleted since: say so rather than fail in silence
      panel.webview.onDidReceiveMessage((m: WebviewMessage) => this.receive(m).catch((e) => void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e)))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get buildId(): string | undefined {
    return this.session?.id ?? this.record?.snapshot.build.id;
  }

  get dockerfile(): string | undefined {
    return this.session?.options.dockerfile ?? this.record?.snapshot.build.dockerfile;
  }

  get target(): string | undefined {
    return this.session?.options.target ?? this.record?.snapshot.build.target;
  }

  get live(): boolean {
    return !!this.session?.running;
  }

  attach(session: BuildSession): void {
    this.detach();
    this.session = session;
    this.record = undefined;
    this.usedAt = Date.now();
    this.panel.title = titleOf(session.request.label, session.options.target, '');
    const batcher = new UpdateBatcher({ step: (d) => session.model.step(d), summary: (n) => session.model.summary(n), info: () => session.info() }, (m) => this.post(m));
    this.batcher = batcher;
    this.unsubscribe.push(session.onDelta((d) => batcher.add(d)));
    // the snapshot first: onEnd calls back at once for a session that has ended, and its "end"
    // must not land on the previous build's page
    if (this.shown) this.post({ type: 'snapshot', snapshot: session.snapshot() });
    else this.showWhenStepsArrive(session);
    this.unsubscribe.push(
      session.onEnd(() => {
        batcher.flush();
        const now = Date.now();
        this.post({ type: 'end', outcome: session.outcome!, summary: session.model.summary(now), now });
        this.panel.title = titleOf(session.request.label, session.options.target, outcomeMark(session.outcome));
      }),
    );
    this.onShow();
  }

  /**
   * A new webview's page is ready only some 100-300 ms after the panel is created, and messages
   * reach it only after its load event. So the page is set once the first steps are known (or at
   * FIRST_PAGE_WAIT_MS, or at the end) with the build's state inside it: the steps are drawn as
   * the page is, not by a message after it loaded.
   */
  private showWhenStepsArrive(session: BuildSession): void {
    // a build already under way (Show Build on a running build): its page is ready to set now
    const current = session.snapshot();
    if (current.steps.length || current.outcome) return this.showPage({ type: 'snapshot', snapshot: current });
    const cancel = () => {
      clearTimeout(timer);
      stop();
      stopEnd();
    };
    const show = () => {
      cancel();
      if (this.shown || this.session !== session) return;
      this.batcher?.flush(); // dropped: the page carries what it held
      this.showPage({ type: 'snapshot', snapshot: session.snapshot() });
    };
    const timer = setTimeout(show, FIRST_PAGE_WAIT_MS);
    const stop = session.onDelta((d) => {
      if (d.steps.length) show();
    });
    const stopEnd = session.onEnd(show);
    this.unsubscribe.push(cancel);
  }

  /** Sets the page (once), with the state to draw at once if there is one. */
  showPage(initial?: HostMessage): void {
    if (this.shown) return;
    this.shown = true;
    this.pageCarriesState = !!initial;
    this.panel.webview.html = panelHtml(this.panel.webview, this.ctx.ext.extensionUri, initial);
  }

  showRecord(record: BuildRecord): void {
    this.detach();
    this.record = record;
    this.usedAt = Date.now();
    this.panel.title = recordTitle(record);
    if (this.shown) this.post({ type: 'snapshot', snapshot: record.snapshot });
    else this.showPage({ type: 'snapshot', snapshot: record.snapshot });
    this.onShow();
  }

  private detach(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.batcher?.dispose();
    this.batcher = undefined;
  }

  private post(m: HostMessage): void {
    if (this.shown) void this.panel.webview.postMessage(m);
  }

  private async receive(m: WebviewMessage): Promise<void> {
    switch (m?.type) {
      case 'ready': {
        // A new page drew the state it carried; what changed since came as the messages after it.
        const covered = this.pageCarriesState && m.drewPageState === true;
        this.pageCarriesState = false;
        if (covered) return;
        if (this.session) {
          // a webview reload inside a live window: start over from the current state
          this.batcher?.flush();
          this.post({ type: 'snapshot', snapshot: this.session.snapshot() });
        } else if (this.record) this.post({ type: 'snapshot', snapshot: this.record.snapshot });
        return;
      }
      case 'expand':
        return this.sendLog(m.digest);
      case 'collapse':
        this.batcher?.unsubscribe(m.digest);
        return;
      case 'cancel':
        // a Cancel clicked as the build ended, arriving after the panel took another build, is not for that one
        if (m.buildId === undefined || m.buildId === this.session?.id) this.session?.cancel();
        return;
      case 'rebuild': {
        // one build per click: a second click lands before the page has hidden the button
        if (this.rebuilding || this.session?.running) return;
        this.rebuilding = true;
        try {
          const next = await this.actions.rebuild(this.session, this.record);
          // closed while the rebuild started (a save, a question, the engine): the build goes on without
          // a panel, as any build whose panel was closed, and says how it ended in a notification
          if (next && !this.disposed) this.attach(next);
        } finally {
          this.rebuilding = false;
        }
        return;
      }
      case 'openLocation':
        return this.openLocation(m.file, m.line);
      case 'copy':
        if (typeof m.text === 'string') await vscode.env.clipboard.writeText(m.text);
        return;
      case 'openLog':
        return this.openLog(m.digest);
    }
  }

  /** A pruned session's logs are disposed: read from its saved record from then on. */
  private settlePruned(): void {
    if (!this.session || this.ctx.sessions.has(this.session.id)) return;
    this.record = this.ctx.records.load(this.session.id);
    this.detach();
    this.session = undefined;
  }

  private sendLog(digest: string): void {
    if (typeof digest !== 'string') return;
    this.settlePruned();
    if (this.session) {
      // Queued chunks are part of what read() returns now; sending both would repeat them.
      this.batcher?.flush();
      this.batcher?.subscribe(digest);
      this.post({ type: 'log', digest, text: capLog(this.session.model.logs.read(digest)) });
      return;
    }
    const text = this.record?.logs[digest];
    if (text === undefined) this.post(this.record?.snapshot.steps.some((s) => s.digest === digest && s.logBytes > 0) ? { type: 'logUnavailable', digest } : { type: 'log', digest, text: '' });
    else this.post({ type: 'log', digest, text: (this.record!.truncated.includes(digest) ? '\x1b[2m(earlier output not kept)\x1b[0m\n' : '') + text });
  }

  /** The step's whole log in a read-only editor (logDocument.ts). */
  private async openLog(digest: string): Promise<void> {
    if (typeof digest !== 'string') return;
    const snapshot = this.session?.snapshot() ?? this.record?.snapshot;
    if (!snapshot) return;
    const step = snapshot.steps.find((s) => s.digest === digest);
    const uri = logDocumentUri(snapshot.build.id, digest, step?.number, path.basename(snapshot.build.dockerfileLabel));
    refreshLogDocument(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    // the built-in Log language colours levels and timestamps; without it the text shows plain
    doc = await vscode.languages.setTextDocumentLanguage(doc, 'log').then((d) => d, () => doc);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  private async openLocation(file: string, line: number): Promise<void> {
    const df = this.dockerfile;
    if (!df || typeof file !== 'string' || !Number.isFinite(line)) return;
    // Only the build's own files: the Dockerfile, or a path inside the build context.
    const ctxDir = this.session?.options.contextDir ?? this.record?.snapshot.build.contextDir ?? path.dirname(df);
    let target = df;
    if (file !== df && path.basename(file) !== path.basename(df)) {
      const resolved = path.resolve(ctxDir, file);
      if (!resolved.startsWith(ctxDir + path.sep)) return;
      target = resolved;
    }
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(target), { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
    for (const d of this.disposables) d.dispose();
    this.onDispose(this);
  }
}

function titleOf(label: string, target: string | undefined, mark: string): string {
  return `${mark ? mark + ' ' : ''}Build: ${path.basename(label)}${target ? ` › ${target}` : ''}`;
}

function recordTitle(record: BuildRecord): string {
  const { build: b, outcome: o } = record.snapshot;
  return titleOf(b.dockerfileLabel, b.target, outcomeMark(o));
}

function outcomeMark(o: { ok: boolean; canceled?: boolean } | undefined): string {
  return !o ? '' : o.ok ? '✓' : o.canceled ? '⊘' : '✗';
}

export class BuildPanels implements vscode.WebviewPanelSerializer<PersistedState>, vscode.Disposable {
  private readonly panels = new Set<BuildPanel>();
  private disposing = false;

  constructor(private readonly ctx: Ctx, private readonly actions: PanelActions) {}

  /** Shows a build: its existing panel, or a finished panel it may take over, or a new one. */
  show(session: BuildSession, preserveFocus = false): void {
    const p = this.shownIn(session.id) ?? this.reusable(session.options.dockerfile, session.options.target);
    if (!p) return this.open(titleOf(session.request.label, session.options.target, ''), preserveFocus).attach(session);
    if (p.session !== session) p.attach(session);
    p.panel.reveal(undefined, preserveFocus);
  }

  showRecord(record: BuildRecord): void {
    const b = record.snapshot.build;
    let p = this.shownIn(b.id);
    if (!p) {
      p = this.reusable(b.dockerfile, b.target);
      if (!p) return this.open(recordTitle(record), false).showRecord(record);
      p.showRecord(record);
    }
    p.panel.reveal();
  }

  private shownIn(buildId: string): BuildPanel | undefined {
    return [...this.panels].find((x) => x.buildId === buildId);
  }

  /** A panel whose build has finished that the reuse setting lets this build take: the same Dockerfile and target first, then the most recently used. */
  private reusable(dockerfile: string, target: string | undefined): BuildPanel | undefined {
    const reuse = readConfig(vscode.Uri.file(dockerfile)).panelReuse;
    if (reuse === 'never') return undefined;
    const finished = [...this.panels].filter((x) => !x.live).sort((a, b) => b.usedAt - a.usedAt);
    return finished.find((x) => x.dockerfile === dockerfile && x.target === target) ?? (reuse === 'finished' ? finished[0] : undefined);
  }

  /** Whether some panel of this build is visible to the user. */
  isVisible(session: BuildSession): boolean {
    return [...this.panels].some((p) => p.session === session && p.panel.visible);
  }

  isShown(session: BuildSession): boolean {
    return [...this.panels].some((p) => p.session === session);
  }

  /** A new panel, opened shown and titled: a reveal or a title right after would be two more workbench updates. */
  private open(title: string, preserveFocus: boolean): BuildPanel {
    // Builds share one editor group beside the code rather than splitting the window further each time.
    const column = [...this.panels].map((p) => p.panel.viewColumn).find((c) => c !== undefined) ?? vscode.ViewColumn.Beside;
    return this.adopt(vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, { viewColumn: column, preserveFocus }, panelOptions(this.ctx.ext.extensionUri)));
  }

  private adopt(panel: vscode.WebviewPanel): BuildPanel {
    const p = new BuildPanel(
      panel,
      this.ctx,
      this.actions,
      (x) => {
        this.panels.delete(x);
        this.rememberOpen();
      },
      () => this.rememberOpen(),
    );
    this.panels.add(p);
    return p;
  }

  private rememberOpen(): void {
    // closing the window disposes every panel: they are still the ones to restore
    if (this.disposing) return;
    const ids = [...this.panels].map((p) => p.buildId).filter((id): id is string => !!id);
    void this.ctx.store.setOpenPanels(ids);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PersistedState | undefined): Promise<void> {
    panel.webview.options = panelOptions(this.ctx.ext.extensionUri);
    // The web workbench can lose a webview's state on reload; then take a remembered build not yet shown.
    const shown = new Set([...this.panels].map((p) => p.buildId));
    const id = state?.snapshot?.build?.id ?? this.ctx.store.openPanels().find((x) => !shown.has(x));
    const p = this.adopt(panel);
    // the restored webview draws its own saved state at once; the host's follows as messages
    p.showPage();
    const live = id ? this.ctx.sessions.get(id) : undefined;
    if (live) return p.attach(live);
    let record = id ? this.ctx.records.load(id) : undefined;
    if (!record && state?.snapshot) record = { snapshot: pageOnly(state.snapshot), logs: {}, truncated: [] };
    if (record && !record.snapshot.outcome) {
      // The build ran in the extension host that the reload ended.
      const durationMs = record.snapshot.summary.durationMs;
      record.snapshot = { ...record.snapshot, outcome: { ok: false, canceled: true, durationMs, error: { message: 'build interrupted by a window reload', code: 1, sources: [] } } };
    }
    // Without a record the webview still draws its own saved state; logs are then unavailable.
    if (record) return p.showRecord(record);
    // nothing to show at all (no saved state, no record kept): a page waiting for a build that will
    // never start is no use, so the restored panel is closed
    panel.dispose();
  }

  dispose(): void {
    this.disposing = true;
    for (const p of [...this.panels]) p.panel.dispose();
  }
}

/**
 * A snapshot known only from the page's own saved state is for showing: the page is the least
 * trusted code here, so it may not name what Rebuild builds or Go to line opens, except a
 * Dockerfile of an open workspace folder (and a context inside one).
 */
function pageOnly(snapshot: Snapshot): Snapshot {
  const b = snapshot.build;
  const inWorkspace = (p: unknown) => typeof p === 'string' && path.isAbsolute(p) && !!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(p));
  const dockerfile = inWorkspace(b?.dockerfile) && isDockerfileName(b.dockerfile) ? b.dockerfile : '';
  const contextDir = dockerfile && inWorkspace(b.contextDir) ? b.contextDir : dockerfile ? path.dirname(dockerfile) : '';
  return { ...snapshot, build: { ...b, dockerfile, contextDir } };
}
