// mkdir -p for folders a build writes into (-o DIR, --cache-to type=local).
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync spins forever where mkdir says ENOENT
 * under a parent that exists (/proc/x), and a build must fail there, not hang.
 */
export function makeDirs(dest: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let at = dest; !fs.existsSync(at); at = path.dirname(at)) {
    if (path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const dir of missing) fs.mkdirSync(dir, { mode });
}
