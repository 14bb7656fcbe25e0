// A reachable, new-enough engine: its endpoint, a dockerode client for the REST API, and what it reports.
// The two calls every build makes (/version, /info) go through docker-modem directly; dockerode
// (its requires pull in tar, protobufjs and gRPC loaders of its own) is created on first use only,
// which takes a fifth off the CLI's start-up.
import * as http from 'node:http';
import * as https from 'node:https';
import type Docker from 'dockerode';
import Modem from 'docker-modem';
import { inspectsAsName, PlainHttpAgent } from './plainAgent';
import { connectBuildkit, isBuildkitHost, type BuildkitAddress } from './buildkitd';
import { grpcUnixTarget, resolveEndpoint, type Endpoint, type ResolveOptions } from './endpoint';
import { sshDialAgent } from './sshDial';
import { compareApiVersions, describeConnectError, EngineError, MIN_API_VERSION, notAnEngine } from './errors';

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** the containerd image store (needed for multi-platform images) */
  containerdStore: boolean;
  storageDriver: string;
  /** filled by the BuildKit side (ListWorkers); undefined until asked */
  buildkitVersion?: string;
  platforms: string[];
}

export interface Engine {
  endpoint: Endpoint;
  docker: Docker;
  /** set for a standalone buildkitd (buildkit+unix:// or buildkit+tcp://): gRPC dialed directly */
  buildkit?: BuildkitAddress;
  /** Docker ≥ 29.2 serves gRPC on its own socket: the Control client needs no /grpc upgrade */
  nativeGrpc?: string;
  info(): Promise<EngineInfo>;
  /** runs fn when the engine is closed (connections layered on top of it) */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

// Our own agent: Node's global one keeps idle sockets for 5 s, which would hold a CLI process open.
function dockerodeOptions(ep: Endpoint, agent: http.Agent): Docker.DockerOptions & { agent?: http.Agent } {
  switch (ep.kind) {
    case 'unix':
    case 'npipe':
      return { socketPath: ep.socketPath, agent };
    case 'tcp':
      return ep.tls
        ? { host: ep.hostname, port: ep.port, protocol: 'https', ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, agent }
        : { host: ep.hostname, port: ep.port, protocol: 'http', agent };
    case 'ssh':
      // plain HTTP carried by `docker system dial-stdio` over ssh (docker-modem's own ssh mode warns DEP0170)
      return { host: ep.hostname, port: ep.port, protocol: 'http', agent: inspectsAsName(sshDialAgent(ep)) };
  }
}

/** GET path as JSON, with docker-modem's error for an unexpected status. */
function getJson<T>(modem: Modem, path: string): Promise<T> {
  return new Promise((resolve, reject) =>
    modem.dial({ path, method: 'GET', statusCodes: { 200: true, 500: 'server error' } }, (err, data) => (err ? reject(err) : resolve(data as T))),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError(`the Docker engine at ${host} did not answer ${what} within ${ms / 1000} s`, 'ETIMEDOUT')), ms);
    }),
  ]);
}

/** The first API with gRPC served natively on the engine socket (Docker 29.2, moby PR 50744). */
export const NATIVE_GRPC_API = '1.53';

/**
 * Where to dial Control directly, or undefined to go through the /grpc upgrade. Only local
 * sockets: the engine's TCP+TLS listener negotiates HTTP/1.1 only, so remote engines keep
 * the upgrade. BUILDKIT_LENS_NATIVE_GRPC=0 forces the upgrade everywhere.
 */
export function nativeGrpcTarget(ep: Endpoint, apiVersion: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.BUILDKIT_LENS_NATIVE_GRPC === '0') return undefined;
  if (ep.kind !== 'unix' || !ep.socketPath) return undefined;
  return compareApiVersions(apiVersion, NATIVE_GRPC_API) >= 0 ? grpcUnixTarget(ep.socketPath) : undefined;
}

/**
 * docker-modem works out defaults from DOCKER_HOST before it looks at the options it is given, reading
 * DOCKER_CERT_PATH's ca.pem, cert.pem and key.pem: a folder without ca.pem threw ENOENT even for an
 * engine chosen by --host or a context. The endpoint already says where and how to connect.
 */
function newModem(options: ReturnType<typeof dockerodeOptions>): Modem {
  const host = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return new Modem(options);
  } finally {
    if (host !== undefined) process.env.DOCKER_HOST = host;
  }
}

/** Pings the engine and checks it can serve BuildKit over gRPC. Throws EngineError with one clear line. */
export async function connectEngine(opts: ResolveOptions & { timeoutMs?: number } = {}): Promise<Engine> {
  if (isBuildkitHost(opts.host)) return connectBuildkit(opts.host, '--host', opts.env);
  const endpoint = resolveEndpoint(opts);
  const agent = inspectsAsName(endpoint.kind === 'tcp' && endpoint.tls ? new https.Agent({ keepAlive: true }) : new PlainHttpAgent({ keepAlive: true }));
  const options = dockerodeOptions(endpoint, agent);
  const modem = newModem(options);
  let docker: Docker | undefined;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const host = endpoint.host;
  let version: Docker.DockerVersion;
  try {
    version = await withTimeout(getJson<Docker.DockerVersion>(modem, '/version'), timeoutMs, 'GET /version', host);
  } catch (e) {
    // an engine that accepted and never answered still holds the request's socket: without this
    // the CLI printed its error and then never exited
    agent.destroy();
    throw describeConnectError(e, host);
  }
  if (typeof version?.ApiVersion !== 'string') {
    agent.destroy();
    throw notAnEngine(host, 'its GET /version names no API version');
  }
  const api = version.ApiVersion;
  if (compareApiVersions(api, MIN_API_VERSION) < 0) {
    agent.destroy();
    throw new EngineError(
      `the Docker engine at ${host} is ${version.Version} (API ${api}): BuildKit over gRPC needs API ${MIN_API_VERSION} (Docker 19.03) or newer`,
      'ETOOOLD',
    );
  }
  let cached: Promise<EngineInfo> | undefined;
  const closers: (() => Promise<void>)[] = [];
  return {
    endpoint,
    get docker(): Docker {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Dockerode = require('dockerode') as typeof Docker;
      return (docker ??= new Dockerode({ ...options, modem } as Docker.DockerOptions));
    },
    nativeGrpc: nativeGrpcTarget(endpoint, api, opts.env ?? process.env),
    info: () =>
      (cached ??= (async () => {
        let info: { Driver?: string; DriverStatus?: [string, string][] | null };
        try {
          info = await withTimeout(getJson<typeof info>(modem, '/info'), timeoutMs, 'GET /info', host);
        } catch (e) {
          cached = undefined;
          throw describeConnectError(e, host);
        }
        return {
          serverVersion: version.Version,
          apiVersion: api,
          os: version.Os,
          arch: version.Arch,
          storageDriver: info.Driver ?? '',
          containerdStore: (info.DriverStatus ?? []).some(
            ([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1',
          ),
          platforms: [],
        };
      })()),
    onClose: (fn) => void closers.push(fn),
    close: async () => {
      for (const fn of closers.splice(0)) await fn().catch(() => undefined);
      agent.destroy();
    },
  };
}
