// The one entry for e2e tests (compiled to out/test/e2e/run.js):
//   node out/test/e2e/run.js [--only ext|ui] [--grep TEXT] [--verbose]
//       [--extension DIR] [--suite FILE] [--ui-dir DIR] [--folder DIR] [--timeout MS] [--suite-timeout MS]
// Starts a real VS Code server, runs the extension-host Mocha suite (out/test/e2e/suite/index.js,
// when it exists), then every Playwright spec out/test/e2e/ui/*.spec.js, and ends with the line
// "N passed, N failed" (exit code 1 on any failure). The server is always stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runExtensionHostTests } from './harness/extensionTests';
import { repoRoot } from './harness/paths';
import { startVsCodeServer, VsCodeServer } from './harness/server';
import { runSpec, TestResult } from './harness/spec';
import { createWorkspace, suiteWorkspaceSeed } from './harness/workspace';

export interface E2EConfig {
  /** Extension under test (folder with package.json); default the repository root. */
  extensionPath: string;
  /** Extension-host test module exporting run(); skipped when the file does not exist. */
  suitePath: string;
  /** Folder of compiled UI specs (*.spec.js). */
  uiDir: string;
  /** Workspace for the extension-host suite (default: a copy of test/e2e/suite/workspace, or empty). */
  folder?: string;
  only?: 'ext' | 'ui';
  grep?: string;
  /** The extension-host suite, workbench start included (default 10 min). */
  suiteTimeoutMs?: number;
  verbose?: boolean;
  log: (line: string) => void;
}

const outE2E = path.join(repoRoot, 'out', 'test', 'e2e');

export function defaultConfig(): E2EConfig {
  return {
    extensionPath: repoRoot,
    suitePath: path.join(outE2E, 'suite', 'index.js'),
    uiDir: path.join(outE2E, 'ui'),
    log: (line) => process.stdout.write(line + '\n'),
  };
}

// Mocha's summary ("  3 passing (40ms)", "  1 failing") gives per-test counts for the suite.
function mochaCounts(lines: string[]): { passed: number; failed: number } | undefined {
  let passed: number | undefined;
  let failed = 0;
  for (const l of lines) {
    const p = /^\s*(\d+) passing\b/.exec(l);
    if (p) passed = Number(p[1]);
    const f = /^\s*(\d+) failing\b/.exec(l);
    if (f) failed = Number(f[1]);
  }
  return passed === undefined ? undefined : { passed, failed };
}

function missingEntryPoint(extensionPath: string): string | undefined {
  const manifest = path.join(extensionPath, 'package.json');
  if (!fs.existsSync(manifest)) return `no extension at ${extensionPath} (package.json missing)`;
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { main?: string };
  if (pkg.main && !fs.existsSync(path.resolve(extensionPath, pkg.main))) {
    return `${path.relative(repoRoot, path.resolve(extensionPath, pkg.main))} is missing: build the extension first (npm run build)`;
  }
  return undefined;
}

async function runSuite(server: VsCodeServer, cfg: E2EConfig): Promise<TestResult[]> {
  const name = `extension host › ${path.relative(repoRoot, cfg.suitePath)}`;
  const temp = cfg.folder ? undefined : createWorkspace({ from: suiteWorkspaceSeed });
  const folder = cfg.folder ?? (temp as string);
  cfg.log(`extension-host suite: ${path.relative(repoRoot, cfg.suitePath)}`);
  const lines: string[] = [];
  const started = Date.now();
  const code = await runExtensionHostTests({
    server,
    folder,
    extensionDevelopmentPath: cfg.extensionPath,
    extensionTestsPath: cfg.suitePath,
    timeoutMs: cfg.suiteTimeoutMs ?? 10 * 60_000,
    verbose: cfg.verbose,
    log: (line) => {
      lines.push(...line.split('\n'));
      cfg.log(line);
    },
  });
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
  const ms = Date.now() - started;
  cfg.log(`extension-host suite exited with ${code} after ${ms} ms`);
  const counts = mochaCounts(lines) ?? { passed: code === 0 ? 1 : 0, failed: 0 };
  // A crash after the summary (or without one) still fails the run.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  const results: TestResult[] = [];
  for (let i = 0; i < counts.passed; i++) results.push({ name: `${name} #${i + 1}`, ok: true, ms });
  for (let i = 0; i < counts.failed; i++) {
    results.push({ name, ok: false, ms, error: `exit code ${code} (see the output above)` });
  }
  return results;
}

