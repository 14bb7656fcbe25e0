// A compact live view for a terminal, redrawn in place like buildx's tty mode:
//   [+] Building 3.2s (5/10)
//    => [2/3] RUN make                                  2.1s
//    => => # last lines of a running step's log
// update() takes in every delta but draws at most every `minRedrawMs` (buildx: 100 ms);
// a refresh timer (unref'd, stopped by end()) draws what a skipped update left behind
// and keeps the clocks of running steps moving, like buildx's 150 ms ticker.
import type { BuildResult } from '../../buildkit/types';
import type { BuildModel } from '../model';
import type { Step } from '../types';
import { epilogueLines } from './epilogue';
import { formatProgress } from './format';
import { LogLines } from './logLines';
import type { ProgressRenderer } from './plain';

export interface TtyRendererOptions {
  /** skip redraws closer together than this (update() still takes in every delta); default 100 */
  minRedrawMs?: number;
  /** redraw period while the build runs; 0 turns the timer off; default 150 */
  refreshMs?: number;
  color?: boolean;
  now?: () => number;
  /** "Building" by default */
  phase?: string;
  /** shown at the header's right, as buildx shows its builder ("docker:default") */
  desc?: string;
}

export interface TtyRenderer extends ProgressRenderer {
  /** draw again without new events, e.g. from the caller's timer so running clocks tick */
  redraw(model: BuildModel): void;
}

interface Row {
  text: string;
  timer: string;
  color?: string;
  running: boolean;
}

const TAIL_LINES = 6;
const ESC = '\x1b[';
const COLORS = { done: `${ESC}34m`, error: `${ESC}31m`, canceled: `${ESC}33m`, faint: `${ESC}2m`, reset: `${ESC}0m` };

function stateLabel(step: Step): string {
  if (step.state === 'error') return 'ERROR ';
  if (step.state === 'canceled') return 'CANCELED ';
  if (step.state === 'cached') return 'CACHED ';
  return '';
}

/** CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks) */
const ESCAPES = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** A log line as an editor shows it: what the last carriage return left visible, no escapes or controls but tabs. */
export function plainLine(line: string): string {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  return l.slice(l.lastIndexOf('\r') + 1).replace(ESCAPES, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/** a log line as one terminal row */
export function terminalSafe(line: string): string {
  return plainLine(line).replace(/\t/g, ' ');
}

/** A whole log as an editor shows it. */
export function plainLog(text: string): string {
  return text.split('\n').map(plainLine).join('\n');
}

/**
 * As progressui draws a step: the name cut where two spaces and the timer begin, and the line one
 * column short of the edge (a character in the last column makes some terminals wrap).
 */
function fit(left: string, timer: string, width: number): string {
  const room = Math.max(1, width - timer.length - 3);
  const l = left.length > room ? left.slice(0, room) : left.padEnd(room);
  return `${l}  ${timer}`.slice(0, width - 1);
}

/** like progressui's wrapHeight: keep the newest rows, but never hide a running one */
function limitRows(rows: Row[], limit: number): Row[] {
  if (rows.length <= limit) return rows;
  const keep = new Set<number>();
  rows.forEach((r, i) => {
    if (r.running && keep.size < limit) keep.add(i);
  });
  for (let i = rows.length - 1; i >= 0 && keep.size < limit; i--) keep.add(i);
  return rows.filter((_, i) => keep.has(i));
}

export function createTtyRenderer(stream: NodeJS.WriteStream, opts: TtyRendererOptions = {}): TtyRenderer {
  const now = opts.now ?? Date.now;
  const color = opts.color ?? (typeof stream.hasColors === 'function' ? stream.hasColors() : true);
  const tails = new Map<string, LogLines>();
  let drawnLines = 0;
  let lastDraw = -Infinity;

  const paint = (s: string, c?: string) => (color && c ? `${c}${s}${COLORS.reset}` : s);

  function rowsFor(model: BuildModel, width: number): Row[] {
    const rows: Row[] = [];
    for (const step of model.steps()) {
      if (step.number === 0) continue;
      const running = step.state === 'running';
      const c = step.state === 'error' ? COLORS.error : step.state === 'canceled' ? COLORS.canceled : running ? undefined : COLORS.done;
      const secs = step.durationMs < 50 ? 0 : step.durationMs / 1000;
      rows.push({ text: ` => ${stateLabel(step)}${terminalSafe(step.name)}`, timer: `${secs.toFixed(1)}s`, color: c, running });
      for (const s of step.statuses) {
        if (s.started === undefined) continue;
        const end = s.completed ?? s.timestamp ?? s.started;
        const progress = formatProgress(s.current, s.total);
        rows.push({
          text: ` => => ${s.id}${progress ? ` ${progress}` : ''}`,
          timer: `${(Math.max(0, end - s.started) / 1000).toFixed(1)}s`,
          color: s.completed !== undefined ? COLORS.done : undefined,
          running: s.completed === undefined,
        });
      }
      if (running) {
        for (const line of (tails.get(step.digest)?.lastLines() ?? []).slice(-TAIL_LINES)) {
          const text = terminalSafe(line.slice(line.indexOf(' ') + 1));
          rows.push({ text: ` => => # ${text}`.slice(0, width - 1), timer: '', color: COLORS.faint, running: true });
        }
      }
    }
    return rows;
  }

  function draw(model: BuildModel, final: boolean): void {
    const width = Math.max(20, stream.columns || 80);
    const height = Math.max(5, stream.rows || 24);
    const summary = model.summary();
    const done = final && summary.completed === summary.total && summary.total > 0 ? ' FINISHED' : '';
    const header = `[+] ${opts.phase ?? 'Building'} ${(summary.durationMs / 1000).toFixed(1)}s (${summary.completed}/${summary.total})${done}`;
    let rows = rowsFor(model, width);
    if (!final) rows = limitRows(rows, height - 2);
    // buildx aligns the builder to one column short of the edge
    const head = opts.desc ? `${header.padEnd(width - opts.desc.length - 2)} ${opts.desc}` : header;
    const lines = [head.slice(0, width)];
    for (const r of rows) lines.push(paint(r.timer ? fit(r.text, r.timer, width) : r.text.slice(0, width - 1), r.color));
    let s = `${ESC}?25l`;
    if (drawnLines > 0) s += `${ESC}${drawnLines}F`;
    for (const l of lines) s += `${ESC}2K${l}\n`;
    s += `${ESC}J${ESC}?25h`;
    stream.write(s);
    drawnLines = lines.length;
    lastDraw = now();
  }

  const minRedrawMs = opts.minRedrawMs ?? 100;
  const refreshMs = opts.refreshMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;

  function startTimer(model: BuildModel): void {
    if (timer || refreshMs <= 0) return;
    timer = setInterval(() => {
      if (dirty || model.summary().running > 0) draw(model, false);
      dirty = false;
    }, refreshMs);
    timer.unref();
  }

  return {
    update(model, delta) {
      for (const l of delta.logs) {
        let t = tails.get(l.digest);
        if (!t) tails.set(l.digest, (t = new LogLines(false)));
        t.feed(l.text, l.sinceStartMs);
      }
      startTimer(model);
      if (now() - lastDraw >= minRedrawMs) {
        draw(model, false);
        dirty = false;
      } else dirty = true;
    },
    redraw(model) {
      draw(model, false);
    },
    end(model, result) {
      if (timer) clearInterval(timer);
      timer = undefined;
      draw(model, true);
      const tail = epilogueLines(model, result, (d) => tails.get(d)?.lastLines() ?? []);
      if (tail.length > 0) stream.write(tail.join('\n') + '\n');
    },
  };
}
