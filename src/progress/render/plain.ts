// buildx's --progress=plain: "#N name", "#N <secs> log line", status lines,
// "#N DONE 1.2s" / CACHED / ERROR / CANCELED, "#N ..." when output switches away from
// an unfinished step. Like progressui it prints one running step at a time and lets
// the others buffer, so the lines of parallel steps do not interleave line by line.
import type { BuildResult } from '../../buildkit/types';
import type { BuildModel } from '../model';
import type { Delta, Step, StepStatus } from '../types';
import { epilogueLines } from './epilogue';
import { formatProgress } from './format';
import { LogLines } from './logLines';

export interface PlainRendererOptions {
  /** printed first as "#0 <desc>", e.g. which engine builds */
  desc?: string;
  /** local clock, for throttling and for switching to a step that waited too long */
  now?: () => number;
  /**
   * print at most this often (buildx: 100 ms), so that the snapshots of one moment
   * collapse into one line each; updates in between are only taken in. Default 100; 0 prints every update.
   */
  minPrintMs?: number;
  /** period of the unref'd timer that prints what throttled updates left behind; 0 = no timer. Default 150 */
  refreshMs?: number;
}

export interface ProgressRenderer {
  update(model: BuildModel, delta: Delta): void;
  end(model: BuildModel, result: BuildResult): void;
}

// progressui's thresholds for reprinting a status and for switching steps
const MIN_PROGRESS_DELTA = 0.05;
const MIN_TIME_DELTA_MS = 5000;
const MAX_WAIT_MS = 10000;
const ANTI_FLICKER_MS = 5000;

interface StepOutput {
  lines: LogLines;
  warnings: string[];
  dirtyStatuses: Set<string>;
  seenStatus: Map<string, string>;
  printedStatus: Map<string, { current: number; timestamp: number }>;
  waitingSince?: number;
}

