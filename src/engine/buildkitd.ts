// A standalone BuildKit daemon (buildkitd) instead of a Docker engine: plain gRPC on
// `buildkit+unix:///path` or `buildkit+tcp://host:port` (mutual TLS from DOCKER_CERT_PATH when
// DOCKER_TLS_VERIFY is set, as for a tcp engine). There is no Docker API and no POST /session:
// the Control client dials the address itself and the session rides inside Control.Session.
import type Docker from 'dockerode';
import * as fs from 'node:fs';
import type { Engine, EngineInfo } from './connect';
import { grpcUnixTarget, parseHost, tlsFromEnv, type Endpoint, type TlsMaterial } from './endpoint';
import { EngineError } from './errors';

export interface BuildkitAddress {
  /** a grpc-js target: unix:PATH or host:port */
  target: string;
  tls?: TlsMaterial;
}

export const BUILDKIT_SCHEME = 'buildkit+';

export function isBuildkitHost(host: string | undefined): host is string {
  return !!host && host.trim().startsWith(BUILDKIT_SCHEME);
}

/** buildkit+unix:///run/buildkit/buildkitd.sock or buildkit+tcp://host:1234 → endpoint and gRPC target. */
export function parseBuildkitHost(host: string, source: string, tls?: TlsMaterial): { endpoint: Endpoint; address: BuildkitAddress } {
  const inner = host.trim().slice(BUILDKIT_SCHEME.length);
  if (!inner.startsWith('unix://') && !inner.startsWith('tcp://')) {
    throw new EngineError(`invalid BuildKit address "${host}" (from ${source}): expected buildkit+unix:///PATH or buildkit+tcp://HOST:PORT`);
  }
  const endpoint = { ...parseHost(inner, source, tls), host: host.trim() };
  if (endpoint.kind === 'unix') return { endpoint, address: { target: grpcUnixTarget(endpoint.socketPath!) } };
  if (!/:\d+$/.test(inner)) throw new EngineError(`BuildKit address "${host}" (from ${source}) needs a port`);
  // parseHost defaults a tcp endpoint to TLS only when material exists; buildkitd has no default port
  const hostPart = endpoint.hostname!.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname;
  return { endpoint, address: { target: `${hostPart}:${endpoint.port}`, tls: endpoint.tls } };
}

/** An Engine whose BuildKit is a standalone daemon; checks the socket exists, the rest is up to gRPC. */
export function connectBuildkit(host: string, source = '--host', env: NodeJS.ProcessEnv = process.env): Engine {
  const { endpoint, address } = parseBuildkitHost(host, source, tlsFromEnv(env));
  if (endpoint.kind === 'unix' && !fs.existsSync(endpoint.socketPath!)) {
    throw new EngineError(`cannot reach buildkitd at ${endpoint.host}: no such socket (is buildkitd running?)`, 'ENOENT');
  }
  const info: EngineInfo = {
    serverVersion: 'buildkitd',
    apiVersion: '',
    os: 'linux',
    arch: '',
    // images stay in buildkitd's own store or go out through an exporter: every platform list is fine
    containerdStore: true,
    storageDriver: '',
    platforms: [],
  };
  const closers: (() => Promise<void>)[] = [];
  return {
    endpoint,
    buildkit: address,
    get docker(): Docker {
      throw new EngineError(`${endpoint.host} is a standalone BuildKit daemon: it has no Docker API`);
    },
    info: async () => info,
    onClose: (fn) => void closers.push(fn),
    close: async () => {
      for (const fn of closers.splice(0)) await fn().catch(() => undefined);
    },
  };
}
