// The text form of a build comparison, for the CLI (`buildkit-lens history compare A B`).
import type { BuildComparison, BuildSideSummary, StepSide } from '../compare';
import { formatBytes } from './format';

export function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`;
}

/** A comparison's times: hundredths below a second, where most cached builds fall and tenths would
 * print two different builds alike */
export function formatCompareSeconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(Math.abs(ms) < 1000 ? 2 : 1)}s`;
}

/** Says B was longer or shorter only when the two durations, as printed, differ. */
export function durationSentence(c: BuildComparison): string | undefined {
  const d = c.durationDeltaMs;
  if (d === undefined) return undefined;
  if (Math.abs(d) < 50 || formatCompareSeconds(c.a.durationMs) === formatCompareSeconds(c.b.durationMs)) return 'B took as long as A';
  return `B took ${formatCompareSeconds(Math.abs(d))} ${d > 0 ? 'longer' : 'less'} than A`;
}

function cell(s: StepSide | undefined): string {
  if (!s) return '(absent)';
  if (s.cached) return 'CACHED';
  if (s.state === 'queued') return '(not run)';
  const mark = s.state === 'error' ? 'ERROR ' : s.state === 'canceled' ? 'CANCELED ' : '';
  return `${mark}${formatCompareSeconds(s.durationMs)}`;
}

function sideLine(tag: string, s: BuildSideSummary): string {
  const counts = s.total !== undefined ? `${s.cached ?? 0}/${s.total} cached` : 'steps unknown';
  const ctx = s.contextBytes !== undefined ? `, context ${formatBytes(s.contextBytes)}` : '';
  return `${tag}: ${s.label ?? s.ref}  ${s.state ?? ''}${s.state ? ', ' : ''}${formatCompareSeconds(s.durationMs)}, ${counts}${ctx}`;
}

export function formatComparison(c: BuildComparison): string {
  const out = [sideLine('A', c.a), sideLine('B', c.b)];
  const took = durationSentence(c);
  if (took) out.push(took);
  if (c.targetChange) out.push(`target: ${c.targetChange.a ?? '(last stage)'} → ${c.targetChange.b ?? '(last stage)'}`);
  for (const ch of c.argChanges) out.push(`build arg ${ch.name}: ${ch.a ?? '(unset)'} → ${ch.b ?? '(unset)'}`);
  if (c.note) out.push(c.note);
  if (c.steps) {
    const width = Math.min(60, Math.max(4, ...c.steps.map((s) => s.key.length)));
    out.push('', `${'STEP'.padEnd(width)}  ${'A'.padEnd(10)}  B`);
    for (const s of c.steps) {
      const key = s.key.length > width ? s.key.slice(0, width - 1) + '…' : s.key.padEnd(width);
      const changed = s.a && s.b && s.a.cached && !s.b.cached ? '  ← cache miss' : '';
      out.push(`${key}  ${cell(s.a).padEnd(10)}  ${cell(s.b)}${changed}`);
    }
    out.push('');
    if (c.firstMiss) {
      out.push(`first cache miss in B: ${c.firstMiss.name}`);
      for (const r of c.firstMiss.reasons) out.push(`  - ${r}`);
    } else out.push('every step of B came from the cache');
  }
  return out.join('\n') + '\n';
}
