// Registry credentials for the engine's pulls and pushes, read from the Docker CLI's config
// (auths, credsStore, credHelpers) exactly when the engine asks for a host.
import type * as ChildProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerConfigDir } from '../engine/endpoint';

export interface Credentials {
  Username: string;
  Secret: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** The config keys that may hold a host's entry, in the order the CLI tries them. */
export function configKeysFor(host: string): string[] {
  if (host === 'registry-1.docker.io' || host === 'docker.io' || host === 'index.docker.io') {
    return [DOCKER_HUB_KEY, 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

function readConfig(configDir: string): DockerConfig {
  try {
    return JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return {};
  }
}

function fromHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    // required here, not at the top: loading child_process is ~5 ms, and only helpers need it (a build
    // through the gRPC bridge loads it anyway, with cluster; one over an engine's native gRPC need not)
    const { execFile } = require('node:child_process') as typeof ChildProcess;
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 30_000, env }, (err, stdout) => {
      // A helper that knows nothing of the host exits non-zero: that means anonymous, not failure.
      if (err) return resolve(undefined);
      try {
        const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!out.Secret) return resolve(undefined);
        resolve({ Username: out.Username === '<token>' ? '' : out.Username ?? '', Secret: out.Secret });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(serverUrl);
  });
}

export async function credentialsFor(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const cfg = readConfig(dockerConfigDir(env));
  const keys = configKeysFor(host);
  for (const key of keys) {
    const helper = cfg.credHelpers?.[key];
    if (helper) return fromHelper(helper, key, env);
  }
  for (const key of keys) {
    const entry = cfg.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { Username: '', Secret: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) return { Username: decoded.slice(0, i), Secret: decoded.slice(i + 1) };
    }
    if (entry.username && entry.password) return { Username: entry.username, Secret: entry.password };
  }
  if (cfg.credsStore) return fromHelper(cfg.credsStore, keys[0], env);
  return undefined;
}
