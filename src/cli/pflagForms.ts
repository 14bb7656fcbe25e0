// buildx parses flags with pflag, which takes forms Node's parseArgs refuses: a boolean with a value
// ("--no-cache=false", "--pull=true", "-q=1"), a short flag joined with "=" ("-o=type=tar",
// "-t=app") and a value that starts with a dash ("--label -x=1"). CI scripts use them; they are
// rewritten here into the forms parseArgs reads.
import { UsageError } from '../buildkit/options';

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Go's strconv.ParseBool */
const BOOL: Record<string, boolean> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };

export function pflagForms(args: readonly string[], options: Options): string[] {
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    // pflag gives a flag that takes a value the next argument, whatever it looks like
    const bare = /^--([^=]+)$/.exec(a) ?? /^-([^-=])$/.exec(a);
    const bareName = bare && (a.startsWith('--') ? bare[1] : byShort.get(bare[1]));
    if (bareName && options[bareName]?.type === 'string' && i + 1 < args.length && args[i + 1].startsWith('-') && args[i + 1] !== '-') {
      out.push(`--${bareName}=${args[++i]}`);
      continue;
    }
    const long = /^--([^=]+)=(.*)$/s.exec(a);
    const short = /^-([^-=])=(.*)$/s.exec(a);
    const name = long ? long[1] : short ? byShort.get(short[1]) : undefined;
    const value = (long ?? short)?.[2];
    if (name === undefined || value === undefined || !options[name]) {
      out.push(a);
      continue;
    }
    if (options[name].type === 'string') {
      out.push(long ? a : `--${name}=${value}`);
      continue;
    }
    const on = BOOL[value];
    if (on === undefined) throw new UsageError(`invalid argument "${value}" for "${long ? `--${name}` : `-${short![1]}`}": expected true or false`);
    if (on) out.push(`--${name}`);
  }
  return out;
}
