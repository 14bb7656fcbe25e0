// The options the engine puts in DiffCopy's gRPC metadata (buildkit session/filesync:
// FSSync encodeOpts → handle decodeOpts), read from what grpc-js hands a server.
import type { Metadata } from '@grpc/grpc-js';

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
 * Values that had non-ASCII runes arrive query-escaped (commas as %2C) with `<key>-encoded`.
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
