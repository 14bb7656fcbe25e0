// BuildKit errors carry typed details in the grpc-status-details-bin trailer: a
// google.rpc.Status whose Any values are JSON (grpcerrors.go marshals each detail with
// encoding/json), e.g. the Dockerfile range (errdefs.Source) and the failing vertex.
import { Reader } from 'protobufjs/minimal';
import { toSourceLocation, type RangeLike } from '../progress/sourceLocation';
import { classicStoreRefusal } from './storeAdvice';
import type { BuildError, SourceLocation } from './types';

export { formatSourceExcerpt } from '../progress/sourceLocation';

export interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
  metadata?: { get(key: string): (string | Buffer)[] };
}

interface AnyDetail {
  typeUrl: string;
  value: Uint8Array;
}

interface RpcStatus {
  code: number;
  message: string;
  details: AnyDetail[];
}

const SOURCE_TYPE = 'github.com/moby/buildkit/errdefs.Source+json';
const VERTEX_TYPE = 'github.com/moby/buildkit/errdefs.Vertex+json';
const UNKNOWN = 2;

function decodeAny(bytes: Uint8Array): AnyDetail {
  const r = Reader.create(bytes);
  const out: AnyDetail = { typeUrl: '', value: new Uint8Array(0) };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) out.typeUrl = r.string();
    else if (tag >>> 3 === 2 && (tag & 7) === 2) out.value = r.bytes();
    else r.skipType(tag & 7);
  }
  return out;
}

/** google.rpc.Status{code=1, message=2, details=3 (repeated Any{type_url=1, value=2})} */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const r = Reader.create(bytes);
  const out: RpcStatus = { code: 0, message: '', details: [] };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) out.code = r.int32();
    else if (field === 2 && (tag & 7) === 2) out.message = r.string();
    else if (field === 3 && (tag & 7) === 2) out.details.push(decodeAny(r.bytes()));
    else r.skipType(tag & 7);
  }
  return out;
}

/**
 * One line for humans: grpc-js's "2 UNKNOWN: " and Go's nested
 * "rpc error: code = X desc = " prefixes are noise to someone reading a build failure.
 */
export function cleanErrorMessage(message: string): string {
  let m = message.trim().replace(/^\d+ [A-Z_]+: /, '');
  m = m.replace(/rpc error: code = \w+ desc = /g, '');
  return m
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

interface SourceJson {
  info?: { filename?: string; data?: string; language?: string };
  ranges?: RangeLike[];
}

function sourceFromJson(json: SourceJson): SourceLocation | undefined {
  if (!json.info) return undefined;
  const data = json.info.data ? Buffer.from(json.info.data, 'base64').toString('utf8') : undefined;
  return toSourceLocation({ filename: json.info.filename, language: json.info.language, data }, json.ranges);
}

function statusDetailsBytes(err: GrpcErrorLike): Uint8Array | undefined {
  let values: (string | Buffer)[] = [];
  try {
    values = err.metadata?.get('grpc-status-details-bin') ?? [];
  } catch {
    return undefined;
  }
  const v = values[0];
  if (v === undefined) return undefined;
  // grpc-js decodes -bin metadata to a Buffer; tolerate base64 text from other transports
  return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
}

export function decodeBuildError(err: GrpcErrorLike): BuildError {
  let status: RpcStatus | undefined;
  const raw = statusDetailsBytes(err);
  if (raw) {
    try {
      status = decodeRpcStatus(raw);
    } catch {
      status = undefined; // a malformed trailer must not hide the error itself
    }
  }
  return fromStatus(status?.message || err.details || err.message || '', err.code ?? (status?.code || UNKNOWN), status?.details ?? []);
}

/**
 * A failed build's error as the engine's history keeps it (google.rpc.Status, decoded by the
 * service definitions): the same message, Dockerfile source and failing step as the Solve error.
 */
export function buildErrorFromRecord(error: { code: number; message: string; details?: { type_url: string; value: Uint8Array }[] | null }): BuildError {
  const details = (error.details ?? []).map((d) => ({ typeUrl: d.type_url, value: d.value }));
  return fromStatus(error.message, error.code || UNKNOWN, details);
}

/** The details a failure's place is read from (others, e.g. the engine's stack traces, are not). */
export function isFailureDetail(typeUrl: string): boolean {
  return typeUrl === SOURCE_TYPE || typeUrl === VERTEX_TYPE;
}

function fromStatus(rawMessage: string, code: number, details: AnyDetail[]): BuildError {
  const cleaned = cleanErrorMessage(rawMessage || 'build failed');
  const message = explainMissing(cleaned) ?? cleaned;
  const result: BuildError = { message: message || 'build failed', code, sources: [] };
  for (const d of details) {
    if (!isFailureDetail(d.typeUrl)) continue;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(d.value).toString('utf8'));
    } catch {
      continue;
    }
    if (!json || typeof json !== 'object') continue;
    if (d.typeUrl === SOURCE_TYPE) {
      const src = sourceFromJson(json as SourceJson);
      if (src) result.sources.push(src);
    } else {
      const digest = (json as { digest?: unknown }).digest;
      if (typeof digest === 'string' && digest !== '') result.vertex = digest;
    }
  }
  return result;
}

/** An engine's refusal of something the build needs from us, said as what to give it. */
export function explainMissing(message: string): string | undefined {
  if (/unsupported frontend capability moby\.buildkit\.frontend\.contexts/.test(message)) {
    return 'named build contexts need BuildKit 0.10 or later (Docker 23.0 or later): this engine\'s Dockerfile frontend does not know them';
  }
  if (/unknown scheme oci-layout/.test(message)) {
    return classicStoreRefusal('oci-layout:// build contexts need');
  }
  // a buildkitd has no Docker image store: the default output, --load and type=docker without dest need one
  if (/exporter "moby" could not be found/.test(message)) {
    return 'this BuildKit daemon has no Docker image store to load the image into: give an output with dest=FILE (-o type=docker,dest=FILE), or push it (--push)';
  }
  const ssh = /no SSH key "([^"]*)" forwarded from the client/.exec(message);
  if (ssh) {
    const id = ssh[1] || 'default';
    return `RUN --mount=type=ssh needs an SSH agent, and none with id "${id}" is forwarded: give --ssh ${id} (the agent of SSH_AUTH_SOCK) or --ssh ${id}=SOCKET; in VS Code, the buildkitLens.build.ssh setting`;
  }
  return undefined;
}
