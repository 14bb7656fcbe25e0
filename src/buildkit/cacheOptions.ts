// --cache-from / --cache-to as buildx takes them: where the engine imports build cache from and
// exports it to (registry, inline, gha, s3, azblob). The engine does the transfers itself; the
// session only answers registry credentials. "local" would need a content store served in the
// session, which we do not serve.
import type { CacheEntry } from './types';

const KNOWN = new Set(['registry', 'inline', 'gha', 's3', 'azblob', 'local']);

export type CacheFlag = '--cache-from' | '--cache-to';

/** "type=registry,ref=reg/app:cache,mode=max", or a bare "reg/app:cache" (a registry ref, as in buildx). */
export function parseCacheEntry(spec: string, flag: CacheFlag, env: NodeJS.ProcessEnv = {}): CacheEntry {
  const s = spec.trim();
  if (!s) throw new Error(`invalid ${flag} "": expected type=registry,ref=REF or a bare REF`);
  if (!s.includes('=')) return { type: 'registry', attrs: { ref: s } };
  const attrs: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid ${flag} "${spec}": expected comma-separated key=value pairs`);
    attrs[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  const type = attrs.type;
  delete attrs.type;
  if (!type) throw new Error(`invalid ${flag} "${spec}": type= is missing (registry, inline, gha, s3, azblob)`);
  if (!KNOWN.has(type)) throw new Error(`invalid ${flag} "${spec}": unknown type "${type}"`);
  if (type === 'local') {
    throw new Error(`${flag} type=local is not supported: it needs a content store served in the build session; use type=registry (or type=inline for --cache-to)`);
  }
  if (type === 'inline' && flag === '--cache-from') throw new Error('--cache-from type=inline: give the image that carries the inline cache, e.g. --cache-from type=registry,ref=IMAGE');
  if (type === 'registry' && !attrs.ref) throw new Error(`invalid ${flag} "${spec}": type=registry needs ref=REF`);
  if (attrs.mode && !['min', 'max'].includes(attrs.mode)) throw new Error(`invalid ${flag} "${spec}": mode must be min or max`);
  // GitHub Actions' cache service, as buildx fills it in from the runner's environment
  if (type === 'gha') {
    if (!attrs.url && env.ACTIONS_CACHE_URL) attrs.url = env.ACTIONS_CACHE_URL;
    if (!attrs.token && env.ACTIONS_RUNTIME_TOKEN) attrs.token = env.ACTIONS_RUNTIME_TOKEN;
  }
  return { type, attrs };
}

/**
 * Why the engine cannot export this cache, or undefined. Docker's own image store keeps inline
 * cache only; every other backend needs the containerd store (buildx refuses the same).
 */
export function unsupportedCacheExport(e: CacheEntry, traits: { containerdStore: boolean; standalone: boolean }): string | undefined {
  if (e.type === 'inline' || traits.standalone || traits.containerdStore) return undefined;
  return `--cache-to type=${e.type} needs the containerd image store, and this engine uses the classic store (it can only embed the cache in the image: --cache-to type=inline). Turn it on with "features": {"containerd-snapshotter": true} in /etc/docker/daemon.json and restart the engine`;
}

/** The frontend reads the imports again from its attrs (BuildKit's client does the same). */
export function cacheImportsAttr(imports: readonly CacheEntry[]): string {
  return JSON.stringify(imports.map((i) => ({ Type: i.type, Attrs: i.attrs })));
}
