// The moby.buildkit.v1.Control client, reached through the /grpc bridge.
import * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine/connect';
import { openGrpcBridge, type GrpcBridge } from '../engine/bridge';
import { EngineError } from '../engine/errors';
import type { StatusResponse } from '../progress/wire';
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
  Internal?: boolean;
}

export interface SolveResponse {
  ExporterResponse: Record<string, string>;
}

export class Control {
  private constructor(
    readonly engine: Engine,
    private readonly bridge: GrpcBridge,
    private readonly client: grpc.Client & Record<string, any>,
  ) {}

  static async open(engine: Engine): Promise<Control> {
    const bridge = await openGrpcBridge(engine.endpoint);
    const client = new ControlClient(bridge.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      // One HTTP/2 connection carries every call; keep it from idling out between builds.
      'grpc.keepalive_time_ms': 60_000,
    });
    return new Control(engine, bridge, client as grpc.Client & Record<string, any>);
  }

  get openBridgeConnections(): number {
    return this.bridge.openConnections;
  }

  /** Explains a transport-level failure with what the bridge saw, instead of "No connection established". */
  explain(err: grpc.ServiceError): Error {
    const cause = this.bridge.lastError();
    if (err.code === grpc.status.UNAVAILABLE && cause) return cause;
    if (err.code === grpc.status.UNAVAILABLE) {
      return new EngineError(`lost the connection to BuildKit in the Docker engine at ${this.engine.endpoint.host}: ${err.details}`);
    }
    return err;
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
    await this.bridge.close();
  }
}
