// The panel's state and the pure fold of host messages into it. No DOM here, so it is unit-tested in node.
import type { BuildInfo, BuildOutcome, HostMessage, PanelView, PersistedState, Snapshot, Step, Summary, Warning } from './protocol';
import { formatBytes } from '../src/progress/render/format';

export interface PanelState {
  build?: BuildInfo;
  steps: Map<string, Step>;
  /** host clock of the message that last changed each step, for live durations */
  stepAsOf: Map<string, number>;
  summary: Summary;
  summaryAsOf: number;
  warnings: Warning[];
  outcome?: BuildOutcome;
  /** host clock minus local clock, from the latest message */
  clockSkew: number;
  expanded: Set<string>;
  view: PanelView;
}

/** What a message changed, so the view redraws only that. */
export interface Change {
  all: boolean;
  /** the snapshot is of another build than the one shown (a rebuild, a reused panel) */
  newBuild: boolean;
  steps: string[];
  header: boolean;
  warnings: boolean;
  ended: boolean;
  /** reset = replace the step's log view with this text */
  logs: { digest: string; text: string; reset: boolean }[];
  unavailable: string[];
}

export function emptySummary(): Summary {
  return { total: 0, completed: 0, cached: 0, running: 0, errors: 0, durationMs: 0 };
}

export function createState(): PanelState {
  return {
    steps: new Map(),
    stepAsOf: new Map(),
    summary: emptySummary(),
    summaryAsOf: 0,
    warnings: [],
    clockSkew: 0,
    expanded: new Set(),
    view: 'steps',
  };
}

function noChange(): Change {
  return { all: false, newBuild: false, steps: [], header: false, warnings: false, ended: false, logs: [], unavailable: [] };
}

function loadSnapshot(state: PanelState, snap: Snapshot, localNow: number): void {
  state.build = snap.build;
  state.steps = new Map(snap.steps.map((s) => [s.digest, s]));
  state.stepAsOf = new Map(snap.steps.map((s) => [s.digest, snap.now]));
  state.summary = snap.summary;
  state.summaryAsOf = snap.now;
  state.warnings = [...snap.warnings];
  state.outcome = snap.outcome;
  state.clockSkew = snap.now - localNow;
}

function dropGoneExpanded(state: PanelState): void {
  for (const d of [...state.expanded]) if (!state.steps.has(d)) state.expanded.delete(d);
}

export function applyMessage(state: PanelState, msg: HostMessage, localNow: number): Change {
  const change = noChange();
  switch (msg.type) {
    case 'snapshot':
      change.newBuild = state.build !== undefined && state.build.id !== msg.snapshot.build.id;
      loadSnapshot(state, msg.snapshot, localNow);
      // A rebuild keeps the steps the user had open: the same step opens again when it appears (main.ts).
      // Within one build, steps that no longer exist cannot stay expanded.
      if (!change.newBuild) dropGoneExpanded(state);
      change.all = true;
      return change;
    case 'update':
      state.clockSkew = msg.now - localNow;
      if (msg.build) state.build = msg.build;
      for (const s of msg.steps) {
        state.steps.set(s.digest, s);
        state.stepAsOf.set(s.digest, msg.now);
        change.steps.push(s.digest);
      }
      state.summary = msg.summary;
      state.summaryAsOf = msg.now;
      change.header = true;
      if (msg.warnings.length) {
        state.warnings.push(...msg.warnings);
        change.warnings = true;
      }
      for (const l of msg.logs) if (state.expanded.has(l.digest)) change.logs.push({ ...l, reset: false });
      return change;
    case 'log':
      if (state.expanded.has(msg.digest)) change.logs.push({ digest: msg.digest, text: msg.text, reset: true });
      return change;
    case 'logUnavailable':
      change.unavailable.push(msg.digest);
      return change;
    case 'compare':
      // drawn by webview/compare.ts; a compare panel keeps no build state
      return change;
    case 'end':
      state.clockSkew = msg.now - localNow;
      state.outcome = msg.outcome;
      state.summary = msg.summary;
      state.summaryAsOf = msg.now;
      change.header = true;
      change.ended = true;
      dropGoneExpanded(state);
      return change;
  }
}

