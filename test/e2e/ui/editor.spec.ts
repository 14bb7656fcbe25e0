// In the editor: stage CodeLens builds its target, a failure lands in Problems at its line,
// Cancel stops a running RUN. Screenshots show the line decorations.
import type { Page } from 'playwright-core';
import type { SpecContext } from '../harness';
import { engineHost, engineSettings, nonce, panelFrame, stepRow, waitForBuildStatus, waitForState } from './uiHelpers';

async function openFile(page: Page, name: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }).first();
  await row.click();
  await page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
}

async function clickLens(page: Page, text: string): Promise<void> {
  // the lens of the editor in the active group (a lens title may be part of another's, e.g. "Build")
  const lens = page
    .locator('.editor-group-container.active .codelens-decoration a')
    .filter({ hasText: new RegExp(`^\\W*${text}\\s*$`) })
    .first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  await lens.click();
}

export default async function (ctx: SpecContext): Promise<void> {
  const host = engineHost();
  if (!host) {
    ctx.log('BKL_TEST_ENGINES is not set: editor spec skipped');
    return;
  }
  const n = nonce();
  const files = {
    '.vscode/settings.json': engineSettings(host),
    Dockerfile: [
      'FROM busybox:latest AS tools',
      `RUN echo tools-${n} > /tools`,
      '',
      'FROM busybox:latest AS app',
      'COPY --from=tools /tools /tools',
      `RUN echo app-${n}`,
      '',
    ].join('\n'),
    'broken.Dockerfile': ['FROM busybox:latest', `RUN echo ok-${n}`, `RUN echo failing-${n} && exit 3`, 'RUN echo never', ''].join('\n'),
    'sleep.Dockerfile': ['FROM busybox:latest', `RUN echo sleeping-${n} && sleep 120`, ''].join('\n'),
  };
  const { page } = await ctx.openWorkbench({ files });

  await ctx.test('"Build stage tools" CodeLens builds only that target', async () => {
    await openFile(page, 'Dockerfile');
    await clickLens(page, 'Build stage tools');
    const frame = await panelFrame(page, 'Build: Dockerfile › tools');
    await waitForBuildStatus(frame, ['ok']);
    await waitForState(frame, /RUN echo tools-/, ['done']);
    if ((await stepRow(frame, /RUN echo app-/).count()) !== 0) throw new Error('the app stage was built too');
    await ctx.waitForText(frame.locator('.build-title'), 'Dockerfile › tools');
    // back in the editor, the lens shows the result
    await openFile(page, 'Dockerfile');
    await page.locator('.codelens-decoration a', { hasText: /✓ \d+\.\d s · \d+\/\d+ cached/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'editor-stage-codelens')}`);
  }, { timeoutMs: 120_000 });

  await ctx.test('a failing build shows its error in Problems at the failing line', async () => {
    await openFile(page, 'broken.Dockerfile');
    await clickLens(page, 'Build');
    const frame = await panelFrame(page, 'Build: broken.Dockerfile');
    await waitForBuildStatus(frame, ['failed']);
    await ctx.waitForText(frame.locator('.build-failure'), 'exit code: 3');
    await ctx.waitForText(frame.locator('.excerpt .error-line'), `failing-${n}`);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-failure')}`);
    await page.keyboard.press('Control+Shift+M');
    const entry = page.locator('.markers-panel .monaco-list-row', { hasText: 'exit code: 3' }).first();
    await entry.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await entry.innerText();
    if (!/\[Ln 3, Col 1\]/.test(text)) throw new Error(`Problems entry not at line 3: ${JSON.stringify(text)}`);
    // the cause leads the row; the engine's whole message (with the command) follows on its own line
    if (!/^\s*exit code: 3\s/.test(text)) throw new Error(`Problems entry does not start with its cause: ${JSON.stringify(text)}`);
    // "Go to line" in the panel opens the Dockerfile at that line
    await frame.locator('vscode-button.goto-line').click();
    await ctx.waitForText(page.locator('.statusbar-item[id="status.editor.selection"]'), 'Ln 3');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'editor-problems')}`);
  }, { timeoutMs: 120_000 });

  await ctx.test('Cancel stops a running RUN', async () => {
    await openFile(page, 'sleep.Dockerfile');
    await clickLens(page, 'Build');
    const frame = await panelFrame(page, 'Build: sleep.Dockerfile');
    await waitForState(frame, /RUN echo sleeping-/, ['running']);
    await page.waitForTimeout(1500);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-running')}`);
    const spinner = page.locator('.statusbar-item', { hasText: 'sleep.Dockerfile' }).first();
    await spinner.waitFor({ timeout: 5_000 });
    const t0 = Date.now();
    await frame.locator('vscode-button#cancel').click();
    await waitForBuildStatus(frame, ['canceled'], 30_000);
    await waitForState(frame, /RUN echo sleeping-/, ['canceled', 'error'], 10_000);
    const took = Date.now() - t0;
    if (took > 20_000) throw new Error(`cancel took ${took} ms`);
    await spinner.waitFor({ state: 'hidden', timeout: 5_000 });
    // the RUN at least; on Docker 20.10 its FROM may still be open when the cancel lands (seen once)
    await ctx.waitForText(frame.locator('.build-summary'), /· [12] canceled/);
    ctx.log(`canceled in ${took} ms; screenshot: ${await ctx.screenshot(page, 'panel-canceled')}`);
  }, { timeoutMs: 120_000 });
}
