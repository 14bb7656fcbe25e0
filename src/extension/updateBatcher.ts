// Coalesces a build's deltas into at most one panel update per frame interval (the first at once). Logs go only for
// steps the panel has open, appended in order; steps are sent once per flush with their latest state.
// Pure (timers injected) so it is unit-tested.
import type { Delta, Step, Summary, Warning } from '../progress/types';
import type { BuildInfo, HostMessage } from '../../webview/protocol';

export interface BatchSource {
  step(digest: string): Step | undefined;
  summary(now: number): Summary;
  info?(): BuildInfo;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** Frame budget: fast enough to look live, slow enough not to flood the webview. */
export const FLUSH_MS = 33;

export class UpdateBatcher {
  private readonly steps = new Set<string>();
  private logs: { digest: string; text: string }[] = [];
  private warnings: Warning[] = [];
  private timer: unknown;
  private lastFlush = -Infinity;
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly source: BatchSource,
    private readonly send: (m: HostMessage) => void,
    private readonly timers: Timers = realTimers,
    private readonly intervalMs = FLUSH_MS,
  ) {}

  subscribe(digest: string): void {
    this.subscribed.add(digest);
  }

  unsubscribe(digest: string): void {
    this.subscribed.delete(digest);
    this.logs = this.logs.filter((l) => l.digest !== digest);
  }

  isSubscribed(digest: string): boolean {
    return this.subscribed.has(digest);
  }

  /** Drop log text queued for a step (its whole log is about to be sent). */
  dropQueuedLogs(digest: string): void {
    this.logs = this.logs.filter((l) => l.digest !== digest);
  }

  add(delta: Delta): void {
    for (const d of delta.steps) this.steps.add(d);
    for (const l of delta.logs) {
      if (!this.subscribed.has(l.digest)) continue;
      const last = this.logs[this.logs.length - 1];
      if (last && last.digest === l.digest) last.text += l.text;
      else this.logs.push({ digest: l.digest, text: l.text });
    }
    this.warnings.push(...delta.warnings);
    // After a quiet spell the first change goes out at once (one macrotask, so deltas of the same
    // read coalesce); then at most one update per interval.
    if (this.timer === undefined) this.timer = this.timers.set(() => this.flush(), Math.max(0, this.lastFlush + this.intervalMs - this.timers.now()));
  }

  /** Sends what is pending now (also used right before the build's end message). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    if (!this.steps.size && !this.logs.length && !this.warnings.length) return;
    const now = this.timers.now();
    this.lastFlush = now;
    const steps: Step[] = [];
    for (const d of this.steps) {
      const s = this.source.step(d);
      if (s) steps.push({ ...s, statuses: [...s.statuses] });
    }
    const msg: HostMessage = { type: 'update', build: this.source.info?.(), steps, summary: this.source.summary(now), warnings: this.warnings, now, logs: this.logs };
    this.steps.clear();
    this.logs = [];
    this.warnings = [];
    this.send(msg);
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}

/** The panel gets the end of a huge log; a terminal cannot usefully hold more than this. */
const MAX_LOG_CHARS = 8 * 1024 * 1024;

export function capLog(text: string, max = MAX_LOG_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.indexOf('\n', text.length - max);
  const tail = text.slice(cut < 0 ? text.length - max : cut + 1);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return `\x1b[2m(showing the last ${mib(tail.length)} MiB of ${mib(text.length)} MiB; the Output channel "BuildKit" has the rest)\x1b[0m\n${tail}`;
}
