// Temporary folders for tests. Each is removed when the test process exits (node --test runs every
// file in a process of its own), so a run leaves nothing in the temp folder, passed or failed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

function openUp(dir: string): void {
  fs.chmodSync(dir, 0o700);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) openUp(path.join(dir, e.name));
}

function removeAll(): void {
  for (const dir of made.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a test may have left a folder unreadable (permission tests); open it up and try once more
      try {
        openUp(dir);
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        /* leave it; nothing else to do at exit */
      }
    }
  }
}

/** A new empty folder under the system temp folder, named prefix + random; removed at exit. */
export function tempDir(prefix: string): string {
  if (made.length === 0) process.once('exit', removeAll);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
