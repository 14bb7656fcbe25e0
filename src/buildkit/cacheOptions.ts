// --cache-from / --cache-to as buildx takes them: where the engine imports build cache from and
// exports it to (registry, inline, gha, s3, azblob, local). The engine does the transfers itself;
// the session answers registry credentials and, for "local", serves the folder as a content store
// (contentStore.ts), whose index.json the client reads before and writes after the build.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsReason } from './fsReason';
import { makeDirs } from './makeDirs';
import { UsageError } from './options';
import { classicStoreRefusal } from './storeAdvice';
import { readIndex, REF_NAME, taggedManifest, type OciIndex } from './ociLayout';
import type { CacheEntry } from './types';

const KNOWN = new Set(['registry', 'inline', 'gha', 's3', 'azblob', 'local']);

export type CacheFlag = '--cache-from' | '--cache-to';

/** "type=registry,ref=reg/app:cache,mode=max", or a bare "reg/app:cache" (a registry ref, as in buildx). */
export function parseCacheEntry(spec: string, flag: CacheFlag, env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): CacheEntry {
  const s = spec.trim();
  if (!s) throw new UsageError(`invalid ${flag} "": expected type=registry,ref=REF or a bare REF`);
  if (!s.includes('=')) return { type: 'registry', attrs: { ref: s } };
  const attrs: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} "${spec}": expected comma-separated key=value pairs`);
    attrs[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  const type = attrs.type;
  delete attrs.type;
  if (!type) throw new UsageError(`invalid ${flag} "${spec}": type= is missing (registry, inline, local, gha, s3, azblob)`);
  if (!KNOWN.has(type)) throw new UsageError(`invalid ${flag} "${spec}": unknown type "${type}"`);
  if (type === 'local') {
    const key = flag === '--cache-to' ? 'dest' : 'src';
    if (!attrs[key]) throw new UsageError(`invalid ${flag} "${spec}": type=local needs ${key}=DIRECTORY`);
    // the folder is also the store's name in the session: one spelling for both sides
    attrs[key] = path.resolve(cwd, attrs[key]);
  }
  if (type === 'inline' && flag === '--cache-from') throw new UsageError('--cache-from type=inline: give the image that carries the inline cache, e.g. --cache-from type=registry,ref=IMAGE');
  if (type === 'registry' && !attrs.ref) throw new UsageError(`invalid ${flag} "${spec}": type=registry needs ref=REF`);
  if (attrs.mode && !['min', 'max'].includes(attrs.mode)) throw new UsageError(`invalid ${flag} "${spec}": mode must be min or max`);
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
  return classicStoreRefusal(`--cache-to type=${e.type} needs`, 'it can only embed the cache in the image: --cache-to type=inline');
}

/** The frontend reads the imports again from its attrs (BuildKit's client does the same). */
export function cacheImportsAttr(imports: readonly CacheEntry[]): string {
  return JSON.stringify(imports.map((i) => ({ Type: i.type, Attrs: i.attrs })));
}

/** The local folders a build's session serves as content stores, by the id the engine names them with. */
export function localCacheStores(cacheFrom: readonly CacheEntry[] = [], cacheTo: readonly CacheEntry[] = []): Map<string, string> {
  const stores = new Map<string, string>();
  for (const c of cacheTo) if (c.type === 'local') stores.set(`local:${c.attrs.dest}`, c.attrs.dest);
  for (const c of cacheFrom) if (c.type === 'local') stores.set(`local:${c.attrs.src}`, c.attrs.src);
  return stores;
}

/**
 * The imports as the engine takes them: a local folder's tag ("latest" unless tag=) turned into the
 * digest its index.json names. A folder with no such cache is left out, as BuildKit's client does
 * (the first build of a CI job has none yet).
 */
export function resolveCacheImports(cacheFrom: readonly CacheEntry[] = []): CacheEntry[] {
  return cacheFrom.flatMap((c) => {
    if (c.type !== 'local' || c.attrs.digest) return [c];
    const hit = taggedManifest(readIndex(c.attrs.src), c.attrs.tag ?? 'latest');
    return hit ? [{ type: c.type, attrs: { ...c.attrs, digest: hit.digest } }] : [];
  });
}

/** What buildx warns of before a build: a local cache to import from a folder that is not there (a misspelled path). */
export function missingCacheImports(cacheFrom: readonly CacheEntry[] = []): string[] {
  return cacheFrom
    .filter((c) => c.type === 'local' && c.attrs.src && !fs.existsSync(c.attrs.src))
    .map((c) => `local cache import at ${c.attrs.src} not found: no such directory`);
}

/** Local cache folders exist before the engine writes into them (as with buildx, 0755). */
export function makeCacheDirs(cacheTo: readonly CacheEntry[] = []): void {
  for (const c of cacheTo) {
    if (c.type !== 'local') continue;
    try {
      makeDirs(c.attrs.dest, 0o755);
    } catch (e) {
      throw new Error(`--cache-to type=local: cannot create ${c.attrs.dest}: ${fsReason(e)}`);
    }
  }
}

/** After the build: each local cache folder's index.json names the exported cache under its tag, as BuildKit's client writes it. */
export function recordCacheExports(cacheTo: readonly CacheEntry[] = [], exporterResponse: Record<string, string>): void {
  const desc = exporterResponse['cache.manifest'];
  if (!desc) return;
  const manifest = JSON.parse(desc) as OciIndex['manifests'][number];
  for (const c of cacheTo) {
    if (c.type !== 'local') continue;
    const tag = c.attrs.tag ?? 'latest';
    fs.writeFileSync(path.join(c.attrs.dest, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const prev = readIndex(c.attrs.dest);
    // the index buildx 0.13 writes (no mediaType), or the one already there
    const index: OciIndex = { ...prev, schemaVersion: 2, manifests: (prev?.manifests ?? []).filter((m) => m.annotations?.[REF_NAME] !== tag) };
    index.manifests.push({ ...manifest, annotations: { ...manifest.annotations, [REF_NAME]: tag } });
    fs.writeFileSync(path.join(c.attrs.dest, 'index.json'), JSON.stringify(index));
  }
}
