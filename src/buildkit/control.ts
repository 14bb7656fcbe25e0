// The moby.buildkit.v1.Control client: POST /grpc upgraded on a connection grpc-js dials (engineChannel.ts),
// through the /grpc bridge where grpc-js cannot dial the engine (ssh, Windows pipes), or gRPC served natively.
import * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine/connect';
import { openGrpcBridge, type GrpcBridge } from '../engine/bridge';
import { EngineError } from '../engine/errors';
import type { StatusResponse } from '../progress/wire';
import { cleanErrorMessage } from './errorDetails';
import { openEngineChannel, type EngineChannel } from './engineChannel';
import { ControlClient } from './proto';

const MAX_MESSAGE = 16 << 20;

export interface WorkerRecord {
  ID: string;
  Labels: Record<string, string>;
  platforms: { Architecture: string; OS: string; Variant: string }[];
  BuildkitVersion?: { package: string; version: string; revision: string } | null;
}

export interface SolveRequest {
  Ref: string;
  ExporterDeprecated: string;
  ExporterAttrsDeprecated: Record<string, string>;
  Session: string;
  Frontend: string;
  FrontendAttrs: Record<string, string>;
  Entitlements: string[];
  Exporters: { Type: string; Attrs: Record<string, string> }[];
  Cache?: { Exports: { Type: string; Attrs: Record<string, string> }[]; Imports: { Type: string; Attrs: Record<string, string> }[] };
  Internal?: boolean;
}

export interface SolveResponse {
  ExporterResponse: Record<string, string>;
}

/** grpc-js connection details on one line: no timestamp and resolver note, OpenSSL's reason only. */
export function oneLine(details: string): string {
  return details
    .replace(/\s+/g, ' ')
    .replace(/ ?\(\d{4}-\d\d-\d\dT[^)]*\)\.? ?Resolution note:.*$/, '')
    .replace(/[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]+:([^:]+):\S+( alert number \d+)?/g, 'TLS: $1')
    .trim();
}

export class Control {
  private constructor(
    readonly engine: Engine,
    /** at most one of the two; neither for gRPC served natively (a standalone buildkitd, Docker ≥ 29.2) */
    private readonly channel: EngineChannel | undefined,
    private readonly bridge: GrpcBridge | undefined,
    private readonly client: grpc.Client & Record<string, any>,
  ) {}

  static async open(engine: Engine): Promise<Control> {
    const bk = engine.buildkit ?? (engine.nativeGrpc ? { target: engine.nativeGrpc } : undefined);
    const channel = bk ? undefined : openEngineChannel(engine.endpoint);
    const bridge = bk || channel ? undefined : await openGrpcBridge(engine.endpoint);
    const creds =
      channel?.credentials ??
      (bk?.tls ? grpc.credentials.createSsl(bk.tls.ca ?? null, bk.tls.key ?? null, bk.tls.cert ?? null) : grpc.credentials.createInsecure());
    const client = new ControlClient(bk?.target ?? channel?.target ?? bridge!.target, creds, {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      // One HTTP/2 connection carries every call; keep it from idling out between builds.
      'grpc.keepalive_time_ms': 60_000,
      // never through an HTTP proxy from the environment: the Docker CLI dials its upgraded connections directly too
      'grpc.enable_http_proxy': 0,
    });
    return new Control(engine, channel, bridge, client as grpc.Client & Record<string, any>);
  }

  /** connections to the engine still open, upgraded by the channel or piped by the bridge (for leak checks) */
  get openEngineConnections(): number {
    return this.channel?.openConnections ?? this.bridge?.openConnections ?? 0;
  }

  /** Explains a transport-level failure with what the upgrade saw, instead of "No connection established". */
  explain(err: grpc.ServiceError): Error {
    const cause = this.channel?.lastError() ?? this.bridge?.lastError();
    if (err.code === grpc.status.UNAVAILABLE && cause) return cause;
    if (err.code === grpc.status.UNAVAILABLE) {
      const where = this.channel || this.bridge ? 'in the Docker engine at' : 'at';
      return new EngineError(`lost the connection to BuildKit ${where} ${this.engine.endpoint.host}: ${oneLine(err.details)}`);
    }
    // the engine's own words, without grpc-js's "13 INTERNAL: " before them
    return new EngineError(cleanErrorMessage(err.details || err.message || 'BuildKit refused the request'), grpc.status[err.code]);
  }

  private unary<Req, Res>(method: string, req: Req, deadlineMs = 15_000): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client[method](req, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: Res) =>
        err ? reject(this.explain(err)) : resolve(res),
      );
    });
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return this.unary<object, { record: WorkerRecord[] }>('ListWorkers', { filter: [] }).then((r) => r.record);
  }

  solve(req: SolveRequest): { call: grpc.ClientUnaryCall; response: Promise<SolveResponse> } {
    let call!: grpc.ClientUnaryCall;
    const response = new Promise<SolveResponse>((resolve, reject) => {
      call = this.client.Solve(req, (err: grpc.ServiceError | null, res: SolveResponse) =>
        err ? reject(err) : resolve(res),
      );
    });
    return { call, response };
  }

  status(ref: string): grpc.ClientReadableStream<StatusResponse> {
    return this.client.Status({ Ref: ref });
  }

  /** Control.ListenBuildHistory (BuildKit >= 0.11); decoded by ./history.ts. */
  listenBuildHistory(req: { ActiveOnly?: boolean; Ref?: string; EarlyExit?: boolean }): grpc.ClientReadableStream<unknown> {
    return this.client.ListenBuildHistory(req);
  }

  /** Control.Session: the session tunnelled over the control connection (for daemons without /session). */
  session(metadata: grpc.Metadata): grpc.ClientDuplexStream<{ data: Buffer }, { data: Buffer }> {
    return this.client.Session(metadata);
  }

  async close(): Promise<void> {
    this.client.close();
    this.channel?.close();
    await this.bridge?.close();
  }
}
