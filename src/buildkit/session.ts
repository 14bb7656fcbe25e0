// The session the engine calls back into during a build: health, the local dirs, registry auth
// and secrets, served by grpc-js over the upgraded POST /session socket.
import * as crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Endpoint } from '../engine/endpoint';
import { EngineError } from '../engine/errors';
import { upgradeH2c } from '../engine/upgrade';
import { credentialsFor } from './auth';
import { serveDiffCopy } from './filesync/diffcopy';
import { serveFileSend, type OutputTarget } from './filesync/fileSend';
import { escapeFilesyncFields } from './filesync/metadata';
import type { WalkPrefetch } from './filesync/prefetch';
import { onHttp2Server } from './http2ServerHook';
import { methodPaths, sessionServices } from './proto';
import { readSecret, SecretNotFound } from './secrets';
import { contentService } from './contentStore';
import { sshService } from './sshForward';
import { uploadService } from './upload';
import type { SecretSpec, SshSpec } from './types';

export interface SessionOptions {
  /** local dir names the frontend asks for ("context", "dockerfile") → absolute paths */
  dirs: Record<string, string>;
  /** stable per context, so the engine finds its cached copy and re-requests only changed files */
  sharedKey: string;
  secrets: SecretSpec[];
  /** agents for RUN --mount=type=ssh; the service is served only when given */
  ssh?: readonly SshSpec[];
  /** content stores by the id the engine names them with (local cache folders); served only when given */
  contentStores?: ReadonlyMap<string, string>;
  /** archives the engine pulls by id (a context from stdin); served only when given */
  uploads?: ReadonlyMap<string, Buffer>;
  env?: NodeJS.ProcessEnv;
  /** the context walk started ahead of the engine's request (dropped when the session closes) */
  prefetch?: WalkPrefetch;
  describeWalkError?(message: string): string;
  /** where the engine sends a result back (FileSend), by exporter index; served only when given */
  outputs?: ReadonlyMap<number, OutputTarget>;
  /** the local reason a result could not be written */
  onOutputError?(message: string): void;
}

/**
 * What the engine may send before we acknowledge it, per stream and per connection. Node's HTTP/2
 * keeps 64 KiB, one WINDOW_UPDATE round trip per 64 KiB of a result sent back (-o type=local/tar);
 * Go's gRPC grows its own windows up to 16 MiB. (Measured: 20,000 files + 100 MB to a directory,
 * 2.30 → 2.03 s.)
 */
const RECEIVE_WINDOW = 16 << 20;

/** BuildKit ids are 25 base36 characters; any unique string works, but look alike in logs. */
export function newId(): string {
  const bytes = crypto.randomBytes(16);
  return BigInt('0x' + bytes.toString('hex')).toString(36).padStart(25, '0').slice(-25);
}

export class Session {
  readonly id = newId();
  private readonly server = new grpc.Server({
    'grpc.max_receive_message_length': 16 << 20,
    'grpc.max_send_message_length': 16 << 20,
  });
  private injector?: grpc.ConnectionInjector;
  private socket?: Duplex;
  private closedByUs = false;
  private dropped?: (err: Error) => void;
  /** the engine POST /session went to, to name it when the session drops */
  private peer?: string;
  /** resolves when the engine side closed the session before we did */
  readonly droppedByEngine: Promise<Error>;

