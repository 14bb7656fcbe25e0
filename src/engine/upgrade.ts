// POST /grpc and POST /session upgraded to h2c, the way the Docker CLI's DialHijack does it.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
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
  const secure = ep.kind === 'tcp' && !!ep.tls;
  return awaitUpgrade(ep, path, headers, timeoutMs, (opts) => (secure ? https : http).request({ ...requestBase(ep), ...opts })).then((socket) =>
    secure ? overTls(socket) : socket,
  );
}

/**
 * Upgrades a connection someone else dialed to the engine (grpc-js, src/buildkit/engineChannel.ts):
 * TLS first where the endpoint has it. The socket comes back as it is, TLS included, so that Node's
 * HTTP/2 client reads it natively instead of through a stream in JavaScript.
 */
export function upgradeOver(socket: net.Socket, ep: Endpoint, path: '/grpc' | '/session', timeoutMs = 10_000): Promise<net.Socket> {
  const conn = ep.kind === 'tcp' && ep.tls ? overDialed(socket, ep.hostname!, ep.tls) : socket;
  // A ClientRequest of our own, not http.request: VS Code's extension host patches http.request to give
  // every request without a socketPath its proxy agent, and an agent takes precedence over createConnection.
  return awaitUpgrade(ep, path, {}, timeoutMs, (opts) => new http.ClientRequest({ ...opts, createConnection: () => conn })).then(
    (s) => s as net.Socket,
    (err: Error) => {
      conn.destroy();
      throw err;
    },
  );
}

function overDialed(socket: net.Socket, host: string, t: NonNullable<Endpoint['tls']>): tls.TLSSocket {
  // no SNI for an address (Node refuses it); the certificate is checked against host either way
  return tls.connect({ socket, host, servername: net.isIP(host) ? '' : host, ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: t.verify, ALPNProtocols: ['http/1.1'] });
}

function awaitUpgrade(
  ep: Endpoint,
  path: '/grpc' | '/session',
  headers: UpgradeHeaders,
  timeoutMs: number,
  request: (opts: http.RequestOptions) => http.ClientRequest,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request({
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
      resolve(socket);
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
