// Runs this folder's extension-host suite in a real VS Code server (node out/test/e2e/suite/launch.js).
//   --restricted   run the Restricted Mode suite in an untrusted workspace instead
// Needs dist/ built (npm run build); builds use the first engine of BKL_TEST_ENGINES.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startVsCodeServer } from '../harness/server';
import { runExtensionHostTests } from '../harness/extensionTests';
import { repoRoot } from '../harness/paths';

async function main(): Promise<number> {
  const restricted = process.argv.includes('--restricted');
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-e2e-ws-'));
  const server = await startVsCodeServer({ workspaceTrust: restricted, env: { BKL_E2E_RESTRICTED: restricted ? '1' : '0' } });
  try {
    return await runExtensionHostTests({
      server,
      folder,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      trust: restricted ? false : undefined,
      timeoutMs: 10 * 60_000,
    });
  } finally {
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`e2e: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
