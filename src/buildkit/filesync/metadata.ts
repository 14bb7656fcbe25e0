// The options the engine puts in DiffCopy's gRPC metadata (buildkit session/filesync:
// FSSync encodeOpts → handle decodeOpts), read from what grpc-js hands a server.
import { Metadata, type Server } from '@grpc/grpc-js';
import type * as http2 from 'node:http2';

export interface DiffCopyRequest {
  dirName: string;
  includePatterns?: string[];
  excludePatterns?: string[];
  followPaths?: string[];
}

/** Go strconv.ParseBool's true spellings. */
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** Go url.QueryUnescape; like buildkit (which ignores its error) a malformed value becomes "". */
export function queryUnescape(s: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return '';
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}

/**
 * Values of one key, or undefined when absent. The engine sends one header field per value;
 * Node's http2 joins repeated fields with ", " before grpc-js sees them, so split them again.
 * Values that had non-ASCII runes, or a ", " of their own (keepFilesyncFieldsApart), arrive
 * query-escaped (commas as %2C) with `<key>-encoded`.
 */
export function metadataValues(md: Metadata, key: string): string[] | undefined {
  const raw = md.get(key);
  if (raw.length === 0) return undefined;
  const values = raw.flatMap((v) => (typeof v === 'string' ? v : v.toString('utf8')).split(', '));
  const flag = md.get(`${key}-encoded`)[0];
  const encoded = flag !== undefined && TRUE_VALUES.has(String(flag).split(', ')[0]);
  return encoded ? values.map(queryUnescape) : values;
}

export function parseDiffCopyRequest(md: Metadata): DiffCopyRequest {
  return {
    dirName: metadataValues(md, 'dir-name')?.[0] ?? '',
    includePatterns: metadataValues(md, 'include-patterns'),
    excludePatterns: metadataValues(md, 'exclude-patterns'),
    followPaths: metadataValues(md, 'followpaths'),
  };
}

/** What keeps a value intact through the ", " join: percent-escaped UTF-8 (header bytes arrive as latin1). */
const escapeHeaderValue = (latin1: string) => encodeURIComponent(Buffer.from(latin1, 'latin1').toString('utf8'));

const FILESYNC_KEYS = ['dir-name', 'include-patterns', 'exclude-patterns', 'followpaths'];
let rawValuesKept = false;

/**
 * BuildKit before 0.10 (Docker 20.10) sends non-ASCII patterns as raw UTF-8 header bytes, with no
 * `-encoded` flag. grpc-js refuses such a value and drops the whole key, which would silently
 * turn off every .dockerignore exclude. Go's gRPC passes them through, so buildx honours them:
 * here they are query-escaped on the way in and flagged `-encoded`, as newer engines send them.
 */
export function keepNonAsciiFilesyncValues(): void {
  if (rawValuesKept) return;
  rawValuesKept = true;
  const original = Metadata.fromHttp2Headers.bind(Metadata);
  Metadata.fromHttp2Headers = (headers) => {
    // copied only when a value needs fixing: this runs for every incoming call, health checks too
    let fixed: typeof headers | undefined;
    for (const key of FILESYNC_KEYS) {
      const v = headers[key];
      const values = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
      if (!values.some((s) => /[^ -~]/.test(s)) || headers[`${key}-encoded`] !== undefined) continue;
      // Node's http2 hands header bytes over as latin1 text; joined repeats are split again later
      fixed ??= { ...headers };
      fixed[key] = values.map((s) => s.split(', ').map(escapeHeaderValue).join(', '));
      fixed[`${key}-encoded`] = 'true';
    }
    return original(fixed ?? headers);
  };
}

/**
 * A pattern may itself hold ", " (".dockerignore" line "a, b"), so once Node's http2 has joined the
 * engine's repeated fields, "a, b" and the two patterns "a" and "b" read alike. The fields are still
 * apart in the raw header list: there, a value holding ", " has every value of its key re-sent
 * escaped and flagged `-encoded` (as engines send non-ASCII ones), which metadataValues splits exactly.
 * Values the engine escaped itself hold no ", ".
 */
export function separateRepeatedFilesyncValues(headers: Record<string, string | string[] | undefined>, rawHeaders: readonly string[]): void {
  for (const key of FILESYNC_KEYS) {
    if (headers[`${key}-encoded`] !== undefined) continue;
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i] === key) values.push(rawHeaders[i + 1]);
    if (!values.some((v) => v.includes(', '))) continue;
    headers[key] = values.map(escapeHeaderValue).join(', ');
    headers[`${key}-encoded`] = 'true';
  }
}

type HeadersListener = (stream: unknown, headers: Record<string, string | string[] | undefined>, flags: number, rawHeaders: string[]) => void;

/**
 * Puts a 'stream' listener ahead of grpc-js's on this server's HTTP/2 servers: only there are the
 * engine's repeated header fields still apart (separateRepeatedFilesyncValues). grpc-js makes its
 * HTTP/2 server in a method of its own; if a version lacks it, the joined values stay as they were.
 */
export function keepFilesyncFieldsApart(server: Server): void {
  const s = server as unknown as { createHttp2Server?: (creds: unknown) => http2.Http2Server };
  const make = s.createHttp2Server;
  if (typeof make !== 'function') return;
  s.createHttp2Server = (creds) => {
    const h2 = make.call(server, creds);
    h2.prependListener('stream', ((_stream, headers, _flags, rawHeaders) => separateRepeatedFilesyncValues(headers, rawHeaders)) as HeadersListener);
    return h2;
  };
}
