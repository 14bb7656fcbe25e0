// The Engine Builds view: a buildx build started outside VS Code shows up live, clicking it attaches
// the build panel; "Compare Builds…" draws two builds side by side with the first cache miss.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { SpecContext } from '../harness';
import { runCli } from '../../support/cli';
import { dockerCliEnv, testEngines } from '../../support/engines';
import { engineSettings, nonce, panelFrame, stepRow, waitForBuildStatus, waitForState } from './uiHelpers';
import { tempDir } from '../../support/tmp';

export default async function (ctx: SpecContext): Promise<void> {
  // Build history needs BuildKit 0.11+: the d26 engine, whatever engine comes first in the list.
  const d26 = testEngines().find((e) => e.name === 'd26');
  if (!d26) {
    ctx.log('no d26 engine in BKL_TEST_ENGINES: history spec skipped');
    return;
  }
  const n = nonce();
  const folder = ctx.workspace({
    files: {
      Dockerfile: `FROM busybox:latest\nRUN echo ${n} > /id\nCOPY a.txt /a.txt\nRUN cat /a.txt\n`,
      'a.txt': 'one\n',
      'term/Dockerfile': `FROM busybox:latest\nARG N\nRUN echo start-$N && sleep 4 && echo done-$N\n`,
      'fails/Dockerfile': `FROM busybox:latest\nARG N\nRUN echo failing-$N && exit 3\n`,
      '.vscode/settings.json': engineSettings(d26.host),
    },
  });
  const { page } = await ctx.openWorkbench({ folder });
  type Row = { ref: string; state: string; buildArgs: Record<string, string> };
  const refOf = async (filter: (r: Row) => boolean) => {
    const r = await runCli(['history', 'ls', '--json', '-n', '30', '-H', d26.host]);
    return (JSON.parse(r.stdout) as Row[]).find(filter)?.ref;
  };

  await ctx.test('Engine Builds lists a buildx build from a terminal while it runs; a click attaches the panel', async () => {
    await openEngineBuilds(page);
    const buildx = spawn('docker', ['buildx', 'build', '--network', 'none', '--progress', 'plain', '--build-arg', `N=${n}`, path.join(folder, 'term')], {
      env: dockerCliEnv(d26) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => buildx.on('close', r));
    let ref: string | undefined;
    for (let i = 0; i < 50 && !ref; i++) {
      ref = await refOf((r) => r.buildArgs.N === n);
      if (!ref) await page.waitForTimeout(200);
    }
    if (!ref) throw new Error('the buildx build never showed up in the engine history');
    const row = page.locator('.monaco-list-row', { hasText: ref.slice(0, 8) }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await ctx.waitForText(row, /running · .*buildx/, 5_000);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'history-view-running')}`);
    const title = `Build: Dockerfile (${ref.slice(0, 8)})`;
    await clickRowUntilPanel(ctx, page, ref.slice(0, 8), title);
    const frame = await panelFrame(page, title);
    await waitForState(frame, /RUN echo start-/, ['running', 'done'], 15_000);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'history-attach-live')}`);
    await waitForBuildStatus(frame, ['ok'], 30_000);
    await waitForState(frame, /RUN echo start-/, ['done']);
    const step = stepRow(frame, /RUN echo start-/);
    await step.locator('.step-head').click();
    await ctx.waitForText(step.locator('.xterm-rows'), `done-${n}`, 15_000);
    await ctx.waitForText(row, /completed · \d+\.\ds · \d+\/\d+ cached · buildx/, 10_000);
    await exited;
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'history-attach-done')}`);
  }, { timeoutMs: 90_000 });

  await ctx.test('a failed buildx build, followed: its Dockerfile excerpt shows, and no "Go to line" that could not open it', async () => {
    await openEngineBuilds(page);
    const r = spawn('docker', ['buildx', 'build', '--network', 'none', '--progress', 'plain', '--build-arg', `N=${n}`, path.join(folder, 'fails')], {
      env: dockerCliEnv(d26) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    await new Promise((done) => r.on('close', done));
    const ref = await refOf((b) => b.buildArgs.N === n && b.state === 'failed');
    if (!ref) throw new Error('the failed buildx build is not in the engine history');
    const title = `Build: Dockerfile (${ref.slice(0, 8)})`;
    await page.locator('.monaco-list-row', { hasText: ref.slice(0, 8) }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await clickRowUntilPanel(ctx, page, ref.slice(0, 8), title);
    const frame = await panelFrame(page, title);
    await ctx.waitForText(frame.locator('.build-failure'), 'exit code: 3', 20_000);
    // the engine's history keeps the error's Dockerfile source: the excerpt comes from it
    await ctx.waitForText(frame.locator('.excerpt .error-line'), 'failing-$N');
    if ((await frame.locator('vscode-button.goto-line').count()) !== 0) throw new Error('"Go to line" shown for a build whose Dockerfile is not known here');
  }, { timeoutMs: 60_000 });

  await ctx.test('Compare Builds… names the COPY of the changed file as the first cache miss', async () => {
    const build = async () => {
      const md = path.join(tempDir('bkl-md-'), 'md.json');
      const r = await runCli(['build', '--network', 'none', '--progress', 'quiet', '--metadata-file', md, '-H', d26.host, folder]);
      if (r.code !== 0) throw new Error(`CLI build failed: ${r.stderr}`);
      return (JSON.parse(fs.readFileSync(md, 'utf8'))['buildx.build.ref'] as string).split('/').pop()!;
    };
    await build();
    const a = await build();
    fs.writeFileSync(path.join(folder, 'a.txt'), 'two, longer\n');
    const b = await build();
    await page.locator('.monaco-list-row', { hasText: b.slice(0, 8) }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await ctx.runCommand(page, 'BuildKit: Compare Builds…');
    for (const ref of [a, b]) {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(ref);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: ref.slice(0, 8) }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
    }
    const frame = await panelFrame(page, 'Compare:');
    await ctx.waitForText(frame.locator('.cmp-miss'), /First cache miss in B: \[3\/4\] COPY a\.txt \/a\.txt/, 20_000);
    await ctx.waitForText(frame.locator('.cmp-miss'), /build-context files it copies changed/);
    await ctx.waitForText(frame.locator('.cmp-first-miss'), 'COPY a.txt /a.txt');
    await ctx.waitForText(frame.locator('.cmp-summary'), a);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'history-compare')}`);
  }, { timeoutMs: 90_000 });
}

