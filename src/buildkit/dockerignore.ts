// The .dockerignore the engine's frontend will read, checked before the build so a bad pattern
// is reported with its line (the engine would only say "error from sender").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerfileInContext, remoteContext } from './contextSource';
import { compilePatterns, parseIgnoreLines } from './filesync/patterns';
import type { WalkOptions } from './filesync/walk';
import type { BuildOptions } from './types';

export function statKind(p: string): 'file' | 'dir' | 'other' | 'missing' {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** The ignore file the frontend will use: <Dockerfile>.dockerignore beside it wins over the context's. */
export function ignoreFileFor(opts: Pick<BuildOptions, 'contextDir' | 'dockerfile' | 'contextArchive' | 'contextUrl'>): string | undefined {
  // a fetched context's ignore file is the engine's to read
  if (dockerfileInContext(opts)) return undefined;
  const beside = `${opts.dockerfile}.dockerignore`;
  if (statKind(beside) === 'file') return beside;
  if (remoteContext(opts)) return undefined;
  const inCtx = path.join(opts.contextDir, '.dockerignore');
  return statKind(inCtx) === 'file' ? inCtx : undefined;
}

export function checkDockerignore(file: string): void {
  for (const l of parseIgnoreLines(fs.readFileSync(file, 'utf8'))) {
    try {
      compilePatterns([l.pattern]);
    } catch (e) {
      throw new Error(`${path.basename(file)}:${l.line}: ${(e as Error).message}`);
    }
  }
}

/**
 * A pattern whose Go regexp does not compile fails only when the walk first evaluates it (as in
 * patternmatcher), so the preflight cannot report it; the walk's message gets the line here.
 * Matched by text: the error may come from the prefetch worker, where it is no PatternError.
 */
export function withIgnoreLine(opts: Pick<BuildOptions, 'contextDir' | 'dockerfile'>, message: string): string {
  const quoted = /invalid pattern ("(?:[^"\\]|\\.)*")/.exec(message)?.[1];
  const file = quoted && ignoreFileFor(opts);
  if (!file) return message;
  try {
    const pattern = JSON.parse(quoted) as string;
    const hit = parseIgnoreLines(fs.readFileSync(file, 'utf8')).find((l) => l.pattern.replace(/^!/, '') === pattern);
    return hit ? `${path.basename(file)}:${hit.line}: ${message}` : message;
  } catch {
    return message;
  }
}

/** What the frontend's request for the context will ask for: the ignore file's lines as excludes. */
export function expectedContextWalk(opts: Pick<BuildOptions, 'contextDir' | 'dockerfile'>): WalkOptions {
  const file = ignoreFileFor(opts);
  return { excludePatterns: file ? parseIgnoreLines(fs.readFileSync(file, 'utf8')).map((l) => l.pattern) : [] };
}
