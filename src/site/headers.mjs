// The HTTP headers every page of the course is served with, in one place: the dev and
// preview servers, the `_headers` file for Netlify / Cloudflare Pages, and vercel.json
// are all produced from this module, and a test checks the served headers against it.

/**
 * Hosts the WebContainer runtime talks to. Its boot loads an iframe from StackBlitz and
 * opens connections to their servers; nothing else outside the site is allowed.
 */
const webcontainerHosts = ['https://*.stackblitz.com', 'https://stackblitz.com', 'https://*.webcontainer-api.io', 'https://*.webcontainer.io'];

/**
 * Content-Security-Policy directives. Why each exception exists:
 * - script-src 'wasm-unsafe-eval': Pagefind's search index runs as WebAssembly.
 * - script-src blob:: the grader's worker imports each of the learner's modules from a
 *   Blob URL, which avoids 'unsafe-eval'. A worker inherits no policy from the page; it
 *   gets the one sent with its own script, which is this one.
 * - style-src 'unsafe-inline': shiki colours tokens with inline style attributes, and
 *   Monaco creates style elements at run time; neither can carry a nonce on a static site.
 * - worker-src blob:: Monaco and the grader start module workers, some from Blob URLs.
 * - frame-src / connect-src: the WebContainer runtime (see above).
 * Everything else is same-origin only.
 * @type {Record<string, string[]>}
 */
export const cspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'", ...webcontainerHosts, 'wss://*.webcontainer-api.io'],
  'worker-src': ["'self'", 'blob:'],
  'frame-src': ["'self'", ...webcontainerHosts],
  'child-src': ["'self'", 'blob:', ...webcontainerHosts],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
};

/** @returns {string} the policy as a header value */
export function contentSecurityPolicy() {
  return Object.entries(cspDirectives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/**
 * Cross-origin isolation, which WebContainers need for SharedArrayBuffer. `require-corp`
 * rather than `credentialless`: the site loads nothing cross-origin except the
 * WebContainer iframe, which sends its own CORP headers, and `require-corp` is the
 * stricter of the two and supported by every browser that can run WebContainers.
 * @type {Record<string, string>}
 */
export const siteHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

/** @returns {string} the `_headers` file for Netlify and Cloudflare Pages */
export function netlifyHeadersFile() {
  const lines = ['/*', ...Object.entries(siteHeaders).map(([k, v]) => `  ${k}: ${v}`)];
  return lines.join('\n') + '\n';
}

/** @returns {{ headers: { source: string, headers: { key: string, value: string }[] }[] }} the `headers` section of vercel.json */
export function vercelConfig() {
  return {
    headers: [
      {
        source: '/(.*)',
        headers: Object.entries(siteHeaders).map(([key, value]) => ({ key, value })),
      },
    ],
  };
}
