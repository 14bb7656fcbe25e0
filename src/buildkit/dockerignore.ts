// Reads a .dockerignore the way the engine's frontend does, to reject a bad pattern before the
// build with its line number (the engine would only say "error from sender").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePatterns } from './filesync/patterns';

export interface IgnoreLine {
  line: number;
  pattern: string;
}

/** moby/patternmatcher/ignorefile.ReadAll: trim, skip comments and blanks, clean, drop a leading "/". */
export function parseDockerignore(text: string): IgnoreLine[] {
  const out: IgnoreLine[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, i) => {
    let p = raw.replace(/\r$/, '');
    if (p.startsWith('#')) return;
    p = p.trim();
    if (!p) return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = path.posix.normalize(p.replace(/\\/g, '/'));
      if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push({ line: i + 1, pattern: invert ? `!${p}` : p });
  });
  return out;
}

export function checkDockerignore(file: string): void {
  const lines = parseDockerignore(fs.readFileSync(file, 'utf8'));
  for (const l of lines) {
    try {
      compilePatterns([l.pattern]);
    } catch (e) {
      throw new Error(`${path.basename(file)}:${l.line}: ${(e as Error).message}`);
    }
  }
}