export async function runE2E(cfg: E2EConfig): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const missing = missingEntryPoint(cfg.extensionPath);
  if (missing) return [{ name: 'extension entry point', ok: false, ms: 0, error: missing }];

  let t = Date.now();
  const server = await startVsCodeServer({});
  cfg.log(`VS Code server ready on ${server.baseUrl} in ${Date.now() - t} ms (log: ${path.relative(repoRoot, server.logFile)})`);
  try {
    if (cfg.only !== 'ui' && fs.existsSync(cfg.suitePath)) results.push(...(await runSuite(server, cfg)));
    else if (cfg.only !== 'ui') cfg.log(`no extension-host suite at ${path.relative(repoRoot, cfg.suitePath)}: skipped`);

    const specs = cfg.only === 'ext' || !fs.existsSync(cfg.uiDir)
      ? []
      : fs.readdirSync(cfg.uiDir).filter((f) => f.endsWith('.spec.js')).sort();
    for (const spec of specs) {
      cfg.log(`UI spec: ${spec}`);
      t = Date.now();
      results.push(...(await runSpec(path.join(cfg.uiDir, spec), {
        server, extensionPath: cfg.extensionPath, grep: cfg.grep, log: cfg.log,
      })));
      cfg.log(`  (${Date.now() - t} ms)`);
    }
  } finally {
    await server.stop();
  }
  return results;
}

function summarize(results: TestResult[], log: (line: string) => void): number {
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    log('\nFailures:');
    for (const r of failed) log(`  ✘ ${r.name}: ${r.error ?? 'failed'}`);
  }
  log(`${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string' }, suite: { type: 'string' }, 'ui-dir': { type: 'string' },
      folder: { type: 'string' }, only: { type: 'string' }, grep: { type: 'string' },
      verbose: { type: 'boolean' }, timeout: { type: 'string' }, 'suite-timeout': { type: 'string' },
    },
  });
  const cfg = defaultConfig();
  if (values.extension) cfg.extensionPath = path.resolve(values.extension);
  if (values.suite) cfg.suitePath = path.resolve(values.suite);
  if (values['ui-dir']) cfg.uiDir = path.resolve(values['ui-dir']);
  if (values.folder) cfg.folder = path.resolve(values.folder);
  if (values.only === 'ext' || values.only === 'ui') cfg.only = values.only;
  else if (values.only) throw new Error(`--only takes "ext" or "ui", not "${values.only}"`);
  cfg.grep = values.grep;
  cfg.verbose = values.verbose;
  if (values['suite-timeout']) cfg.suiteTimeoutMs = Number(values['suite-timeout']);

  // The last line of defence against a hang: report and leave (process-group cleanup runs on exit).
  const timeoutMs = Number(values.timeout ?? process.env.BKL_E2E_TIMEOUT_MS ?? 30 * 60_000);
  setTimeout(() => {
    cfg.log(`e2e run exceeded ${Math.round(timeoutMs / 1000)} s: giving up`);
    cfg.log('0 passed, 1 failed');
    process.exit(1);
  }, timeoutMs).unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  const started = Date.now();
  const results = await runE2E(cfg);
  cfg.log(`e2e finished in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(summarize(results, cfg.log));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stdout.write(`e2e: ${err instanceof Error ? err.message : String(err)}\n0 passed, 1 failed\n`);
    process.exit(1);
  });
}
