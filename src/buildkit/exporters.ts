// Where a build's result goes, written as buildx's --output specs: the engine's image store (moby,
// the default on a Docker engine), a registry (image), or back to the client through the session's
// FileSend (local: a directory; tar, oci, docker: a tarball, "-" for standard output).
import * as path from 'node:path';
import { statKind } from './dockerignore';
import type { OutputTarget } from './filesync/fileSend';
import type { BuildResult, ExportSpec } from './types';

export interface ExporterEntry {
  Type: string;
  Attrs: Record<string, string>;
}

const KNOWN = new Set(['moby', 'image', 'registry', 'oci', 'docker', 'local', 'tar', 'cacheonly']);
// sent back through the session's FileSend: a directory (local) or a tarball
const TO_CLIENT = new Set(['local', 'tar', 'oci', 'docker']);

/**
 * Parses "type=image,name=reg/x:1,push=true" (buildx -o). As for buildx, a bare "-" is a tarball
 * on standard output and a bare path a local directory.
 */
export function parseOutput(spec: string): ExportSpec {
  if (spec === '-') return { type: 'tar', attrs: { dest: '-' } };
  if (spec && !spec.includes('=')) return { type: 'local', attrs: { dest: spec } };
  const attrs: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid output "${spec}": expected comma-separated key=value pairs, e.g. type=image,name=NAME`);
    attrs[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  const type = attrs.type;
  if (!type) throw new Error(`invalid output "${spec}": type= is missing (moby, image, oci, docker, local, tar, cacheonly)`);
  if (!KNOWN.has(type)) throw new Error(`invalid output "${spec}": unknown type "${type}"`);
  delete attrs.type;
  // buildx's shorthand
  if (type === 'registry') return { type: 'image', attrs: { ...attrs, push: 'true' } };
  // as buildx on a Docker engine: a docker image with nowhere to go is loaded into the engine's store,
  // and another tarball with no dest goes to standard output
  if (type === 'docker' && !attrs.dest) return { type: 'moby', attrs };
  if ((type === 'tar' || type === 'oci') && !attrs.dest) attrs.dest = '-';
  return { type, attrs };
}

/** Why an output can't be used by this client, or undefined when it can. */
export function unsupportedOutput(o: ExportSpec, stdoutIsTTY = !!process.stdout.isTTY): string | undefined {
  if (!TO_CLIENT.has(o.type)) return undefined;
  const dest = o.attrs.dest;
  if (o.type === 'local') {
    if (!dest) return 'output type=local needs dest=DIRECTORY';
    // the directory is made when the result arrives: whatever part of it exists must be directories
    let at = path.resolve(dest);
    while (statKind(at) === 'missing' && path.dirname(at) !== at) at = path.dirname(at);
    if (['file', 'other'].includes(statKind(at))) return `output type=local: ${at} exists and is not a directory`;
    return undefined;
  }
  if (!dest || (dest === '-' && stdoutIsTTY)) {
    return `output type=${o.type} writes a tarball: give dest=FILE, or dest=- with standard output redirected (refusing to write it to a terminal)`;
  }
  if (dest === '-') return undefined;
  if (statKind(dest) === 'dir') return `output type=${o.type}: ${dest} is a directory, and the tarball needs a file name`;
  if (statKind(path.dirname(path.resolve(dest))) !== 'dir') return `output type=${o.type}: the folder of ${dest} does not exist`;
  return undefined;
}

/** oci and docker tarballs come from the image exporters, which a classic-store Docker engine lacks. */
export function needsContainerdStore(o: ExportSpec): boolean {
  return o.type === 'oci' || o.type === 'docker';
}

/** The outputs the engine exports. As buildx, "cacheonly" is none of them: only a way to ask for none (cache warming). */
export function engineExports<T extends ExportSpec>(outputs: readonly T[] | undefined): T[] {
  return (outputs ?? []).filter((o) => o.type !== 'cacheonly');
}

/** Where FileSend writes each client-side output, by its index among the exporters. */
export function outputTargets(outputs: ExportSpec[] | undefined, stdout: NodeJS.WritableStream = process.stdout): Map<number, OutputTarget> {
  const targets = new Map<number, OutputTarget>();
  // indexed as exporterEntries lists them
  engineExports(outputs).forEach((o, i) => {
    const dest = o.attrs.dest;
    if (!TO_CLIENT.has(o.type) || !dest) return;
    if (o.type === 'local') targets.set(i, { kind: 'dir', dest: path.resolve(dest) });
    else if (dest === '-') targets.set(i, { kind: 'stream', dest: '-', stream: stdout });
    else targets.set(i, { kind: 'file', dest: path.resolve(dest) });
  });
  return targets;
}

/**
 * The Exporters of a SolveRequest. No outputs: the engine's image store on a Docker engine, nothing
 * on a standalone buildkitd (the result stays in its cache, as buildx warns). Tags name images.
 */
export function exporterEntries(outputs: ExportSpec[] | undefined, tags: string[], traits: { containerdStore: boolean; standalone?: boolean }): ExporterEntry[] {
  const specs = outputs ?? (traits.standalone ? [] : [{ type: 'moby', attrs: {} }]);
  return engineExports(specs).map(({ type: asked, attrs }) => {
    const a = { ...attrs };
    const type = toEngineStore(asked, traits) ? 'moby' : asked;
    if (pushedAfter(asked, traits)) delete a.push;
    // where the client writes the result is none of the engine's business
    if (TO_CLIENT.has(type)) delete a.dest;
    if (type === 'local' || type === 'tar') return { Type: type, Attrs: a };
    if (!a.name && tags.length) a.name = tags.join(',');
    if (type === 'moby' && traits.containerdStore && !('prefer-image-digest' in a)) a['prefer-image-digest'] = 'true';
    return { Type: type, Attrs: a };
  });
}

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/**
 * On a Docker engine an image goes through the engine's own exporter, as buildx's docker driver
 * sends it: it names the image as Docker does (docker.io/library/X:latest) and puts it in the
 * store Docker reads. BuildKit's plain "image" exporter on the containerd store keeps the raw
 * name, an image `docker` cannot see.
 */
function toEngineStore(type: string, traits: { containerdStore: boolean; standalone?: boolean }): boolean {
  return type === 'image' && !traits.standalone;
}

/** The classic store's exporter cannot push: the engine pushes afterwards (enginePush.ts); the containerd store's exporter pushes itself. */
function pushedAfter(type: string, traits: { containerdStore: boolean; standalone?: boolean }): boolean {
  return toEngineStore(type, traits) && !traits.containerdStore;
}

/** The names the engine pushes after the build (classic store only; elsewhere the exporter pushes). */
export function enginePushes(outputs: ExportSpec[] | undefined, tags: string[], traits: { containerdStore: boolean; standalone?: boolean }): string[] {
  return (outputs ?? [])
    .filter((o) => pushedAfter(o.type, traits) && isTrue(o.attrs.push))
    .flatMap((o) => (o.attrs.name ? o.attrs.name.split(',') : tags))
    .map((n) => n.trim())
    .filter(Boolean);
}

/** An image output that pushes needs a name to push. */
export function unnamedPush(o: ExportSpec, tags: string[]): string | undefined {
  if (o.type !== 'image' || !isTrue(o.attrs.push) || o.attrs.name || tags.length) return undefined;
  return 'pushing needs an image name: give -t REGISTRY/NAME:TAG (or name= in the output)';
}

/** The image id a build's exporter response names (the config digest, as `docker images` shows it). */
export function imageIdOf(result: Pick<BuildResult, 'exporterResponse'>): string | undefined {
  const r = result.exporterResponse ?? {};
  return r['containerimage.config.digest'] || r['containerimage.digest'] || undefined;
}
