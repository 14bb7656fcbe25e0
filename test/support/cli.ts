// Runs the real CLI bundle (dist/cli.js) as a child process, the way CI and users run it.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
/** the CLI's command (package.json "bin"): a shell script that runs `node` dist/cli.js */
export const CLI_COMMAND = path.resolve(__dirname, '..', '..', '..', 'dist', 'buildkit-lens');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout as sent (a tarball with -o -) */
  stdoutBytes: Buffer;
  stderr: string;
  ms: number;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** what the CLI reads on standard input (none: stdin is closed) */
  input?: Buffer | string;
  onStderr?(chunk: string): void;
  /** through its command (dist/buildkit-lens, with this Node first on PATH) instead of `node dist/cli.js` */
  viaCommand?: boolean;
  cwd?: string;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> & { child: import('node:child_process').ChildProcess } {
  const t0 = Date.now();
  const env = { ...process.env, ...opts.env };
  if (opts.viaCommand) env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`;
  const [file, argv] = opts.viaCommand ? [CLI_COMMAND, args] : [process.execPath, [CLI, ...args]];
  const child = spawn(file, argv, { env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    opts.onStderr?.(String(d));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const p = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr, ms: Date.now() - t0 });
    });
  }) as Promise<CliRun> & { child: typeof child };
  p.child = child;
  return p;
}
