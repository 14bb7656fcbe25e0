// The options the engine puts in DiffCopy's gRPC metadata (buildkit session/filesync:
// FSSync encodeOpts → handle decodeOpts), read from what grpc-js hands a server.
import type { Metadata, Server } from '@grpc/grpc-js';
import { onHttp2Server } from '../http2ServerHook';

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
 * Values that had non-ASCII runes, or a ", " of their own (escapeFilesyncFields), arrive
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

/**
 * Re-sends a key's values query-escaped and flagged `-encoded` (as newer engines send non-ASCII ones)
 * when, read from the raw header list, one of them would not survive as it came:
 * - it holds ", " (".dockerignore" line "a, b"): once Node's http2 has joined the engine's repeated
 *   fields with ", ", "a, b" and the two patterns "a" and "b" read alike;
 * - it is not ASCII: BuildKit before 0.10 (Docker 20.10) sends raw UTF-8 with no flag, and grpc-js
 *   refuses such a value and drops the whole key, which would turn off every exclude. Go's gRPC
 *   passes them through, so buildx honours them.
 * Values the engine escaped itself hold neither.
 */
export function escapeFilesyncValues(headers: Record<string, string | string[] | undefined>, rawHeaders: readonly string[]): void {
  for (const key of FILESYNC_KEYS) {
    if (headers[`${key}-encoded`] !== undefined) continue;
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i] === key) values.push(rawHeaders[i + 1]);
    if (!values.some((v) => v.includes(', ') || /[^ -~]/.test(v))) continue;
    headers[key] = values.map(escapeHeaderValue).join(', ');
    headers[`${key}-encoded`] = 'true';
  }
}

type HeadersListener = (stream: unknown, headers: Record<string, string | string[] | undefined>, flags: number, rawHeaders: string[]) => void;

/**
 * Puts a 'stream' listener ahead of grpc-js's on this server's HTTP/2 servers: only there are the
 * engine's repeated header fields still apart and their bytes still as sent (escapeFilesyncValues).
 */
export function escapeFilesyncFields(server: Server): void {
  onHttp2Server(server, (h2) => {
    h2.prependListener('stream', ((_stream, headers, _flags, rawHeaders) => escapeFilesyncValues(headers, rawHeaders)) as HeadersListener);
  });
}
