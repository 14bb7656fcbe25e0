// buildx's --progress=rawjson: each StatusResponse as one line of Go's encoding/json
// output of client.SolveStatus (client/graph.go): its field names and order, omitempty
// rules, RFC3339Nano UTC times, []byte as base64 and HTML-safe escaping.
import type { Timestamp, StatusResponse, WireRange, WireSourceInfo } from '../wire';

type Json = Record<string, unknown>;

// client.NewSolveStatus turns a missing status/log Timestamp into time.Unix(0, 0) via AsTime()
const UNSET_TIME = '1970-01-01T00:00:00Z';

/** Go's time.Time MarshalJSON in UTC: fraction trimmed of trailing zeros, dropped if zero */
export function rfc3339Nano(ts: Timestamp): string {
  const seconds = Number(ts.seconds);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  const nanos = Number(ts.nanos || 0);
  const frac = nanos > 0 ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  return `${base}${frac}Z`;
}

const time = (ts: Timestamp | null | undefined): string | undefined => (ts ? rfc3339Nano(ts) : undefined);
const b64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? []).toString('base64');

/** keeps only set fields, like omitempty (callers list fields in Go's struct order) */
function omitEmpty(fields: [string, unknown, boolean?][]): Json {
  const o: Json = {};
  for (const [key, value, always] of fields) {
    const empty = value === undefined || value === null || value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
    if (always || !empty) o[key] = value;
  }
  return o;
}

function position(p: { line: number; character: number } | null | undefined): Json | undefined {
  return p ? omitEmpty([['line', Number(p.line)], ['character', Number(p.character)]]) : undefined;
}

function range(r: WireRange): Json {
  return omitEmpty([['start', position(r.start)], ['end', position(r.end)]]);
}

function sourceInfo(info: WireSourceInfo | null | undefined): Json | undefined {
  if (!info) return undefined;
  const data = info.data && info.data.length > 0 ? b64(info.data) : undefined;
  return omitEmpty([['filename', info.filename], ['data', data], ['language', info.language]]);
}

export function solveStatusJson(status: StatusResponse): Json {
  const vertexes = (status.vertexes ?? []).map((v) =>
    omitEmpty([
      ['digest', v.digest],
      ['inputs', v.inputs],
      ['name', v.name],
      ['started', time(v.started)],
      ['completed', time(v.completed)],
      ['cached', v.cached],
      ['error', v.error],
      ['progressGroup', v.progressGroup ? omitEmpty([['id', v.progressGroup.id], ['name', v.progressGroup.name], ['weak', v.progressGroup.weak]]) : undefined],
    ]),
  );
  const statuses = (status.statuses ?? []).map((s) =>
    omitEmpty([
      ['id', s.ID, true],
      ['vertex', s.vertex],
      ['name', s.name],
      ['total', Number(s.total)],
      ['current', Number(s.current), true],
      ['timestamp', time(s.timestamp) ?? UNSET_TIME, true],
      ['started', time(s.started)],
      ['completed', time(s.completed)],
    ]),
  );
  const logs = (status.logs ?? []).map((l) =>
    omitEmpty([
      ['vertex', l.vertex],
      ['stream', Number(l.stream)],
      // Go marshals a nil []byte as null
      ['data', l.msg && l.msg.length > 0 ? b64(l.msg) : null, true],
      ['timestamp', time(l.timestamp) ?? UNSET_TIME, true],
    ]),
  );
  const warnings = (status.warnings ?? []).map((w) =>
    omitEmpty([
      ['vertex', w.vertex],
      ['level', Number(w.level)],
      ['short', w.short && w.short.length > 0 ? b64(w.short) : undefined],
      ['detail', (w.detail ?? []).map(b64)],
      ['url', w.url],
      ['sourceInfo', sourceInfo(w.info)],
      ['range', (w.ranges ?? []).map(range)],
    ]),
  );
  return omitEmpty([
    ['vertexes', vertexes],
    ['statuses', statuses],
    ['logs', logs],
    ['warnings', warnings],
  ]);
}

// encoding/json escapes these by default (SetEscapeHTML and JS line separators)
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** one line as json.Encoder.Encode writes it, without its trailing "\n" (the caller adds it) */
export function rawJsonLine(status: StatusResponse): string {
  return JSON.stringify(solveStatusJson(status)).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}
