// The engine's own report plus what its BuildKit worker says (version, platforms).
import type { Engine, EngineInfo } from '../engine/connect';
import { controlFor } from './build';

export async function builderInfo(engine: Engine): Promise<EngineInfo> {
  const info = await engine.info();
  const control = await controlFor(engine);
  const workers = await control.listWorkers();
  const w = workers[0];
  const platforms = [...new Set((w?.platforms ?? []).map((p) => [p.OS, p.Architecture, p.Variant].filter(Boolean).join('/')))];
  return {
    ...info,
    buildkitVersion: reportedVersion(w?.BuildkitVersion?.version) ?? bundledBuildkit(info.serverVersion),
    platforms,
    containerdStore: info.containerdStore || !!w?.Labels?.['org.mobyproject.buildkit.worker.snapshotter'],
  };
}

/** Distribution builds report "v0.0.0+unknown"; that is no version at all. */
function reportedVersion(v: string | undefined): string | undefined {
  return v && !v.startsWith('v0.0.0') ? v : undefined;
}

// The BuildKit line each Docker release vendors (moby's go.mod at each release tag).
const BUNDLED: [string, string][] = [
  ['19.03', 'v0.6'], ['20.10', 'v0.8'], ['23.0', 'v0.10'], ['24.0', 'v0.11'], ['25.0', 'v0.12'],
  ['26.0', 'v0.13'], ['26.1', 'v0.13'], ['27.0', 'v0.14'],
];

export function bundledBuildkit(serverVersion: string): string | undefined {
  const mm = /^(\d+)\.(\d+)/.exec(serverVersion);
  if (!mm) return undefined;
  const hit = BUNDLED.find(([d]) => d === `${Number(mm[1])}.${Number(mm[2])}`);
  return hit ? `${hit[1]} (bundled with Docker ${hit[0]})` : undefined;
}
