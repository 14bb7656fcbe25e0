// buildx --annotation: OCI annotations on the image's manifest, index or their descriptors, passed to
// the image exporters as BuildKit's "annotation[-TYPE][[PLATFORM]].KEY" attributes.
import { parsePlatforms, UsageError } from './options';
import type { ExporterEntry } from './exporters';
import type { BuildOptions } from './types';

const TYPES = new Set(['index', 'index-descriptor', 'manifest', 'manifest-descriptor']);
// the exporters that write manifests; local and tar have none to annotate
const ANNOTATED = new Set(['moby', 'image', 'oci', 'docker']);

/**
 * "KEY=VALUE", "manifest:KEY=VALUE", "manifest[linux/arm64]:KEY=VALUE" → [exporter attribute, value],
 * read as buildx's ParseAnnotations reads them (a platform only counts for the manifest types).
 */
export function parseAnnotation(s: string): [string, string] {
  const eq = s.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid --annotation "${s}": expected KEY=VALUE or TYPE:KEY=VALUE`);
  const m = /^(?:([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?:)?(\S+)$/.exec(s.slice(0, eq));
  if (!m) throw new UsageError(`invalid --annotation "${s}": expected KEY=VALUE or TYPE[PLATFORM]:KEY=VALUE`);
  const [, type = '', platform, key] = m;
  if (type && !TYPES.has(type)) throw new UsageError(`invalid --annotation "${s}": unknown type "${type}" (${[...TYPES].join(', ')})`);
  let prefix = type ? `annotation-${type}` : 'annotation';
  if (platform && type.startsWith('manifest')) {
    let p: string[];
    try {
      p = parsePlatforms(platform);
    } catch (e) {
      throw new UsageError(`invalid --annotation "${s}": ${(e as Error).message}`);
    }
    prefix += `[${p[0]}]`;
  }
  return [`${prefix}.${key}`, s.slice(eq + 1)];
}

/** The annotations on every exporter that writes a manifest (buildx puts them on each output). */
export function withAnnotations(entries: ExporterEntry[], annotations: Record<string, string> | undefined): ExporterEntry[] {
  if (!annotations || !Object.keys(annotations).length) return entries;
  return entries.map((e) => (ANNOTATED.has(e.Type) ? { Type: e.Type, Attrs: { ...e.Attrs, ...annotations } } : e));
}

/** Whether the build writes a manifest to annotate (the image store when no output is named). */
export function annotatedOutputs(opts: Pick<BuildOptions, 'outputs'>): boolean {
  return !opts.outputs || opts.outputs.some((o) => ANNOTATED.has(o.type));
}
