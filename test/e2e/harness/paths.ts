// Where things live: the repository root (found from this file, compiled or not), the
// private VS Code install, and the folder test artefacts go to.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'scripts', 'setup', 'vscode.sh'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = up;
  }
}

export const repoRoot = findRoot(__dirname);

/** code-server's bundled VS Code (its `out/server-main.js` is the server). */
export function vscodeDir(): string {
  const base = process.env.BKL_VSCODE_DIR ?? path.join(repoRoot, '.cache', 'vscode');
  return path.join(base, 'node_modules', 'code-server', 'lib', 'vscode');
}

export const resultsDir = path.join(repoRoot, 'test-results');

/**
 * Make sure the VS Code server is installed, running scripts/setup/vscode.sh when it is not
 * (idempotent: ~0.1 s when nothing is missing). Returns the VS Code directory.
 */
export function ensureVsCode(): string {
  const dir = vscodeDir();
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'setup', 'vscode.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`scripts/setup/vscode.sh failed (exit ${r.status ?? r.signal})`);
  return dir;
}
