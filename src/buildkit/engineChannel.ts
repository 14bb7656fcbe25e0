// Control's connection without the Unix-socket bridge (src/engine/bridge.ts): grpc-js dials the
// engine's own socket (or TCP port) and, before it speaks HTTP/2 there, these credentials turn the
// fresh connection into POST /grpc upgraded to h2c. grpc-js then reads the engine's bytes natively;
// through the bridge every chunk also passed through a JavaScript pipe and a second socket
// (~6 ms of CPU in a 300,000-line log flood, ~3 ms in a cached build). grpc-js calls the hook on
// each (re)connection, as the bridge upgraded each connection accepted.
import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { grpcUnixTarget, type Endpoint } from '../engine/endpoint';
import { upgradeOver } from '../engine/upgrade';

export interface EngineChannel {
  /** grpc-js target: the engine's socket or host and port */
  target: string;
  credentials: grpc.ChannelCredentials;
  /** upgraded connections still open (for leak checks) */
  readonly openConnections: number;
  /** why the last upgrade failed, until one succeeds: grpc-js itself only keeps a line of text */
  lastError(): Error | undefined;
  /** destroys what grpc-js has not closed yet */
  close(): void;
}

/** A channel for the endpoints grpc-js can dial itself; ssh and Windows pipes keep the bridge. */
export function openEngineChannel(ep: Endpoint): EngineChannel | undefined {
  const target = dialTarget(ep);
  if (!target) return undefined;
  const live = new Set<Socket>();
  let lastError: Error | undefined;
  const connect = (dialed: Socket) =>
    upgradeOver(dialed, ep, '/grpc').then(
      (socket) => {
        lastError = undefined;
        live.add(socket);
        socket.once('close', () => live.delete(socket));
        return socket;
      },
      (err: Error) => {
        lastError = err;
        throw err;
      },
    );
  return {
    target,
    credentials: new UpgradingCredentials(connect),
    get openConnections() {
      return live.size;
    },
    lastError: () => lastError,
    close() {
      for (const s of live) s.destroy();
      live.clear();
    },
  };
}

export function dialTarget(ep: Endpoint): string | undefined {
  if (ep.kind === 'unix' && ep.socketPath) return grpcUnixTarget(ep.socketPath);
  if (ep.kind === 'tcp' && ep.hostname && ep.port) return `dns:${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}:${ep.port}`;
  return undefined;
}

/**
 * grpc-js's hook for TLS (ChannelCredentials._createSecureConnector, grpc-js ≥ 1.12) is the one place
 * where it hands over a dialed connection before HTTP/2 starts. The engine's own TLS, where it has
 * one, is done inside `connect` (upgradeOver): to grpc-js the channel is plain h2c, as the engine sees it.
 */
class UpgradingCredentials extends grpc.ChannelCredentials {
  constructor(private readonly connect: (dialed: Socket) => Promise<Socket>) {
    super();
  }

  _isSecure(): boolean {
    return false;
  }

  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(): ReturnType<grpc.ChannelCredentials['_createSecureConnector']> {
    const callCredentials = grpc.credentials.createEmpty();
    return {
      connect: (socket: Socket) => this.connect(socket).then((upgraded) => ({ socket: upgraded, secure: false })),
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => callCredentials,
      destroy: () => undefined,
    };
  }
}
