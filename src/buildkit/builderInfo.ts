// The engine's own report plus what its BuildKit worker says (version, platforms).
import type { Engine, EngineInfo } from '../engine/connect';
import { controlFor } from './build';

export async function builderInfo(engine: Engine): Promise<EngineInfo> {
  const info = await engine.info();
  const control = await controlFor(engine);
  const workers = await control.listWorkers();
  const w = workers[0];
  const platforms = (w?.platforms ?? []).map((p) => [p.OS, p.Architecture, p.Variant].filter(Boolean).join('/'));
  return {
    ...info,
    // Docker 20.10's worker reports no version; its BuildKit is the v0.8 line.
    buildkitVersion: w?.BuildkitVersion?.version || undefined,
    platforms,
    containerdStore: info.containerdStore || !!w?.Labels?.['org.mobyproject.buildkit.worker.snapshotter'],
  };
}
