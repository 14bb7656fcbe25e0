// The packaged extension: `npm run package` builds buildkit-lens-<version>.vsix, and VS Code's own
// server CLI installs it into an extensions folder, as a user's `code --install-extension` would.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureVsCode, repoRoot } from './paths';

/** Runs scripts/package.sh; returns the .vsix path. */
export function packageVsix(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'package.sh')], { cwd: repoRoot, encoding: 'utf8', timeout: 5 * 60_000 });
  const out = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !out) throw new Error(`npm run package failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`);
  return path.resolve(repoRoot, out);
}

/** Installs a .vsix into extensionsDir with `server-main.js --install-extension`; returns the installed folder. */
export function installVsix(vsix: string, extensionsDir: string): string {
  const vs = ensureVsCode();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(process.execPath, [path.join(vs, 'out', 'server-main.js'), '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, VSCODE_CLI: undefined },
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const installed = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  if (r.status !== 0 || !fs.existsSync(path.join(installed, 'package.json'))) {
    throw new Error(`installing ${path.basename(vsix)} failed (exit ${r.status ?? r.signal}): ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return installed;
}