export function createPlainRenderer(write: (s: string) => void, opts: PlainRendererOptions = {}): ProgressRenderer {
  const now = opts.now ?? Date.now;
  const outputs = new Map<string, StepOutput>();
  const updated = new Set<string>();
  /** steps whose final state line was printed */
  const settled = new Set<string>();
  let current = '';
  let notFirst = false;
  // as progressui's textMux: a step's "#N" is handed out when it is first printed, so the numbers
  // read in order (the model numbers steps as they start, and finished steps print first)
  const numbers = new Map<string, number>();
  const numberOf = (digest: string): number => {
    let n = numbers.get(digest);
    if (n === undefined) numbers.set(digest, (n = numbers.size + 1));
    return n;
  };
  let buf: string[] = [];

  const out = (digest: string): StepOutput => {
    let o = outputs.get(digest);
    if (!o) {
      o = { lines: new LogLines(), warnings: [], dirtyStatuses: new Set(), seenStatus: new Map(), printedStatus: new Map() };
      outputs.set(digest, o);
    }
    return o;
  };

  const isFinal = (s: Step) => s.state !== 'running' && s.state !== 'queued';

  function statusLine(n: number, s: StepStatus): string {
    const progress = formatProgress(s.current, s.total);
    let tm = '';
    const end = s.completed ?? s.timestamp;
    if (s.started !== undefined && end !== undefined) {
      const diff = (end - s.started) / 1000;
      if (diff > 0.01) tm = ` ${diff.toFixed(1)}s`;
    }
    if (s.completed !== undefined) tm += ' done';
    return `#${n} ${s.id}${progress ? ` ${progress}` : ''}${tm}\n`;
  }

  function printStep(model: BuildModel, digest: string): void {
    const step = model.step(digest);
    if (!step || step.number === 0) return;
    const o = out(digest);
    const n = numberOf(digest);
    if (digest !== current) {
      if (current) {
        const old = outputs.get(current);
        if (old?.lines.partial && old.lines.printedChars > 0) buf.push('\n');
        if (old) old.lines.printedChars = 0;
        buf.push(`#${numbers.get(current) ?? 0} ...\n`);
      }
      if (notFirst) buf.push('\n');
      else {
        if (opts.desc) buf.push(`#0 ${opts.desc}\n\n`);
        notFirst = true;
      }
      buf.push(`#${n} ${step.name}\n`);
    }
    let openStatus = false;
    for (const s of step.statuses) {
      if (s.started === undefined || !o.dirtyStatuses.has(s.id)) continue;
      const last = o.printedStatus.get(s.id);
      const ts = s.timestamp ?? 0;
      if (last && s.completed === undefined) {
        const progressDelta = s.total > 0 ? (s.current - last.current) / s.total : 0;
        if (progressDelta < MIN_PROGRESS_DELTA && ts - last.timestamp < MIN_TIME_DELTA_MS) continue;
      }
      o.printedStatus.set(s.id, { current: s.current, timestamp: ts });
      if (s.completed === undefined) openStatus = true;
      buf.push(statusLine(n, s));
    }
    o.dirtyStatuses.clear();
    for (const w of o.warnings) buf.push(`#${n} WARN: ${w}\n`);
    o.warnings = [];

    const lines = o.lines;
    const logs = lines.take(`#${n} `);
    if (logs) buf.push(logs);
    o.waitingSince = undefined;
    current = digest;
    // like progressui, a finished step that had more to say ends its block with its state again
    if (isFinal(step) && !openStatus) {
      current = '';
      if (lines.partial && lines.printedChars > 0) buf.push('\n');
      lines.printedChars = 0;
      settled.add(digest);
      if (step.state === 'canceled') buf.push(`#${n} CANCELED\n`);
      else if (step.state === 'error') buf.push(`#${n} ERROR: ${step.error ?? ''}\n`);
      else if (step.state === 'cached') buf.push(`#${n} CACHED\n`);
      else buf.push(`#${n} DONE ${(step.durationMs / 1000).toFixed(1)}s\n`);
    }
    updated.delete(digest);
  }

  function ingest(model: BuildModel, delta: Delta): void {
    for (const digest of delta.steps) {
      const step = model.step(digest);
      if (!step) continue;
      const o = out(digest);
      for (const s of step.statuses) {
        const key = `${s.current}|${s.total}|${s.completed}|${s.timestamp}`;
        if (o.seenStatus.get(s.id) !== key) {
          o.seenStatus.set(s.id, key);
          o.dirtyStatuses.add(s.id);
        }
      }
      o.waitingSince ??= now();
      updated.add(digest);
    }
    for (const l of delta.logs) {
      const o = out(l.digest);
      o.lines.feed(l.text, l.sinceStartMs);
      o.waitingSince ??= now();
      updated.add(l.digest);
    }
    for (const w of delta.warnings) {
      const row = model.step(w.vertex);
      if (!row) continue;
      out(row.digest).warnings.push(w.short);
      updated.add(row.digest);
    }
  }

  /** one round of progressui's textMux.print: finished steps first, then one running step */
  function printRound(model: BuildModel): void {
    const completed: Step[] = [];
    const rest: Step[] = [];
    for (const digest of updated) {
      const step = model.step(digest);
      if (!step || step.number === 0) continue;
      (isFinal(step) ? completed : rest).push(step);
    }
    const active = current;
    if (completed.some((s) => s.digest === active)) printStep(model, active);
    completed.sort((a, b) => (a.completed ?? 0) - (b.completed ?? 0));
    for (const s of completed) if (s.digest !== active) printStep(model, s.digest);
    if (rest.length === 0) return;
    const currentSpoke = rest.some((s) => s.digest === current);
    if (currentSpoke) printStep(model, current);
    const waiting = rest.filter((s) => s.digest !== current);
    if (waiting.length === 0) return;
    if (current === '' || model.step(current)?.state !== 'running') {
      // the step with the most to say goes next
      let best = waiting[0];
      for (const s of waiting) if (pendingLines(s.digest) > pendingLines(best.digest)) best = s;
      printStep(model, best.digest);
      return;
    }
    // a step kept waiting too long gets the floor; sooner when the current one is silent
    const t = now();
    const limit = currentSpoke ? MAX_WAIT_MS : ANTI_FLICKER_MS;
    const starving = waiting.find((s) => t - (outputs.get(s.digest)?.waitingSince ?? t) > limit);
    if (starving) printStep(model, starving.digest);
  }

  function pendingLines(digest: string): number {
    return outputs.get(digest)?.lines.pendingLines() ?? 0;
  }

  function flush(): void {
    if (buf.length > 0) write(buf.join(''));
    buf = [];
  }

  const minPrintMs = opts.minPrintMs ?? 100;
  const refreshMs = opts.refreshMs ?? 150;
  let lastPrint = -Infinity;
  let timer: NodeJS.Timeout | undefined;

  function printNow(model: BuildModel): void {
    lastPrint = now();
    printRound(model);
    flush();
  }

  return {
    update(model, delta) {
      ingest(model, delta);
      if (!timer && refreshMs > 0) {
        timer = setInterval(() => {
          if (updated.size > 0) printNow(model);
        }, refreshMs);
        timer.unref();
      }
      if (now() - lastPrint >= minPrintMs) printNow(model);
    },
    end(model, result) {
      if (timer) clearInterval(timer);
      timer = undefined;
      // steps settled by model.finish() even if the caller did not pass its delta on
      for (const step of model.steps()) if (step.number > 0 && isFinal(step) && !settled.has(step.digest)) updated.add(step.digest);
      printRound(model);
      for (const step of model.steps()) if (updated.has(step.digest)) printStep(model, step.digest);
      const last = current ? outputs.get(current) : undefined;
      if (last?.lines.partial && last.lines.printedChars > 0) buf.push('\n');
      const tail = epilogueLines(model, result, (d) => outputs.get(d)?.lines.lastLines() ?? []);
      if (tail.length > 0) buf.push(tail.join('\n') + '\n');
      flush();
    },
  };
}
