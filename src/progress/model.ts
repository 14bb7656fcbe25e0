// The fold: StatusResponse events in, build state out. Pure (no fs, no timers, no
// vscode); the clock is injected. Semantics follow BuildKit's progressui:
// - every Vertex message is a full snapshot; a non-started duplicate after a start
//   is ignored ("allow a duplicate initial vertex");
// - run intervals are keyed by their start time and merged, durations are their sum;
// - "#N" numbers are handed out in the order steps are first seen started;
// - vertices of a progress group are shown as one row, revealed once a non-weak
//   member starts; their statuses and logs go to that row.
import type { BuildError } from '../buildkit/types';
import { mergeIntervals, totalDuration, type Interval } from './intervals';
import { MemoryLogStore } from './memoryLogStore';
import { toSourceLocation } from './sourceLocation';
import { parseStage } from './stageName';
import { timestampMs } from './time';
import type { Delta, LogStore, Step, StepState, StepStatus, Summary, Warning } from './types';
import { Utf8Chunks } from './utf8Chunks';
import type { StatusResponse, WireVertex, WireVertexLog, WireVertexStatus, WireVertexWarning } from './wire';

export interface BuildModelOptions {
  logStore?: LogStore;
  /** local clock, epoch ms */
  now?: () => number;
}

export interface BuildOutcome {
  ok: boolean;
  canceled: boolean;
  error?: BuildError;
}

interface Row {
  step: Step;
  /** start ms -> interval; a restart with the same start overwrites */
  intervals: Map<number, Interval>;
  merged: Interval[];
  hidden: boolean;
  /** progress-group rows only: latest snapshot of each member */
  members?: Map<string, WireVertex>;
  decoders: (Utf8Chunks | undefined)[];
  statusById: Map<string, StepStatus>;
}

const utf8 = new TextDecoder();

/** A step the engine has named but not started. */
export function newStep(digest: string, name: string): Step {
  return { digest, number: 0, name, inputs: [], state: 'queued', cached: false, durationMs: 0, statuses: [], warnings: 0, logBytes: 0 };
}

export function isCanceledError(error: string): boolean {
  return error.endsWith('context canceled');
}

function deriveState(row: Row): StepState {
  const { step, merged } = row;
  if (step.error) return isCanceledError(step.error) ? 'canceled' : 'error';
  if (step.cached) return 'cached';
  if (merged.length === 0) return 'queued';
  return merged[merged.length - 1].stop === undefined ? 'running' : 'done';
}

/** what a renderer shows of a row; a change in it puts the row in the delta */
function displayKey(row: Row): string {
  const { step, merged } = row;
  return `${row.hidden}|${step.state}|${step.name}|${step.cached}|${step.error ?? ''}|${merged.length}|${merged[merged.length - 1]?.stop}`;
}

function isFinal(state: StepState): boolean {
  return state !== 'queued' && state !== 'running';
}

export class BuildModel {
  readonly logs: LogStore;
  private readonly now: () => number;
  private readonly rows = new Map<string, Row>(); // row digest -> row
  private readonly byVertex = new Map<string, Row>(); // any vertex digest -> its row
  private readonly numbered: Row[] = [];
  private readonly queued = new Set<Row>();
  private readonly open = new Set<Row>();
  private readonly warningList: Warning[] = [];
  /** local clock minus engine clock, measured when the first step starts */
  private clockSkew?: number;
  private frozenAt?: number;
  private result?: BuildOutcome;

  constructor(opts: BuildModelOptions = {}) {
    this.logs = opts.logStore ?? new MemoryLogStore();
    this.now = opts.now ?? Date.now;
  }

  apply(status: StatusResponse): Delta {
    const changed = new Set<Row>();
    const groups = new Set<Row>();
    for (const v of status.vertexes ?? []) {
      if (v.progressGroup?.id) groups.add(this.applyGroupMember(v));
      else if (this.applyVertex(v)) changed.add(this.byVertex.get(v.digest)!);
    }
    for (const g of groups) if (this.refreshGroup(g)) changed.add(g);
    for (const s of status.statuses ?? []) {
      const row = this.byVertex.get(s.vertex);
      if (row && this.applyStatus(row, s)) changed.add(row);
    }
    const delta: Delta = { steps: [], logs: [], warnings: [] };
    for (const w of status.warnings ?? []) {
      const row = this.byVertex.get(w.vertex);
      const warning = this.toWarning(w, row);
      this.warningList.push(warning);
      delta.warnings.push(warning);
      if (row) {
        row.step.warnings++;
        changed.add(row);
      }
    }
    for (const l of status.logs ?? []) {
      const row = this.byVertex.get(l.vertex) ?? this.placeholder(l.vertex);
      delta.logs.push(this.applyLog(row, l));
      changed.add(row);
    }
    for (const row of changed) {
      if (row.hidden) continue;
      this.refreshDuration(row);
      delta.steps.push(row.step.digest);
    }
    return delta;
  }

