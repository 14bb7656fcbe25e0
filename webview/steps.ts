// The step list: one row per step, grouped by stage, updated in place so open logs survive updates.
import type { Step } from './protocol';
import { clear, h, icon, setText } from './dom';
import { formatDuration, groupByStage, liveDuration, stepProgress, type PanelState } from './state';
import { LogView, type LogViewHost } from './logView';

export const STATE_ICONS: Record<Step['state'], { icon: string; label: string }> = {
  queued: { icon: 'circle-large-outline', label: 'Queued' },
  running: { icon: 'loading', label: 'Running' },
  done: { icon: 'pass', label: 'Done' },
  cached: { icon: 'database', label: 'Cached' },
  error: { icon: 'error', label: 'Failed' },
  canceled: { icon: 'circle-slash', label: 'Canceled' },
};

interface Row {
  el: HTMLElement;
  head: HTMLElement;
  stateIcon: HTMLElement;
  /** the state in words, for screen readers (the icon is hidden from them) */
  stateText: HTMLElement;
  number: HTMLElement;
  name: HTMLElement;
  progress: HTMLElement;
  bar: HTMLElement;
  badges: HTMLElement;
  duration: HTMLElement;
  error: HTMLElement;
  log?: LogView;
}

export interface StepListHost extends LogViewHost {
  expand(digest: string): void;
  collapse(digest: string): void;
}

export class StepList {
  readonly element = h('div', { class: 'step-list', role: 'group', 'aria-label': 'Steps' });
  private rows = new Map<string, Row>();
  private nextRowId = 0;
  private groupKeys = '';

  constructor(private readonly state: PanelState, private readonly host: StepListHost) {}

