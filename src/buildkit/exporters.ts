// Where a build's result goes: the engine's image store (moby, the default on a Docker engine) or a
// standalone buildkitd's exporters (image, oci, docker), written as buildx's --output specs.
import type { ExportSpec } from './types';

export interface ExporterEntry {
  Type: string;
  Attrs: Record<string, string>;
}

const KNOWN = new Set(['moby', 'image', 'oci', 'docker', 'local', 'tar', 'cacheonly']);
// These stream their result back to the client through the session's FileSend service (a tarball
// or a directory), which our session does not serve.
const TO_CLIENT = new Set(['oci', 'docker', 'local', 'tar']);

/** Parses "type=image,name=reg/x:1,push=true" (buildx -o); a bare path is not accepted. */
export function parseOutput(spec: string): ExportSpec {
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
  return { type, attrs };
}

/** Why an output can't be used by this client, or undefined when it can. */
export function unsupportedOutput(o: ExportSpec): string | undefined {
  if (TO_CLIENT.has(o.type)) {
    return `output type=${o.type} sends its result back through the build session (FileSend), which BuildKit Lens does not serve yet: use type=image (push=true for a registry)`;
  }
  return undefined;
}

/**
 * The Exporters of a SolveRequest. No outputs: the engine's image store on a Docker engine, nothing
 * on a standalone buildkitd (the result stays in its cache, as buildx warns). Tags name images.
 */
export function exporterEntries(outputs: ExportSpec[] | undefined, tags: string[], traits: { containerdStore: boolean; standalone?: boolean }): ExporterEntry[] {
  const specs = outputs ?? (traits.standalone ? [] : [{ type: 'moby', attrs: {} }]);
  return specs.map(({ type, attrs }) => {
    const a = { ...attrs };
    if (type === 'cacheonly' || type === 'local' || type === 'tar') return { Type: type, Attrs: a };
    if (!a.name && tags.length) a.name = tags.join(',');
    if (type === 'moby' && traits.containerdStore && !('prefer-image-digest' in a)) a['prefer-image-digest'] = 'true';
    return { Type: type, Attrs: a };
  });
}
