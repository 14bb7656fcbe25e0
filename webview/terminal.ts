// The xterm.js side of a step's log, bundled on its own (dist/terminal.js, ~370 KiB of the panel's ~430):
// the panel paints its steps without it and loads it when a log opens or the panel is idle (deferred.ts).
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import type { LogTerminal } from './deferred';
import { LOG_SCROLLBACK } from './logLimits';

const MAX_ROWS = 24;
/** xterm's fit proposes this many columns for an element with no width */
const MIN_FIT_COLS = 2;
/** xterm parses each write() whole and yields between writes: pieces this size keep a flood's frames short. */
const WRITE_PIECE = 4 * 1024;
/** keys that scroll the log (xterm would send them as input, which a log has none of) */
const SCROLL_KEYS: Record<string, (t: Terminal) => void> = {
  PageUp: (t) => t.scrollPages(-1),
  PageDown: (t) => t.scrollPages(1),
  Home: (t) => t.scrollToTop(),
  End: (t) => t.scrollToBottom(),
  ArrowUp: (t) => t.scrollLines(-1),
  ArrowDown: (t) => t.scrollLines(1),
};

function createTerminal(host: HTMLElement): LogTerminal {
  const term = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    cursorStyle: 'bar',
    cursorInactiveStyle: 'none',
    scrollback: LOG_SCROLLBACK,
    rows: 1,
    fontSize: 12,
    fontFamily: cssVar('--vscode-editor-font-family') || 'monospace',
    theme: terminalTheme(),
    // the search addon's match highlights use the decorations API, which xterm gates as proposed
    allowProposedApi: true,
    // OSC 8 hyperlinks in build output must stay inert.
    linkHandler: { activate: () => undefined, allowNonHttpProtocols: false },
  });
  // The log takes no input, and xterm would swallow Tab, Escape and the workbench's shortcuts
  // (Ctrl+P, Ctrl+F, F1), trapping keyboard focus: it gets no key. The plain scrolling keys scroll it.
  term.attachCustomKeyEventHandler((e) => {
    const scroll = Object.hasOwn(SCROLL_KEYS, e.key) && !e.ctrlKey && !e.altKey && !e.metaKey ? SCROLL_KEYS[e.key] : undefined;
    if (scroll && e.type === 'keydown') {
      e.preventDefault();
      scroll(term);
    }
    return false;
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  let rows = 1;
  let opened = false;
  let disposed = false;
  let fitPending = true;
  const layout = (refit: boolean) => {
    if (rows !== term.rows) term.resize(term.cols, rows);
    fitPending ||= refit;
    if (!opened || !fitPending) return;
    fitPending = false;
    try {
      const dims = fit.proposeDimensions();
      // nothing to measure yet (a hidden panel or view gives no width, or xterm's minimum): try again next time
      if (!dims || !dims.cols || dims.cols <= MIN_FIT_COLS) fitPending = true;
      else if (dims.cols !== term.cols) term.resize(dims.cols, rows);
    } catch {
      fitPending = true; // not laid out yet (hidden panel): the next layout call fits it
    }
  };
  // Opening (the DOM renderer, its CSS, measuring the font) is the other half of creating a
  // terminal, and fitting it to the panel (another forced layout, then a redraw) a third: each in a
  // task of its own, since opening and fitting together took 44-61 ms on a busy machine (a Chrome
  // trace of the bench's flood). Writes before it are kept by the terminal.
  setTimeout(() => {
    if (disposed) return;
    term.open(host);
    syncScrollbarPerFrame(term);
    setTimeout(() => {
      if (disposed) return;
      opened = true;
      layout(true);
      measureAsciiGlyphs(term, () => disposed);
    }, 0);
  }, 0);
  return {
    write(text) {
      for (let i = 0; i < text.length; i += WRITE_PIECE) term.write(i === 0 && text.length <= WRITE_PIECE ? text : text.slice(i, i + WRITE_PIECE));
    },
    reset: () => term.reset(),
    layout(lines, refit) {
      rows = Math.max(1, Math.min(MAX_ROWS, lines + 1));
      layout(refit);
    },
    find(query, back) {
      try {
        const opts = { decorations: searchDecorations() };
        return back ? search.findPrevious(query, opts) : search.findNext(query, opts);
      } catch {
        // without highlights the selection still shows the match
        return back ? search.findPrevious(query) : search.findNext(query);
      }
    },
    clearSearch: () => search.clearDecorations(),
    onSearchResults: (fn) => void search.onDidChangeResults((r) => fn(r.resultIndex, r.resultCount)),
    selection: () => (term.hasSelection() ? term.getSelection() : undefined),
    dispose: () => {
      disposed = true;
      term.dispose();
    },
  };
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

/**
 * xterm's DOM renderer measures a glyph's width the first time it draws it, each with a forced
 * layout (its WidthCache), between building one row and the next: the first rows of a flood, 30-40
 * new glyphs, took 60-100 ms in one frame (a Chrome trace of the bench's flood). Printable ASCII is
 * measured right after opening instead, while the panel has nothing else to lay out, a quarter per
 * task (~20-40 ms in all). This reaches into xterm's internals, so it does nothing unless they look
 * as expected.
 */
function measureAsciiGlyphs(term: Terminal, stopped: () => boolean): void {
  type Renderer = { _widthCache?: { get?: (c: string, bold: boolean, italic: boolean) => number } };
  const core = (term as unknown as { _core?: { _renderService?: { _renderer?: { value?: Renderer } } } })._core;
  const cache = core?._renderService?._renderer?.value?._widthCache;
  if (typeof cache?.get !== 'function') return;
  const measure = (from: number) => {
    if (stopped() || from >= 0x7f) return;
    for (let c = from; c < Math.min(from + 24, 0x7f); c++) cache.get!(String.fromCharCode(c), false, false);
    setTimeout(() => measure(from + 24), 0);
  };
  setTimeout(() => measure(0x21), 0);
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

window.bklCreateTerminal = createTerminal;
