// Extension-host tests the @vscode/test-electron way, without Electron: the browser opens the
// workbench with extensionDevelopmentPath/extensionTestsPath in the URL payload, the server's
// Node extension host loads the test module and awaits its run(), and the workbench reports
// the exit code through window.codeAutomationExit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { openWorkbench, Workbench } from './browser';
import { resultsDir } from './paths';
import { withTimeout } from './processGroup';
import type { VsCodeServer } from './server';

export interface ExtensionTestOptions {
  server: VsCodeServer;
  /** Workspace folder to open. */
  folder: string;
  /** Folder holding the extension's package.json. */
  extensionDevelopmentPath: string;
  /** Compiled module exporting `run(): Promise<void>` (rejects or throws on failure). */
  extensionTestsPath: string;
  /** Whole run, workbench start included (default 5 min). */
  timeoutMs?: number;
  /** Where the tests' output goes (default: stdout). */
  log?: (line: string) => void;
  /** Also show the workbench's own chatter and offline noise (always in the log file). */
  verbose?: boolean;
  /** Answer the workspace-trust prompt, see WorkbenchOptions.trust. */
  trust?: boolean;
}

// Besides the extension host's output (what the tests print), the workbench's own logger
// writes here too. Its start-up chatter and the offline failures of marketplace and
// telemetry lookups would bury the test report, so they only go to the log file.
const noise = [
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions)/,
  /^ChatSessionStore:/,
  /^\[driver\]/,
  /^Creation of workbench contribution .* took \d+ms/,
  /^\[Service Worker\]/,
  /ENOTFOUND|EAI_AGAIN/,
];

// Log entries arrive as console arguments, printf-style (Mocha's reporters use %s and %d).
function formatLog(type: string, args: unknown[]): string {
  const text = format(...args);
  return type === 'error' || type === 'warn' ? `[${type}] ${text}` : text;
}

function isNoise(line: string): boolean {
  const text = line.replace(/^\[(error|warn)\] /, '');
  return noise.some((re) => re.test(text));
}

/** Resolves with the test run's exit code: 0 when run() resolved, non-zero otherwise. */
export async function runExtensionHostTests(opts: ExtensionTestOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  let exitCode: number | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let workbench: Workbench | undefined;
  const started = Date.now();
  const logFile = path.join(resultsDir, 'logs', `extension-host-tests-${opts.server.port}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  try {
    workbench = await withTimeout(
      openWorkbench(opts.server, {
        folder: opts.folder,
        extensionDevelopmentPath: opts.extensionDevelopmentPath,
        extensionTestsPath: opts.extensionTestsPath,
        trust: opts.trust,
        readyTimeoutMs: timeoutMs,
        onAutomationLog: (type, args) => {
          const line = formatLog(type, args);
          fs.appendFileSync(logFile, line + '\n');
          if (opts.verbose || !isNoise(line)) log(line);
        },
        onAutomationExit: (code) => resolveExit((exitCode = code)),
      }),
      timeoutMs,
      'opening the workbench',
    );
    const left = Math.max(1000, timeoutMs - (Date.now() - started));
    return await withTimeout(exited, left, `the extension-host test run (${Math.round(timeoutMs / 1000)} s in all)`);
  } catch (err) {
    // A fast suite can end (and the window go away) before the workbench counts as restored.
    if (exitCode !== undefined) return exitCode;
    log(`extension-host tests: ${(err as Error).message}`);
    return 1;
  } finally {
    await workbench?.close();
  }
}