  constructor(private readonly opts: SessionOptions) {
    this.droppedByEngine = new Promise((resolve) => (this.dropped = resolve));
    escapeFilesyncFields(this.server);
    onHttp2Server(this.server, (h2) => {
      h2.updateSettings({ initialWindowSize: RECEIVE_WINDOW });
      h2.on('session', (session: http2.ServerHttp2Session) => session.setLocalWindowSize(RECEIVE_WINDOW));
    });
    const env = opts.env ?? process.env;
    this.server.addService(sessionServices.health, {
      Check: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, { status: 'SERVING' }),
      Watch: (call: grpc.ServerWritableStream<object, object>) => call.write({ status: 'SERVING' }),
    });
    this.server.addService(sessionServices.fileSync, {
      DiffCopy: (call: grpc.ServerDuplexStream<any, any>) =>
        serveDiffCopy(
          call,
          { get: (name: string) => (Object.hasOwn(opts.dirs, name) ? opts.dirs[name] : undefined) },
          { prefetch: opts.prefetch, describeWalkError: opts.describeWalkError },
        ),
    });
    const outputs = opts.outputs;
    if (outputs?.size) {
      this.server.addService(sessionServices.fileSend, {
        DiffCopy: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => serveFileSend(call, outputs, { onError: opts.onOutputError }),
      });
    }
    if (opts.ssh?.length) this.server.addService(sessionServices.ssh, sshService(opts.ssh));
    if (opts.contentStores?.size) this.server.addService(sessionServices.content, contentService(opts.contentStores));
    if (opts.uploads?.size) this.server.addService(sessionServices.upload, uploadService(opts.uploads));
    this.server.addService(sessionServices.auth, {
      Credentials: (call: grpc.ServerUnaryCall<{ Host: string }, object>, cb: grpc.sendUnaryData<object>) => {
        credentialsFor(call.request.Host, env).then(
          (c) => cb(null, c ?? {}),
          () => cb(null, {}),
        );
      },
    });
    this.server.addService(sessionServices.secrets, {
      GetSecret: (call: grpc.ServerUnaryCall<{ ID: string }, object>, cb: grpc.sendUnaryData<object>) => {
        try {
          cb(null, { data: readSecret(opts.secrets, call.request.ID, env) });
        } catch (e) {
          cb({ code: grpc.status.NOT_FOUND, details: e instanceof SecretNotFound ? e.message : 'secret not found' });
        }
      },
    });
  }

  /** the methods we serve, one header line each (the engine does not split joined values) */
  get methods(): string[] {
    const s = sessionServices;
    return methodPaths([s.health, s.fileSync, s.auth, s.secrets, ...(this.opts.outputs?.size ? [s.fileSend] : []), ...(this.opts.ssh?.length ? [s.ssh] : []), ...(this.opts.contentStores?.size ? [s.content] : []), ...(this.opts.uploads?.size ? [s.upload] : [])]);
  }

  headers(): Record<string, string | string[]> {
    return {
      'X-Docker-Expose-Session-Uuid': this.id,
      'X-Docker-Expose-Session-Name': 'buildkit-lens',
      'X-Docker-Expose-Session-Sharedkey': this.opts.sharedKey,
      'X-Docker-Expose-Session-Grpc-Method': this.methods,
    };
  }

  /** Opens POST /session and starts serving on it. */
  async attach(ep: Endpoint): Promise<void> {
    this.peer = ep.host;
    const socket = await upgradeH2c(ep, '/session', this.headers());
    // closed while the upgrade was in flight (a failed preflight or a cancel): serve nothing
    if (this.closedByUs) {
      socket.destroy();
      return;
    }
    this.serveOn(socket);
  }

  /** Serves on an already-connected duplex (POST /session socket, or a Control.Session tunnel). */
  serveOn(socket: Duplex): void {
    this.socket = socket;
    this.injector = this.server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    // a tunnel over Control.Session fails with the control connection, and says why (EngineError)
    let cause: Error | undefined;
    socket.on('close', () => {
      // an engine that dies mid-build usually drops this socket before the /grpc one
      const lost = this.peer ? `lost the connection to the Docker engine at ${this.peer}: the build session closed` : 'the engine closed the build session';
      if (!this.closedByUs) this.dropped?.(cause ?? new Error(lost));
    });
    socket.on('error', (e) => {
      if (e instanceof EngineError) cause = e;
    });
    this.injector.injectConnection(socket);
  }

  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.opts.prefetch?.cancel();
    this.injector?.destroy();
    this.server.forceShutdown();
    this.socket?.destroy();
  }
}
