// One expanded step's log: a terminal (ANSI colours, "\r" progress lines) with search and copy. The toolbar
// is there at once; the terminal (xterm.js, loaded on first use) takes the text received meanwhile.
import { h, toolbarButton } from './dom';
import { loadTerminal, type LogTerminal } from './deferred';
import { lastLines, LOG_SCROLLBACK } from './logLimits';

export interface LogViewHost {
  copy(text: string): void;
  /** the step's whole log in an editor (the terminal keeps the last LOG_SCROLLBACK lines) */
  openLog(digest: string): void;
}

export class LogView {
  readonly element: HTMLElement;
  private term?: LogTerminal;
  private disposed = false;
  private readonly status: HTMLElement;
  private readonly note: HTMLElement;
  private readonly termHost: HTMLElement;
  private text = '';
  private lines = 0;
  private readonly onSearchResults: (index: number, count: number) => void;

  constructor(private readonly host: LogViewHost, digest: string) {
    const input = h('input', { type: 'search', class: 'log-search', placeholder: 'Search log', 'aria-label': 'Search log' });
    const prev = toolbarButton('arrow-up', 'Previous match');
    const next = toolbarButton('arrow-down', 'Next match');
    const copy = toolbarButton('copy', 'Copy log (or selection)');
    const open = toolbarButton('go-to-file', 'Open the whole log in an editor');
    open.classList.add('log-open');
    this.status = h('span', { class: 'log-status' });
    this.note = h('span', { class: 'log-note', hidden: true, title: 'The whole log opens in an editor (the button on the left)' });
    this.termHost = h('div', { class: 'log-term' });
    this.element = h('div', { class: 'log-view' }, h('div', { class: 'log-toolbar' }, input, prev, next, copy, open, this.status, this.note), this.termHost);

    const find = (back: boolean) => {
      const q = input.value;
      if (!this.term) return;
      if (!q) return this.term.clearSearch();
      if (!this.term.find(q, back)) this.status.textContent = 'No results';
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') find(e.shiftKey);
      if (e.key === 'Escape') {
        input.value = '';
        this.term?.clearSearch();
        this.status.textContent = '';
      }
    });
    prev.addEventListener('click', () => find(true));
    next.addEventListener('click', () => find(false));
    copy.addEventListener('click', () => this.host.copy(this.term?.selection() ?? this.text));
    open.addEventListener('click', () => this.host.openLog(digest));
    this.onSearchResults = (index, count) => {
      this.status.textContent = count ? `${index + 1} of ${count}` : input.value ? 'No results' : '';
    };
  }

  /** Must be called once the element is in the document. */
  mount(): void {
    loadTerminal().then(
      (create) => {
        if (this.disposed) return;
        this.status.textContent = '';
        const term = create(this.termHost);
        term.onSearchResults(this.onSearchResults);
        // the text so far goes in a task of its own, as does the terminal's opening (terminal.ts)
        requestAnimationFrame(() => {
          if (this.disposed) return term.dispose();
          this.term = term;
          // what would scroll out of the terminal at once is not worth parsing
          term.write(this.lines > LOG_SCROLLBACK ? lastLines(this.text, LOG_SCROLLBACK) : this.text);
          this.layout(true);
        });
      },
      (e: Error) => {
        if (!this.disposed) this.status.textContent = e.message;
      },
    );
  }

  reset(text: string): void {
    this.text = '';
    this.lines = 0;
    this.showNote();
    this.term?.reset();
    this.append(text);
  }

  append(text: string): void {
    if (!text) return;
    this.text += text;
    this.lines += countNewlines(text);
    this.showNote();
    if (!this.term) return; // mount() writes what came so far
    this.term.write(text);
    this.layout();
  }

  private showNote(): void {
    const over = this.lines > LOG_SCROLLBACK;
    this.note.hidden = !over;
    if (over) this.note.textContent = `last ${LOG_SCROLLBACK.toLocaleString('en')} of ${this.lines.toLocaleString('en')} lines`;
  }

  showUnavailable(): void {
    this.reset('\x1b[2m(log not available for this build)\x1b[0m');
  }

  /** `fit`: the width may have changed too (a resize, another view, a full render) */
  layout(fit = false): void {
    this.term?.layout(this.lines, fit);
  }

  get content(): string {
    return this.text;
  }

  dispose(): void {
    this.disposed = true;
    this.term?.dispose();
    this.element.remove();
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
