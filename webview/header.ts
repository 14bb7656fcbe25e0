// The panel's header (title, summary, actions), the failure box and the warnings list.
import { button, clear, h, icon, setText } from './dom';
import { cacheLabel, formatDuration, isLive, liveTotal, type PanelState } from './state';
import type { PanelView } from './protocol';

export interface HeaderHost {
  cancel(): void;
  rebuild(): void;
  openLocation(file: string, line: number): void;
  switchView(view: PanelView): void;
  openStep(digest: string): void;
}

export class Header {
  readonly element: HTMLElement;
  private readonly title = h('h2', { class: 'build-title' });
  private readonly statusIcon = icon('loading', 'build-status');
  private readonly summary = h('div', { class: 'build-summary' });
  private readonly image = h('div', { class: 'build-image' });
  private readonly cancelBtn: HTMLElement;
  private readonly rebuildBtn: HTMLElement;
  private readonly tabs: Record<PanelView, HTMLElement>;
  readonly failure = h('div', { class: 'build-failure', hidden: true, role: 'alert' });
  readonly warnings = h('div', { class: 'build-warnings', hidden: true });

  constructor(private readonly state: PanelState, private readonly host: HeaderHost) {
    this.cancelBtn = button('Cancel', 'debug-stop', { secondary: true, id: 'cancel', title: 'Cancel this build' });
    this.rebuildBtn = button('Rebuild', 'refresh', { id: 'rebuild', title: 'Run this build again' });
    // nothing to cancel or rebuild until the host says which build this is
    this.cancelBtn.hidden = true;
    this.rebuildBtn.hidden = true;
    this.cancelBtn.addEventListener('click', () => this.host.cancel());
    this.rebuildBtn.addEventListener('click', () => this.host.rebuild());
    const tab = (view: PanelView, label: string, codicon: string) => {
      const b = h('button', { class: 'view-tab', role: 'tab', 'data-view': view }, icon(codicon), h('span', {}, label));
      b.addEventListener('click', () => this.host.switchView(view));
      return b;
    };
    this.tabs = { steps: tab('steps', 'Steps', 'list-tree'), timeline: tab('timeline', 'Timeline', 'graph-line'), graph: tab('graph', 'Graph', 'type-hierarchy') };
    this.element = h(
      'header',
      { class: 'build-header' },
      h('div', { class: 'build-title-row' }, this.statusIcon, this.title, h('span', { class: 'spacer' }), this.cancelBtn, this.rebuildBtn),
      this.summary,
      this.image,
      h('nav', { class: 'view-tabs', role: 'tablist' }, this.tabs.steps, this.tabs.timeline, this.tabs.graph),
    );
  }

  render(now: number): void {
    const { build, summary, outcome } = this.state;
    if (!build) return;
    setText(this.title, build.dockerfileLabel + (build.target ? ` › ${build.target}` : ''));
    this.title.title = build.dockerfile;
    const live = isLive(this.state);
    const status = !outcome ? 'running' : outcome.ok ? 'ok' : outcome.canceled ? 'canceled' : 'failed';
    const ic = { running: 'loading', ok: 'pass-filled', canceled: 'circle-slash', failed: 'error' }[status];
    this.statusIcon.className = `codicon codicon-${ic} build-status status-${status}${live ? ' codicon-modifier-spin' : ''}`;
    this.statusIcon.title = { running: 'Building', ok: 'Build succeeded', canceled: 'Build canceled', failed: 'Build failed' }[status];
    document.body.dataset.status = status;
    const parts = [
      `${summary.completed}/${summary.total} steps`,
      cacheLabel(summary),
      formatDuration(liveTotal(this.state, now)),
    ];
    if (summary.running) parts.splice(1, 0, `${summary.running} running`);
    if (summary.errors) parts.push(`${summary.errors} failed`);
    if (summary.canceled) parts.push(`${summary.canceled} canceled`);
    if (this.state.warnings.length) parts.push(`${this.state.warnings.length} warning${this.state.warnings.length > 1 ? 's' : ''}`);
    setText(this.summary, parts.join(' · '));
    // a result written into a folder is no image: no tags, no id, but where it went
    const img = [build.outputDir ? `→ ${build.outputDir}` : build.tags.length ? build.tags.join(', ') : '(untagged)'];
    if (outcome?.imageId) img.push(outcome.imageId.replace(/^sha256:/, 'sha256:').slice(0, 19));
    if (build.platforms.length) img.push(build.platforms.join(', '));
    if (build.engine) img.push(build.engine);
    setText(this.image, img.join(' · '));
    this.cancelBtn.hidden = !live;
    // an engine build followed by its ref has no Dockerfile here to build again
    this.rebuildBtn.hidden = live || !build.dockerfile;
    for (const [v, el] of Object.entries(this.tabs)) el.setAttribute('aria-selected', String(v === this.state.view));
  }

