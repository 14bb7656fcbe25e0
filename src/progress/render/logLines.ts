// Turns a step's log chunks (which end anywhere, mid-line included) into lines with
// progressui's "<seconds since start> " prefix, and remembers the last few complete
// lines for the error block printed at the end.
import { formatLogOffset } from './format';

export const ERROR_TAIL_LINES = 10;

export class LogLines {
  /** lines not printed yet (plain printer only); the last one is open when `partial` */
  pending: string[] = [];
  partial = false;
  /** characters of pending[0] already written (a partial line being continued) */
  printedChars = 0;
  private open?: string;
  private readonly tail: string[] = [];

  /** @param collect keep unprinted lines in `pending`; the tty view only needs the tail */
  constructor(private readonly collect = true, private readonly tailSize = ERROR_TAIL_LINES) {}

  feed(text: string, sinceStartMs = 0): void {
    if (text === '') return;
    const pieces = text.split('\n');
    const complete = pieces[pieces.length - 1] === '';
    if (complete) pieces.pop();
    const prefix = formatLogOffset(sinceStartMs);
    for (let i = 0; i < pieces.length; i++) {
      const continues = i === 0 && this.open !== undefined;
      const line = continues ? this.open + pieces[0] : `${prefix} ${pieces[i]}`;
      if (i === pieces.length - 1 && !complete) this.open = line;
      else {
        this.open = undefined;
        this.remember(line);
      }
      if (!this.collect) continue;
      if (continues && this.pending.length > 0) this.pending[this.pending.length - 1] += pieces[0];
      else this.pending.push(line);
    }
    this.partial = !complete;
  }

  /** the last complete lines, plus the open one */
  lastLines(): string[] {
    return this.open !== undefined ? [...this.tail, this.open] : [...this.tail];
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > this.tailSize) this.tail.shift();
  }
}
