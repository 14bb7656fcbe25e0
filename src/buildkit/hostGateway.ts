// "--add-host NAME:host-gateway": the engine's address for its host, read from the worker's labels
// as buildx's docker driver reads it (the engine puts it there; BuildKit itself does not know the word).
import { isIP } from 'node:net';
import type { WorkerRecord } from './control';
import { HOST_GATEWAY } from './options';
import { PreflightError } from './preflight';

const LABEL = 'org.mobyproject.buildkit.worker.moby.host-gateway-ip';

/** addHosts with each "NAME=host-gateway" given the engine's address; the workers are asked only when one is there. */
export async function resolveHostGateway(addHosts: string[], listWorkers: () => Promise<WorkerRecord[]>): Promise<string[]> {
  const suffix = `=${HOST_GATEWAY}`;
  if (!addHosts.some((h) => h.endsWith(suffix))) return addHosts;
  const said = (await listWorkers()).map((w) => w.Labels?.[LABEL]).find((v) => !!v);
  if (!said || !isIP(said)) {
    const what = said ? `an address it cannot use ("${said}": its default bridge is off, e.g. dockerd --bridge=none)` : 'no address for it';
    throw new PreflightError(`--add-host NAME:${HOST_GATEWAY}: this engine gives ${what}; give the IP instead`);
  }
  return addHosts.map((h) => (h.endsWith(suffix) ? h.slice(0, -HOST_GATEWAY.length) + said : h));
}
