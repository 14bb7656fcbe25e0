// `buildkit-lens history ls|attach|compare`: the engine's build history from the command line.
import { parseArgs } from 'node:util';
import { UsageError } from '../buildkit/options';
import type { ProgressMode } from './args';
import { pflagForms } from './pflagForms';

export type HistoryCommand =
  | { kind: 'history'; action: 'ls'; host?: string; context?: string; json: boolean; limit: number }
  | { kind: 'history'; action: 'attach'; host?: string; context?: string; ref: string; progress: ProgressMode }
  | { kind: 'history'; action: 'compare'; host?: string; context?: string; refs: [string, string]; json: boolean };

export const HISTORY_USAGE = `Usage: buildkit-lens history COMMAND

The engine's recent builds (BuildKit 0.11+, Docker 24.0+), including those started by "docker buildx build".

Commands:
  ls [--json] [-n N]         List recent builds, newest first (default 20; -n 0 for all)
  attach [--progress MODE] REF
                             Show a build's progress: live while it runs, replayed once it finished
  compare [--json] A B       Compare two finished builds step by step (durations, cache, first cache miss)

Options:
  -H, --host HOST            Engine to use
      --context NAME         Docker context to use
`;

const PROGRESS: ProgressMode[] = ['auto', 'tty', 'plain', 'rawjson', 'quiet'];

const HISTORY_OPTIONS = {
  host: { type: 'string', short: 'H' },
  context: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string', short: 'n' },
  progress: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseHistoryCommand(argv: string[], parse: <T>(fn: () => T) => T): HistoryCommand | { kind: 'help'; text: string } {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === '-h' || action === 'help') return { kind: 'help', text: HISTORY_USAGE };
  if (!['ls', 'attach', 'compare'].includes(action)) throw new UsageError(`unknown history command "${action}" (try "buildkit-lens history --help")`);
  const { values, positionals } = parse(() => parseArgs({ args: pflagForms(rest, HISTORY_OPTIONS), allowPositionals: true, strict: true, options: HISTORY_OPTIONS }));
  if (values.help) return { kind: 'help', text: HISTORY_USAGE };
  const common = { kind: 'history' as const, host: values.host, context: values.context };
  const want = (n: number, what: string) => {
    if (positionals.length !== n) throw new UsageError(`"buildkit-lens history ${action}" requires ${what}, got ${positionals.length} argument(s)`);
    // an unset variable would otherwise pick whichever build a prefix of "" matches
    if (positionals.some((p) => !p.trim())) throw new UsageError(`"buildkit-lens history ${action}": a build ref cannot be empty`);
  };
  if (action === 'ls') {
    want(0, 'no arguments');
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`invalid -n "${values.limit}": expected a whole number`);
    return { ...common, action, json: !!values.json, limit };
  }
  if (action === 'attach') {
    want(1, 'exactly 1 argument (the build REF)');
    const progress = (values.progress ?? 'auto') as ProgressMode;
    if (!PROGRESS.includes(progress)) throw new UsageError(`invalid --progress "${values.progress}": expected ${PROGRESS.join(', ')}`);
    return { ...common, action, ref: positionals[0], progress };
  }
  want(2, 'exactly 2 arguments (build refs A and B)');
  return { ...common, action: 'compare', refs: [positionals[0], positionals[1]], json: !!values.json };
}
