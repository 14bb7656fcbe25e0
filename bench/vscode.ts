// BuildKit Lens in a real VS Code (code-server's VS Code 1.100 + Chromium), installed from its .vsix:
// activation time, command → first step painted (first build in a window, in every other window; another
// Dockerfile into the finished panel; a rebuild; a further new webview), the same for a bare webview of static
// HTML (VS Code's own share), a 300,000-line log flood (webview long tasks, extension-host event-loop lag,
// message batching), bundle sizes. Prints a table; always exits 0.
//   node out/bench/vscode.js [--engine d26] [--runs 5] [--windows 5] [--vsix FILE] [--only latency|flood]
//   BKL_BENCH_VERBOSE=1: per-build timings (webview resources, messages, long tasks, VS Code's outer webview frame,
//   CPU per process); BKL_BENCH_PROFILE=DIR: CPU profiles
//   (the workbench renderer around new panels; the extension host's first 600 ms of each window's first build);
//   BKL_BENCH_TRACE=DIR: Chrome traces of the flood and of each new panel or bare webview (NAME.trace.json)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { createWorkspace, repoRoot, startVsCodeServer, type VsCodeServer } from '../test/e2e/harness';
import { Probe, probeDir, type Activation } from '../test/e2e/harness/probe';
import { installVsix, packageVsix } from '../test/e2e/harness/vsix';
import { engineSettings, nonce } from '../test/e2e/ui/uiHelpers';
import { median } from './measure';
import { firstContentfulPaint, instrumentNextPanel, knownFrames, readMarks, readTrace, outerTimings, cpuTicks, cpuDiff, waitInFrame, type PanelTrace } from './webviewProbe';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ENGINE = opt('engine', 'd26');
const RUNS = Number(opt('runs', '5'));
const ONLY = opt('only', '');
const WINDOWS = Number(opt('windows', '5'));
const host = `unix://${process.env.BKL_ENGINE_ROOT ?? '/tmp/bkl-engines'}/${ENGINE}/docker.sock`;
const FLOOD_LINES = 300_000;

interface Row {
  name: string;
  value: string;
  target: string;
  ok?: boolean;
}
const rows: Row[] = [];
const row = (name: string, value: string, target: string, ok?: boolean) => rows.push({ name, value, target, ok });
const ms = (v: number) => `${v.toFixed(0)} ms`;
/** A value against its limit: a tenth more where whole ms would read as the limit itself (300.4 → "300.4 ms", a miss). */
const msVs = (v: number, limit: number) => (Math.round(v) === limit && v !== limit ? `${v.toFixed(1)} ms` : ms(v));
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

function bundleRows(vsix: string): void {
  const size = (f: string) => fs.statSync(path.join(repoRoot, 'dist', f)).size;
  const ext = size('extension.js') + size('extensionMain.js');
  const host = ext + size('dockerfileAst.js') + size('engineCore.js');
  row('bundle: dist/extension.js + extensionMain.js (loaded at activation)', kib(ext), '≤ 1 MB', ext <= 1_000_000);
  row('bundle: extension host code (extension.js + extensionMain.js + dockerfileAst.js + engineCore.js)', kib(host), '≤ 1 MB', host <= 1_000_000);
  row('info: dist/ssh2.js, loaded only for ssh:// engines', kib(size('ssh2.js')), '', undefined);
  row('bundle: dist/webview.js', kib(size('webview.js')), '≤ 1 MB', size('webview.js') <= 1_000_000);
  row('.vsix size', kib(fs.statSync(vsix).size), '', undefined);
}

function activationEventsRow(): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    activationEvents?: string[];
    contributes: { commands: { command: string }[]; views?: Record<string, { id: string }[]> };
  };
  const views = Object.values(pkg.contributes.views ?? {}).flat().map((v) => `onView:${v.id}`);
  const allowed = new Set(['onLanguage:dockerfile', 'onWebviewPanel:buildkitLens.buildPanel', ...views, ...pkg.contributes.commands.map((c) => `onCommand:${c.command}`)]);
  const extra = (pkg.activationEvents ?? []).filter((e) => !allowed.has(e));
  row('activation events (dockerfile, commands, views, panel only)', extra.length ? `also ${extra.join(', ')}` : (pkg.activationEvents ?? []).join(', ') + ' + implicit onCommand', 'nothing else', extra.length === 0);
}

