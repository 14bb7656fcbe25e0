// Timing helpers for the benchmarks: wall time and the CPU time of a command and all its children.
import { spawn } from 'node:child_process';

export interface Sample {
  wallMs: number;
  cpuSec: number;
  code: number | null;
  stderrTail: string;
}

/** Runs argv under bash and reads `times` afterwards, which covers every waited-for descendant. */
export function measure(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<Sample> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `${quoted} >/dev/null 2>"$BENCH_ERR"; rc=$?; times >&3; exit $rc`;
  return new Promise((resolve) => {
    const errFile = `/tmp/bench-${process.pid}-${Date.now()}.err`;
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script], { env: { ...env, BENCH_ERR: errFile }, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let times = '';
    child.stdio[3]!.on('data', (d) => (times += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      // second line of `times`: children's user and system time, e.g. "0m1.234s 0m0.321s"
      const line = times.trim().split('\n')[1] ?? '';
      const cpuSec = line
        .split(/\s+/)
        .map((t) => /(\d+)m([\d.]+)s/.exec(t))
        .reduce((sum, m) => sum + (m ? Number(m[1]) * 60 + Number(m[2]) : 0), 0);
      let stderrTail = '';
      try {
        stderrTail = require('node:fs').readFileSync(errFile, 'utf8').split('\n').slice(-5).join('\n');
        require('node:fs').rmSync(errFile);
      } catch {
        /* no stderr file */
      }
      resolve({ wallMs, cpuSec, code, stderrTail });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
