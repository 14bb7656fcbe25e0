// A real Chromium showing the VS Code workbench served by a VsCodeServer, and the few
// UI helpers every spec needs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, FrameLocator, Locator, Page } from 'playwright-core';
import { resultsDir } from './paths';
import type { VsCodeServer } from './server';

export interface WorkbenchOptions {
  /** Folder to open (absolute path on the server's machine, i.e. this one). */
  folder: string;
  /** Load this extension from source, like `--extensionDevelopmentPath`. */
  extensionDevelopmentPath?: string;
  /** Run this test module in the extension host, like `--extensionTestsPath`. */
  extensionTestsPath?: string;
  /**
   * Only for a server started with `workspaceTrust: true`: true = trust the folder (through
   * the Workspace Trust editor), false = stay in Restricted Mode. Undefined = leave it alone.
   */
  trust?: boolean;
  /** Called with VS Code's automation log lines (window.codeAutomationLog). */
  onAutomationLog?: (type: string, args: unknown[]) => void;
  /** Called when the extension host ends an extension-test run (window.codeAutomationExit). */
  onAutomationExit?: (code: number) => void;
  /** Milliseconds to wait for the workbench to be restored (default 90 s). */
  readyTimeoutMs?: number;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumPath = process.env.BKL_CHROMIUM ?? '/usr/bin/chromium';

/** The workbench URL for a folder, with test-electron's launch arguments as the payload. */
export function workbenchUrl(server: VsCodeServer, opts: WorkbenchOptions): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload: [string, string][] = [];
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: path.resolve(opts.folder) });
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${server.baseUrl}/?${query.toString()}`;
}

export async function openWorkbench(server: VsCodeServer, opts: WorkbenchOptions): Promise<Workbench> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-chromium-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1400, height: 900 },
      // Debian's wrapper starts a crash reporter that writes under the config folder: keep
      // that (and the cache) inside the throwaway profile.
      env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'config'), XDG_CACHE_HOME: path.join(profile, 'cache') },
      timeout: 60_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    recordConsole(page, server.port);
    if (opts.onAutomationLog) {
      const onLog = opts.onAutomationLog;
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => onLog(type, args));
    }
    if (opts.onAutomationExit) {
      const onExit = opts.onAutomationExit;
      await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    }
    await page.goto(workbenchUrl(server, opts), { timeout: 60_000 });
    await whenRestored(page, opts.readyTimeoutMs ?? 90_000);
    if (server.workspaceTrust && opts.trust !== undefined) await settleTrust(page, opts.trust);
    return { page, context, close };
  } catch (err) {
    const page = context?.pages()[0];
    if (page) await screenshot(page, `FAIL-open-workbench-${server.port}`).catch(() => undefined);
    await close();
    throw err;
  }
}

// The smoke-test driver (--enable-smoke-test-driver) says when the workbench has restored
// its editors and views: a better signal than any DOM selector.
async function whenRestored(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { driver?: unknown }).driver !== undefined, undefined, {
    timeout: timeoutMs,
  });
  await page.evaluate(() =>
    (window as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored(),
  );
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

// With trust enabled, VS Code 1.100's web workbench opens an untrusted folder straight in
// Restricted Mode (no startup dialog here; older or differently configured builds ask in a
// modal dialog, answered too). Trusting goes through the Workspace Trust editor, as a user would.
async function settleTrust(page: Page, trust: boolean): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  const restricted = page.locator('.statusbar-item:has-text("Restricted Mode")').first();
  await Promise.race([
    dialog.waitFor({ state: 'visible', timeout: 30_000 }),
    restricted.waitFor({ state: 'visible', timeout: 30_000 }),
  ]).catch(() => undefined);
  if (await dialog.isVisible()) {
    const label = trust ? /Yes, I trust the authors/ : /No, I don.t trust the authors/;
    const button = dialog.getByRole('button', { name: label });
    await button.click({ timeout: 10_000 });
    await button.waitFor({ state: 'detached', timeout: 10_000 });
    return;
  }
  if (!trust || !(await restricted.isVisible())) return;
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).click({ timeout: 10_000 });
  await restricted.waitFor({ state: 'hidden', timeout: 15_000 });
  await runCommand(page, 'View: Close Editor');
}

// Browser console output goes to a log file next to the server's: the first place to look
// when a spec fails.
function recordConsole(page: Page, port: number): void {
  const file = path.join(resultsDir, 'logs', `browser-${port}.log`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file, { flags: 'a' });
  page.on('console', (m) => out.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => out.write(`[pageerror] ${e.message}\n`));
  page.on('close', () => out.end());
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Run a command from the palette (F1) by its full title as shown there, e.g.
 * "BuildKit Lens: Show Build Panel". Commands contributed by extensions appear a few
 * seconds after the workbench loads, so this retries until `timeoutMs`.
 */
export async function runCommand(page: Page, title: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  const row = widget
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) });
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    if (!(await input.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) {
      // F1 pressed while a webview has focus can be lost on its way to the workbench: take focus back
      if (Date.now() > deadline) throw new Error(`the command palette did not open for "${title}"`);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      continue;
    }
    await input.fill(`>${title}`);
    try {
      await row.first().waitFor({ state: 'visible', timeout: 2_000 });
      await row.first().click();
      await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      return;
    } catch {
      if (Date.now() > deadline) {
        await page.keyboard.press('Escape');
        throw new Error(`command "${title}" did not appear in the command palette`);
      }
      await page.waitForTimeout(500);
    }
  }
}

/**
 * The content frame of a webview (panel or view). With several webviews open, `index`
 * picks one in DOM order; the default is the most recently created.
 */
export function webviewFrame(page: Page, opts: { index?: number } = {}): FrameLocator {
  const outer = page.locator('iframe.webview.ready');
  const frame = opts.index === undefined ? outer.last() : outer.nth(opts.index);
  return frame.contentFrame().frameLocator('#active-frame');
}

/**
 * Wait until the element's text contains `expected` (or matches it); returns the text. The
 * failure message shows the last text seen, which is usually the whole diagnosis.
 */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    // innerText: what a user sees (textContent would include <style> blocks).
    last = await locator.first().innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => last);
    if (last !== null && (typeof expected === 'string' ? last.includes(expected) : expected.test(last))) return last;
    if (Date.now() > deadline) {
      const seen = last === null ? 'no such element' : JSON.stringify(last.length > 300 ? `${last.slice(0, 300)}…` : last);
      throw new Error(`expected text ${JSON.stringify(String(expected))}, last seen ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What the workbench shows, in one line for a failure report: CI keeps the log, not the screenshot. */
export async function workbenchSummary(page: Page): Promise<string> {
  const texts = (selector: string) => page.locator(selector).allInnerTexts().then((t) => t.map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean), () => []);
  const [tabs, toasts] = await Promise.all([texts('.tabs-container .tab .label-name'), texts('.notification-toast .notification-list-item-message')]);
  return `editor tabs: ${tabs.join(' | ') || 'none'}; notifications: ${toasts.join(' | ') || 'none'}`;
}

/** Save a full-page screenshot as test-results/screenshots/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(resultsDir, 'screenshots', `${name.replace(/[^\w.-]+/g, '_')}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}
