// --metadata-file: the exporter response as buildx writes it (JSON-valued keys decoded).
import type { BuildResult } from '../buildkit/types';

/**
 * builder: the name buildx's docker driver gives builder and node (builderName: the Docker context's,
 * else "default"); tools that read "buildx.build.ref" split it as builder/node/ref.
 */
export function metadataFromResult(result: BuildResult, builder = 'default'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.exporterResponse)) {
    if (k === 'containerimage.descriptor' || k.endsWith('.json')) {
      try {
        out[k] = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
        continue;
      } catch {
        // not base64 JSON after all: keep the string
      }
    }
    out[k] = v;
  }
  out['buildx.build.ref'] = `${builder}/${builder}/${result.ref}`;
  // Go writes a map's keys sorted
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
