// BuildOptions → the SolveRequest buildx's docker driver would send, as a direct dockerfile.v0 solve.
import * as path from 'node:path';
import type { SolveRequest } from './control';
import { exporterEntries } from './exporters';
import type { BuildOptions } from './types';

export interface EngineTraits {
  containerdStore: boolean;
  /** a standalone buildkitd: no moby exporter, session over Control.Session */
  standalone?: boolean;
}

export function frontendAttrs(opts: BuildOptions): Record<string, string> {
  const attrs: Record<string, string> = {
    filename: path.basename(opts.dockerfile),
    // The docker driver prefers images already in the engine's store, like buildx does.
    'image-resolve-mode': opts.pull ? 'pull' : 'local',
  };
  if (opts.target) attrs.target = opts.target;
  for (const [k, v] of Object.entries(opts.buildArgs)) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(opts.labels)) attrs[`label:${k}`] = v;
  if (opts.platforms.length) attrs.platform = opts.platforms.join(',');
  // an empty value is every stage
  if (opts.noCache) attrs['no-cache'] = '';
  else if (opts.noCacheStages?.length) attrs['no-cache'] = opts.noCacheStages.join(',');
  if (opts.network !== 'default') attrs['force-network-mode'] = opts.network;
  if (opts.addHosts.length) attrs['add-hosts'] = opts.addHosts.join(',');
  return attrs;
}

export function solveRequest(ref: string, sessionId: string, opts: BuildOptions, traits: EngineTraits): SolveRequest {
  const exporters = exporterEntries(opts.outputs, opts.tags, traits);
  return {
    Ref: ref,
    Session: sessionId,
    Frontend: 'dockerfile.v0',
    FrontendAttrs: frontendAttrs(opts),
    // Engines before 26.0 read only the legacy pair; newer ones prefer Exporters. Both, always.
    ExporterDeprecated: exporters[0]?.Type ?? '',
    ExporterAttrsDeprecated: exporters[0]?.Attrs ?? {},
    Exporters: exporters,
    Entitlements: opts.network === 'host' ? ['network.host'] : [],
  };
}
