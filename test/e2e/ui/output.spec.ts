// "Build with BuildKit…" → Output → a folder: VS Code's folder dialog, the files in that folder, and
// the panel saying where they went instead of naming an image.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpecContext } from '../harness';
import { engineHost, engineSettings, nonce, panelFrame, waitForBuildStatus } from './uiHelpers';

export default async function (ctx: SpecContext): Promise<void> {
  const host = engineHost();
  if (!host) {
    ctx.log('BKL_TEST_ENGINES is not set: output spec skipped');
    return;
  }
  const n = nonce();
  const folder = ctx.workspace({
    files: {
      Dockerfile: `FROM busybox:latest AS made\nRUN mkdir /r && echo ${n} > /r/result.txt\nFROM scratch\nCOPY --from=made /r/ /\n`,
      '.vscode/settings.json': engineSettings(host),
    },
  });
  const dest = path.join(folder, 'dist');
  fs.mkdirSync(dest);
  const { page } = await ctx.openWorkbench({ folder });

  await ctx.test('Output → "A folder…": the result lands in the folder picked, the panel names it', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Dockerfile$/ }).first().click();
    await ctx.runCommand(page, 'BuildKit: Build with BuildKit…');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: /Output/ }).first().click();
    await rows.filter({ hasText: /A folder…/ }).first().click();
    // code-server has no OS dialog: VS Code's own, which lists the workspace folder once it has read it
    // (a path typed before that is overwritten): open "dist" from its list, then accept it
    await rows.filter({ hasText: /^dist$/ }).first().click({ timeout: 15_000 });
    const input = page.locator('.quick-input-widget input.input');
    for (let i = 0; i < 50 && !(await input.inputValue()).endsWith('/dist/'); i++) await page.waitForTimeout(100);
    // the dialog may still be reading "dist" and drop a click (seen once in ~20 runs): click until it closes
    const picked = rows.filter({ hasText: /Output/ }).filter({ hasText: 'dist' }).first();
    for (let i = 0; i < 3 && !(await picked.isVisible()); i++) {
      const accept = page.locator('.quick-input-widget').getByRole('button', { name: 'Build into this folder' });
      if (await accept.isVisible()) await accept.click();
      await picked.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await picked.waitFor({ timeout: 5_000 });
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'quickpick-output-folder')}`);
    await rows.filter({ hasText: /Start build/ }).first().click();
    const frame = await panelFrame(page, 'Build: Dockerfile');
    await waitForBuildStatus(frame, ['ok']);
    await ctx.waitForText(frame.locator('.build-image'), `→ ${dest}`);
    const written = fs.readFileSync(path.join(dest, 'result.txt'), 'utf8');
    if (written !== `${n}\n`) throw new Error(`result.txt holds ${JSON.stringify(written)}`);
    await page.waitForTimeout(1500);
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'panel-output-folder')}`);
  }, { timeoutMs: 120_000 });
}
