// The .dockerignore the engine's frontend will read, checked before the build so a bad pattern
// is reported with its line (the engine would only say "error from sender").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePatterns, parseIgnoreLines } from './filesync/patterns';

export function checkDockerignore(file: string): void {
  for (const l of parseIgnoreLines(fs.readFileSync(file, 'utf8'))) {
    try {
      compilePatterns([l.pattern]);
    } catch (e) {
      throw new Error(`${path.basename(file)}:${l.line}: ${(e as Error).message}`);
    }
  }
}

/** The exclude patterns the frontend sends with its request for the context: the ignore file's lines. */
export function expectedExcludes(file: string | undefined): string[] {
  return file ? parseIgnoreLines(fs.readFileSync(file, 'utf8')).map((l) => l.pattern) : [];
}
