// Finds the engine the way the Docker CLI does: --host, DOCKER_HOST, --context / DOCKER_CONTEXT,
// the config's currentContext, then the default socket.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from './errors';
import { withHandedOverCa } from './launcherCa';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false when the context says SkipTLSVerify or DOCKER_TLS_VERIFY is unset with certs present */
  verify: boolean;
}

export interface Endpoint {
  /** the host string as the user would write it, e.g. unix:///var/run/docker.sock */
  host: string;
  /** where it came from: "--host", "DOCKER_HOST", "context <name>", "default" */
  source: string;
  kind: 'unix' | 'tcp' | 'ssh' | 'npipe';
  socketPath?: string;
  hostname?: string;
  port?: number;
  username?: string;
  tls?: TlsMaterial;
}

export interface ResolveOptions {
  host?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

export const CONTEXT_PREFIX = 'context:';

/** buildx's docker driver names its builder (and node) after the context: its name, else "default" */
export function builderName(ep: Endpoint): string {
  return ep.source.startsWith('context ') ? ep.source.slice('context '.length) : 'default';
}

export function resolveEndpoint(opts: ResolveOptions = {}): Endpoint {
  const env = opts.env ?? process.env;
  if (opts.host && opts.context) {
    throw new EngineError('conflicting options: either specify --host or --context, not both');
  }
  // the extension's engine setting names a context as "context:NAME" (its TLS files come along)
  if (opts.host?.startsWith(CONTEXT_PREFIX)) return contextEndpoint(dockerConfigDir(env), opts.host.slice(CONTEXT_PREFIX.length));
  if (opts.host) return parseHost(opts.host, '--host', tlsFromEnv(env));
  if (!opts.context && env.DOCKER_HOST) return parseHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFromEnv(env));
  const configDir = dockerConfigDir(env);
  const name = opts.context || env.DOCKER_CONTEXT || currentContext(configDir);
  if (name && name !== 'default') return contextEndpoint(configDir, name);
  return parseHost('unix:///var/run/docker.sock', 'default', undefined);
}

function currentContext(configDir: string): string | undefined {
  const file = path.join(configDir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const cfg = JSON.parse(text) as { currentContext?: string };
    return cfg.currentContext || undefined;
  } catch {
    throw new EngineError(`cannot parse ${file}: not valid JSON`);
  }
}

function contextEndpoint(configDir: string, name: string): Endpoint {
  // node:crypto on first use: loading it is ~5 ms of the extension's activation
  const id = (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(name).digest('hex');
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EngineError(
      code === 'ENOENT'
        ? `context "${name}" does not exist (no ${metaFile})`
        : `cannot read context "${name}": ${(e as Error).message}`,
    );
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) throw new EngineError(`context "${name}" has no docker endpoint`);
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const tls = readTlsDir(tlsDir, !docker.SkipTLSVerify);
  return parseHost(docker.Host, `context ${name}`, tls);
}

export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsMaterial | undefined {
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  const certPath = env.DOCKER_CERT_PATH || (verify ? dockerConfigDir(env) : undefined);
  if (!certPath) return undefined;
  const tls = readTlsDir(certPath, verify);
  if (verify && !tls) throw new EngineError(`DOCKER_TLS_VERIFY is set but no certificates were found in ${certPath}`);
  return tls;
}

function readTlsDir(dir: string, verify: boolean): TlsMaterial | undefined {
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f));
    } catch {
      return undefined;
    }
  };
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  if (!ca && !cert && !key) return undefined;
  return { ca, cert, key, verify };
}

/** grpc-js's target for a Unix socket: "unix:PATH" takes a relative path too, where grpc-js reads "unix://rel.sock" as "//rel.sock" */
export function grpcUnixTarget(socketPath: string): string {
  return `unix:${socketPath}`;
}

/** Parses a DOCKER_HOST value; throws EngineError for forms the CLI would reject too. */
export function parseHost(host: string, source: string, tls: TlsMaterial | undefined): Endpoint {
  const trimmed = host.trim();
  if (trimmed.startsWith('unix://')) {
    const socketPath = trimmed.slice('unix://'.length) || '/var/run/docker.sock';
    return { host: `unix://${socketPath}`, source, kind: 'unix', socketPath };
  }
  if (trimmed.startsWith('npipe://')) {
    const socketPath = trimmed.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { host: trimmed, source, kind: 'npipe', socketPath };
  }
  const withScheme = trimmed.includes('://') ? trimmed : `tcp://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new EngineError(`invalid engine host "${host}" (from ${source}): expected unix://PATH, tcp://HOST:PORT or ssh://USER@HOST`);
  }
  if (url.protocol === 'ssh:') {
    return {
      host: trimmed,
      source,
      kind: 'ssh',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username || undefined,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EngineError(`unsupported engine host scheme "${url.protocol}" in "${host}" (from ${source})`);
  }
  const useTls = url.protocol === 'https:' || !!tls;
  const port = url.port ? Number(url.port) : useTls ? 2376 : 2375;
  return {
    host: `tcp://${url.hostname}:${port}`,
    source,
    kind: 'tcp',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    tls: useTls ? withHandedOverCa(tls ?? { verify: true }) : undefined,
  };
}
