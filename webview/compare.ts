// The "Compare Builds" view: two builds side by side, step by step, and B's first cache miss.
import type { BuildComparison, BuildSideSummary, StepSide } from '../src/progress/compare';
import { durationSentence, formatCompareSeconds } from '../src/progress/render/compare';
import { formatBytes } from '../src/progress/render/format';
import { h, icon } from './dom';

function sideCells(s: BuildSideSummary): string[] {
  return [
    s.label ?? s.ref,
    s.ref,
    s.state ?? '-',
    formatCompareSeconds(s.durationMs),
    s.total !== undefined ? `${s.cached ?? 0}/${s.total}` : '-',
    s.contextBytes !== undefined ? formatBytes(s.contextBytes) : '-',
  ];
}

function stepCell(s: StepSide | undefined, longest: number): HTMLElement {
  if (!s) return h('td', { class: 'cmp-absent' }, '—');
  const text = s.cached ? 'CACHED' : s.state === 'queued' ? 'not run' : formatCompareSeconds(s.durationMs);
  const width = s.cached || !longest ? 0 : Math.max(2, Math.round((s.durationMs / longest) * 48));
  return h(
    'td',
    { class: `cmp-step state-${s.state}` },
    h('span', { class: 'cmp-bar', style: `width:${width}px` }),
    h('span', { class: 'cmp-time' }, text),
  );
}

export function renderComparison(c: BuildComparison): HTMLElement {
  const root = h('div', { class: 'compare' }, h('h1', { class: 'build-title' }, 'Compare builds'));
  const rows = ['Build', 'Ref', 'Status', 'Duration', 'Cached steps', 'Context sent'];
  const a = sideCells(c.a);
  const b = sideCells(c.b);
  root.appendChild(
    h('table', { class: 'cmp-summary' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'A'), h('th', {}, 'B'))),
      h('tbody', {}, ...rows.map((r, i) => h('tr', {}, h('th', {}, r), h('td', {}, a[i]), h('td', {}, b[i])))),
    ),
  );
  const facts: string[] = [];
  const took = durationSentence(c);
  if (took) facts.push(`${took}.`);
  if (c.targetChange) facts.push(`Target: ${c.targetChange.a ?? '(last stage)'} → ${c.targetChange.b ?? '(last stage)'}`);
  for (const ch of c.argChanges) facts.push(`Build arg ${ch.name}: ${ch.a ?? '(unset)'} → ${ch.b ?? '(unset)'}`);
  if (c.note) facts.push(c.note);
  if (facts.length) root.appendChild(h('ul', { class: 'cmp-facts' }, ...facts.map((f) => h('li', {}, f))));

  if (c.firstMiss) {
    root.appendChild(
      h('div', { class: 'cmp-miss' },
        h('div', { class: 'cmp-miss-title' }, icon('debug-breakpoint-log-unverified'), ' First cache miss in B: ', h('code', {}, c.firstMiss.name)),
        h('ul', {}, ...c.firstMiss.reasons.map((r) => h('li', {}, r))),
      ),
    );
  } else if (c.steps) {
    root.appendChild(h('div', { class: 'cmp-hit' }, icon('pass'), ' Every step of B came from the cache.'));
  }

  if (c.steps) {
    const longest = Math.max(0, ...c.steps.flatMap((s) => [s.a?.durationMs ?? 0, s.b?.durationMs ?? 0]));
    const body = h('tbody');
    for (const s of c.steps) {
      const missed = !!(s.a?.cached && s.b && !s.b.cached);
      const first = c.firstMiss && s.b?.name === c.firstMiss.name;
      body.appendChild(
        h('tr', { class: `cmp-row${missed ? ' cmp-missed' : ''}${first ? ' cmp-first-miss' : ''}` },
          h('td', { class: 'cmp-name', title: s.b?.name ?? s.a?.name ?? s.key }, s.key),
          stepCell(s.a, longest),
          stepCell(s.b, longest),
        ),
      );
    }
    root.appendChild(h('table', { class: 'cmp-steps' }, h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'A'), h('th', {}, 'B'))), body));
  }
  return root;
}

/** The panel becomes the comparison (a compare panel never shows a build). */
export function showComparison(c: BuildComparison): void {
  document.body.replaceChildren(renderComparison(c));
}