  /** steps in display order: numbered ("#N") steps first, then those not started yet */
  steps(): Step[] {
    for (const row of this.open) this.refreshDuration(row);
    const out = this.numbered.map((r) => r.step);
    for (const row of this.queued) if (!row.hidden) out.push(row.step);
    return out;
  }

  /** the row showing a vertex: its own, or its progress group's */
  step(digest: string): Step | undefined {
    const row = this.byVertex.get(digest) ?? this.rows.get(digest);
    if (!row) return undefined;
    this.refreshDuration(row);
    return row.step;
  }

  warnings(): Warning[] {
    return this.warningList;
  }

  outcome(): BuildOutcome | undefined {
    return this.result;
  }

  summary(now?: number): Summary {
    const engineNow = this.engineNow(now);
    const s: Summary = { total: 0, completed: 0, cached: 0, running: 0, errors: 0, durationMs: 0 };
    let lastStop: number | undefined;
    for (const row of this.rows.values()) {
      if (row.hidden) continue;
      const step = row.step;
      s.total++;
      if (step.state === 'running') s.running++;
      if (isFinal(step.state)) s.completed++;
      if (step.state === 'cached') s.cached++;
      if (step.state === 'error') s.errors++;
      if (step.state === 'canceled') s.canceled = (s.canceled ?? 0) + 1;
      if (step.started !== undefined && (s.started === undefined || step.started < s.started)) s.started = step.started;
      if (step.completed !== undefined && (lastStop === undefined || step.completed > lastStop)) lastStop = step.completed;
    }
    if (this.frozenAt !== undefined) s.completed_at = lastStop ?? this.frozenAt;
    if (s.started !== undefined) s.durationMs = Math.max(0, (s.completed_at ?? engineNow) - s.started);
    return s;
  }

  /**
   * The build ended: close every open interval at the current time, so durations stop
   * counting, and settle the steps that were still running (canceled, or the failing
   * vertex as error and the others canceled, as BuildKit cancels siblings).
   */
  finish(outcome: BuildOutcome): Delta {
    const delta: Delta = { steps: [], logs: [], warnings: [] };
    if (this.frozenAt !== undefined) return delta;
    const at = this.engineNow();
    const failing = outcome.error?.vertex ? this.byVertex.get(outcome.error.vertex) : undefined;
    for (const row of [...this.open]) {
      for (const [key, ival] of row.intervals) if (ival.stop === undefined) row.intervals.set(key, { start: ival.start, stop: at });
      row.merged = mergeIntervals(row.intervals.values());
      const step = row.step;
      if (!outcome.ok) {
        step.error = row === failing ? outcome.error?.message || 'failed' : 'context canceled';
      }
      step.state = deriveState(row);
      step.completed = at;
      this.refreshDuration(row);
      this.open.delete(row);
      if (!row.hidden) delta.steps.push(step.digest);
    }
    this.frozenAt = at;
    this.result = outcome;
    return delta;
  }

  /** engine-clock "now", frozen once the build finished */
  private engineNow(localNow?: number): number {
    if (this.frozenAt !== undefined) return this.frozenAt;
    return (localNow ?? this.now()) - (this.clockSkew ?? 0);
  }

  private newRow(digest: string, name: string): Row {
    const row: Row = {
      step: newStep(digest, name),
      intervals: new Map(),
      merged: [],
      hidden: false,
      decoders: [],
      statusById: new Map(),
    };
    const stage = parseStage(name);
    if (stage) row.step.stage = stage;
    this.rows.set(digest, row);
    this.byVertex.set(digest, row);
    this.queued.add(row);
    return row;
  }

  /** logs for a vertex never announced: keep them (hidden row) rather than lose them */
  private placeholder(digest: string): Row {
    const row = this.newRow(digest, digest);
    row.hidden = true;
    return row;
  }

  private applyVertex(v: WireVertex): boolean {
    let row = this.byVertex.get(v.digest);
    const isNew = !row;
    if (!row) row = this.newRow(v.digest, v.name);
    const before = displayKey(row);
    row.hidden = false; // a placeholder (logs before the vertex) got its vertex
    const step = row.step;
    const wasStarted = row.merged.length > 0;
    const started = timestampMs(v.started);
    if (!wasStarted || started !== undefined) {
      if (step.name !== v.name) {
        step.name = v.name;
        const stage = parseStage(v.name);
        if (stage) step.stage = stage;
        else delete step.stage;
      }
      step.inputs = v.inputs ?? [];
      step.cached = !!v.cached;
      if (v.error) step.error = v.error;
      else delete step.error;
    }
    if (started !== undefined) {
      const stop = timestampMs(v.completed);
      row.intervals.set(started, { start: started, stop });
      row.merged = mergeIntervals(row.intervals.values());
      if (step.started === undefined || started < step.started) step.started = started;
      if (stop !== undefined && (step.completed === undefined || stop > step.completed)) step.completed = stop;
    }
    this.settle(row);
    return isNew || before !== displayKey(row);
  }