export function toPersisted(state: PanelState, localNow: number): PersistedState | undefined {
  if (!state.build) return undefined;
  return {
    snapshot: {
      build: state.build,
      steps: [...state.steps.values()],
      summary: state.summary,
      warnings: state.warnings,
      outcome: state.outcome,
      now: localNow + state.clockSkew,
    },
    expanded: [...state.expanded],
    view: state.view,
  };
}

export function fromPersisted(p: PersistedState, localNow: number): PanelState {
  const state = createState();
  loadSnapshot(state, p.snapshot, localNow);
  state.view = p.view ?? 'steps';
  state.expanded = new Set((p.expanded ?? []).filter((d) => state.steps.has(d)));
  return state;
}

export function isLive(state: PanelState): boolean {
  return !!state.build && !state.outcome;
}

/** A step's duration as it should read now, counting on for running steps of a live build. */
export function liveDuration(state: PanelState, step: Step, localNow: number): number {
  if (step.state !== 'running' || !isLive(state)) return step.durationMs;
  const asOf = state.stepAsOf.get(step.digest) ?? localNow + state.clockSkew;
  return step.durationMs + Math.max(0, localNow + state.clockSkew - asOf);
}

export function liveTotal(state: PanelState, localNow: number): number {
  if (!isLive(state)) return state.outcome?.durationMs || state.summary.durationMs;
  const start = state.summary.started ?? state.build?.startedAt;
  if (start === undefined) return state.summary.durationMs;
  return Math.max(state.summary.durationMs, localNow + state.clockSkew - start);
}

export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

const AXIS_STEPS_MS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000];

export interface AxisTick {
  ms: number;
  label: string;
  /** position along the axis, 0-100 */
  pct: number;
}

/**
 * The timeline's axis: ticks at round times, at most six, each label distinct (a quarter of a
 * 0.3 s build printed at tenths gave "0.1s" twice).
 */
