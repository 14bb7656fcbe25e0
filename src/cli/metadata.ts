// --metadata-file: the exporter response as buildx writes it (JSON-valued keys decoded).
import type { BuildResult } from '../buildkit/types';

export function metadataFromResult(result: BuildResult): Record<string, unknown> {
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
  out['buildx.build.ref'] = `buildkit-lens/${result.ref}`;
  return out;
}