  tick(now: number): void {
    if (isLive(this.state)) this.render(now);
  }

  renderFailure(): void {
    const o = this.state.outcome;
    clear(this.failure);
    if (!o || o.ok || (o.canceled && !o.error)) {
      this.failure.hidden = true;
      return;
    }
    this.failure.hidden = false;
    this.failure.classList.toggle('canceled', !!o.canceled);
    const err = o.error;
    this.failure.appendChild(h('div', { class: 'failure-message' }, icon(o.canceled ? 'circle-slash' : 'error'), h('span', {}, err?.message ?? (o.canceled ? 'Build canceled' : 'Build failed'))));
    const ex = o.excerpt;
    if (ex) {
      const pre = h('div', { class: 'excerpt', role: 'group', 'aria-label': 'Dockerfile excerpt' });
      ex.lines.forEach((text, i) => {
        const n = ex.startLine + i;
        const bad = ex.errorLines.includes(n);
        pre.appendChild(h('div', { class: bad ? 'excerpt-line error-line' : 'excerpt-line' }, h('span', { class: 'line-no' }, String(n)), h('span', { class: 'line-text' }, text)));
      });
      this.failure.appendChild(pre);
      // a build followed from the engine (started elsewhere) has no Dockerfile here to open
      if (this.state.build?.dockerfile) {
        const line = ex.errorLines[0] ?? ex.startLine;
        const go = button(`Go to line ${line}`, 'go-to-file', { secondary: true, class: 'goto-line' });
        go.addEventListener('click', () => this.host.openLocation(ex.file, line));
        this.failure.appendChild(go);
      }
    }
    if (err?.vertex && this.state.steps.has(err.vertex)) {
      const show = button('Show step log', 'output', { secondary: true });
      show.addEventListener('click', () => this.host.openStep(err.vertex!));
      this.failure.appendChild(show);
    }
  }

  renderWarnings(): void {
    const ws = this.state.warnings;
    clear(this.warnings);
    this.warnings.hidden = ws.length === 0;
    if (!ws.length) return;
    const list = h('ul', { class: 'warning-list' });
    for (const w of ws) {
      const item = h('li', { class: 'warning' }, icon('warning'), h('span', { class: 'warning-short' }, w.short));
      for (const d of w.detail) if (d) item.appendChild(h('div', { class: 'warning-detail' }, d));
      const r = w.source?.ranges[0];
      if (w.source && r) {
        const file = w.source.filename;
        const where = `${file}:${r.startLine}`;
        // only a Dockerfile of ours opens (a followed engine build names none)
        if (this.state.build?.dockerfile) {
          const link = h('button', { class: 'link-button' }, where);
          link.addEventListener('click', () => this.host.openLocation(file, r.startLine));
          item.appendChild(link);
        } else item.appendChild(h('span', { class: 'warning-where' }, where));
      }
      list.appendChild(item);
    }
    this.warnings.appendChild(h('details', { open: true }, h('summary', {}, `Warnings (${ws.length})`), list));
  }
}
