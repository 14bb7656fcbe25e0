// Timing helpers for the benchmarks: wall time, the CPU time of a command and all its children, and
// the peak memory of the largest of them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** GNU time (Debian's `time` package; scripts/bench.sh installs it): wait4's peak RSS, which bash's `times` lacks */
const GNU_TIME = '/usr/bin/time';

export interface Sample {
  wallMs: number;
  cpuSec: number;
  code: number | null;
  stderrTail: string;
  /** the largest peak resident set of the command's processes (KiB), when GNU time is there */
  maxRssKiB?: number;
}

/** Runs argv under bash and reads `times` afterwards, which covers every waited-for descendant. */
export function measure(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<Sample> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `${quoted} >/dev/null 2>"$BENCH_ERR"; rc=$?; times >&3; exit $rc`;
  return new Promise((resolve) => {
    const errFile = `/tmp/bench-${process.pid}-${Date.now()}.err`;
    // wait4 gives the peak of the process and of every descendant it waited for: the node of our
    // command, the docker-buildx plugin under docker
    const rssFile = fs.existsSync(GNU_TIME) ? `${errFile}.rss` : undefined;
    const cmd = rssFile ? [GNU_TIME, '-f', '%M', '-o', rssFile, 'bash', '-c', script] : ['bash', '-c', script];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd[0], cmd.slice(1), { env: { ...env, BENCH_ERR: errFile }, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
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
        stderrTail = fs.readFileSync(errFile, 'utf8').split('\n').slice(-5).join('\n');
        fs.rmSync(errFile);
      } catch {
        /* no stderr file */
      }
      let maxRssKiB: number | undefined;
      try {
        // GNU time writes "Command exited with non-zero status N" before the value when the command fails
        const kib = rssFile ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : 0;
        maxRssKiB = kib > 0 ? kib : undefined;
      } catch {
        /* killed before GNU time wrote it */
      }
      if (rssFile) fs.rmSync(rssFile, { force: true });
      resolve({ wallMs, cpuSec, code, stderrTail, maxRssKiB });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
