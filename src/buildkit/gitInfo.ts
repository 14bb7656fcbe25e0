// Where a build's sources come from, as buildx records it: the context's Git commit and remote as
// frontend attributes (vcs:*), which the engine writes into the build's provenance, and, when
// BUILDX_GIT_LABELS asks, as the image's OCI labels. Found with the git command, as buildx finds it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseGoBool } from './runLimits';

export interface GitInfoRequest {
  contextDir: string;
  /** absolute path of the Dockerfile */
  dockerfile: string;
  /** the session's local directories by name (context, dockerfile, named contexts) */
  dirs: Record<string, string>;
  env: NodeJS.ProcessEnv;
}

/**
 * The attributes buildx 0.13 adds for a context inside a Git work tree: vcs:revision, vcs:source,
 * vcs:localdir:NAME, and with BUILDX_GIT_LABELS the org.opencontainers.image.revision / .source and
 * com.docker.image.source.entrypoint labels. Nothing for a context outside one, or when git fails:
 * a build never fails for want of its commit.
 */
export async function gitAttrs(req: GitInfoRequest): Promise<Record<string, string>> {
  const labels = envBool(req.env.BUILDX_GIT_LABELS, false, true);
  const info = envBool(req.env.BUILDX_GIT_INFO, true);
  // most contexts are in no repository: find that out without starting git
  if ((!labels && !info) || (!req.env.GIT_DIR && !insideGitTree(req.contextDir))) return {};
  const git = (...args: string[]) => run(req.contextDir, req.env, args);
  try {
    const [where, sha, upstreams] = await Promise.all([
      git('rev-parse', '--is-inside-work-tree', '--show-toplevel'),
      git('show', '--format=%H', 'HEAD', '--quiet', '--').catch(() => ''), // no commit yet
      git('for-each-ref', '--format=%(HEAD)%(upstream:remotename)', 'refs/heads').catch(() => ''),
    ]);
    const [inside, root] = where.split('\n');
    if (inside !== 'true' || !root) return {};
    let revision = sha.trim();
    if (revision && envBool(req.env.BUILDX_GIT_CHECK_DIRTY, false) && (await git('status', '--porcelain', '--ignored').catch(() => 'x')).trim()) {
      revision += '-dirty';
    }
    // the current branch's remote, then origin, then upstream (buildx's order)
    const current = upstreams.split('\n').find((l) => l.startsWith('*'))?.slice(1).trim();
    let source = '';
    for (const remote of [current, 'origin', 'upstream']) {
      if (!remote) continue;
      source = (await git('remote', 'get-url', remote).catch(() => '')).trim();
      if (source) break;
    }
    source = withoutCredentials(source);
    const attrs: Record<string, string> = {};
    if (revision) {
      if (labels) attrs['label:org.opencontainers.image.revision'] = revision;
      if (info) attrs['vcs:revision'] = revision;
    }
    if (source) {
      if (labels) attrs['label:org.opencontainers.image.source'] = source;
      if (info) attrs['vcs:source'] = source;
    }
    const inRoot = (p: string) => {
      const rel = path.relative(root, p);
      return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel || '.';
    };
    const entrypoint = inRoot(realPath(req.dockerfile));
    if (labels && entrypoint) attrs['label:com.docker.image.source.entrypoint'] = entrypoint;
    if (info) {
      for (const [name, dir] of Object.entries(req.dirs)) {
        const rel = inRoot(realPath(dir));
        if (rel) attrs[`vcs:localdir:${name}`] = rel;
      }
    }
    return attrs;
  } catch {
    return {};
  }
}

/** Go's strconv.ParseBool as buildx applies it to these variables: anything else is the default. */
function envBool(v: string | undefined, dflt: boolean, fullMeansTrue = false): boolean {
  if (v === undefined) return dflt;
  if (fullMeansTrue && v === 'full') return true;
  return parseGoBool(v) ?? dflt;
}

/** A ".git" (folder, or file for worktrees and submodules) in the directory or above it. */
function insideGitTree(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * A remote URL as buildx records it: Go's url.Parse, the user info dropped, String() again. The
 * user info is cut out of the text rather than re-serialized, since WHATWG's URL would add a "/"
 * to a path-less URL, drop a default port and lower-case the host, and Go does none of these.
 * scp-like addresses (git@host:path) have no scheme and stay as they are.
 */
export function withoutCredentials(s: string): string {
  // Go cuts the fragment and the query first, so the authority ends at "/", "?" or "#"
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([\s\S]*)$/i.exec(s);
  if (!m) return s;
  const authority = m[2].slice(m[2].lastIndexOf('@') + 1);
  return m[1].toLowerCase() + authority + m[3];
}

function run(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // LC_ALL=C: error texts in English; no prompt may wait for a user
    execFile('git', args, { cwd, env: { ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' }, timeout: 5000, maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.replace(/\n$/, '')),
    );
  });
}
