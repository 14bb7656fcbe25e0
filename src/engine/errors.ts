// Engine failures become one clear line; the raw errno is kept for callers that branch on it.

export class EngineError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The oldest API that has POST /grpc (Docker 19.03). */
export const MIN_API_VERSION = '1.40';

export function describeConnectError(err: unknown, host: string): EngineError {
  // ours already say it in one line ("did not answer GET /version within 10 s")
  if (err instanceof EngineError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return new EngineError(`cannot reach the Docker engine at ${host}: no such socket (is dockerd running?)`, e.code);
    case 'ECONNREFUSED':
      return new EngineError(`cannot reach the Docker engine at ${host}: connection refused (is dockerd running?)`, e.code);
    case 'EACCES':
    case 'EPERM':
      return new EngineError(
        `permission denied on ${host}: add your user to the "docker" group or use a socket you can open`,
        e.code,
      );
    case 'ETIMEDOUT':
      return new EngineError(`cannot reach the Docker engine at ${host}: timed out`, e.code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EngineError(`cannot reach the Docker engine at ${host}: unknown host`, e.code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new EngineError(`the Docker engine at ${host} closed the connection`, e.code);
    default:
      if (err instanceof EngineError) return err;
      {
        const msg = (e?.message ?? String(err)).replace(/\s+/g, ' ').trim();
        // a plain connection to a TLS listener: the engine answers 400 in plain text
        const hint = /HTTP request to an HTTPS server/.test(msg) ? ' (it expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)' : '';
        // an engine's errors are JSON with a message; a web page in their place is something else
        const status = (err as { statusCode?: number }).statusCode;
        const json = (err as { json?: unknown }).json;
        if (status && !hint && !(json && typeof json === 'object' && 'message' in json)) return notAnEngine(host, `GET /version answered HTTP ${status}`);
        return new EngineError(`cannot reach the Docker engine at ${host}: ${msg}${hint}`, e?.code);
      }
  }
}

/** Something answers HTTP at host, but not as a Docker engine does. */
export function notAnEngine(host: string, what: string): EngineError {
  return new EngineError(`${host} does not answer as a Docker engine (${what}): is something else listening there?`, 'ENOTENGINE');
}

export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
