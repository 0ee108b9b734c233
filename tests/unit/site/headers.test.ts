import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, netlifyHeadersFile, siteHeaders, vercelConfig } from '../../../src/site/headers.mjs';

describe('site headers', () => {
  it('isolate the site cross-origin, as WebContainers require', () => {
    expect(siteHeaders['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(siteHeaders['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });

  it('allow scripts from the site itself (and its Blob URLs) only: no inline script and no eval', () => {
    const scriptSrc = contentSecurityPolicy().split('; ').find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(contentSecurityPolicy()).not.toContain("'unsafe-eval'");
    expect(contentSecurityPolicy()).toContain("object-src 'none'");
  });

  it('are written the same way for Netlify, Cloudflare Pages and Vercel', () => {
    const netlify = netlifyHeadersFile().trimEnd().split('\n');
    expect(netlify[0]).toBe('/*');
    const fromNetlify = Object.fromEntries(netlify.slice(1).map((l) => l.trim().split(/: (.*)/s).slice(0, 2)));
    const fromVercel = Object.fromEntries(vercelConfig().headers[0]!.headers.map((h) => [h.key, h.value]));
    expect(fromNetlify).toEqual(siteHeaders);
    expect(fromVercel).toEqual(siteHeaders);
  });
});
