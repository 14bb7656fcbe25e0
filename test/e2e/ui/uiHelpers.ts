// What the UI specs share: the workspace settings that point the extension at a test engine,
// and the few workbench gestures the specs repeat.
import type { FrameLocator, Page } from 'playwright-core';
import { testEngines } from '../../support/engines';

/** The first engine of BKL_TEST_ENGINES ("name=host,..."). */
export function engineHost(): string | undefined {
  return testEngines()[0]?.host;
}

/** .vscode/settings.json for a workspace building on the test engine (RUN needs network none there). */
export function engineSettings(host: string): string {
  return JSON.stringify({
    'buildkitLens.engine.host': host,
    'buildkitLens.build.network': 'none',
    'buildkitLens.build.tagPattern': 'bkl-ui-${folder}:${stage}',
  }, null, 2);
}

/** A value that makes RUN lines miss the engine's cache from earlier runs. */
export const nonce = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Right-click a file in the explorer and pick a context-menu entry. */
export async function explorerContextMenu(page: Page, file: string, item: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  // Contributed entries appear once the extension under development has been scanned: retry.
  const entry = page.getByRole('menuitem', { name: item, exact: true }).first();
  const deadline = Date.now() + 30_000;
  for (;;) {
    await row.click({ button: 'right' });
    if (await entry.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`"${item}" never appeared in the context menu of ${file}`);
    await page.waitForTimeout(1_000);
  }
  // The web menu can miss a synthetic click right after opening; hover + Enter always lands.
  await entry.hover();
  await page.waitForTimeout(200);
  await page.keyboard.press('Enter');
  await entry.waitFor({ state: 'hidden', timeout: 5_000 });
}

/** The webview frame of the panel whose tab title contains `title`. */
export async function panelFrame(page: Page, title: string): Promise<FrameLocator> {
  const tab = page.locator('.tabs-container .tab').filter({ hasText: title }).first();
  await tab.waitFor({ state: 'visible', timeout: 30_000 });
  await tab.click();
  // the selected webview is the one visible in the DOM
  const frames = page.locator('iframe.webview.ready');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const n = await frames.count();
    for (let i = n - 1; i >= 0; i--) {
      if (await frames.nth(i).isVisible()) return frames.nth(i).contentFrame().frameLocator('#active-frame');
    }
    if (Date.now() > deadline) throw new Error(`no visible webview for "${title}"`);
    await page.waitForTimeout(200);
  }
}

/** The step row whose name matches. */
export function stepRow(frame: FrameLocator, name: RegExp) {
  return frame.locator('.step').filter({ has: frame.locator('.step-name', { hasText: name }) }).first();
}

export async function waitForState(frame: FrameLocator, name: RegExp, states: string[], timeoutMs = 60_000): Promise<string> {
  const row = stepRow(frame, name);
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = await row.getAttribute('data-state', { timeout: 2_000 }).catch(() => last);
    if (last && states.includes(last)) return last;
    if (Date.now() > deadline) throw new Error(`step ${name} never reached ${states.join('/')} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function waitForBuildStatus(frame: FrameLocator, statuses: string[], timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = await frame.locator('body').getAttribute('data-status', { timeout: 2_000 }).catch(() => last);
    if (last && statuses.includes(last)) return last;
    if (Date.now() > deadline) throw new Error(`build never reached ${statuses.join('/')} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
