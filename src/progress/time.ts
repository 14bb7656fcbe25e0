// Engine timestamps arrive as protobuf Timestamps; the model works in epoch milliseconds.
import type { Timestamp } from './wire';

export function timestampMs(ts: Timestamp | null | undefined): number | undefined {
  if (!ts) return undefined;
  return Number(ts.seconds) * 1000 + (ts.nanos || 0) / 1e6;
}
