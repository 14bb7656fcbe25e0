// Run intervals of a step, merged the way progressui does so that overlapping
// restarts are not counted twice and an open interval swallows everything after it.

export interface Interval {
  start: number;
  /** undefined while the step is running */
  stop?: number;
}

export function mergeIntervals(input: Iterable<Interval>): Interval[] {
  const sorted = [...input].sort((a, b) => a.start - b.start);
  if (sorted.length === 0) return [];
  const merged: Interval[] = [];
  let cur: Interval = { ...sorted[0] };
  for (let i = 1; i < sorted.length; i++) {
    const next = sorted[i];
    if (cur.stop === undefined) break;
    if (cur.stop < next.start) {
      merged.push(cur);
      cur = { ...next };
    } else if (next.stop === undefined) {
      cur = { start: cur.start };
      break;
    } else if (next.stop > cur.stop) {
      cur = { start: cur.start, stop: next.stop };
    }
  }
  merged.push(cur);
  return merged;
}

/** Sum of the merged intervals; an open interval counts up to `now`. */
export function totalDuration(merged: readonly Interval[], now: number): number {
  let sum = 0;
  for (const ival of merged) sum += Math.max(0, (ival.stop ?? now) - ival.start);
  return sum;
}
