// The tiny test API Playwright UI specs are written against. A spec module default-exports
// `async (ctx: SpecContext) => { ... }` and declares named tests with `await ctx.test(...)`;
// tests run in order, a failing test is recorded (with a screenshot) and the next one runs.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openWorkbench, runCommand, screenshot, waitForText, webviewFrame, Workbench, WorkbenchOptions, workbenchSummary } from './browser';
import { withTimeout } from './processGroup';
import { ServerOptions, startVsCodeServer, VsCodeServer } from './server';
import { createWorkspace } from './workspace';

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  screenshot?: string;
  /** the workbench's tabs and notifications at the failure */
  shown?: string;
}

export interface SpecContext {
  /** The shared server (extensions' global state persists across specs). */
  server: VsCodeServer;
  /** Extension loaded by default in openWorkbench (the project root for real runs). */
  extensionPath: string;
  /**
   * Open the workbench; folder defaults to a fresh workspace holding `files`, server to
   * ctx.server, extensionDevelopmentPath to ctx.extensionPath. Closed after the spec.
   */
  openWorkbench(
    opts?: Partial<WorkbenchOptions> & { server?: VsCodeServer; files?: Record<string, string> },
  ): Promise<Workbench>;
  /** Another server (e.g. `{ workspaceTrust: true }`), stopped automatically after the spec. */
  startServer(opts?: ServerOptions): Promise<VsCodeServer>;
  /** A fresh temp folder, optionally a copy of `from`, plus `files` (relative path -> text). */
  workspace(opts?: { from?: string; files?: Record<string, string> }): string;
  /** One named test; failures are recorded, never thrown. Default timeout 60 s. */
  test(name: string, fn: () => Promise<void>, opts?: { timeoutMs?: number }): Promise<boolean>;
  runCommand: typeof runCommand;
  webviewFrame: typeof webviewFrame;
  screenshot: typeof screenshot;
  waitForText: typeof waitForText;
  log(message: string): void;
}

export type Spec = (ctx: SpecContext) => Promise<void>;

export interface SpecRunOptions {
  server: VsCodeServer;
  extensionPath: string;
  /** Whole spec, tests and set-up included (default 10 min). */
  timeoutMs?: number;
  /** Only run tests whose "<spec> › <test>" name contains this. */
  grep?: string;
  log?: (line: string) => void;
}

/** Run one spec module; never throws, always cleans up what the spec opened. */
export async function runSpec(file: string, opts: SpecRunOptions): Promise<TestResult[]> {
  const log = opts.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const specName = path.basename(file).replace(/\.spec\.js$/, '');
  const results: TestResult[] = [];
  const workbenches: Workbench[] = [];
  const servers: VsCodeServer[] = [];
  let lastPage: Page | undefined;

  const ctx: SpecContext = {
    server: opts.server,
    extensionPath: opts.extensionPath,
    async openWorkbench(o = {}) {
      const { server = opts.server, files, ...rest } = o;
      const wb = await openWorkbench(server, {
        folder: rest.folder ?? ctx.workspace({ files }),
        extensionDevelopmentPath: opts.extensionPath,
        ...rest,
      });
      workbenches.push(wb);
      lastPage = wb.page;
      return wb;
    },
    async startServer(o) {
      const s = await startVsCodeServer(o);
      servers.push(s);
      return s;
    },
    workspace: (o = {}) => createWorkspace(o),
    async test(name, fn, o = {}) {
      const full = `${specName} › ${name}`;
      if (opts.grep && !full.includes(opts.grep)) return true;
      const started = Date.now();
      const result: TestResult = { name: full, ok: true, ms: 0 };
      try {
        await withTimeout(fn(), o.timeoutMs ?? 60_000, `test "${name}"`);
      } catch (err) {
        result.ok = false;
        result.error = oneLine(err);
        if (lastPage && !lastPage.isClosed()) {
          result.screenshot = await screenshot(lastPage, `FAIL-${full}`).catch(() => undefined);
          result.shown = await workbenchSummary(lastPage).catch(() => undefined);
        }
      }
      result.ms = Date.now() - started;
      results.push(result);
      log(`  ${result.ok ? '✔' : '✘'} ${full} (${result.ms} ms)${result.ok ? '' : `\n      ${result.error}`}` +
        (result.screenshot ? `\n      screenshot: ${path.relative(process.cwd(), result.screenshot)}` : '') +
        (result.shown ? `\n      ${result.shown}` : ''));
      return result.ok;
    },
    runCommand,
    webviewFrame,
    screenshot,
    waitForText,
    log: (m) => log(`    ${m}`),
  };

  try {
    const mod = require(file) as { default?: Spec };
    if (typeof mod.default !== 'function') throw new Error('the module has no default-exported spec function');
    await withTimeout(mod.default(ctx), opts.timeoutMs ?? 10 * 60_000, `spec ${specName}`);
  } catch (err) {
    const result: TestResult = { name: `${specName} (spec)`, ok: false, ms: 0, error: oneLine(err) };
    results.push(result);
    log(`  ✘ ${result.name}\n      ${result.error}`);
  } finally {
    for (const wb of workbenches) await wb.close();
    for (const s of servers) await s.stop();
  }
  return results;
}

// Playwright errors carry a multi-line call log; the first line says what went wrong.
function oneLine(err: unknown): string {
  // eslint-disable-next-line no-control-regex
  const msg = (err instanceof Error ? err.message : String(err)).replace(/\x1b\[[0-9;]*m/g, '');
  return msg.split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' | ');
}
