// What buildx prints after the progress: the last log lines of failed steps, the
// warnings summary, the Dockerfile excerpt of the error and the "ERROR:" line.
import type { BuildResult } from '../../buildkit/types';
import type { BuildModel } from '../model';
import { formatSourceExcerpt } from '../sourceLocation';
import type { Warning } from '../types';

/** buildx lists a warning once even when several vertices (say, one per platform) raised it */
export function uniqueWarnings(warnings: readonly Warning[]): Warning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = JSON.stringify([w.level, w.short, w.detail, w.url, w.source?.filename, w.source?.ranges]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function epilogueLines(model: BuildModel, result: BuildResult, lastLines: (digest: string) => string[]): string[] {
  const out: string[] = [];
  for (const step of model.steps()) {
    if (step.state !== 'error') continue;
    out.push('------', ` > ${step.name}:`, ...lastLines(step.digest), '------');
  }
  const warnings = uniqueWarnings(model.warnings());
  if (warnings.length > 0) {
    out.push('', ` ${warnings.length === 1 ? '1 warning found' : `${warnings.length} warnings found`}:`);
    for (const w of warnings) {
      const where = w.source?.ranges[0] ? ` (${w.source.filename}:${w.source.ranges[0].startLine})` : '';
      out.push(` - ${w.short}${where}`);
    }
  }
  out.push(...errorLines(result));
  return out;
}

/** The Dockerfile excerpt and "ERROR:" line of a failed build, which buildx prints whatever the progress mode. */
export function errorLines(result: BuildResult): string[] {
  if (result.ok) return [];
  if (result.canceled) return ['ERROR: build canceled'];
  const error = result.error;
  const solve = error?.local ? '' : 'failed to solve: ';
  return [...(error?.sources ?? []).flatMap((s) => formatSourceExcerpt(s)), `ERROR: ${solve}${error?.message || 'build failed'}`];
}
