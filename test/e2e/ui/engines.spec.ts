// Engines in the editor: the status bar names the engine and opens the context picker; a
// multi-platform build on a classic-store engine is stopped before it starts, with an offer to
// build the engine's own platform that, taken, builds.
import type { SpecContext } from '../harness';
import { engineHost, engineSettings, nonce, panelFrame, waitForBuildStatus } from './uiHelpers';

export default async function (ctx: SpecContext): Promise<void> {
  const host = engineHost();
  if (!host) {
    ctx.log('BKL_TEST_ENGINES is not set: engines spec skipped');
    return;
  }
  const settings = { ...JSON.parse(engineSettings(host)), 'buildkitLens.build.platforms': ['linux/amd64', 'linux/arm64'] };
  const { page } = await ctx.openWorkbench({
    files: { '.vscode/settings.json': JSON.stringify(settings), Dockerfile: `FROM busybox:latest\nRUN echo plat-${nonce()}\n` },
  });

  await ctx.test('two platforms on the classic store: explained before the build, "only" offer builds one', async () => {
    await ctx.runCommand(page, 'BuildKit: Build with BuildKit');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /containerd image store/ }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    // nothing started yet: no build panel
    if ((await page.locator('.tabs-container .tab', { hasText: 'Build: Dockerfile' }).count()) !== 0) throw new Error('a build started before the choice');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'multi-platform-offer')}`);
    await toast.getByRole('button', { name: /^Build for linux\/\w+ only$/ }).click();
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await waitForBuildStatus(frame, ['ok']);
  }, { timeoutMs: 120_000 });

  // (after a build: the extension activates on its first command)
  await ctx.test('the status bar names the engine; clicking it lists the contexts', async () => {
    const item = page.locator('.statusbar-item', { hasText: host }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await item.click();
    const picker = page.locator('.quick-input-widget');
    await ctx.waitForText(picker.locator('.quick-input-title'), 'Build on which engine?');
    await picker.locator('.monaco-list-row', { hasText: /^default/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await picker.locator('.monaco-list-row', { hasText: 'Enter a host…' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Escape');
  }, { timeoutMs: 60_000 });
}