function workspace(tag: string): string {
  const files: Record<string, string> = { '.vscode/settings.json': engineSettings(host), 'Dockerfile.warm': `FROM busybox:latest\nRUN echo warm-${tag}\n` };
  for (let i = 1; i <= RUNS; i++) files[`Dockerfile.lat${i}`] = `FROM busybox:latest\nRUN echo lat${i}-${tag}\n`;
  // the sleep lets the bench open the step's log before the flood starts, so it streams in live
  files['Dockerfile.flood'] = `FROM busybox:latest\nRUN echo ${tag} >/dev/null && sleep 3 && seq 1 ${FLOOD_LINES}\n`;
  return createWorkspace({ files });
}

const statusOf = (f: Frame) => f.evaluate(() => document.body.dataset.status ?? '');

async function waitDone(frame: Frame, timeoutMs = 120_000): Promise<void> {
  await waitInFrame(frame, 'the build to end', () => ['ok', 'error', 'canceled'].includes(document.body.dataset.status ?? ''), timeoutMs);
  const s = await statusOf(frame);
  if (s !== 'ok') throw new Error(`build ended ${s}`);
}

/** BKL_BENCH_PROFILE=DIR: a CPU profile of the workbench renderer (webviews included), saved by the returned function. */
async function startProfile(page: Page): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env.BKL_BENCH_PROFILE;
  if (!dir) return undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (name) => fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify((await cdp.send('Profiler.stop')).profile));
}

/**
 * BKL_BENCH_TRACE=DIR: a Chrome trace of the workbench renderer (webviews included: they share its main
 * thread), saved by the returned function; DevTools' Performance panel opens it. It shows what a long
 * task held (style, layout, hit tests, script) with less overhead than a CPU profile.
 */
async function startTrace(page: Page): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env.BKL_BENCH_TRACE;
  if (!dir) return undefined;
  const cdp = await page.context().newCDPSession(page);
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', (d: { value: unknown[] }) => events.push(...d.value));
  // BKL_BENCH_TRACE_JS=1 adds JavaScript samples (more overhead, but names the functions inside a task)
  const js = process.env.BKL_BENCH_TRACE_JS ? ',disabled-by-default-v8.cpu_profiler' : '';
  const categories = `devtools.timeline,disabled-by-default-devtools.timeline,v8,disabled-by-default-v8.gc,blink${js}`;
  await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
  return async (name) => {
    const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await complete;
    fs.writeFileSync(path.join(dir, `${name}.trace.json`), JSON.stringify({ traceEvents: events }));
  };
}

let lastT0 = 0; // for BKL_BENCH_VERBOSE request timings

