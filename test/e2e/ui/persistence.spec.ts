// A running step's log streams into the panel without repeats; a finished build survives a window
// reload (serializer + build record); the BuildKit view lists the Dockerfile with its result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { SpecContext } from '../harness';
import { engineHost, engineSettings, explorerContextMenu, nonce, panelFrame, stepRow, waitForBuildStatus, waitForState } from './uiHelpers';

async function reloadWorkbench(page: Page): Promise<void> {
  // the panel saves its state at most twice a second
  await page.waitForTimeout(1000);
  await page.reload({ timeout: 60_000 });
  await page.waitForFunction(() => (window as unknown as { driver?: unknown }).driver !== undefined, undefined, { timeout: 90_000 });
  await page.evaluate(() => (window as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export default async function (ctx: SpecContext): Promise<void> {
  const host = engineHost();
  if (!host) {
    ctx.log('BKL_TEST_ENGINES is not set: persistence spec skipped');
    return;
  }
  const n = nonce();
  const dockerfile = ['FROM busybox:latest AS counter', `RUN for i in 1 2 3 4 5 6 7 8; do echo "line-$i-${n}"; sleep 0.6; done`, ''].join('\n');
  const settings = { ...JSON.parse(engineSettings(host)), 'files.exclude': { 'hidden/**': true } };
  const folder = ctx.workspace({
    files: { Dockerfile: dockerfile, 'hidden/Dockerfile': 'FROM scratch\n', '.vscode/settings.json': JSON.stringify(settings) },
  });
  const { page } = await ctx.openWorkbench({ folder });
  const runStep = /RUN for i in/;

  await ctx.test('a running step\'s log streams in, each line once', async () => {
    await explorerContextMenu(page, 'Dockerfile', 'Build with BuildKit');
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await waitForState(frame, runStep, ['running']);
    const row = stepRow(frame, runStep);
    await row.locator('.step-head').click();
    await ctx.waitForText(row.locator('.xterm-rows'), `line-2-${n}`, 20_000);
    const early = await row.locator('.xterm-rows').innerText();
    if (early.includes(`line-8-${n}`)) throw new Error('the log arrived all at once, not while running');
    await ctx.waitForText(row.locator('.xterm-rows'), `line-8-${n}`, 30_000);
    await waitForBuildStatus(frame, ['ok']);
    const text = await row.locator('.xterm-rows').innerText();
    for (let i = 1; i <= 8; i++) {
      const c = occurrences(text, `line-${i}-${n}`);
      if (c !== 1) throw new Error(`line-${i} shows ${c} times`);
    }
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-live-log')}`);
  }, { timeoutMs: 120_000 });

  await ctx.test('after a window reload the finished build and its logs are still there', async () => {
    await reloadWorkbench(page);
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await waitForBuildStatus(frame, ['ok'], 30_000);
    const row = stepRow(frame, runStep);
    await waitForState(frame, runStep, ['done'], 10_000);
    // the step was open before the reload: it reopens with its whole log
    await ctx.waitForText(row.locator('.xterm-rows'), `line-8-${n}`, 20_000);
    // search inside the log
    const search = row.locator('input.log-search');
    await search.fill(`line-5-${n}`);
    await search.press('Enter');
    await ctx.waitForText(row.locator('.log-status'), '1 of 1');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-after-reload')}`);
  }, { timeoutMs: 150_000 });

  await ctx.test('the BuildKit view lists the Dockerfile, its stages and last result', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="BuildKit"]').first().click();
    const view = page.locator('.pane-body').filter({ has: page.locator('.monaco-list-row') }).last();
    const file = page.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Dockerfile' }).first();
    await file.waitFor({ state: 'visible', timeout: 20_000 });
    await ctx.waitForText(file, /✓ \d+\.\d s/);
    await file.locator('.monaco-tl-twistie').click();
    await ctx.waitForText(page.locator('.monaco-list-row[aria-level="2"]').first(), 'counter');
    void view;
    const level1 = page.locator('.monaco-list-row[aria-level="1"]');
    if ((await level1.count()) !== 1) throw new Error(`files.exclude not respected: ${(await level1.allInnerTexts()).join(' | ')}`);
    // a new Dockerfile on disk shows up by itself
    fs.mkdirSync(path.join(folder, 'api'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'api', 'api.Dockerfile'), 'FROM busybox:latest AS api\nRUN true\n');
    const added = page.locator('.monaco-list-row[aria-level="1"]', { hasText: 'api.Dockerfile' }).first();
    if (!(await added.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false))) {
      throw new Error(`new Dockerfile not listed: ${(await level1.allInnerTexts()).join(' | ')}`);
    }
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'buildkit-view')}`);
  }, { timeoutMs: 60_000 });

  await ctx.test('a build that ends out of sight says so in a notification that opens it', async () => {
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ ...settings, 'buildkitLens.panel.revealOnBuild': false }));
    // close the panel so the build is not in view
    const tab = page.locator('.tabs-container .tab', { hasText: 'Build: Dockerfile' }).first();
    await tab.click();
    await page.keyboard.press('Control+W');
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
    await page.waitForTimeout(1000); // the settings file change to reach the extension
    await ctx.runCommand(page, 'BuildKit: Rebuild Last');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /Build of Dockerfile finished/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'notification')}`);
    await toast.getByRole('button', { name: 'Show Build' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'Build: Dockerfile' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  }, { timeoutMs: 90_000 });
}
