/**
 * E2E harness: the extension in a REAL VS Code (code-server's bundled VS Code 1.100.3 server
 * on Node 20) driven by a real Chromium through playwright-core.
 *
 * Setup (idempotent, also done on demand by startVsCodeServer):
 *   scripts/setup/vscode.sh        Debian chromium/ripgrep/libkrb5-dev + VS Code in .cache/vscode
 *
 * Running (everything goes through one entry; build first so dist/extension.js exists):
 *   npm run build && npx tsc -p . && node out/test/e2e/run.js [--only ext|ui] [--grep TEXT] [--verbose]
 *   Last line is exactly "N passed, N failed"; exit code 1 on any failure. Artefacts:
 *   test-results/logs/{vscode-server,browser,extension-host-tests}-<port>.log, test-results/screenshots/.
 *
 * 1. Extension-host tests (Mocha, the @vscode/test-electron shape):
 *    test/e2e/suite/index.ts -> out/test/e2e/suite/index.js exporting `run(): Promise<void>`
 *    (reject/throw on failure). It runs inside the real Node extension host with the project
 *    root as extensionDevelopmentPath. Workspace: a fresh copy of test/e2e/suite/workspace/
 *    if that folder exists, else an empty folder. Mocha 12 is ESM: `import Mocha from 'mocha'`
 *    (esModuleInterop) and `await mocha.loadFilesAsync()` before `mocha.run(cb)`.
 *    Console output and Mocha's "N passing / N failing" summary are forwarded to stdout and
 *    counted in the final line. See fixture-ext/suite/ for a minimal working example.
 *
 * 2. Playwright UI specs: test/e2e/ui/<name>.spec.ts -> out/test/e2e/ui/<name>.spec.js:
 *      import type { SpecContext } from '../harness';
 *      export default async function (ctx: SpecContext): Promise<void> {
 *        const { page } = await ctx.openWorkbench({ files: { 'Dockerfile': 'FROM scratch\n' } });
 *        await ctx.test('panel shows the build', async () => {
 *          await ctx.runCommand(page, 'BuildKit Lens: Show Panel');
 *          await ctx.waitForText(ctx.webviewFrame(page).locator('h1'), 'Build');
 *        });
 *      }
 *    Tests run in order; a failing test is recorded with a screenshot and the next one runs.
 *    Specs share one server (so extension global state persists across specs); every
 *    openWorkbench gets a fresh browser profile. Need workspace trust? `const s = await
 *    ctx.startServer({ workspaceTrust: true }); await ctx.openWorkbench({ server: s, trust: false })`.
 *
 * API (all cleanup is automatic inside specs; outside them call close()/stop()):
 *   startVsCodeServer({ extensionsDir?, port?, workspaceTrust?, settings?, env?, startTimeoutMs? })
 *     : Promise<VsCodeServer { port, baseUrl, workspaceTrust, logFile, stop() }>       (server.ts)
 *   openWorkbench(server, { folder, extensionDevelopmentPath?, extensionTestsPath?, trust?,
 *     onAutomationLog?, onAutomationExit?, readyTimeoutMs? }): Promise<{ page, context, close() }>
 *   runCommand(page, 'Category: Title', { timeoutMs? })   F1 palette, retries until it appears
 *   webviewFrame(page, { index? }): FrameLocator           content of the newest (or index-th) webview
 *   waitForText(locator, 'text' | /re/, timeoutMs?)        polls textContent, clear failure message
 *   screenshot(page, name): Promise<path>                  test-results/screenshots/<name>.png
 *                                                                                     (browser.ts)
 *   runExtensionHostTests({ server, folder, extensionDevelopmentPath, extensionTestsPath,
 *     timeoutMs?, log?, verbose?, trust? }): Promise<exit code>                 (extensionTests.ts)
 *   runSpec(file, { server, extensionPath, grep?, timeoutMs?, log? }): Promise<TestResult[]>
 *   SpecContext { server, extensionPath, openWorkbench, startServer, workspace, test, runCommand,
 *     webviewFrame, waitForText, screenshot, log }                                        (spec.ts)
 *   ensureVsCode(), vscodeDir(), repoRoot, resultsDir                                  (paths.ts)
 *   createWorkspace({ from?, files? }): temp folder path, suiteWorkspaceSeed       (workspace.ts)
 *
 * Self-test of the harness (fixture extension, passing and deliberately failing runs):
 *   npx tsc -p . && node --test out/test/e2e/smoke/harness.test.js
 * On machines that can download VS Code: node out/test/e2e/runElectron.js (@vscode/test-electron).
 */
export { openWorkbench, runCommand, screenshot, waitForText, webviewFrame, workbenchUrl } from './browser';
export type { Workbench, WorkbenchOptions } from './browser';
export { runExtensionHostTests } from './extensionTests';
export type { ExtensionTestOptions } from './extensionTests';
export { ensureVsCode, repoRoot, resultsDir, vscodeDir } from './paths';
export { freePort, startVsCodeServer } from './server';
export type { ServerOptions, VsCodeServer } from './server';
export { runSpec } from './spec';
export type { Spec, SpecContext, TestResult } from './spec';
export { createWorkspace, suiteWorkspaceSeed } from './workspace';
