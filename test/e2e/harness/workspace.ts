// Throwaway workspace folders, so no test edits a checked-in fixture.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';
import { tempDir } from '../../support/tmp';

/** Seed for the extension-host suite's workspace, copied fresh for every run when it exists. */
export const suiteWorkspaceSeed = path.join(repoRoot, 'test', 'e2e', 'suite', 'workspace');

/** A fresh temp folder: a copy of `from` (if given and present) plus `files` (relative path -> text). */
export function createWorkspace(opts: { from?: string; files?: Record<string, string> } = {}): string {
  const dir = tempDir('bkl-ws-');
  if (opts.from && fs.existsSync(opts.from)) fs.cpSync(opts.from, dir, { recursive: true });
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