  /** Full relayout; rows are reused, so open logs keep their terminals. */
  render(now: number): void {
    const groups = groupByStage(this.state.steps.values());
    const keys = groups.map((g) => g.key + ':' + g.steps.map((s) => s.digest).join(',')).join('|');
    for (const s of this.state.steps.values()) this.updateRow(s, now);
    if (keys === this.groupKeys) return;
    this.groupKeys = keys;
    // rows are moved into new groups: the focused one gets the focus back
    const focused = this.element.contains(document.activeElement) ? (document.activeElement as HTMLElement) : undefined;
    clear(this.element);
    for (const g of groups) {
      const done = g.steps.filter((s) => s.state === 'done' || s.state === 'cached').length;
      const section = h(
        'section',
        { class: 'stage-group', 'data-stage': g.key },
        h('h3', { class: 'stage-title' }, icon('layers'), h('span', {}, g.label), h('span', { class: 'stage-count' }, `${done}/${g.steps.length}`)),
      );
      for (const s of g.steps) section.appendChild(this.rows.get(s.digest)!.el);
      this.element.appendChild(section);
    }
    for (const [d, r] of this.rows) if (!this.state.steps.has(d)) (r.log?.dispose(), r.el.remove(), this.rows.delete(d));
    for (const r of this.rows.values()) r.log?.layout(true);
    if (focused?.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  update(digests: string[], now: number): void {
    let structural = false;
    for (const d of digests) {
      const s = this.state.steps.get(d);
      if (!s) continue;
      if (!this.rows.has(d)) structural = true;
      this.updateRow(s, now);
    }
    if (structural) this.render(now);
    else this.refreshCounts();
  }

  tick(now: number): void {
    for (const s of this.state.steps.values()) if (s.state === 'running') this.updateRow(s, now);
  }

  log(digest: string, text: string, reset: boolean): void {
    const row = this.rows.get(digest);
    if (!row?.log) return;
    if (reset) row.log.reset(text);
    else row.log.append(text);
  }

  unavailable(digest: string): void {
    this.rows.get(digest)?.log?.showUnavailable();
  }

  relayoutLogs(): void {
    for (const r of this.rows.values()) r.log?.layout(true);
  }

  /** Drops every log view, leaving the steps marked expanded (for open() to reopen). */
  closeLogs(): void {
    for (const row of this.rows.values()) {
      row.log?.dispose();
      row.log = undefined;
    }
  }

  /** Opens a step's log (e.g. restored after reload, or the failing step). */
  open(digest: string): void {
    const row = this.rows.get(digest);
    if (!row || row.log) return;
    this.toggle(digest);
  }

  private refreshCounts(): void {
    for (const section of Array.from(this.element.querySelectorAll<HTMLElement>('section.stage-group'))) {
      const rows = Array.from(section.querySelectorAll<HTMLElement>('.step'));
      const done = rows.filter((r) => r.dataset.state === 'done' || r.dataset.state === 'cached').length;
      const count = section.querySelector('.stage-count');
      if (count) setText(count, `${done}/${rows.length}`);
    }
  }

  private toggle(digest: string): void {
    const row = this.rows.get(digest);
    if (!row) return;
    if (row.log) {
      row.log.dispose();
      row.log = undefined;
      this.state.expanded.delete(digest);
      row.el.classList.remove('expanded');
      row.head.setAttribute('aria-expanded', 'false');
      this.host.collapse(digest);
      return;
    }
    row.log = new LogView(this.host, digest);
    row.el.appendChild(row.log.element);
    row.log.mount();
    this.state.expanded.add(digest);
    row.el.classList.add('expanded');
    row.head.setAttribute('aria-expanded', 'true');
    this.host.expand(digest);
  }

  private updateRow(s: Step, now: number): void {
    let row = this.rows.get(s.digest);
    if (!row) row = this.createRow(s);
    const st = STATE_ICONS[s.state];
    row.el.dataset.state = s.state;
    row.stateIcon.className = `codicon codicon-${st.icon} state-icon state-${s.state}${s.state === 'running' ? ' codicon-modifier-spin' : ''}`;
    row.stateIcon.title = st.label;
    setText(row.stateText, `${st.label}, `);
    setText(row.number, s.number ? `#${s.number}` : '');
    setText(row.name, s.name);
    row.name.title = s.name;
    const p = stepProgress(s);
    setText(row.progress, p?.label ?? '');
    row.bar.style.width = p?.fraction !== undefined && s.state === 'running' ? `${(p.fraction * 100).toFixed(1)}%` : '0';
    clear(row.badges);
    if (s.cached) row.badges.appendChild(h('span', { class: 'badge cached' }, 'CACHED'));
    if (s.warnings) row.badges.appendChild(h('span', { class: 'badge warning' }, `${s.warnings} warning${s.warnings > 1 ? 's' : ''}`));
    const showTime = s.state !== 'queued' && !(s.cached && s.durationMs === 0);
    setText(row.duration, showTime ? formatDuration(liveDuration(this.state, s, now)) : '');
    setText(row.error, s.error ?? '');
    row.error.hidden = !s.error;
  }

  private createRow(s: Step): Row {
    const stateIcon = icon('circle-large-outline', 'state-icon');
    const stateText = h('span', { class: 'sr-only' });
    const errorId = `step-error-${this.nextRowId++}`;
    const chevron = icon('chevron-right', 'chevron');
    const number = h('span', { class: 'step-number' });
    const name = h('span', { class: 'step-name' });
    const progress = h('span', { class: 'step-progress' });
    const badges = h('span', { class: 'step-badges' });
    const duration = h('span', { class: 'step-duration' });
    const bar = h('div', { class: 'step-bar' });
    const head = h(
      'div',
      // a button that opens the step's log; its name starts with the state ("Failed, #5 RUN make 2.1s")
      { class: 'step-head', role: 'button', tabindex: 0, 'aria-expanded': 'false', 'aria-describedby': errorId },
      chevron,
      stateIcon,
      stateText,
      number,
      name,
      progress,
      badges,
      duration,
      bar,
    );
    const error = h('div', { class: 'step-error', hidden: true, id: errorId });
    const el = h('div', { class: 'step', 'data-digest': s.digest }, head, error);
    head.addEventListener('click', () => this.toggle(s.digest));
    head.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.toggle(s.digest);
      }
    });
    const row: Row = { el, head, stateIcon, stateText, number, name, progress, bar, badges, duration, error };
    this.rows.set(s.digest, row);
    return row;
  }
}
