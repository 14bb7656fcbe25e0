// Dockerfile locations from warnings (wire) and error details (JSON), and the
// buildx-style excerpt around them. Kept free of protobuf so the panel can use it too.
import type { SourceLocation } from '../buildkit/types';

interface PositionLike {
  line?: number | null;
  character?: number | null;
}
export interface RangeLike {
  start?: PositionLike | null;
  end?: PositionLike | null;
}

export function toSourceLocation(
  info: { filename?: string; language?: string; data?: string },
  ranges: readonly RangeLike[] | null | undefined,
): SourceLocation {
  const loc: SourceLocation = {
    filename: info.filename ?? '',
    language: info.language ?? '',
    ranges: (ranges ?? []).map((r) => {
      const startLine = Number(r.start?.line ?? 0);
      const endLine = Math.max(Number(r.end?.line ?? 0), startLine);
      return {
        startLine,
        endLine,
        startCharacter: Number(r.start?.character ?? 0),
        endCharacter: Number(r.end?.character ?? 0),
      };
    }),
  };
  if (info.data !== undefined && info.data !== '') loc.data = info.data;
  return loc;
}

function touches(source: SourceLocation, line: number): boolean {
  return source.ranges.some((r) => r.startLine <= line && r.endLine >= line);
}

/**
 * The lines around the ranges, numbered, with ">>>" on the lines in range, like
 * buildx prints above "ERROR:". `contextLines` is the padding on each side; a
 * single-line range gets twice as much, as buildx does. Empty when the engine did
 * not send the file or the range is outside it.
 */
export function formatSourceExcerpt(source: SourceLocation, contextLines = 2): string[] {
  if (source.data === undefined || source.ranges.length === 0) return [];
  const lines = source.data.split('\n');
  let start = Math.min(...source.ranges.map((r) => r.startLine));
  let end = Math.max(...source.ranges.map((r) => r.endLine));
  if (start < 1 || start > lines.length) return [];
  const firstLine = start;
  end = Math.min(end, lines.length);
  // buildx pads greedily: each round takes one line above and one below while available
  const pad = end === start ? contextLines * 2 : contextLines;
  for (let p = 0; p < pad; ) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
    p++;
  }
  const out = [`${source.filename}:${firstLine}`, '-'.repeat(20)];
  for (let i = start; i <= end; i++) {
    const marker = touches(source, i) ? '>>>' : '   ';
    out.push(` ${String(i).padStart(3)} | ${marker} ${lines[i - 1]}`);
  }
  out.push('-'.repeat(20));
  return out;
}
