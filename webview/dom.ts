// A tiny element builder. Text always goes in through textContent, never innerHTML: step names,
// logs and errors come from the build and must stay inert.
type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // Event handler attributes would turn data into code.
    if (/^on/i.test(k)) throw new Error(`refusing attribute ${k}`);
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function icon(name: string, extra = ''): HTMLElement {
  return h('span', { class: `codicon codicon-${name} ${extra}`.trim(), 'aria-hidden': 'true' });
}

/**
 * A <vscode-button>. Icon and label are its content (not its icon attribute), so it reads the same
 * before the element library has loaded (styles.css draws it) and after it upgrades in place.
 */
export function button(label: string, codicon: string, opts: { secondary?: boolean; id?: string; class?: string; title?: string } = {}): HTMLElement {
  return h('vscode-button', { id: opts.id, class: opts.class, title: opts.title, secondary: opts.secondary }, icon(codicon), ` ${label}`);
}

/** A <vscode-toolbar-button> showing one codicon (upgrades in place like button()). */
export function toolbarButton(codicon: string, title: string): HTMLElement {
  return h('vscode-toolbar-button', { title, 'aria-label': title }, icon(codicon));
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
