// Two builds side by side, step by step: durations, cache hits, and the first step of the second
// build that missed the cache with what changed in its inputs. Pure: the callers fetch the builds
// (our own recorded step lists, or the engine's history records and replayed progress).
import { formatBytes } from './render/format';
import { parseStage } from './stageName';
import type { Step } from './types';

export interface CompareInput {
  ref: string;
  label?: string;
  state?: string;
  durationMs?: number;
  /** the engine's counts, for builds whose step list is unknown */
  cachedSteps?: number;
  totalSteps?: number;
  target?: string;
  buildArgs: Record<string, string>;
  /** the build's steps; undefined when only the record is known */
  steps?: Step[];
}

export interface StepSide {
  name: string;
  state: Step['state'];
  cached: boolean;
  durationMs: number;
}

export interface StepComparison {
  /** the instruction without the "[stage i/n]" counter, so inserted lines do not shift the pairing */
  key: string;
  a?: StepSide;
  b?: StepSide;
}

export interface Change {
  name: string;
  a?: string;
  b?: string;
}

export interface BuildSideSummary {
  ref: string;
  label?: string;
  state?: string;
  durationMs?: number;
  cached?: number;
  total?: number;
  /** bytes the engine pulled from the build context ("transferring context") */
  contextBytes?: number;
}

export interface BuildComparison {
  a: BuildSideSummary;
  b: BuildSideSummary;
  /** b minus a, when both durations are known */
  durationDeltaMs?: number;
  argChanges: Change[];
  targetChange?: Change;
  /** undefined when either build has no step list: only totals can be compared */
  steps?: StepComparison[];
  /** the first Dockerfile step of b that ran instead of coming from the cache */
  firstMiss?: { key: string; name: string; reasons: string[] };
  /** one line saying what could not be compared and why */
  note?: string;
}

const COUNTER = /^\[([^\]]*?)\s*\d+\/\d+\]\s*/;

/** "[build 2/5] COPY a /a" -> "[build] COPY a /a"; "[internal] load x" stays. */
export function stepKey(name: string): string {
  const m = COUNTER.exec(name);
  if (!m) return name.trim();
  const stage = m[1].trim();
  return `${stage ? `[${stage}] ` : ''}${name.slice(m[0].length).trim()}`;
}

function isDockerfileStep(s: Step): boolean {
  return !!(s.stage ?? parseStage(s.name))?.total;
}

function contextBytes(steps: Step[] | undefined): number | undefined {
  const load = steps?.find((s) => s.name.startsWith('[internal] load build context'));
  const transfer = load?.statuses.find((st) => st.id.startsWith('transferring context'));
  return transfer ? transfer.current : undefined;
}

function side(s: Step): StepSide {
  return { name: s.name, state: s.state, cached: s.cached, durationMs: s.durationMs };
}

function summarize(x: CompareInput): BuildSideSummary {
  const steps = x.steps?.filter((s) => s.state !== 'queued' || s.cached);
  return {
    ref: x.ref,
    label: x.label,
    state: x.state,
    durationMs: x.durationMs,
    cached: steps ? steps.filter((s) => s.cached).length : x.cachedSteps,
    total: steps ? steps.length : x.totalSteps,
    contextBytes: contextBytes(x.steps),
  };
}

function diffMaps(a: Record<string, string>, b: Record<string, string>): Change[] {
  const out: Change[] = [];
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[name] !== b[name]) out.push({ name, a: a[name], b: b[name] });
  }
  return out;
}

/** Pairs steps by instruction key; a key seen twice in one build pairs its n-th with the other's n-th. */
function pairSteps(a: Step[], b: Step[]): StepComparison[] {
  const seen = new Map<string, number>();
  const keyed = (steps: Step[]) => {
    seen.clear();
    return steps.map((s) => {
      const k = stepKey(s.name);
      const n = (seen.get(k) ?? 0) + 1;
      seen.set(k, n);
      return { id: `${k}\0${n}`, key: k, step: s };
    });
  };
  const ka = keyed(a);
  const kb = keyed(b);
  const inA = new Map(ka.map((x) => [x.id, x]));
  const used = new Set<string>();
  const rows: StepComparison[] = kb.map((x) => {
    const other = inA.get(x.id);
    if (other) used.add(x.id);
    return { key: x.key, a: other && side(other.step), b: side(x.step) };
  });
  for (const x of ka) if (!used.has(x.id)) rows.push({ key: x.key, a: side(x.step) });
  return rows;
}

