import assert from 'node:assert/strict';
// Right-click → Build with BuildKit → the panel: steps by name, cached on rebuild, logs, inert markup.
import type { SpecContext } from '../harness';
import { engineHost, engineSettings, explorerContextMenu, nonce, panelFrame, stepRow, waitForBuildStatus, waitForState } from './uiHelpers';

export default async function (ctx: SpecContext): Promise<void> {
  const host = engineHost();
  if (!host) {
    ctx.log('BKL_TEST_ENGINES is not set: build panel spec skipped');
    return;
  }
  const n = nonce();
  const dockerfile = [
    'FROM busybox:latest AS base',
    `RUN echo "hello from ${n}" && printf '\\033[31mred text\\033[0m\\n'`,
    '',
    'FROM base',
    `RUN echo '<script>parent.pwned=1</script><img src=x onerror="parent.pwned=2">' && printf '\\033]8;;https://example.invalid/\\033\\\\osc-link\\033]8;;\\033\\\\\\n' && echo ${n}`,
    // more lines than the panel's terminal keeps (10,000), fewer than the engine's log limit
    `RUN echo ${n} >/dev/null && seq 1 20000`,
    '',
  ].join('\n');
  const { page } = await ctx.openWorkbench({ files: { Dockerfile: dockerfile, '.vscode/settings.json': engineSettings(host) } });

  await ctx.test('right-click Dockerfile → Build with BuildKit → the panel lists the steps by name', async () => {
    await explorerContextMenu(page, 'Dockerfile', 'Build with BuildKit');
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await ctx.waitForText(stepRow(frame, /RUN echo "hello from/).locator('.step-name'), `hello from ${n}`, 60_000);
    await waitForBuildStatus(frame, ['ok']);
    await waitForState(frame, /RUN echo "hello from/, ['done']);
    await ctx.waitForText(frame.locator('.build-summary'), /steps · \d+\/\d+ cached/);
    // the new panel's page carried the build's state (drawn before any message could arrive)
    const initial = JSON.parse((await frame.locator('#bkl-initial').textContent()) ?? 'null');
    assert.equal(initial?.type, 'snapshot');
    assert.match(initial.snapshot.build.dockerfile, /Dockerfile$/);
    ctx.log(`the page was set with ${initial.snapshot.steps.length} step(s) known`);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-first-build')}`);
  }, { timeoutMs: 120_000 });

  await ctx.test('Rebuild marks the RUN steps cached', async () => {
    const frame = await panelFrame(page, 'Build: Dockerfile');
    // the button is @vscode-elements' <vscode-button>, upgraded in place after the first paint
    const upgraded = () => frame.locator('vscode-button#rebuild').evaluate((el) => !!customElements.get('vscode-button') && !!el.shadowRoot);
    for (let i = 0; i < 100 && !(await upgraded()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await upgraded(), 'Rebuild is an upgraded <vscode-button>');
    await frame.locator('vscode-button#rebuild').click();
    await waitForBuildStatus(frame, ['running', 'ok'], 10_000);
    await waitForBuildStatus(frame, ['ok']);
    await waitForState(frame, /RUN echo "hello from/, ['cached']);
    await ctx.waitForText(stepRow(frame, /RUN echo "hello from/), 'CACHED');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-rebuild-cached')}`);
  }, { timeoutMs: 120_000 });

  await ctx.test('a step expands to its whole log, with ANSI colours and inert markup', async () => {
    // the first build's logs: rebuild to a fresh build with logs is not needed, cached steps have none,
    // so build once more without cache
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await ctx.runCommand(page, 'BuildKit: Build with BuildKit…');
    const pick = (label: RegExp) => page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: label }).first().click();
    await pick(/No cache/);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /No cache/ }).filter({ hasText: 'on' }).first().waitFor({ timeout: 10_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'quickpick-options')}`);
    await pick(/Start build/);
    const live = await panelFrame(page, 'Build: Dockerfile');
    await waitForBuildStatus(live, ['ok']);
    const row = stepRow(live, /RUN echo '<script>/);
    await row.locator('.step-head').click();
    await ctx.waitForText(row.locator('.xterm-rows'), n, 20_000);
    await ctx.waitForText(row.locator('.xterm-rows'), '<img src=x onerror=');
    await ctx.waitForText(row.locator('.xterm-rows'), 'osc-link');
    const imgs = await live.locator('img').count();
    if (imgs !== 0) throw new Error(`log markup became ${imgs} <img> element(s)`);
    const pwned = await page.evaluate(() => (window as unknown as { pwned?: number }).pwned);
    if (pwned !== undefined) throw new Error('markup from the log ran');
    // the step name is text too
    await ctx.waitForText(row.locator('.step-name'), '<script>parent.pwned=1</script>');
    const red = stepRow(live, /RUN echo "hello from/);
    await red.locator('.step-head').click();
    await ctx.waitForText(red.locator('.xterm-rows'), 'red text');
    const coloured = await red.locator('.xterm-rows span[class*="xterm-fg-1"], .xterm-rows span[style*="color"]').count();
    if (coloured === 0) throw new Error('ANSI red did not colour the log');
    void frame;
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-step-log')}`);
  }, { timeoutMs: 150_000 });

  await ctx.test('an open log lets the keyboard out (Tab), and a rebuild in the panel fills it with the new build\'s log', async () => {
    const live = await panelFrame(page, 'Build: Dockerfile');
    const row = stepRow(live, /RUN echo "hello from/);
    await ctx.waitForText(row.locator('.xterm-rows'), `hello from ${n}`);
    // a click in the log focuses xterm's input; Tab must move on, as everywhere else in VS Code
    await row.locator('.xterm-screen').click();
    const focused = () => live.locator('body').evaluate((body) => body.ownerDocument.activeElement?.className ?? '');
    assert.match(await focused(), /xterm-helper-textarea/);
    await page.keyboard.press('Tab');
    assert.doesNotMatch(await focused(), /xterm-helper-textarea/, 'Tab left the log');
    // mark this build's log view: after Rebuild (no cache, as chosen above) the open step shows a new one, filled
    await row.locator('.xterm').evaluate((el) => el.setAttribute('data-old', '1'));
    await live.locator('vscode-button#rebuild').click();
    await waitForBuildStatus(live, ['running', 'ok'], 10_000);
    await waitForBuildStatus(live, ['ok']);
    await ctx.waitForText(row.locator('.xterm:not([data-old]) .xterm-rows'), `hello from ${n}`, 20_000);
    assert.equal(await row.locator('.xterm[data-old]').count(), 0, 'the old build\'s log view is gone');
  }, { timeoutMs: 120_000 });

  await ctx.test('a log longer than the terminal keeps says so, and opens whole in an editor', async () => {
    const live = await panelFrame(page, 'Build: Dockerfile');
    const row = stepRow(live, /RUN echo .* seq 1 20000/);
    await row.locator('.step-head').click();
    await ctx.waitForText(row.locator('.log-note'), 'last 10,000 of 20,000 lines', 20_000);
    await ctx.waitForText(row.locator('.xterm-rows'), '20000');
    await row.locator('.log-open').click();
    await ctx.waitForText(page.locator('.editor-group-container.active .tab.active'), /Dockerfile step \d+\.log/, 15_000);
    const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    // (Monaco renders spaces as no-break spaces)
    await ctx.waitForText(editor, /#\s.*RUN\secho\s.*seq\s1\s20000/, 15_000);
    // the first lines the terminal no longer has are there, and so is the last
    await ctx.waitForText(editor, /seq\s1\s20000\s+1\s+2\s+3\s+4\s/);
    await page.keyboard.press('Control+End');
    await ctx.waitForText(editor, '20000');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-log-in-editor')}`);
    await ctx.runCommand(page, 'View: Close Editor');
  }, { timeoutMs: 60_000 });

  await ctx.test('timeline and graph views draw the build', async () => {
    const live = await panelFrame(page, 'Build: Dockerfile');
    await live.locator('.view-tab[data-view="timeline"]').click();
    await live.locator('.timeline-bar').first().waitFor({ state: 'visible', timeout: 10_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-timeline')}`);
    await live.locator('.view-tab[data-view="graph"]').click();
    await live.locator('.graph-node').first().waitFor({ state: 'visible', timeout: 10_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-graph')}`);
    await live.locator('.view-tab[data-view="steps"]').click();
  });

  await ctx.test('a narrow panel gives the step names the room of the byte counts', async () => {
    const live = await panelFrame(page, 'Build: Dockerfile');
    const progress = stepRow(live, /load build definition/).locator('.step-progress');
    await ctx.waitForText(progress, /\d+B done/);
    const wide = page.viewportSize()!;
    // the editor group beside an open Dockerfile: about 350 px for the panel
    await page.setViewportSize({ width: 700, height: wide.height });
    try {
      await progress.waitFor({ state: 'hidden', timeout: 5_000 });
      ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-narrow')}`);
    } finally {
      await page.setViewportSize(wide);
    }
    await progress.waitFor({ state: 'visible', timeout: 5_000 });
  });
}
