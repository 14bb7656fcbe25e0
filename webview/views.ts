// The timeline (parallel steps on their own lanes) and the step graph (from vertex inputs).
import { clear, h, svg } from './dom';
import { axisTicks, formatDuration, graphLayout, timelineBars, type PanelState } from './state';
import { STATE_ICONS } from './steps';

const LANE_H = 22;
const NODE_W = 200;
const NODE_H = 26;
const GAP_X = 50;
const GAP_Y = 12;

export function renderTimeline(el: HTMLElement, state: PanelState, now: number, onPick: (digest: string) => void): void {
  clear(el);
  const { bars, lanes, span } = timelineBars(state, now);
  if (!bars.length) {
    el.appendChild(h('p', { class: 'empty' }, 'No step has started yet.'));
    return;
  }
  const axis = h('div', { class: 'timeline-axis' });
  for (const t of axisTicks(span)) axis.appendChild(h('span', { class: t.pct > 92 ? 'axis-end' : t.pct === 0 ? 'axis-start' : undefined, style: `left:${t.pct}%` }, t.label));
  const body = h('div', { class: 'timeline-body', style: `height:${lanes * LANE_H}px` });
  for (const b of bars) {
    const s = state.steps.get(b.digest)!;
    const bar = h(
      'div',
      {
        class: `timeline-bar state-${s.state}`,
        style: `left:${(b.start / span) * 100}%;width:${Math.max(0.4, ((b.end - b.start) / span) * 100)}%;top:${b.lane * LANE_H}px`,
        title: `${s.name}\n${formatDuration(b.end - b.start)}`,
        tabindex: 0,
        role: 'button',
        'data-digest': b.digest,
        // colour alone does not say the state
        'aria-label': `${STATE_ICONS[s.state].label}, ${s.name}, ${formatDuration(b.end - b.start)}`,
      },
      h('span', {}, s.name),
    );
    pickable(bar, () => onPick(b.digest));
    body.appendChild(bar);
  }
  el.appendChild(axis);
  el.appendChild(body);
}

export function renderGraph(el: HTMLElement, state: PanelState, onPick: (digest: string) => void): void {
  clear(el);
  const { nodes, edges, layers } = graphLayout(state.steps.values());
  if (!nodes.length) {
    el.appendChild(h('p', { class: 'empty' }, 'No steps yet.'));
    return;
  }
  const pos = new Map(nodes.map((n) => [n.digest, { x: n.layer * (NODE_W + GAP_X), y: n.row * (NODE_H + GAP_Y) }]));
  const width = layers * (NODE_W + GAP_X);
  const height = Math.max(...nodes.map((n) => n.row + 1)) * (NODE_H + GAP_Y);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'graph', role: 'group', 'aria-label': 'Step graph' });
  for (const [from, to] of edges) {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    root.appendChild(svg('path', { class: 'graph-edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
  }
  for (const n of nodes) {
    const s = state.steps.get(n.digest)!;
    const p = pos.get(n.digest)!;
    // ~6.6 px per monospace character at 11 px, inside NODE_W with padding
    const label = s.name.length > 28 ? s.name.slice(0, 27) + '…' : s.name;
    const g = svg(
      'g',
      { class: `graph-node state-${s.state}`, transform: `translate(${p.x},${p.y})`, tabindex: 0, role: 'button', 'data-digest': n.digest, 'aria-label': `${STATE_ICONS[s.state].label}, ${s.name}` },
      svg('title', {}, `${s.name} (${STATE_ICONS[s.state].label})`),
      svg('rect', { width: NODE_W, height: NODE_H, rx: 4 }),
      svg('text', { x: 8, y: NODE_H / 2 + 4 }, label),
    );
    pickable(g, () => onPick(n.digest));
    root.appendChild(g);
  }
  el.appendChild(root);
}

/** A click, or Enter or Space when it has the focus. */
function pickable(el: Element, pick: () => void): void {
  el.addEventListener('click', pick);
  el.addEventListener('keydown', (e) => {
    const k = (e as KeyboardEvent).key;
    if (k !== 'Enter' && k !== ' ') return;
    e.preventDefault();
    pick();
  });
}