/** Build started through the command API → first step row painted in the new panel it opens. */
async function newPanelLatency(page: Page, probe: Probe, file: string): Promise<{ ms: number; frame: Frame }> {
  const known = knownFrames(page);
  const panel = instrumentNextPanel(page, known);
  const profile = await startProfile(page);
  const tracing = await startTrace(page);
  const ticks0 = process.env.BKL_BENCH_VERBOSE ? cpuTicks() : undefined;
  const { t0, returned } = await probe.build(file);
  lastT0 = t0;
  const frame = await panel;
  await waitInFrame(frame, 'a step row', () => !!(window as unknown as { __bklBench: PanelTrace }).__bklBench.firstStep, 60_000);
  const ticks1 = ticks0 && cpuTicks();
  const ticksAt = Date.now() - t0;
  const trace = await readTrace(frame);
  await waitDone(frame);
  await profile?.(path.basename(file));
  await tracing?.(`${path.basename(file)}-${t0}`);
  // The panel marks its first step painted itself; the probe, installed by polling, may come after that.
  const marks = await readMarks(frame);
  const firstStep = marks.find(([n]) => n === 'bkl:first-step')?.[1] ?? trace.firstStep;
  if (firstStep === trace.firstStep && trace.stepAtInstall) process.stderr.write('note: a step row was there before the panel was instrumented (upper bound)\n');
  if (process.env.BKL_BENCH_VERBOSE) {
    const rel = (t: number) => `+${(t - t0).toFixed(0)}`;
    process.stderr.write(`${path.basename(file)}: returned ${rel(returned)} frame doc ${rel(trace.timeOrigin)} instrumented ${rel(trace.installed)} first step ${rel(firstStep)}\n`);
    process.stderr.write(`  resources: ${trace.resources.map(([n, a, b]) => `${n} ${rel(a)}..${rel(b)}`).join(', ')}\n`);
    process.stderr.write(`  marks: ${marks.map(([n, t]) => `${n} ${rel(t)}`).join(', ')}\n`);
    process.stderr.write(`  messages: ${trace.messages.slice(0, 6).map(([t, type]) => `${type} ${rel(t)}`).join(', ')}\n`);
    if (ticks0 && ticks1) await writeShare(frame, t0, cpuDiff(ticks0, ticks1), ticksAt);
  }
  return { ms: firstStep - t0, frame };
}

/**
 * BKL_BENCH_VERBOSE: what else ran on the 2 shared cores from the command until the webview was seen
 * (busiest processes), and when VS Code's outer webview frame started, loaded and asked for our page.
 */
async function writeShare(frame: Frame, t0: number, busiest: string[], untilMs: number): Promise<void> {
  process.stderr.write(`  cpu to +${untilMs}: ${busiest.join('; ')}\n`);
  process.stderr.write(`  outer: ${(await outerTimings(frame)).map(([n, t]) => `${n} +${(t - t0).toFixed(0)}`).join(', ')}\n`);
}

/** A build shown in an already open panel (frame): command → the frame after the first update with steps. */
async function openPanelLatency(probe: Probe, frame: Frame, file: string): Promise<number> {
  const { t0 } = await probe.build(file);
  lastT0 = t0;
  const painted = async () => (await readTrace(frame)).stepPaints.find((t) => t >= t0);
  const deadline = Date.now() + 30_000;
  let t: number | undefined;
  // no paint in this frame means the build went to another panel
  while (!(t = await painted())) {
    if (Date.now() > deadline) {
      // what the panel shows then tells a build that hung from a page that was not painted
      const seen = await frame.evaluate(() => `status "${document.body.dataset.status ?? ''}", ${document.querySelectorAll('.step').length} step rows, page ${document.visibilityState}`).catch((e: Error) => e.message);
      throw new Error(`${path.basename(file)} painted no step in the open panel (${seen})`);
    }
    await sleep(20);
  }
  await waitDone(frame);
  return t - t0;
}

