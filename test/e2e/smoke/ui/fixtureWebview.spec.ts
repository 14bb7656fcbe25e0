// Harness smoke spec against the fixture extension: palette -> command -> webview -> text,
// and a message round trip between the webview and the extension host.
import type { SpecContext } from '../../harness';

export default async function (ctx: SpecContext): Promise<void> {
  const { page } = await ctx.openWorkbench({ files: { 'README.md': '# fixture workspace\n' } });

  await ctx.test('the palette runs the fixture command and the webview shows its text', async () => {
    await ctx.runCommand(page, 'BKL Fixture: Open Webview');
    await ctx.waitForText(ctx.webviewFrame(page).locator('#greeting'), 'Hello from the fixture webview');
  });

  await ctx.test('webview and extension host exchange messages', async () => {
    const frame = ctx.webviewFrame(page);
    await frame.locator('#ping').click();
    await ctx.waitForText(frame.locator('#reply'), 'pong 1');
    ctx.log(`screenshot: ${await ctx.screenshot(page, 'smoke-fixture-webview')}`);
  });
}
