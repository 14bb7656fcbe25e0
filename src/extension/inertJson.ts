// Data for a page, inside a <script type="application/json"> element (panelHtml.ts).

/**
 * JSON that cannot end or change its <script> element: every "<" is written as \u003c, so no
 * "</script>" or "<!--" in a value (a step named after a log line, say) reaches the HTML parser.
 * JSON.parse reads \u003c back as "<".
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
