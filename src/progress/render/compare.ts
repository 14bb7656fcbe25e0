// The text form of a build comparison, for the CLI (`buildkit-lens history compare A B`).
import type { BuildComparison, BuildSideSummary, StepSide } from '../compare';
import { formatBytes } from './format';

export function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`;
}

function cell(s: StepSide | undefined): string {
  if (!s) return '(absent)';
  if (s.cached) return 'CACHED';
  if (s.state === 'queued') return '(not run)';
  const mark = s.state === 'error' ? 'ERROR ' : s.state === 'canceled' ? 'CANCELED ' : '';
  return `${mark}${formatSeconds(s.durationMs)}`;
}

function sideLine(tag: string, s: BuildSideSummary): string {
  const counts = s.total !== undefined ? `${s.cached ?? 0}/${s.total} cached` : 'steps unknown';
  const ctx = s.contextBytes !== undefined ? `, context ${formatBytes(s.contextBytes)}` : '';
  return `${tag}: ${s.label ?? s.ref}  ${s.state ?? ''}${s.state ? ', ' : ''}${formatSeconds(s.durationMs)}, ${counts}${ctx}`;
}

export function formatComparison(c: BuildComparison): string {
  const out = [sideLine('A', c.a), sideLine('B', c.b)];
  if (c.durationDeltaMs !== undefined) {
    const d = c.durationDeltaMs;
    out.push(Math.abs(d) < 50 ? 'B took as long as A' : `B took ${formatSeconds(Math.abs(d))} ${d > 0 ? 'longer' : 'less'} than A`);
  }
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
