// Dockerfile frontends prefix vertex names with "[platform stage i/n]"; this pulls that apart.
import type { StageInfo } from './types';

const BRACKET = /^\[([^\]]+)\]\s/;
const COUNTER = /^(\d+)\/(\d+)$/;
// os/arch[/variant], and for a stage running on the build platform for another target the frontend
// appends "->arch[/variant]" or "->os/arch[/variant]"; stage names never contain a slash
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9.]+)?(->[a-z0-9_]+(\/[a-z0-9_.]+){0,2})?$/i;

export function parseStage(vertexName: string): StageInfo | undefined {
  const m = BRACKET.exec(vertexName);
  if (!m) return undefined;
  const tokens = m[1].trim().split(/\s+/);
  let index = 0;
  let total = 0;
  const counter = COUNTER.exec(tokens[tokens.length - 1]);
  if (counter) {
    index = Number(counter[1]);
    total = Number(counter[2]);
    tokens.pop();
  }
  let platform: string | undefined;
  if (tokens.length > 0 && PLATFORM.test(tokens[0])) platform = tokens.shift();
  const name = tokens.length > 0 ? tokens.join(' ') : undefined;
  const info: StageInfo = { index, total };
  if (name !== undefined) info.name = name;
  if (platform !== undefined) info.platform = platform;
  return info;
}
