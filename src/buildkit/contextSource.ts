// Where a build's context comes from: a local folder (sent over the session), or something the
// engine fetches itself: an archive from standard input (through the session's Upload service) or a
// URL (a Git repository, an HTTP tarball), as buildx passes them.
import * as path from 'node:path';
import type { BuildOptions } from './types';

type ContextOpts = Pick<BuildOptions, 'contextDir' | 'dockerfile' | 'contextArchive' | 'contextUrl'>;

/** A Git URL or HTTP(S) URL, as buildx's IsRemoteURL tells them from a path (which it tries first). */
export function isRemoteContext(s: string): boolean {
  if (/^(?:https?|git|ssh):\/\//.test(s) || s.startsWith('github.com/')) return true;
  // scp-like "user@host:path", and "host/path.git" (git's https, implied)
  return /^[\w.-]+@[\w.-]+:/.test(s) || /^[^/:#]+\.[^/:#]+(?::\d+)?\/[^#]*\.git(?:#.*)?$/.test(s);
}

/** A Git URL whose repository is reached over SSH (ssh://, or scp-like user@host:path). */
export function isGitSsh(s: string): boolean {
  return s.startsWith('ssh://') || /^[\w.-]+@[\w.-]+:/.test(s);
}

/** The engine fetches the context itself: no local folder is served as "context". */
export function remoteContext(opts: ContextOpts): boolean {
  return !!opts.contextArchive || !!opts.contextUrl;
}

/**
 * The Dockerfile is a path inside a fetched context: a relative -f with an archive or URL, as buildx
 * reads it. An absolute one is a local file, sent as the "dockerfile" folder.
 */
export function dockerfileInContext(opts: ContextOpts): boolean {
  return remoteContext(opts) && !path.isAbsolute(opts.dockerfile);
}
