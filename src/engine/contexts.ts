// The Docker contexts a user has (as `docker context ls` lists them): "default" plus every
// context stored under <config>/contexts/meta/<sha256 of name>/meta.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerConfigDir } from './endpoint';

export interface ContextEntry {
  name: string;
  /** the docker endpoint's host, e.g. tcp://box:2376; the default context shows DOCKER_HOST or the socket */
  host: string;
  description?: string;
  /** the one the CLI would use now (DOCKER_CONTEXT, else config.json's currentContext, else default) */
  current: boolean;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function listContexts(env: NodeJS.ProcessEnv = process.env): ContextEntry[] {
  const configDir = dockerConfigDir(env);
  const current = env.DOCKER_CONTEXT || readJson<{ currentContext?: string }>(path.join(configDir, 'config.json'))?.currentContext || 'default';
  const out: ContextEntry[] = [
    { name: 'default', host: env.DOCKER_HOST || 'unix:///var/run/docker.sock', description: 'Current DOCKER_HOST based configuration', current: current === 'default' },
  ];
  const metaDir = path.join(configDir, 'contexts', 'meta');
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(metaDir);
  } catch {
    ids = [];
  }
  for (const id of ids) {
    const meta = readJson<{ Name?: string; Metadata?: { Description?: string }; Endpoints?: { docker?: { Host?: string } } }>(
      path.join(metaDir, id, 'meta.json'),
    );
    const host = meta?.Endpoints?.docker?.Host;
    if (!meta?.Name || !host || meta.Name === 'default') continue;
    out.push({ name: meta.Name, host, description: meta.Metadata?.Description || undefined, current: current === meta.Name });
  }
  return [out[0], ...out.slice(1).sort((a, b) => a.name.localeCompare(b.name))];
}