async function openEngineBuilds(page: Page): Promise<void> {
  const header = page.locator('.pane-header', { hasText: 'Engine Builds' }).first();
  // a second click on the activity icon would close the side bar
  if (!(await header.isVisible())) await page.locator('.activitybar .action-item a[aria-label^="BuildKit"]').first().click();
  // collapsed by default: it reaches the engine only once opened
  await header.waitFor({ state: 'visible', timeout: 20_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

/**
 * The view is live: a build recorded between Playwright placing the pointer and its click moves the
 * rows, and the click lands on a neighbour, whose panel opens instead (seen with other builds running
 * on the engine); or the list redraws under the click and selects nothing. Either is clicked again,
 * up to three times. A click that selected our row and opened no panel fails at once: that one is ours.
 */
async function clickRowUntilPanel(ctx: SpecContext, page: Page, rowText: string, title: string): Promise<void> {
  const row = page.locator('.monaco-list-row', { hasText: rowText }).first();
  const selected = page.locator('.monaco-list-row.selected', { hasText: rowText });
  const buildTabs = page.locator('.tabs-container .tab', { hasText: 'Build: ' });
  const tabs = async () => (await buildTabs.allInnerTexts()).sort().join(' | ');
  let before = await tabs();
  for (let attempt = 1; ; attempt++) {
    await row.click();
    let now = before;
    for (const deadline = Date.now() + 10_000; now === before && Date.now() < deadline; ) {
      await page.waitForTimeout(200);
      now = await tabs();
    }
    if (now.includes(title)) return;
    const opened = now !== before;
    if (!opened && (await selected.count()) > 0) throw new Error(`a click selected the row of "${title}" but opened no panel in 10 s (build tabs: ${now || 'none'})`);
    const what = opened ? `opened another build's panel: "${now}"` : `selected no row and opened no panel (build tabs: ${now || 'none'})`;
    if (attempt === 3) throw new Error(`three clicks on the row of "${title}" failed; the last ${what}`);
    ctx.log(`the click on the row of "${title}" ${what}; clicking again`);
    before = now;
  }
}
