// A real VS Code server (code-server's bundled VS Code) in throwaway folders.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureVsCode, resultsDir } from './paths';
import { sleep, spawnGroup } from './processGroup';

export interface ServerOptions {
  /** Extensions installed for the server (default: an empty temp folder). */
  extensionsDir?: string;
  /** Listening port (default: a free one). */
  port?: number;
  /** Leave workspace trust on (default off: every folder is trusted, no prompt). */
  workspaceTrust?: boolean;
  /** User settings written before start (settings.json of the server's user data). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and so for its extension hosts. */
  env?: Record<string, string>;
  /** Milliseconds to wait for the server to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface VsCodeServer {
  port: number;
  baseUrl: string;
  /** Whether workspace trust is enabled on this server. */
  workspaceTrust: boolean;
  /** The server's combined stdout/stderr (kept after stop). */
  logFile: string;
  stop(): Promise<void>;
}

// Quiet defaults: no welcome page or tips competing with the UI under test.
const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startVsCodeServer(opts: ServerOptions = {}): Promise<VsCodeServer> {
  const vs = ensureVsCode();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bkl-vscode-'));
  const dirs = {
    home: path.join(tmp, 'home'),
    server: path.join(tmp, 'server-data'),
    user: path.join(tmp, 'user-data'),
    extensions: opts.extensionsDir ?? path.join(tmp, 'extensions'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const settings = { ...defaultSettings, ...opts.settings };
  // code-server keeps the web client's settings on the server; VS Code reads machine settings
  // from the server data folder. Writing both makes the settings hold whichever is read.
  writeJson(path.join(dirs.user, 'User', 'settings.json'), settings);
  writeJson(path.join(dirs.server, 'data', 'Machine', 'settings.json'), settings);

  const port = opts.port ?? (await freePort());
  const workspaceTrust = opts.workspaceTrust ?? false;
  const args = [
    path.join(vs, 'out', 'server-main.js'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-telemetry',
    '--extensions-dir', dirs.extensions,
    '--server-data-dir', dirs.server,
    '--user-data-dir', dirs.user,
  ];
  if (!workspaceTrust) args.push('--disable-workspace-trust');

  fs.mkdirSync(path.join(resultsDir, 'logs'), { recursive: true });
  const logFile = path.join(resultsDir, 'logs', `vscode-server-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
    VSCODE_CLI: undefined,
    ...opts.env,
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR as string, { recursive: true, mode: 0o700 });
  const proc = spawnGroup(process.execPath, args, { cwd: dirs.home, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);

  let exited: string | undefined;
  proc.child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await proc.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`VS Code server stopped during start-up (${exited}):\n${tail(logFile)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`VS Code server did not answer on ${baseUrl} in time:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/version`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return { port, baseUrl, workspaceTrust, logFile, stop };
}