function byStart(a: Step, b: Step): number {
  return (a.started ?? Infinity) - (b.started ?? Infinity) || a.number - b.number;
}

const COPY = /^(COPY|ADD)\s+(.*)$/i;

function missReasons(key: string, pair: StepComparison | undefined, cmp: Omit<BuildComparison, 'firstMiss'>): string[] {
  const reasons: string[] = [];
  const instruction = key.replace(/^\[[^\]]*\]\s*/, '');
  if (!pair?.a) reasons.push('this instruction is not in the first build (added or edited in the Dockerfile)');
  else if (!pair.a.cached) {
    // Nothing cached to compare with: A built it too (a cold or --no-cache build), or never got there.
    reasons.push(pair.a.state === 'queued' ? 'the first build never ran it' : 'it was not cached in the first build either: A did not leave a cache for it to hit');
    return reasons;
  }
  if (cmp.targetChange) reasons.push(`target changed: ${cmp.targetChange.a ?? '(last stage)'} → ${cmp.targetChange.b ?? '(last stage)'}`);
  for (const c of cmp.argChanges) reasons.push(`build arg ${c.name} changed: ${c.a ?? '(unset)'} → ${c.b ?? '(unset)'}`);
  const copy = COPY.exec(instruction);
  if (copy && !/--from[= ]/.test(copy[2]) && pair?.a) {
    const sizes = cmp.a.contextBytes !== undefined && cmp.b.contextBytes !== undefined ? ` (context transfer ${formatBytes(cmp.a.contextBytes)} → ${formatBytes(cmp.b.contextBytes)})` : '';
    reasons.push(`the build-context files it copies changed: ${copy[2].trim()}${sizes}`);
  } else if (/^FROM\s/i.test(instruction) && pair?.a) {
    reasons.push('the base image resolved to different content');
  } else if (pair?.a && reasons.length === 0) {
    reasons.push('same instruction: an input it reads changed (an ARG/ENV value, a mounted file, or an earlier stage)');
  }
  return reasons;
}

export function compareBuilds(a: CompareInput, b: CompareInput): BuildComparison {
  const cmp: BuildComparison = {
    a: summarize(a),
    b: summarize(b),
    durationDeltaMs: a.durationMs !== undefined && b.durationMs !== undefined ? b.durationMs - a.durationMs : undefined,
    argChanges: diffMaps(a.buildArgs, b.buildArgs),
  };
  if ((a.target ?? '') !== (b.target ?? '')) cmp.targetChange = { name: 'target', a: a.target, b: b.target };
  if (!a.steps?.length || !b.steps?.length) {
    const which = [!a.steps?.length && a.ref, !b.steps?.length && b.ref].filter(Boolean).join(' and ');
    cmp.note = `no step list for ${which} (the engine kept only its summary): comparing totals only`;
    return cmp;
  }
  cmp.steps = pairSteps(a.steps, b.steps);
  // A step that never hits the cache in either build (e.g. a FROM of a local image) says nothing;
  // the first one that A had cached, or that A did not have, is where B's cache broke.
  const pairOf = (s: Step) => cmp.steps!.find((r) => r.b?.name === s.name);
  const ran = b.steps.filter((s) => isDockerfileStep(s) && !s.cached && s.state !== 'queued').sort(byStart);
  const missed = ran.find((s) => !pairOf(s)?.a || pairOf(s)!.a!.cached) ?? ran[0];
  if (missed) {
    const key = stepKey(missed.name);
    cmp.firstMiss = { key, name: missed.name, reasons: missReasons(key, pairOf(missed), cmp) };
  }
  return cmp;
}
