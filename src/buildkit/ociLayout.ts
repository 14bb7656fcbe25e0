// OCI image layout folders (index.json, oci-layout, blobs/): the local cache's, and oci-layout://
// named contexts'. The session serves them as content stores (contentStore.ts); the client reads
// and writes their index.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, OciLayoutRef } from './types';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const IMAGE_NAME = 'io.containerd.image.name';

export interface OciIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: { mediaType?: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

export function readIndex(dir: string): OciIndex | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as OciIndex;
  } catch {
    return undefined;
  }
}

/** The session's name for a layout folder: stable per folder, so the engine's cache keys stay the same. */
export function ociStoreName(dir: string): string {
  return crypto.createHash('sha256').update(dir).digest('hex').slice(0, 25);
}

/** The content stores of a build's oci-layout:// contexts, by the id the engine names them with. */
export function ociLayoutStores(opts: BuildOptions): Map<string, string> {
  const stores = new Map<string, string>();
  for (const c of Object.values(opts.namedContexts ?? {})) if ('ociLayout' in c) stores.set(`oci:${ociStoreName(c.ociLayout.dir)}`, c.ociLayout.dir);
  return stores;
}

/** The manifest a tag names in an index, as BuildKit's ociindex looks it up: image name, then ref name. */
export function taggedManifest(index: OciIndex | undefined, tag: string): OciIndex['manifests'][number] | undefined {
  const ms = index?.manifests ?? [];
  return ms.find((m) => m.annotations?.[IMAGE_NAME] === tag) ?? ms.find((m) => m.annotations?.[REF_NAME] === tag);
}

/** The digest an oci-layout:// context's tag names; buildx then takes the only manifest there is. */
function digestFor(ref: OciLayoutRef): string {
  const index = readIndex(ref.dir);
  if (!index) throw new Error(`oci-layout ${ref.dir}: no readable index.json`);
  const ms = index.manifests ?? [];
  const hit = taggedManifest(index, ref.tag ?? 'latest') ?? (ms.length === 1 ? ms[0] : undefined);
  if (!hit) throw new Error(`oci-layout ${ref.dir}: no image tagged "${ref.tag}" in its index.json`);
  return hit.digest;
}

/** BuildOptions whose oci-layout:// contexts name a digest (throws one line when a tag names none). */
export function withOciDigests(opts: BuildOptions): BuildOptions {
  const named = opts.namedContexts;
  if (!named || !Object.values(named).some((c) => 'ociLayout' in c && !c.ociLayout.digest)) return opts;
  const out: NonNullable<BuildOptions['namedContexts']> = {};
  for (const [k, c] of Object.entries(named)) out[k] = 'ociLayout' in c && !c.ociLayout.digest ? { ociLayout: { ...c.ociLayout, digest: digestFor(c.ociLayout) } } : c;
  return { ...opts, namedContexts: out };
}

/** The frontend's form: oci-layout://STORE[:TAG]@DIGEST. */
export function ociContextAttr(ref: OciLayoutRef): string {
  return `oci-layout://${ociStoreName(ref.dir)}${ref.tag ? `:${ref.tag}` : ''}@${ref.digest ?? ''}`;
}
