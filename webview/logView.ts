// One expanded step's log: an xterm.js terminal (ANSI colours, "\r" progress lines), with search and copy.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { h, icon } from './dom';

const MAX_ROWS = 24;
/** xterm parses each write() whole and yields between writes: pieces this size keep a flood's frames short. */
const WRITE_PIECE = 4 * 1024;

export interface LogViewHost {
  copy(text: string): void;
}

export class LogView {
  readonly element: HTMLElement;
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly status: HTMLElement;
  private readonly termHost: HTMLElement;
  private text = '';
  private lines = 0;

  constructor(private readonly host: LogViewHost) {
    const input = h('input', { type: 'search', class: 'log-search', placeholder: 'Search log', 'aria-label': 'Search log' });
    const prev = h('button', { class: 'icon-button', title: 'Previous match', 'aria-label': 'Previous match' }, icon('arrow-up'));
    const next = h('button', { class: 'icon-button', title: 'Next match', 'aria-label': 'Next match' }, icon('arrow-down'));
    const copy = h('button', { class: 'icon-button', title: 'Copy log (or selection)', 'aria-label': 'Copy log' }, icon('copy'));
    this.status = h('span', { class: 'log-status' });
    this.termHost = h('div', { class: 'log-term' });
    this.element = h('div', { class: 'log-view' }, h('div', { class: 'log-toolbar' }, input, prev, next, copy, this.status), this.termHost);

    this.term = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      cursorStyle: 'bar',
      cursorInactiveStyle: 'none',
      scrollback: 200_000,
      rows: 1,
      fontSize: 12,
      fontFamily: cssVar('--vscode-editor-font-family') || 'monospace',
      theme: terminalTheme(),
      // the search addon's match highlights use the decorations API, which xterm gates as proposed
      allowProposedApi: true,
      // OSC 8 hyperlinks in build output must stay inert.
      linkHandler: { activate: () => undefined, allowNonHttpProtocols: false },
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);

    const find = (back: boolean) => {
      const q = input.value;
      if (!q) return this.search.clearDecorations();
      const opts = { decorations: searchDecorations() };
      let hit: boolean;
      try {
        hit = back ? this.search.findPrevious(q, opts) : this.search.findNext(q, opts);
      } catch {
        // without highlights the selection still shows the match
        hit = back ? this.search.findPrevious(q) : this.search.findNext(q);
        this.status.textContent = hit ? '' : 'No results';
      }
      if (!hit) this.status.textContent = 'No results';
    };
    this.search.onDidChangeResults((r) => {
      this.status.textContent = r.resultCount ? `${r.resultIndex + 1} of ${r.resultCount}` : input.value ? 'No results' : '';
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') find(e.shiftKey);
      if (e.key === 'Escape') {
        input.value = '';
        this.search.clearDecorations();
        this.status.textContent = '';
      }
    });
    prev.addEventListener('click', () => find(true));
    next.addEventListener('click', () => find(false));
    copy.addEventListener('click', () => this.host.copy(this.term.hasSelection() ? this.term.getSelection() : this.text));
  }

  /** Must be called once the element is in the document. */
  mount(): void {
    this.term.open(this.termHost);
    syncScrollbarPerFrame(this.term);
    this.layout();
  }

  reset(text: string): void {
    this.text = '';
    this.lines = 0;
    this.term.reset();
    this.append(text);
  }

  append(text: string): void {
    if (!text) return;
    this.text += text;
    this.lines += countNewlines(text);
    for (let i = 0; i < text.length; i += WRITE_PIECE) this.term.write(i === 0 && text.length <= WRITE_PIECE ? text : text.slice(i, i + WRITE_PIECE));
    this.layout();
  }

  showUnavailable(): void {
    this.reset('\x1b[2m(log not available for this build)\x1b[0m');
  }

  layout(): void {
    const rows = Math.max(1, Math.min(MAX_ROWS, this.lines + 1));
    if (rows !== this.term.rows) this.term.resize(this.term.cols, rows);
    try {
      const dims = this.fit.proposeDimensions();
      if (dims && dims.cols && dims.cols !== this.term.cols) this.term.resize(dims.cols, rows);
    } catch {
      // not laid out yet (hidden panel); the next layout call fixes it
    }
  }

  get content(): string {
    return this.text;
  }

  dispose(): void {
    this.term.dispose();
    this.element.remove();
  }
}

/**
 * xterm 6.0.0 re-measures and redraws its scrollbar synchronously for every line that scrolls
 * (Viewport listens to the buffer's onScroll with _sync()): a 300,000-line log then spends most of
 * its time there, in tasks of 100-300 ms. Once per animation frame is enough for a scrollbar.
 * This reaches into xterm's internals, so it does nothing unless they look as expected.
 */
function syncScrollbarPerFrame(term: Terminal): void {
  const viewport = (term as unknown as { _core?: { _viewport?: { _sync?: (ydisp?: number) => void } } })._core?._viewport;
  const sync = viewport?._sync;
  if (!viewport || typeof sync !== 'function') return;
  let queued = false;
  viewport._sync = function (this: typeof viewport, ...args: [number?]) {
    // calls with a position (scrolling, resize) stay immediate; only the per-line buffer scroll waits
    if (args.length) return sync.apply(this, args);
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      sync.call(this);
    });
  };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function cssVar(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

function terminalTheme(): ITheme {
  const v = (n: string, fallback?: string) => cssVar(`--vscode-terminal-${n}`) || fallback;
  return {
    background: v('background', cssVar('--vscode-editor-background')),
    foreground: v('foreground', cssVar('--vscode-editor-foreground')),
    selectionBackground: cssVar('--vscode-terminal-selectionBackground') || cssVar('--vscode-editor-selectionBackground'),
    black: v('ansiBlack'),
    red: v('ansiRed'),
    green: v('ansiGreen'),
    yellow: v('ansiYellow'),
    blue: v('ansiBlue'),
    magenta: v('ansiMagenta'),
    cyan: v('ansiCyan'),
    white: v('ansiWhite'),
    brightBlack: v('ansiBrightBlack'),
    brightRed: v('ansiBrightRed'),
    brightGreen: v('ansiBrightGreen'),
    brightYellow: v('ansiBrightYellow'),
    brightBlue: v('ansiBrightBlue'),
    brightMagenta: v('ansiBrightMagenta'),
    brightCyan: v('ansiBrightCyan'),
    brightWhite: v('ansiBrightWhite'),
  };
}

function searchDecorations() {
  const hex = (s: string, d: string) => (/^#[0-9a-f]{6}$/i.test(s) ? s : d);
  return {
    matchBackground: hex(cssVar('--vscode-editor-findMatchHighlightBackground').slice(0, 7), '#623315'),
    matchOverviewRuler: '#d18616',
    activeMatchBackground: hex(cssVar('--vscode-editor-findMatchBackground').slice(0, 7), '#515c6a'),
    activeMatchColorOverviewRuler: '#ffd33d',
  };
}
