/** Creates an element with the given properties and children: the page scripts' one DOM helper. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Anything with `querySelector`: an element, or a test's stand-in for one. */
export interface PartsRoot {
  querySelector(selector: string): Element | null;
}

/**
 * The parts of a server-rendered component, each found by its selector and typed. If any is
 * missing it throws, naming the component and every missing selector, so a change to the
 * markup that drops a part fails where the parts are bound, not later as "cannot read
 * properties of null".
 */
export function bindParts<T extends Record<keyof T, Element>>(root: PartsRoot, selectors: { readonly [K in keyof T]: string }, component: string): T {
  const parts: Record<string, Element> = {};
  const missing: string[] = [];
  for (const [name, selector] of Object.entries(selectors) as [string, string][]) {
    const found = root.querySelector(selector);
    if (found === null) missing.push(selector);
    else parts[name] = found;
  }
  if (missing.length > 0) {
    throw new Error(`The ${component} is missing ${missing.length === 1 ? 'a part' : `${missing.length} parts`}: ${missing.join(', ')}.`);
  }
  return parts as T;
}
