// The build panel: folds host messages into PanelState and keeps the DOM in step with it.
import type { HostMessage, PanelView, PersistedState, WebviewMessage } from './protocol';
import { applyMessage, createState, endAnnouncement, fromPersisted, isLive, toPersisted, type PanelState } from './state';
import { h } from './dom';
import { Header } from './header';
import { StepList } from './steps';
import { renderGraph, renderTimeline } from './views';
import { showComparison } from './compare';
import { loadCodicons, loadElements, preloadTerminalWhenIdle } from './deferred';

// Marks for bench/vscode.ts: when the script ran, the page finished loading and the first step was painted.
performance.mark('bkl:script');
window.addEventListener('load', () => performance.mark('bkl:load'));
let firstStepMarked = false;
function markFirstStep(): void {
  if (firstStepMarked || !state.steps.size) return;
  firstStepMarked = true;
  requestAnimationFrame(() => performance.mark('bkl:first-step'));
}

declare function acquireVsCodeApi(): { postMessage(m: WebviewMessage): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const post = (m: WebviewMessage) => vscode.postMessage(m);
const persisted = vscode.getState() as PersistedState | undefined;
const state: PanelState = persisted?.snapshot ? fromPersisted(persisted, Date.now()) : createState();
// A new panel's page carries its build's state (src/extension/panel.ts): drawn now, not after a message.
const initial = document.getElementById('bkl-initial')?.textContent;
let drewPageState = false;
if (initial && !persisted?.snapshot) {
  try {
    applyMessage(state, JSON.parse(initial) as HostMessage, Date.now());
    drewPageState = true;
  } catch {
    // then the host's answer to 'ready' brings the state
  }
}

const pick = (digest: string) => {
  switchView('steps');
  steps.open(digest);
  document.querySelector(`.step[data-digest="${CSS.escape(digest)}"]`)?.scrollIntoView({ block: 'nearest' });
};

const header = new Header(state, {
  // the build the page shows: the panel may have taken another one since
  cancel: () => post({ type: 'cancel', buildId: state.build?.id }),
  rebuild: () => post({ type: 'rebuild' }),
  openLocation: (file, line) => post({ type: 'openLocation', file, line }),
  switchView: (v) => switchView(v),
  openStep: pick,
});
const steps = new StepList(state, {
  expand: (digest) => {
    post({ type: 'expand', digest });
    save();
  },
  collapse: (digest) => {
    post({ type: 'collapse', digest });
    save();
  },
  copy: (text) => post({ type: 'copy', text }),
  openLog: (digest) => post({ type: 'openLog', digest }),
});
const timeline = h('div', { class: 'timeline', hidden: true });
const graph = h('div', { class: 'graph-view', hidden: true });
const waiting = h('p', { class: 'empty', id: 'waiting' }, 'Waiting for the build to start…');
// the end of a build, said to screen readers (the failure box is an alert; success and cancel were silent)
const announcer = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });

document.body.append(header.element, header.failure, header.warnings, waiting, steps.element, timeline, graph, announcer);

function switchView(view: PanelView): void {
  state.view = view;
  steps.element.hidden = view !== 'steps';
  timeline.hidden = view !== 'timeline';
  graph.hidden = view !== 'graph';
  renderSecondary();
  header.render(Date.now());
  if (view === 'steps') steps.relayoutLogs();
  save();
}

function renderSecondary(): void {
  // drawn anew twice a second while a build runs: the focused bar or node gets the focus back
  const focused = document.activeElement?.closest('[data-digest]')?.getAttribute('data-digest');
  if (state.view === 'timeline') renderTimeline(timeline, state, Date.now(), pick);
  if (state.view === 'graph') renderGraph(graph, state, pick);
  const view = state.view === 'timeline' ? timeline : state.view === 'graph' ? graph : undefined;
  if (focused && view && document.activeElement === document.body) {
    view.querySelector<HTMLElement | SVGElement>(`[data-digest="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  }
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  // State can be large; write it at most twice a second.
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    const p = toPersisted(state, Date.now());
    if (p) vscode.setState(p);
  }, 500);
}

function renderAll(): void {
  const now = Date.now();
  waiting.hidden = state.steps.size > 0;
  header.render(now);
  header.renderFailure();
  header.renderWarnings();
  steps.render(now);
  // Steps open before a reload get their logs again from the host.
  for (const d of [...state.expanded]) steps.open(d);
  switchView(state.view);
}

let secondaryDirty = false;
window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
  if (msg.type === 'compare') return showComparison(msg.comparison);
  const now = Date.now();
  const change = applyMessage(state, msg, now);
  // an open log of the same step in another build shows the old text, and the host streams the new
  // build's logs only to views that ask: close them, renderAll opens them again and asks
  if (change.newBuild) steps.closeLogs();
  if (change.all) {
    renderAll();
  } else {
    if (change.steps.length) {
      waiting.hidden = true;
      steps.update(change.steps, now);
      // a step that was open in the build before a rebuild opens again, and asks for its new log
      for (const d of change.steps) if (state.expanded.has(d)) steps.open(d);
      secondaryDirty = true;
    }
    if (change.header) header.render(now);
    if (change.warnings) header.renderWarnings();
    if (change.ended) {
      announcer.textContent = endAnnouncement(state);
      header.renderFailure();
      const failed = state.outcome?.error?.vertex;
      if (failed && !state.outcome?.canceled) steps.open(failed);
      renderSecondary();
    }
  }
  markFirstStep();
  for (const l of change.logs) steps.log(l.digest, l.text, l.reset);
  for (const d of change.unavailable) steps.unavailable(d);
  if (msg.type !== 'log') save();
});

// Running steps and the total tick on between host updates.
setInterval(() => {
  if (!isLive(state)) return;
  const now = Date.now();
  steps.tick(now);
  header.tick(now);
}, 100);
setInterval(() => {
  if (secondaryDirty || isLive(state)) renderSecondary();
  secondaryDirty = false;
}, 500);
window.addEventListener('resize', () => steps.relayoutLogs());

if (state.build) renderAll();
markFirstStep();
post({ type: 'ready', drewPageState });
window.addEventListener('load', () => {
  loadCodicons();
  loadElements();
  preloadTerminalWhenIdle();
});
