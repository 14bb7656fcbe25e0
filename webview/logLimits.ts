// Shared by the panel (webview.js) and its terminal (terminal.js).

/**
 * Lines a step's log terminal keeps. xterm.js holds ~12 bytes per cell of every line it keeps (a
 * 120-column line is ~1.4 KB, whatever its text), so 200,000 lines of a flood cost the panel ~300 MB
 * and long garbage-collector pauses; beyond this the whole log opens in an editor.
 */
export const LOG_SCROLLBACK = 10_000;

/** The text from the start of its last `n` lines (a final line without "\n" counts as one). */
export function lastLines(text: string, n: number): string {
  let i = text.length;
  if (text.endsWith('\n')) i--;
  for (let k = 0; k < n && i > 0; k++) i = text.lastIndexOf('\n', i - 1);
  return i < 0 ? text : text.slice(i + 1);
}
