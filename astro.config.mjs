// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { siteHeaders } from './src/site/headers.mjs';
import { staticHostHeaders } from './src/site/static-host-headers.mjs';
import { monacoCssInJs } from './src/site/monaco-css.mjs';

// The build tests build deliberately broken courses (see src/content/paths.ts) into
// folders of their own, so that they never touch the real site's output or cache.
const outDir = process.env.FAULTLINES_OUT_DIR ?? './dist';
const cacheDir = process.env.FAULTLINES_CACHE_DIR ?? './node_modules/.astro';

export default defineConfig({
  site: 'https://faultlines.example',
  outDir,
  cacheDir,
  trailingSlash: 'always',
  integrations: [mdx(), staticHostHeaders()],
  // The same headers in `npm run dev` and `npm run preview`: cross-origin isolation for
  // WebContainers, and the CSP the built site is held to.
  server: { headers: siteHeaders },
  markdown: {
    shikiConfig: {
      themes: { light: 'github-light', dark: 'github-dark' },
      wrap: false,
    },
  },
  build: {
    // Small stylesheets are inlined; larger ones are separate, cacheable files.
    inlineStylesheets: 'auto',
  },
  devToolbar: { enabled: false },
  vite: {
    plugins: [monacoCssInJs()],
    server: { headers: siteHeaders },
    build: {
      // Never inline scripts: the CSP allows same-origin script files only, so an inlined
      // script would be blocked. Other assets keep Vite's default limit.
      assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
    },
  },
});
