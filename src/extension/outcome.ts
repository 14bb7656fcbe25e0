// How a finished build reads in the panel and the editor: image id, and where in the Dockerfile it failed.
// Pure (no vscode) so it is unit-tested.
import { imageIdOf } from '../buildkit/exporters';
import type { BuildError, BuildResult, SourceLocation } from '../buildkit/types';
import type { StageInfo, Step } from '../progress/types';
import type { BuildOutcome } from '../../webview/protocol';
import { instructionOfVertex, parseStages } from './dockerfileModel';

export interface FailureLocation {
  /** 1-based, inclusive */
  startLine: number;
  endLine: number;
  startCharacter: number;
  endCharacter: number;
}

/** The ranges of a source location that concern the Dockerfile being built (by base name or when it is the only file). */
export function rangesForFile(sources: SourceLocation[], dockerfileBase: string): FailureLocation[] {
  const base = dockerfileBase.toLowerCase();
  const out: FailureLocation[] = [];
  for (const s of sources) {
    const name = s.filename.split(/[\\/]/).pop()!.toLowerCase();
    if (name && name !== base && sources.length > 1) continue;
    for (const r of s.ranges) if (r.startLine > 0) out.push({ ...r, endLine: Math.max(r.endLine, r.startLine) });
  }
  return out;
}

/**
 * Where a failure sits in the Dockerfile: the engine's source ranges when it sent them,
 * else the instruction of the failing "[stage i/n]" step.
 */
export function failureLocation(
  error: BuildError,
  dockerfileBase: string,
  text: string | undefined,
  stepOf: (digest: string) => Step | undefined,
  target?: string,
): FailureLocation | undefined {
  const ranges = rangesForFile(error.sources ?? [], dockerfileBase);
  if (ranges.length) return ranges[0];
  // Engines before source mapping only say it in words: "dockerfile parse error line 3: …"
  const said = /dockerfile parse error (?:on )?line (\d+)/i.exec(error.message);
  if (said) {
    const line = Number(said[1]);
    return { startLine: line, endLine: line, startCharacter: 0, endCharacter: 0 };
  }
  const stage: StageInfo | undefined = error.vertex ? stepOf(error.vertex)?.stage : undefined;
  if (!stage || text === undefined) return undefined;
  const ins = instructionOfVertex(parseStages(text), stage, target);
  if (!ins) return undefined;
  return { startLine: ins.startLine + 1, endLine: ins.endLine + 1, startCharacter: 0, endCharacter: ins.endCharacter };
}

/**
 * Whether a failure is the Dockerfile's: one of its "[stage i/n]" steps failed, an image it names
 * could not be resolved, or the frontend refused it. An engine that went away, a context that
 * could not be read, an export or a push that failed are the panel's to show: they are not in the
 * Dockerfile, and a Problems entry would outlive them.
 */
export function isDockerfileFailure(error: BuildError, stepOf: (digest: string) => Step | undefined): boolean {
  if (error.vertex) {
    const step = stepOf(error.vertex);
    return !!step && (!!step.stage || step.name.startsWith('[internal] load metadata for '));
  }
  return /frontend dockerfile|LLB definition|dockerfile parse/i.test(error.message);
}

export function toOutcome(
  result: BuildResult,
  opts: { dockerfile: string; text?: string; stepOf: (digest: string) => Step | undefined; target?: string },
): BuildOutcome {
  const outcome: BuildOutcome = {
    ok: result.ok,
    canceled: result.canceled,
    durationMs: result.durationMs,
    imageId: result.ok ? imageIdOf(result) : undefined,
    error: result.error,
  };
  if (!result.ok && result.error && !result.canceled) {
    const base = opts.dockerfile.split(/[\\/]/).pop()!;
    const loc = failureLocation(result.error, base, opts.text, opts.stepOf, opts.target);
    // Prefer the text the engine saw; fall back to the file as it is now.
    const data = result.error.sources?.find((s) => s.data)?.data ?? opts.text;
    if (loc && data !== undefined) outcome.excerpt = excerpt(opts.dockerfile, data, loc);
  }
  return outcome;
}

function excerpt(file: string, text: string, loc: FailureLocation, context = 3): NonNullable<BuildOutcome['excerpt']> {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, loc.startLine - context);
  const last = Math.min(lines.length, loc.endLine + context);
  const errorLines: number[] = [];
  for (let l = loc.startLine; l <= loc.endLine; l++) errorLines.push(l);
  return { file, startLine: first, lines: lines.slice(first - 1, last), errorLines };
}

// Wrappers the engine puts before a failure's cause. Each says where in BuildKit it failed, not
// what went wrong, and the Problems row is cut at its width: the cause must come first there.
const WRAPPERS: RegExp[] = [
  /^failed to solve(?: with frontend [\w.]+)?: /,
  /^failed to create LLB definition: /,
  // the diagnostic sits on that line already
  /^dockerfile parse error (?:on )?line \d+: /,
  /^failed to compute cache key: /,
  /^failed to calculate checksum of ref \S+: /,
];
// A RUN that failed names its whole command; the diagnostic sits on that command already.
const RUN_FAILED = [/^executor failed running \[[^]*\]: (exit code: \d+)$/, /^process "[^]*" did not complete successfully: (exit code: \d+)$/];

/**
 * The Problems entry for an engine error: its cause first, then the engine's own words (what a
 * web search for the error needs), when the two differ.
 */
export function problemMessage(engineMessage: string): string {
  let cause = engineMessage.trim();
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const w of WRAPPERS) {
      const next = cause.replace(w, '');
      if (next !== cause && next) [cause, stripped] = [next, true];
    }
  }
  for (const run of RUN_FAILED) cause = cause.replace(run, '$1');
  return cause === engineMessage.trim() ? cause : `${cause}\n${engineMessage.trim()}`;
}

/** "✓ 3.2 s · 4/5 cached" / "✗ failed at line 12" / "⊘ canceled", for CodeLens and the tree. */
export function resultLabel(r: { ok: boolean; canceled: boolean; durationMs: number; cached: number; total: number; failedLine?: number }): string {
  if (r.ok) return `✓ ${(r.durationMs / 1000).toFixed(1)} s · ${r.cached}/${r.total} cached`;
  if (r.canceled) return '⊘ canceled';
  return r.failedLine ? `✗ failed at line ${r.failedLine}` : '✗ failed';
}