async function floodRows(page: Page, probe: Probe, file: string): Promise<void> {
  const known = knownFrames(page);
  const panel = instrumentNextPanel(page, known);
  const profile = await startProfile(page);
  const tracing = await startTrace(page);
  const { t0 } = await probe.build(file);
  const frame = await panel;
  const head = frame.locator('.step', { has: frame.locator('.step-name', { hasText: /seq 1/ }) }).locator('.step-head');
  await head.click({ timeout: 30_000 });
  await waitDone(frame, 180_000);
  const shown = () => ((document.querySelector('.step.expanded .xterm-rows') as HTMLElement | null)?.innerText ?? '(no open log)').trimEnd();
  // BuildKit itself may clip a flood ("[output clipped, log limit 200KiB/s reached]"): that is then the last line
  await waitInFrame(frame, 'the last log line', () => /(^|\n)(300000|\[output clipped, log limit .*\])$/.test(((document.querySelector('.step.expanded .xterm-rows') as HTMLElement | null)?.innerText ?? '').trimEnd()), 60_000).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the log shows …${JSON.stringify((await frame.evaluate(shown)).slice(-120))}`);
  });
  const t1 = Date.now();
  await sleep(300);
  const trace = await readTrace(frame);
  await profile?.('flood');
  await tracing?.('flood');
  const allLags = await probe.lags();
  const lags = allLags.filter(([t]) => t >= t0 && t <= t1).map(([, l]) => l);
  const idleMax = Math.max(0, ...allLags.filter(([t]) => t >= t0 - 3000 && t < t0).map(([, l]) => l));

  const long = trace.longTasks.filter(([t]) => t >= t0 && t <= t1);
  if (process.env.BKL_BENCH_VERBOSE) {
    const rel = (t: number) => `+${(t - t0).toFixed(0)}`;
    process.stderr.write(`flood: long tasks ${long.map(([t, d, who]) => `${rel(t)} ${d.toFixed(0)} ms ${who}`).join(', ')}\n  messages ${trace.messages.map(([t, type, c]) => `${type}${c ? `(${c})` : ''} ${rel(t)}`).join(', ')}\n`);
  }
  const worst = long.reduce((m, [, d]) => Math.max(m, d), 0);
  row(`flood ${FLOOD_LINES.toLocaleString('en')} lines: webview long tasks > 50 ms`, long.length ? `${long.length} (worst ${ms(worst)})` : '0', '0', long.length === 0);
  const maxLag = Math.max(0, ...lags);
  const sorted = [...lags].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
  // p99 is the target: on a shared 2-core machine single spikes (GC, other processes) show in the max
  row('flood: extension host event-loop lag, p99 (max; max in the idle 3 s before)', `${msVs(p99, 50)} (${ms(maxLag)}; ${ms(idleMax)})`, 'p99 ≤ 50 ms', p99 <= 50);
  const logMsgs = trace.messages.filter(([, type, chars]) => (type === 'update' && chars > 0) || type === 'log');
  const full = trace.messages.filter(([, type]) => type === 'log').length;
  const perSecond = new Map<number, number>();
  for (const [t, type] of trace.messages) if (type === 'update') perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const peak = Math.max(0, ...perSecond.values());
  row('flood: panel updates per second, peak', String(peak), '≤ 31 (one per 33 ms frame)', peak <= 31);
  const chars = logMsgs.reduce((n, [, , c]) => n + c, 0);
  row('flood: log sent whole vs appended', `${full} whole, ${logMsgs.filter(([, t]) => t === 'update').length} appends, ${(chars / 1024 / 1024).toFixed(1)} MiB`, '1 whole (on expand), rest appended', full === 1);
  const lastLog = logMsgs.length ? logMsgs[logMsgs.length - 1][0] : t1;
  row('flood: build start → last log line shown', ms(t1 - t0), '', undefined);
  void lastLog;
}

/** command → first step painted of the first build in a window, and the same for a bare webview (rows added at the end) */
const firstBuilds: number[] = [];
const bareFirst: number[] = [];

function firstInWindowRows(): void {
  if (firstBuilds.length) row(`first build in a window (a new webview): command → first step painted (median of ${firstBuilds.length} windows; all)`, `${msVs(median(firstBuilds), 300)}; ${firstBuilds.map((v) => v.toFixed(0)).join(', ')}`, '≤ 300 ms', median(firstBuilds) <= 300);
  if (bareFirst.length) row(`info: the first webview in a window when it is a bare one (static HTML, no extension code) (${bareFirst.map(ms).join(', ')})`, ms(median(bareFirst)), 'info (VS Code alone)', undefined);
}

async function latencyRows(page: Page, probe: Probe, folder: string): Promise<Frame | undefined> {
  const file = (i: number) => path.join(folder, `Dockerfile.lat${i}`);
  const target = '≤ 300 ms';
  const stats = (v: number[]) => `${msVs(median(v), 300)}; ${ms(Math.max(...v))}`;
  const first = await newPanelLatency(page, probe, path.join(folder, 'Dockerfile.warm'));
  firstBuilds.push(first.ms);
  const other: number[] = [];
  for (let i = 1; i <= RUNS; i++) other.push(await openPanelLatency(probe, first.frame, file(i)));
  row(`build of another Dockerfile, into the finished panel (panel.reuse default) (median of ${RUNS}; max)`, stats(other), target, median(other) <= 300);
  const again: number[] = [];
  for (let i = 1; i <= RUNS; i++) again.push(await openPanelLatency(probe, first.frame, file(i)));
  row(`rebuild of the same Dockerfile in its open panel (median of ${RUNS}; max)`, stats(again), target, median(again) <= 300);
  // The path every build took before panels were reused; now a build after the user closed its panel.
  const fresh: number[] = [];
  const blank: string[] = [];
  let open: Frame | undefined = first.frame;
  for (let i = 1; i <= RUNS; i++) {
    await closeEditors(probe, open);
    try {
      const p = await newPanelLatency(page, probe, file(i));
      fresh.push(p.ms);
      open = p.frame;
    } catch (e) {
      // now and then code-server's webview host never loads a further webview's page (its service worker)
      blank.push((e as Error).message);
      open = undefined;
    }
  }
  for (const b of blank) process.stderr.write(`new webview: ${b}\n`);
  const value = (fresh.length ? stats(fresh) : 'none loaded') + (blank.length ? `; ${blank.length} of ${RUNS} stayed blank` : '');
  row(`info: a further new webview in the window (panel closed first) (median of ${fresh.length}; max)`, value, 'info (VS Code makes the webview)', undefined);
  return bareWebviewRow(page, probe, open);
}

const BARE_HTML = '<!DOCTYPE html><html><body><div class="step-list"><div class="step">bare</div></div></body></html>';

/** Opens a bare webview: command → its first contentful paint (the page's own clock, as ours marks its first step). */
async function bareWebviewShown(page: Page, probe: Probe): Promise<{ ms: number; frame: Frame }> {
  const panel = instrumentNextPanel(page, knownFrames(page));
  const tracing = await startTrace(page);
  const ticks0 = process.env.BKL_BENCH_VERBOSE ? cpuTicks() : undefined;
  const { t0 } = await probe.bareWebview(BARE_HTML);
  const frame = await panel;
  const ticks1 = ticks0 && cpuTicks();
  const ticksAt = Date.now() - t0;
  await sleep(100);
  await tracing?.(`bare-${t0}`);
  const tr = await readTrace(frame);
  const fcp = await firstContentfulPaint(frame);
  if (ticks0 && ticks1) {
    process.stderr.write(`bare webview: frame doc +${(tr.timeOrigin - t0).toFixed(0)} painted +${(fcp - t0).toFixed(0)} instrumented +${(tr.installed - t0).toFixed(0)}\n`);
    await writeShare(frame, t0, cpuDiff(ticks0, ticks1), ticksAt);
  }
  // a page that painted before the probe's poll found it has its paint entry; `installed` is a bound if not
  return { ms: (fcp || tr.installed) - t0, frame };
}

/**
 * The same as the row above with a panel of static HTML that the probe opens (no BuildKit Lens
 * code, no scripts): how long VS Code itself takes for a further new webview, and whether it too
 * leaves some blank.
 */
async function bareWebviewRow(page: Page, probe: Probe, open: Frame | undefined): Promise<Frame | undefined> {
  const shown: number[] = [];
  let blank = 0;
  for (let i = 1; i <= RUNS; i++) {
    await closeEditors(probe, open);
    open = undefined;
    try {
      const bare = await bareWebviewShown(page, probe);
      shown.push(bare.ms);
      open = bare.frame;
    } catch {
      blank++;
    }
  }
  const value = (shown.length ? `${ms(median(shown))}; ${ms(Math.max(...shown))}` : 'none loaded') + (blank ? `; ${blank} of ${RUNS} stayed blank` : '');
  row(`info: the same with a bare webview of static HTML, no extension code (median of ${shown.length}; max)`, value, 'info (VS Code alone)', undefined);
  return open;
}

/** Closes every editor; the extension host hears of a closed panel a moment later, and until then would reuse it. */
async function closeEditors(probe: Probe, open?: Frame): Promise<void> {
  await probe.exec('workbench.action.closeAllEditors');
  while (open && !open.isDetached()) await sleep(20);
  await sleep(300);
}

async function openProbe(server: VsCodeServer, dir: string, folder: string): Promise<{ probe: Probe; activation: Activation }> {
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { force: true });
  const probe = await Probe.open(server, dir, folder);
  const activation = await probe.activation();
  if (activation.error) throw new Error(activation.error);
  return { probe, activation };
}

(async () => {
  const extensionsDir = fs.mkdtempSync('/tmp/bkl-bench-ext-');
  const dir = probeDir();
  let server: VsCodeServer | undefined;
  let open: Probe | undefined;
  try {
    const vsix = opt('vsix', '') || packageVsix();
    bundleRows(vsix);
    activationEventsRow();
    const installed = installVsix(vsix, extensionsDir);
    server = await startVsCodeServer({ extensionsDir, env: { BKL_PROBE_DIR: dir, BKL_PROBE_BUILD_PROFILE: process.env.BKL_BENCH_PROFILE ?? '' } });
    const folder = workspace(nonce());
    const activations: number[] = [];
    let { probe, activation } = await openProbe(server, dir, folder);
    open = probe;
    const fromVsix = path.resolve(activation.extensionPath) === path.resolve(installed) && !activation.wasActive && activation.hasApi;
    row('runs from the installed .vsix (not the dev path), activates, returns its API', fromVsix ? `yes (${path.basename(activation.extensionPath)})` : `no: ${activation.extensionPath}`, 'yes', fromVsix);
    activations.push(activation.activationMs);

    const page = probe.workbench.page;
    if (process.env.BKL_BENCH_VERBOSE) {
      page.on('requestfinished', (r) => {
        if (!/fake\.html|webview\.js|index\.html|service-worker|\.css|\.ttf/.test(r.url())) return;
        const t = r.timing();
        process.stderr.write(`  request ${r.url().split('?')[0].split('/').pop()} at +${(t.startTime - lastT0).toFixed(0)}: request sent +${t.requestStart.toFixed(0)} response +${t.responseStart.toFixed(0)} end +${t.responseEnd.toFixed(0)}\n`);
      });
    }
    await sleep(4_000); // the engine side loads in the background 3 s after activation
    const lastPanel = ONLY !== 'flood' ? await latencyRows(page, probe, folder) : undefined;
    if (ONLY !== 'latency') {
      await closeEditors(probe, lastPanel); // the flood gets a panel of its own
      await floodRows(page, probe, path.join(folder, 'Dockerfile.flood'));
    }
    await probe.close();

    // Activation again in fresh extension hosts (one sample per host); then the window's first
    // webview is, in turns, a build's panel again or a bare one for that row to compare with.
    for (let w = 1; w < WINDOWS; w++) {
      ({ probe, activation } = await openProbe(server, dir, folder));
      open = probe;
      activations.push(activation.activationMs);
      if (ONLY !== 'flood') {
        await sleep(4_000);
        const page = probe.workbench.page;
        // a window whose webview never loads (code-server, now and then) gives no sample
        if (w % 2 === 0) {
          const first = await newPanelLatency(page, probe, path.join(folder, 'Dockerfile.warm')).catch(() => undefined);
          if (first) firstBuilds.push(first.ms);
        } else {
          const bare = await bareWebviewShown(page, probe).catch(() => undefined);
          if (bare) bareFirst.push(bare.ms);
        }
      }
      await probe.close();
    }
    row(`activation: activate() in a fresh extension host (median of ${activations.length}; all)`, `${msVs(median(activations), 30)}; ${activations.map((a) => a.toFixed(0)).join(', ')}`, '≤ 30 ms', median(activations) <= 30);
  } catch (e) {
    process.stderr.write(`bench stopped: ${(e as Error).message}\n`);
  } finally {
    await open?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(extensionsDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  firstInWindowRows();
  console.log(`| BuildKit Lens in VS Code 1.100 (engine ${ENGINE}) | value | target | |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.target} | ${r.ok === undefined ? '' : r.ok ? 'pass' : 'MISS'} |`);
})();
