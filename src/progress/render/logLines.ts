// Turns a step's log chunks (which end anywhere, mid-line included) into lines with
// progressui's "<seconds since start> " prefix, and remembers the last few complete
// lines for the error block printed at the end. A chunk is handled whole with string
// built-ins (replaceAll, lastIndexOf), not line by line: a 300,000-line RUN sends ~10,000 lines
// in a few dozen chunks, and a loop per line cost the plain printer ~6 ms of a ~0.15 s build.
import { formatLogOffset } from './format';

export const ERROR_TAIL_LINES = 10;

export class LogLines {
  /**
   * Text not printed yet (plain printer only): lines with their offset prefix, joined by "\n". It ends
   * with "\n" unless its last line is still open (`partial`); that line stays here once printed, so
   * that it can be printed again whole after another step's output came between.
   */
  private pending = '';
  partial = false;
  /** characters of the pending text already written (a partial line being continued) */
  printedChars = 0;
  private open?: string;
  private tail: string[] = [];

  /** @param collect keep unprinted lines; the tty view only needs the tail */
  constructor(private readonly collect = true, private readonly tailSize = ERROR_TAIL_LINES) {}

  feed(text: string, sinceStartMs = 0): void {
    if (text === '') return;
    const prefix = `${formatLogOffset(sinceStartMs)} `;
    const complete = text.endsWith('\n');
    const body = complete ? text.slice(0, -1) : text;
    // the first piece continues the open line, if there is one; every other line starts with the prefix
    const prefixed = (this.open === undefined ? prefix : '') + body.replaceAll('\n', `\n${prefix}`);
    const all = (this.open ?? '') + prefixed;
    const lastBreak = complete ? all.length : all.lastIndexOf('\n');
    if (lastBreak >= 0) this.remember(all.slice(0, lastBreak));
    this.open = complete ? undefined : all.slice(lastBreak + 1);
    this.partial = !complete;
    if (this.collect) this.pending += prefixed + (complete ? '\n' : '');
  }

  /** lines waiting to be printed (the open one included) */
  pendingLines(): number {
    if (this.pending === '') return 0;
    let n = this.partial ? 1 : 0;
    for (let i = this.pending.indexOf('\n'); i >= 0; i = this.pending.indexOf('\n', i + 1)) n++;
    return n;
  }

  /** the pending text with "#N " before each line (not before the rest of a line already begun) */
  take(label: string): string {
    if (this.pending === '') return '';
    const text = this.pending.slice(this.printedChars);
    const numbered = (this.printedChars > 0 ? '' : label) + (this.partial ? text.replaceAll('\n', `\n${label}`) : `${text.slice(0, -1).replaceAll('\n', `\n${label}`)}\n`);
    if (this.partial) {
      this.pending = this.open ?? '';
      this.printedChars = this.pending.length;
    } else {
      this.pending = '';
      this.printedChars = 0;
    }
    return numbered;
  }

  /** the last complete lines, plus the open one */
  lastLines(): string[] {
    return this.open !== undefined ? [...this.tail, this.open] : [...this.tail];
  }

  /** lines: complete lines joined by "\n"; only the last tailSize are kept */
  private remember(lines: string): void {
    const kept: string[] = [];
    let end = lines.length;
    while (kept.length < this.tailSize) {
      const start = lines.lastIndexOf('\n', end - 1);
      kept.push(lines.slice(start + 1, end));
      if (start < 0) break;
      end = start;
    }
    kept.reverse();
    this.tail = kept.length >= this.tailSize ? kept : [...this.tail, ...kept].slice(-this.tailSize);
  }
}
