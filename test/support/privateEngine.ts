// A d26 or d26c engine of a test's own (its own BKL_ENGINE_ROOT), started by scripts/engines/start.sh with
// extra dockerd flags or daemon.json: a TLS tcp listener, a trusted test registry.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');

export interface PrivateEngine {
  root: string;
  /** unix:///…/<name>/docker.sock (always there, used for readiness and image setup) */
  unixHost: string;
  stop(): void;
}

/** name: which engine recipe (d26, or d26c for the containerd image store). */
export function startPrivateEngine(root: string, extra: { args?: string[]; daemonJson?: object; name?: 'd26' | 'd26c' } = {}): PrivateEngine {
  const name = extra.name ?? 'd26';
  const env = {
    ...process.env,
    BKL_ENGINE_ROOT: root,
    BKL_ENGINE_ARGS: (extra.args ?? []).join(' '),
    BKL_ENGINE_DAEMON_JSON: extra.daemonJson ? JSON.stringify(extra.daemonJson) : '',
  };
  // a leftover engine from an interrupted run would keep its old flags
  execFileSync('bash', [path.join(repo, 'scripts/engines/stop.sh'), '--purge', name], { env, stdio: 'pipe' });
  fs.mkdirSync(root, { recursive: true });
  execFileSync('bash', [path.join(repo, 'scripts/engines/start.sh'), name], { env, stdio: 'pipe' });
  return {
    root,
    unixHost: `unix://${root}/${name}/docker.sock`,
    stop: () => execFileSync('bash', [path.join(repo, 'scripts/engines/stop.sh'), '--purge', name], { env, stdio: 'pipe' }),
  };
}
