// The StatusResponse as the gRPC service definitions hand it over, with the options in
// src/buildkit/proto (keepCase, longs: Number, enums: String, defaults, bytes as Buffer).
// The fold reads only this shape, so tests can feed it recorded streams.

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface ProgressGroup {
  id: string;
  name: string;
  weak: boolean;
}

export interface WireVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: Timestamp | null;
  completed?: Timestamp | null;
  error: string;
  progressGroup?: ProgressGroup | null;
}

export interface WireVertexStatus {
  ID: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestamp?: Timestamp | null;
  started?: Timestamp | null;
  completed?: Timestamp | null;
}

export interface WireVertexLog {
  vertex: string;
  timestamp?: Timestamp | null;
  /** 1 = stdout, 2 = stderr */
  stream: number;
  msg: Uint8Array;
}

export interface WirePosition {
  line: number;
  character: number;
}

export interface WireRange {
  start?: WirePosition | null;
  end?: WirePosition | null;
}

export interface WireSourceInfo {
  filename: string;
  data: Uint8Array;
  language: string;
}

export interface WireVertexWarning {
  vertex: string;
  level: number;
  short: Uint8Array;
  detail: Uint8Array[];
  url: string;
  info?: WireSourceInfo | null;
  ranges: WireRange[];
}

export interface StatusResponse {
  vertexes: WireVertex[];
  statuses: WireVertexStatus[];
  logs: WireVertexLog[];
  warnings: WireVertexWarning[];
}