  /** state, numbering and open-set bookkeeping after a row's snapshot changed */
  private settle(row: Row): void {
    row.step.state = deriveState(row);
    if (row.merged.length > 0 && row.step.number === 0 && !row.hidden) {
      if (this.clockSkew === undefined) this.clockSkew = this.now() - row.merged[0].start;
      row.step.number = this.numbered.length + 1;
      this.numbered.push(row);
      this.queued.delete(row);
    }
    const last = row.merged[row.merged.length - 1];
    if (last && last.stop === undefined && this.frozenAt === undefined) this.open.add(row);
    else this.open.delete(row);
  }

  private applyGroupMember(v: WireVertex): Row {
    const group = v.progressGroup!;
    let row = this.rows.get(group.id);
    if (!row) {
      row = this.newRow(group.id, group.name);
      row.hidden = true;
      row.members = new Map();
      row.step.progressGroup = { id: group.id, name: group.name };
      row.step.members = [];
    }
    if (!row.members!.has(v.digest)) row.step.members!.push(v.digest);
    row.members!.set(v.digest, v);
    this.byVertex.set(v.digest, row);
    return row;
  }

  /** recompute a group row from its members, like progressui's vertexGroup.refresh */
  private refreshGroup(row: Row): boolean {
    const step = row.step;
    const before = displayKey(row);
    let cached = true;
    let error = '';
    for (const m of row.members!.values()) {
      const started = timestampMs(m.started);
      if (started !== undefined) {
        row.intervals.set(started, { start: started, stop: timestampMs(m.completed) });
        if (!m.progressGroup?.weak) row.hidden = false;
      }
      cached = cached && !!m.cached;
      if (!error) error = m.error;
      else row.hidden = false;
    }
    step.cached = cached;
    if (error) step.error = error;
    else delete step.error;
    row.merged = mergeIntervals(row.intervals.values());
    if (row.merged.length > 0) {
      step.started = row.merged[0].start;
      const stop = row.merged[row.merged.length - 1].stop;
      if (stop !== undefined) step.completed = stop;
    }
    this.settle(row);
    return before !== displayKey(row);
  }

  private applyStatus(row: Row, s: WireVertexStatus): boolean {
    let st = row.statusById.get(s.ID);
    if (!st) {
      st = { id: s.ID, name: s.name, current: 0, total: 0 };
      row.statusById.set(s.ID, st);
      // listed on first sight; progressui only prints started ones, the plain renderer filters
      row.step.statuses.push(st);
    }
    st.name = s.name;
    st.current = Number(s.current);
    st.total = Number(s.total);
    st.started = timestampMs(s.started);
    st.completed = timestampMs(s.completed);
    st.timestamp = timestampMs(s.timestamp);
    return true;
  }

  private applyLog(row: Row, l: WireVertexLog): Delta['logs'][number] {
    const stream = Number(l.stream) || 1;
    const msg = l.msg ?? new Uint8Array(0);
    const digest = row.step.digest;
    this.logs.append(digest, stream, msg);
    row.step.logBytes += msg.length;
    // one decoder per stream, so a UTF-8 sequence split across chunks survives
    let decoder = row.decoders[stream];
    if (!decoder) decoder = row.decoders[stream] = new Utf8Chunks();
    const entry: Delta['logs'][number] = { digest, stream, text: decoder.decode(msg) };
    const ts = timestampMs(l.timestamp);
    if (ts !== undefined) {
      entry.timestamp = ts;
      const last = row.merged[row.merged.length - 1];
      entry.sinceStartMs = last ? ts - last.start : 0;
    }
    return entry;
  }

  private toWarning(w: WireVertexWarning, row: Row | undefined): Warning {
    const warning: Warning = {
      vertex: w.vertex,
      level: Number(w.level),
      short: w.short ? utf8.decode(w.short) : '',
      detail: (w.detail ?? []).map((d) => utf8.decode(d)),
      url: w.url ?? '',
    };
    if (w.info) {
      const data = w.info.data && w.info.data.length > 0 ? utf8.decode(w.info.data) : undefined;
      warning.source = toSourceLocation({ filename: w.info.filename, language: w.info.language, data }, w.ranges);
    }
    return warning;
  }

  private refreshDuration(row: Row): void {
    row.step.durationMs = totalDuration(row.merged, this.engineNow());
  }
}
