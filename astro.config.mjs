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

/** Vite's default: a chunk over this many kB (minified, before compression) deserves a look. */
const chunkSizeLimitKb = 500;

/**
 * Chunks known to be large, and loaded only when the learner reaches an exercise (so they
 * stay off a lesson's initial load, as DESIGN.md's budgets require). A chunk is one of them
 * when its entry module matches, or when most of its code comes from matching modules.
 * @type {Array<(id: string) => boolean>}
 */
const knownLargeChunks = [
  // The editor core, its language support and its workers; the TypeScript worker alone
  // carries the TypeScript compiler (about 7 MB minified).
  (id) => id.includes('/node_modules/monaco-editor/'),
  // The grader's worker: vitest's engine packages, chai, sucrase and the simulator, one
  // bundle on purpose, since a run needs all of it (about 115 KB compressed).
  (id) => id.endsWith('/src/grader/worker/worker-entry.ts'),
];

/**
 * Vite's own chunk-size warning names no chunk and cannot be told which chunks are large on
 * purpose, so it is switched off (`chunkSizeWarningLimit` below) and this check takes its
 * place: it warns, naming the chunk, about any chunk over the limit that is not built
 * from `knownLargeChunks`. It also checks the web workers' bundles, which Vite's does not.
 * @returns {import('vite').Plugin}
 */
function chunkSizeCheck() {
  return {
    name: 'faultlines:chunk-size-check',
    apply: 'build',
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const kb = Buffer.byteLength(chunk.code) / 1000;
        if (kb <= chunkSizeLimitKb) continue;
        // A chunk is expected to be large when most of its code comes from known modules.
        const modules = Object.entries(chunk.modules);
        const total = modules.reduce((sum, [, m]) => sum + m.renderedLength, 0);
        const known = modules.filter(([id]) => knownLargeChunks.some((test) => test(id))).reduce((sum, [, m]) => sum + m.renderedLength, 0);
        const entryIsKnown = chunk.facadeModuleId !== null && knownLargeChunks.some((test) => test(chunk.facadeModuleId ?? ''));
        if (entryIsKnown || known > total / 2) continue;
        const heaviest = modules.sort((a, b) => b[1].renderedLength - a[1].renderedLength).slice(0, 3).map(([id]) => id);
        this.warn(`${chunk.fileName} is ${Math.round(kb)} kB minified (limit ${chunkSizeLimitKb} kB); its largest modules: ${heaviest.join(', ')}. Split it or load it lazily.`);
      }
    },
  };
}

/**
 * Warnings from the build that are understood, each matched precisely so that anything
 * new still shows.
 * @param {{ code?: string, message: string, id?: string }} warning
 */
function isUnderstoodWarning(warning) {
  // @astrojs/mdx marks a lesson's propagated-assets module with a "use astro:head-inject"
  // directive, which Astro reads from the source before bundling; the bundler warns,
  // correctly and harmlessly, that it does not keep such a directive in its output.
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('"use astro:head-inject"') && /\.mdx\b/.test(warning.message)) return true;
  return false;
}

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
    plugins: [monacoCssInJs(), chunkSizeCheck()],
    optimizeDeps: {
      // In `npm run dev`, Vite pre-bundles the dependencies it finds by scanning the pages'
      // scripts, but it cannot see through `new Worker(new URL(…))`. The grader's worker
      // (vitest's engine, chai, sucrase) and the simulation workers (the simulator's
      // histogram) were found only when an exercise or a simulation first started, and
      // Vite then reloaded the page mid-load to re-optimise. Scanning the workers too
      // finds them at start-up.
      entries: ['src/**/*.astro', 'src/grader/worker/worker-entry.ts', 'src/runtime/visual/*-worker.ts'],
    },
    // Web workers are bundled on their own; check their chunks the same way.
    worker: { plugins: () => [chunkSizeCheck()], rolldownOptions: { checks: { bundlerTimings: false } } },
    server: { headers: siteHeaders },
    build: {
      // Never inline scripts: the CSP allows same-origin script files only, so an inlined
      // script would be blocked. Other assets keep Vite's default limit.
      assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
      // Replaced by chunkSizeCheck(), which knows which chunks are large on purpose.
      chunkSizeWarningLimit: Number.POSITIVE_INFINITY,
      rolldownOptions: {
        onwarn(warning, warn) {
          if (!isUnderstoodWarning(warning)) warn(warning);
        },
        checks: {
          // A profiling hint ("JavaScript callbacks ran for 60ms of this 9s build") whose
          // share swings with the machine's load; `npm run bench` is where timing lives.
          bundlerTimings: false,
        },
      },
    },
  },
});
