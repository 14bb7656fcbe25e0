// Harness smoke spec: a server with workspace trust on, and both answers to its prompt.
import type { SpecContext } from '../../harness';

const restricted = '.statusbar-item:has-text("Restricted Mode")';

export default async function (ctx: SpecContext): Promise<void> {
  const server = await ctx.startServer({ workspaceTrust: true });

  await ctx.test('answering "no" opens the folder in Restricted Mode', async () => {
    const { page } = await ctx.openWorkbench({ server, trust: false });
    await page.locator(restricted).first().waitFor({ state: 'visible', timeout: 15_000 });
  });

  await ctx.test('answering "yes" trusts the folder', async () => {
    const { page } = await ctx.openWorkbench({ server, trust: true });
    await ctx.runCommand(page, 'BKL Fixture: Open Webview');
    await ctx.waitForText(ctx.webviewFrame(page).locator('#greeting'), 'Hello');
    if ((await page.locator(restricted).count()) > 0) throw new Error('Restricted Mode shown after trusting');
  });
}
