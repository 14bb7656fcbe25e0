// What the panel loads after its first paint: the codicon stylesheet and font, the VS Code elements
// (dist/elements.js: the buttons upgrade in place; styles.css draws them until then), and the log
// terminal (dist/terminal.js, xterm.js) when a log opens or the panel is idle. VS Code shows a webview only once its
// page has loaded, and every resource comes through its service worker, so the first paint fetches nothing.
// The panel's own script tag names these files (data-codicons, data-elements, data-terminal) and carries the CSP nonce.

/** What a log view needs from a terminal; terminal.ts implements it with xterm.js. */
export interface LogTerminal {
  /** appends text (ANSI sequences and "\r" are the terminal's) */
  write(text: string): void;
  reset(): void;
  /**
   * sets its height to `lines` (capped); with `fit`, also fits its width to its element (measuring
   * the element's style forces a layout: not for every append of a flood)
   */
  layout(lines: number, fit: boolean): void;
  /** selects the next (or previous) match; false when there is none */
  find(query: string, back: boolean): boolean;
  clearSearch(): void;
  onSearchResults(fn: (index: number, count: number) => void): void;
  selection(): string | undefined;
  dispose(): void;
}

export type CreateTerminal = (host: HTMLElement) => LogTerminal;

declare global {
  interface Window {
    bklCreateTerminal?: CreateTerminal;
  }
}

// Read while this bundle's own script runs: document.currentScript is null afterwards.
const ownScript = document.currentScript as HTMLScriptElement | null;
const url = ownScript?.dataset.terminal;
const nonce = ownScript?.nonce;

/** vscode-codicon-stylesheet is the id VS Code's webview toolkit looks codicons up by. */
export function loadCodicons(): void {
  const href = ownScript?.dataset.codicons;
  if (!href || document.getElementById('vscode-codicon-stylesheet')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.id = 'vscode-codicon-stylesheet';
  link.href = href;
  document.head.appendChild(link);
}

function addScript(src: string, onload: () => void, onerror: () => void): void {
  const script = document.createElement('script');
  if (nonce) script.nonce = nonce;
  script.src = src;
  script.onload = onload;
  script.onerror = onerror;
  document.head.appendChild(script);
}

/** The <vscode-*> elements the panel uses (webview/elements.ts); until they load, styles.css draws them. */
export function loadElements(): void {
  const src = ownScript?.dataset.elements;
  if (src && !customElements.get('vscode-button')) addScript(src, () => undefined, () => undefined);
}

let loading: Promise<CreateTerminal> | undefined;

export function loadTerminal(): Promise<CreateTerminal> {
  loading ??= new Promise<CreateTerminal>((resolve, reject) => {
    if (window.bklCreateTerminal) return resolve(window.bklCreateTerminal);
    if (!url) return reject(new Error('the log view is missing from this panel'));
    addScript(
      url,
      () => (window.bklCreateTerminal ? resolve(window.bklCreateTerminal) : reject(new Error('the log view did not load'))),
      () => reject(new Error('the log view could not be loaded')),
    );
  }).catch((e: Error) => {
    loading = undefined; // the next log opened tries again
    throw e;
  });
  return loading;
}

/** Loads the terminal once the panel has nothing else to do, so the first log opens at once. */
export function preloadTerminalWhenIdle(): void {
  const load = () => void loadTerminal().catch(() => undefined);
  if ('requestIdleCallback' in window) requestIdleCallback(load, { timeout: 2000 });
  else setTimeout(load, 500);
}