export function axisTicks(spanMs: number): AxisTick[] {
  if (!(spanMs > 0)) return [{ ms: 0, label: '0s', pct: 0 }];
  const step = AXIS_STEPS_MS.find((s) => spanMs / s <= 5) ?? Math.ceil(spanMs / 5 / 3_600_000) * 3_600_000;
  const digits = step < 100 ? 2 : step < 1000 ? 1 : 0;
  const label = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(digits)}s` : formatDuration(ms));
  const ticks: AxisTick[] = [];
  for (let ms = 0; ms <= spanMs + 1e-6; ms += step) ticks.push({ ms, label: label(ms), pct: (ms / spanMs) * 100 });
  return ticks;
}

export function cacheLabel(summary: Summary): string {
  const pct = summary.total ? Math.round((summary.cached / summary.total) * 100) : 0;
  return `${summary.cached}/${summary.total} cached (${pct}%)`;
}

export interface StageGroup {
  key: string;
  label: string;
  steps: Step[];
}

/**
 * Steps grouped by Dockerfile stage in order of first appearance; steps outside any stage
 * ("[internal] load …", exporting) form their own groups before and after.
 */
export function groupByStage(steps: Iterable<Step>): StageGroup[] {
  const groups = new Map<string, StageGroup>();
  const sorted = [...steps].sort(stepOrder);
  for (const s of sorted) {
    let key: string;
    let label: string;
    // "[internal] load …" parses as a stage without a counter: it is not a Dockerfile stage
    if (s.stage && s.stage.index > 0) {
      key = `stage:${s.stage.platform ?? ''}:${s.stage.name ?? ''}`;
      label = (s.stage.name ?? 'final stage') + (s.stage.platform ? ` (${s.stage.platform})` : '');
    } else if (/^\[internal\]|^\[auth\]|^load |^resolve /i.test(s.name)) {
      key = 'internal';
      label = 'Preparation';
    } else {
      key = 'other';
      label = 'Output';
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, steps: [] }));
    g.steps.push(s);
  }
  for (const g of groups.values()) g.steps.sort((a, b) => (a.stage && b.stage ? a.stage.index - b.stage.index : 0) || stepOrder(a, b));
  const all = [...groups.values()];
  // Output (exporting, naming) reads best last whatever its start time.
  return [...all.filter((g) => g.key !== 'other'), ...all.filter((g) => g.key === 'other')];
}

/** buildx's order: by step number, with never-started (queued) steps last in arrival order. */
function stepOrder(a: Step, b: Step): number {
  const an = a.number || Number.MAX_SAFE_INTEGER;
  const bn = b.number || Number.MAX_SAFE_INTEGER;
  return an - bn;
}

export interface TimelineBar {
  digest: string;
  lane: number;
  /** ms from the build start */
  start: number;
  end: number;
}

/** Bars for steps that ran, packed into lanes so parallel steps sit on separate rows. */
export function timelineBars(state: PanelState, localNow: number): { bars: TimelineBar[]; lanes: number; span: number } {
  const nowHost = localNow + state.clockSkew;
  const ran = [...state.steps.values()].filter((s) => s.started !== undefined).sort((a, b) => a.started! - b.started!);
  const origin = state.summary.started ?? ran[0]?.started ?? nowHost;
  const laneEnds: number[] = [];
  const bars: TimelineBar[] = [];
  let span = 1;
  for (const s of ran) {
    const start = s.started! - origin;
    const endAbs = s.completed ?? (isLive(state) ? nowHost : s.started! + s.durationMs);
    const end = Math.max(start + 1, endAbs - origin);
    let lane = laneEnds.findIndex((e) => e <= start);
    if (lane < 0) lane = laneEnds.push(end) - 1;
    else laneEnds[lane] = end;
    bars.push({ digest: s.digest, lane, start, end });
    span = Math.max(span, end);
  }
  return { bars, lanes: laneEnds.length, span };
}

export interface GraphNode {
  digest: string;
  layer: number;
  row: number;
}

/** Layered layout of the step graph: a step sits one layer right of its deepest input. */
export function graphLayout(steps: Iterable<Step>): { nodes: GraphNode[]; edges: [string, string][]; layers: number } {
  const byDigest = new Map([...steps].map((s) => [s.digest, s]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (d: string): number => {
    const known = depth.get(d);
    if (known !== undefined) return known;
    if (visiting.has(d)) return 0; // a malformed cycle must not hang the panel
    visiting.add(d);
    const s = byDigest.get(d)!;
    let best = 0;
    for (const i of s.inputs) if (byDigest.has(i)) best = Math.max(best, depthOf(i) + 1);
    visiting.delete(d);
    depth.set(d, best);
    return best;
  };
  const nodes: GraphNode[] = [];
  const rows: number[] = [];
  const ordered = [...byDigest.values()].sort(stepOrder);
  for (const s of ordered) {
    const layer = depthOf(s.digest);
    rows[layer] = (rows[layer] ?? 0) + 1;
    nodes.push({ digest: s.digest, layer, row: rows[layer] - 1 });
  }
  const edges: [string, string][] = [];
  for (const s of ordered) for (const i of s.inputs) if (byDigest.has(i)) edges.push([i, s.digest]);
  return { nodes, edges, layers: rows.length };
}

/**
 * Transfer progress of a step, from its statuses, e.g. "2.30MB / 4.10MB". In buildx's units (as the
 * CLI, the compare view and `docker buildx build` print them): one size reads the same everywhere.
 */
export function stepProgress(step: Step): { label: string; fraction?: number } | undefined {
  const live = step.statuses.filter((s) => s.current > 0 || s.total > 0);
  if (!live.length) return undefined;
  const current = live.reduce((n, s) => n + s.current, 0);
  const total = live.reduce((n, s) => n + s.total, 0);
  const done = live.every((s) => s.completed !== undefined);
  const label = total > 0 ? `${formatBytes(current)} / ${formatBytes(total)}` : formatBytes(current);
  return { label: done ? `${label} done` : label, fraction: total > 0 ? Math.min(1, current / total) : undefined };
}

/** What a screen reader hears when the build ends (the failure box, an alert, says the rest of a failure). */
export function endAnnouncement(state: PanelState): string {
  const o = state.outcome;
  if (!o) return '';
  if (o.canceled) return 'Build canceled';
  if (!o.ok) return 'Build failed';
  const s = state.summary;
  return `Build succeeded in ${formatDuration(s.durationMs)}, ${s.cached} of ${s.total} steps cached`;
}
