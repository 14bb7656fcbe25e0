// The Restricted Mode half of the extension-host suite: needs a server with workspace trust on
// and the folder left untrusted, so it runs from here rather than from run.ts's shared server.
import * as path from 'node:path';
import type { SpecContext } from '../harness';
import { runExtensionHostTests } from '../harness';

export default async function (ctx: SpecContext): Promise<void> {
  const server = await ctx.startServer({ workspaceTrust: true, env: { BKL_E2E_RESTRICTED: '1' } });
  await ctx.test('building is refused in Restricted Mode (extension-host suite)', async () => {
    const lines: string[] = [];
    const code = await runExtensionHostTests({
      server,
      folder: ctx.workspace(),
      extensionDevelopmentPath: ctx.extensionPath,
      extensionTestsPath: path.join(__dirname, '..', 'suite', 'index.js'),
      trust: false,
      timeoutMs: 5 * 60_000,
      log: (l) => lines.push(l),
    });
    for (const l of lines.filter((x) => /✔|passing|failing|\d\)|Error/.test(x))) ctx.log(l.trim());
    if (code !== 0) throw new Error(`restricted suite exited with ${code}`);
  }, { timeoutMs: 6 * 60_000 });
}
