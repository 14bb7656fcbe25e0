// Deliberately failing spec: the harness self-test checks that failures are counted, get a
// screenshot, and do not stop the tests after them.
import * as assert from 'node:assert/strict';
import type { SpecContext } from '../../harness';

export default async function (ctx: SpecContext): Promise<void> {
  const { page } = await ctx.openWorkbench();
  await ctx.test('fails on purpose', async () => {
    await ctx.waitForText(page.locator('.monaco-workbench'), 'text that is not there', 1000);
  });
  await ctx.test('still runs after a failure', async () => {
    assert.ok(await page.locator('.monaco-workbench').isVisible());
  });
  await ctx.test('times out on purpose', () => new Promise(() => undefined), { timeoutMs: 500 });
}
