// Temp folders named after the process that made them ("<prefix><pid>-XXXXXX"). A process ended by a
// signal runs no exit hook (an extension host stopped with SIGTERM, a crash), so its folders stay;
// the next process of ours removes those whose process is gone. A live process's folder is never
// touched, so whatever it holds (a bridge socket in use, a build's logs) stays with it.
import * as fs from 'node:fs';
import * as path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** the folder name a process of ours makes under tmp, for mkdtemp */
export function folderPrefix(prefix: string): string {
  return `${prefix}${process.pid}-`;
}

const swept = new Set<string>();

/** Once per process and prefix (the first time a folder is made or given back): nothing waits for it after. */
export function removeFoldersOfEndedProcessesOnce(tmp: string, prefix: string): void {
  if (swept.has(prefix)) return;
  swept.add(prefix);
  removeFoldersOfEndedProcesses(tmp, prefix);
}

export function removeFoldersOfEndedProcesses(tmp: string, prefix: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    try {
      fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    } catch {
      // another user's folder: theirs to remove
    }
  }
}
