// Child processes started in their own session (setsid), killed as a whole group: the VS Code
// server forks extension hosts and pty hosts that outlive it if only the leader is killed.
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

const live = new Set<number>();

// Last-chance cleanup if the runner dies without calling stop(): no orphaned servers.
process.on('exit', () => {
  for (const pid of live) signal(-pid, 'SIGKILL');
});

/** A negative pid signals the process group it leads. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM pid (negative: its whole group), then SIGKILL if it is still there after graceMs. */
export async function terminate(pid: number, graceMs = 3000): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) signal(pid, 'SIGKILL');
}

export interface GroupProcess {
  child: ChildProcess;
  /** SIGTERM the whole group, SIGKILL whatever is left after graceMs. */
  kill(graceMs?: number): Promise<void>;
}

export function spawnGroup(cmd: string, args: string[], opts: SpawnOptions): GroupProcess {
  // detached => setsid() on POSIX: the child leads a new process group.
  const child = spawn(cmd, args, { ...opts, detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);
  live.add(pid);
  return {
    child,
    async kill(graceMs = 3000) {
      await terminate(-pid, graceMs);
      live.delete(pid);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reject with a clear message if `p` does not settle within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
