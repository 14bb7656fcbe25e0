// BuildOptions → the SolveRequest buildx's docker driver would send, as a direct dockerfile.v0 solve.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { SolveRequest } from './control';
import { cacheImportsAttr } from './cacheOptions';
import { dockerfileInContext, remoteContext } from './contextSource';
import { exporterEntries } from './exporters';
import { ociContextAttr } from './ociLayout';
import { DEFAULT_PROVENANCE } from './runLimits';
import { withAnnotations } from './annotations';
import type { BuildOptions, CacheEntry } from './types';

export interface EngineTraits {
  containerdStore: boolean;
  /** a standalone buildkitd: no moby exporter, session over Control.Session */
  standalone?: boolean;
}

export function frontendAttrs(opts: BuildOptions): Record<string, string> {
  const attrs: Record<string, string> = {
    // a Dockerfile inside a fetched context is named by its path there
    filename: dockerfileInContext(opts) ? opts.dockerfile : path.basename(opts.dockerfile),
    // The docker driver prefers images already in the engine's store, like buildx does.
    'image-resolve-mode': opts.pull ? 'pull' : 'local',
  };
  if (opts.contextArchive) attrs.context = uploadUrl(opts.contextArchive);
  else if (opts.contextUrl) attrs.context = opts.contextUrl;
  // our own Dockerfile beside a fetched context: without the key the frontend reads the context's
  if (remoteContext(opts) && !dockerfileInContext(opts)) attrs.dockerfilekey = 'dockerfile';
  if (opts.target) attrs.target = opts.target;
  for (const [k, v] of Object.entries(opts.buildArgs)) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(opts.labels)) attrs[`label:${k}`] = v;
  if (opts.platforms.length) attrs.platform = opts.platforms.join(',');
  // an empty value is every stage
  if (opts.noCache) attrs['no-cache'] = '';
  else if (opts.noCacheStages?.length) attrs['no-cache'] = opts.noCacheStages.join(',');
  if (opts.network !== 'default') attrs['force-network-mode'] = opts.network;
  if (opts.addHosts.length) attrs['add-hosts'] = opts.addHosts.join(',');
  const named = Object.entries(opts.namedContexts ?? {});
  for (const [name, c] of named) attrs[`context:${name}`] = 'ref' in c ? c.ref : 'ociLayout' in c ? ociContextAttr(c.ociLayout) : `local:${localDirName(name)}`;
  // the frontend refuses a build that needs what it cannot do, rather than pull an image called "name"
  if (named.length) attrs['frontend.caps'] = CONTEXTS_CAP;
  if (opts.cacheFrom?.length) attrs['cache-imports'] = cacheImportsAttr(opts.cacheFrom);
  if (opts.shmSize) attrs['shm-size'] = String(opts.shmSize);
  if (opts.ulimits?.length) attrs.ulimit = opts.ulimits.join(',');
  if (opts.cgroupParent) attrs['cgroup-parent'] = opts.cgroupParent;
  Object.assign(attrs, opts.attest);
  return attrs;
}

/** The request's attributes on this engine: as frontendAttrs, plus buildx's default provenance where it applies. */
function engineFrontendAttrs(opts: BuildOptions, traits: EngineTraits): Record<string, string> {
  const attrs = frontendAttrs(opts);
  const attests = traits.containerdStore || !!traits.standalone;
  if (attests && !opts.noDefaultProvenance && !('attest:provenance' in attrs)) attrs['attest:provenance'] = DEFAULT_PROVENANCE;
  return attrs;
}

const CONTEXTS_CAP = 'moby.buildkit.frontend.contexts+forward';

/** The session's dir name for a named context; "context" and "dockerfile" are taken (as in buildx). */
export function localDirName(name: string): string {
  return name === 'context' || name === 'dockerfile' ? `_${name}` : name;
}

/**
 * Where the engine fetches a context archive: BuildKit's session URL, which it pulls through our
 * Upload service. Named by the content, so the same archive keeps the same source.
 */
export function uploadUrl(archive: Buffer): string {
  return `http://buildkit-session/${uploadId(archive)}`;
}

// the session and the frontend attrs both name the archive: hash a large tarball once
const uploadIds = new WeakMap<Buffer, string>();

export function uploadId(archive: Buffer): string {
  let id = uploadIds.get(archive);
  if (!id) uploadIds.set(archive, (id = crypto.createHash('sha256').update(archive).digest('hex').slice(0, 25)));
  return id;
}

/** The local directories a build's session serves, by the names the frontend asks for. */
export function sessionDirs(opts: BuildOptions): Record<string, string> {
  // a context archive has an empty folder for both names; a URL has no folder, so nothing is served
  const dirs: Record<string, string> = {};
  if (!opts.contextUrl) dirs.context = opts.contextDir;
  if (!dockerfileInContext(opts)) dirs.dockerfile = path.dirname(opts.dockerfile);
  else if (opts.contextArchive) dirs.dockerfile = opts.contextDir;
  for (const [name, c] of Object.entries(opts.namedContexts ?? {})) if ('dir' in c) dirs[localDirName(name)] = c.dir;
  return dirs;
}

export function solveRequest(ref: string, sessionId: string, opts: BuildOptions, traits: EngineTraits): SolveRequest {
  const exporters = withAnnotations(exporterEntries(opts.outputs, opts.tags, traits), opts.annotations);
  return {
    Ref: ref,
    Session: sessionId,
    Frontend: 'dockerfile.v0',
    FrontendAttrs: engineFrontendAttrs(opts, traits),
    // Engines before 26.0 read only the legacy pair; newer ones prefer Exporters. Both, always.
    ExporterDeprecated: exporters[0]?.Type ?? '',
    ExporterAttrsDeprecated: exporters[0]?.Attrs ?? {},
    Exporters: exporters,
    ...(opts.cacheFrom?.length || opts.cacheTo?.length
      ? { Cache: { Exports: (opts.cacheTo ?? []).map(entry), Imports: (opts.cacheFrom ?? []).map(entry) } }
      : {}),
    Entitlements: [...new Set([...(opts.network === 'host' ? ['network.host'] : []), ...(opts.allow ?? [])])],
  };
}

const entry = (c: CacheEntry) => ({ Type: c.type, Attrs: c.attrs });
