// Instruments a build panel's webview frame from Playwright: when the first step row is painted,
// long tasks (PerformanceObserver 'longtask'), and every host message by type and time; and, for
// BKL_BENCH_VERBOSE, VS Code's outer webview frame and every process's CPU around a new panel.
import type { Frame, Page } from 'playwright-core';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PanelTrace {
  installed: number;
  /** epoch ms of the first animation frame after a step row appeared (0: not yet) */
  firstStep: number;
  /** a step row was already there when the probe was installed (firstStep is then an upper bound) */
  stepAtInstall: boolean;
  /** [epoch ms start, duration ms, whose: 'self' = this frame, else e.g. 'same-origin-ancestor' (the workbench)] */
  longTasks: [number, number, string][];
  /** [epoch ms, message type, characters of log text it carried] */
  messages: [number, string, number][];
  /** epoch ms of the animation frame after each host message (update or snapshot) that carried steps (rows drawn by then) */
  stepPaints: number[];
  /** epoch ms the frame's document started loading, and [name, start, end] of what it fetched */
  timeOrigin: number;
  resources: [string, number, number][];
}

// Runs inside the frame; returns false until the panel's document is there.
/* eslint-disable */
const install = (): boolean => {
  const w = window as unknown as { __bklBench?: PanelTrace };
  if (w.__bklBench) return true;
  if (!document.querySelector('.step-list')) return false;
  const b: PanelTrace = { installed: Date.now(), firstStep: 0, stepAtInstall: false, longTasks: [], messages: [], stepPaints: [], timeOrigin: performance.timeOrigin, resources: [] };
  for (const e of performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]) b.resources.push(['nav:' + e.name.split('/').pop(), performance.timeOrigin + e.responseStart, performance.timeOrigin + e.domContentLoadedEventStart]);
  for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) b.resources.push([e.name.split('/').pop() ?? e.name, performance.timeOrigin + e.startTime, performance.timeOrigin + e.responseEnd]);
  w.__bklBench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push([performance.timeOrigin + e.startTime, e.duration, e.name]);
  }).observe({ type: 'longtask' });
  window.addEventListener('message', (ev: MessageEvent) => {
    const m = ev.data as { type?: unknown; text?: string; logs?: { text: string }[]; steps?: unknown[]; snapshot?: { steps?: unknown[] } };
    if (!m || typeof m.type !== 'string') return;
    // this listener runs after the panel's own, so the rows are in the DOM already
    if ((m.type === 'update' ? m.steps : m.type === 'snapshot' ? m.snapshot?.steps : undefined)?.length) requestAnimationFrame(() => b.stepPaints.push(Date.now()));
    const chars = m.type === 'log' ? (m.text ?? '').length : m.type === 'update' ? (m.logs ?? []).reduce((n, l) => n + l.text.length, 0) : 0;
    b.messages.push([Date.now(), m.type, chars]);
  });
  const seen = (): boolean => {
    if (!document.querySelector('.step')) return false;
    requestAnimationFrame(() => (b.firstStep ||= Date.now()));
    return true;
  };
  if (seen()) b.stepAtInstall = true;
  else {
    const mo = new MutationObserver(() => seen() && mo.disconnect());
    mo.observe(document.body, { childList: true, subtree: true });
  }
  return true;
};
/* eslint-enable */

/**
 * Waits for a panel frame not in `known` and instruments it soon after its document exists. Every poll
 * is a round trip through the browser into the workbench renderer (the webviews' process), which the
 * time measured needs too: polling every 5 ms added 15-40 ms to a window's first build (medians of 6
 * windows: 413 ms against 375 ms at 50 ms). What is measured comes from the page's own clock (its
 * bkl:first-step mark, a bare page's first contentful paint), so the poll only has to find the frame.
 * BKL_BENCH_POLL_MS sets another interval.
 */
export async function instrumentNextPanel(page: Page, known: Set<Frame>, timeoutMs = 30_000, pollMs = Number(process.env.BKL_BENCH_POLL_MS ?? 50)): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (known.has(f)) continue;
      if (await f.evaluate(install).catch(() => false)) {
        known.add(f);
        return f;
      }
    }
    if (Date.now() > deadline) {
      const tabs = await page.locator('.tabs-container .tab').allInnerTexts().catch(() => []);
      const fresh = page.frames().filter((f) => !known.has(f)).map((f) => f.url().split('?')[0].split('/').pop());
      throw new Error(`no new build panel appeared (tabs: ${tabs.join(', ') || 'none'}; new frames: ${fresh.join(', ') || 'none'})`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The frame's first contentful paint (epoch ms), 0 if it has none (yet). */
export function firstContentfulPaint(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? performance.timeOrigin + e.startTime : 0;
  });
}

/** Marks every current frame as known, so only panels opened later are picked up. */
export function knownFrames(page: Page): Set<Frame> {
  return new Set(page.frames());
}

/** The panel's own performance marks (webview/main.ts): [name, epoch ms]. */
export function readMarks(frame: Frame): Promise<[string, number][]> {
  return frame.evaluate(() => performance.getEntriesByType('mark').map((e): [string, number] => [e.name, performance.timeOrigin + e.startTime]));
}

export function readTrace(frame: Frame): Promise<PanelTrace> {
  return frame.evaluate(() => (window as unknown as { __bklBench: PanelTrace }).__bklBench);
}

export async function waitInFrame(frame: Frame, what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await frame.evaluate(fn).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The webview's outer frame (VS Code's index.html) as epoch ms: navigation, its resources, DOMContentLoaded, load. */
export async function outerTimings(frame: Frame): Promise<[string, number][]> {
  const outer = frame.parentFrame();
  if (!outer) return [];
  return outer
    .evaluate(() => {
      const out: [string, number][] = [];
      const o = performance.timeOrigin;
      out.push(['outer:timeOrigin', o]);
      for (const e of performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]) {
        out.push(['outer:responseEnd', o + e.responseEnd], ['outer:dcl', o + e.domContentLoadedEventStart], ['outer:load', o + e.loadEventStart]);
      }
      for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) out.push([`res:${e.name.split('?')[0].split('/').pop()}`, o + e.startTime], [`end:${e.name.split('?')[0].split('/').pop()}`, o + e.responseEnd]);
      return out;
    })
    .catch(() => []);
}

/** CPU time (user + system, in clock ticks of 10 ms) of every process, keyed by "pid program [script] [--type=…]". */
export function cpuTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Chromium rewrites its argv into one space-separated string; node keeps one per argument
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter(Boolean);
      // kernel threads (no command line) left out: their tick counts here exceeded the wall time
      if (!argv[0]) continue;
      const program = path.basename(argv[0]);
      const script = program === 'node' ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined;
      const type = argv.find((a) => a.startsWith('--type='));
      const label = [program, script && path.basename(script), type].filter(Boolean).join(' ');
      out.set(`${pid} ${label}`, Number(f[11]) + Number(f[12]));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The processes that used CPU between two cpuTicks() readings, busiest first: "120 ms 4242 chromium --type=renderer". */
export function cpuDiff(before: Map<string, number>, after: Map<string, number>, top = 8): string[] {
  return [...after]
    .map(([k, v]): [string, number] => [k, v - (before.get(k) ?? 0)])
    .filter(([, d]) => d > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, top)
    .map(([k, d]) => `${d * 10} ms ${k}`);
}
