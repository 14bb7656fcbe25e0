// POST /grpc and POST /session upgraded to h2c, the way the Docker CLI's DialHijack does it.
import * as http from 'node:http';
import * as https from 'node:https';
import { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint';
import { sshDialAgent } from './sshDial';
import { describeConnectError, EngineError } from './errors';

export type UpgradeHeaders = Record<string, string | string[]>;

/** Builds the request options shared by every call to this endpoint (socket, TLS, ssh agent). */
export function requestBase(ep: Endpoint): http.RequestOptions & https.RequestOptions {
  switch (ep.kind) {
    case 'unix':
    case 'npipe':
      // no TLS, so no server name to work out (plainAgent.ts says why that matters)
      return { socketPath: ep.socketPath, servername: '' };
    case 'tcp':
      return {
        host: ep.hostname,
        port: ep.port,
        ...(ep.tls
          ? { ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, rejectUnauthorized: ep.tls.verify, ALPNProtocols: ['http/1.1'] }
          : { servername: '' }),
      };
    case 'ssh':
      return { agent: sshDialAgent(ep) };
  }
}

/**
 * A TLS socket seen as a plain stream. Node's HTTP/2 server, handed a TLSSocket through
 * grpc-js's connection injector, wraps the bytes in TLS a second time (the engine then
 * reports "http2: frame too large"); through a JS stream it writes via the TLS socket once.
 */
function overTls(tls: Duplex): Duplex {
  const plain = new Duplex({
    read: () => tls.resume(),
    write: (chunk, _enc, cb) => (tls.write(chunk) ? cb() : tls.once('drain', () => cb())),
    final: (cb) => {
      tls.end();
      cb();
    },
    destroy: (err, cb) => {
      tls.destroy();
      cb(err);
    },
  });
  tls.on('data', (d: Buffer) => {
    if (!plain.push(d)) tls.pause();
  });
  tls.on('end', () => plain.push(null));
  tls.on('error', (e) => plain.destroy(e));
  tls.on('close', () => plain.destroy());
  return plain;
}

/**
 * Opens a new connection, upgrades it and returns the raw socket with any bytes the engine
 * already sent after the 101 pushed back in front (the engine's HTTP/2 SETTINGS often ride along).
 */
export function upgradeH2c(
  ep: Endpoint,
  path: '/grpc' | '/session',
  headers: UpgradeHeaders = {},
  timeoutMs = 10_000,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const secure = ep.kind === 'tcp' && !!ep.tls;
    const req = (secure ? https : http).request({
      ...requestBase(ep),
      method: 'POST',
      path,
      headers: { Host: 'localhost', ...headers, Connection: 'Upgrade', Upgrade: 'h2c', 'Content-Length': '0' },
    });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new EngineError(`the Docker engine at ${ep.host} did not answer POST ${path} within ${timeoutMs / 1000} s`, 'ETIMEDOUT')),
      timeoutMs,
    );
    req.on('upgrade', (res, socket, head) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (head.length > 0) socket.unshift(head);
      socket.setNoDelay?.(true);
      resolve(secure ? overTls(socket) : socket);
    });
    req.on('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      fail(
        new EngineError(
          status === 404
            ? `the Docker engine at ${ep.host} has no ${path} endpoint: BuildKit over gRPC needs Docker 19.03 (API 1.40) or newer`
            : `unable to upgrade to h2c on ${path}, the engine answered ${status}`,
          `HTTP${status}`,
        ),
      );
    });
    req.on('error', (err) => fail(describeConnectError(err, ep.host)));
    req.end();
  });
}
