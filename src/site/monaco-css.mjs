import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const PREFIX = '\0faultlines-monaco-css:';

/** Packages whose CSS must arrive with their lazy JavaScript, never in a page's <head>. */
const lazyPackages = ['/node_modules/monaco-editor/', '/node_modules/@xterm/xterm/'];

/**
 * Monaco's modules import their own CSS files (and the terminal panel imports xterm's). Astro follows every import — dynamic ones
 * too — from a page's scripts and puts the CSS it finds into the page's <head> as
 * render-blocking stylesheets, so a lesson would wait for ~170 KB of editor CSS before it
 * could paint. This plugin turns each of those CSS imports into a small JS module that
 * adds the stylesheet when the editor's chunk actually runs, so the CSS travels inside the
 * lazy chunk. Relative url()s (the icon font) become asset imports so they still resolve.
 * @returns {import('vite').Plugin}
 */
export function monacoCssInJs() {
  return {
    name: 'faultlines:monaco-css-in-js',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (!importer || !source.endsWith('.css')) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      if (!resolved || !lazyPackages.some((p) => resolved.id.includes(p))) return null;
      // The id must not end in .css, or Vite's own CSS pipeline would take it back.
      return `${PREFIX}${resolved.id}.js`;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = id.slice(PREFIX.length, -'.js'.length);
      const css = readFileSync(file, 'utf8');
      const imports = [];
      const parts = [];
      let last = 0;
      for (const match of css.matchAll(/url\((['"]?)([^'")]+)\1\)/g)) {
        const target = match[2];
        if (/^(data:|https?:|#)/.test(target)) continue;
        const name = `asset${imports.length}`;
        imports.push(`import ${name} from ${JSON.stringify(resolve(dirname(file), target.split(/[?#]/)[0]) + '?url')};`);
        parts.push(JSON.stringify(css.slice(last, match.index)), `"url(" + ${name} + ")"`);
        last = match.index + match[0].length;
      }
      parts.push(JSON.stringify(css.slice(last)));
      return `${imports.join('\n')}
const style = document.createElement('style');
style.dataset.source = ${JSON.stringify(file.replace(/^.*node_modules\//, ''))};
style.textContent = ${parts.join(' + ')};
document.head.append(style);
`;
    },
  };
}
