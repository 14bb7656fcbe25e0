// The options the engine puts in DiffCopy's gRPC metadata (buildkit session/filesync:
// FSSync encodeOpts → handle decodeOpts), read from what grpc-js hands a server.
import { Metadata } from '@grpc/grpc-js';

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
      fixed[key] = values.map((s) => s.split(', ').map((p) => encodeURIComponent(Buffer.from(p, 'latin1').toString('utf8'))).join(', '));
      fixed[`${key}-encoded`] = 'true';
    }
    return original(fixed ?? headers);
  };
}
