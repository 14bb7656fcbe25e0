// The classic @vscode/test-electron entry (compiled to out/test/e2e/runElectron.js), for
// machines that can download VS Code: runs the same extension-host suite as run.ts, in
// desktop VS Code instead of the server + browser pair.
//   node out/test/e2e/runElectron.js        (VSCODE_VERSION=1.100.3 to pin; default stable)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './harness/paths';
import { createWorkspace, suiteWorkspaceSeed } from './harness/workspace';

async function main(): Promise<number> {
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'e2e', 'suite', 'index.js');
  if (!fs.existsSync(extensionTestsPath)) {
    process.stdout.write(`no extension-host suite at ${path.relative(repoRoot, extensionTestsPath)}: compile first (npx tsc -p .)\n`);
    return 1;
  }
  const workspace = createWorkspace({ from: suiteWorkspaceSeed });
  try {
    return await runTests({
      version: process.env.VSCODE_VERSION,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // runTests rejects with TestRunFailedError when the suite fails.
    process.stdout.write(`extension tests failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
