/**
 * Bundles the grader with its Web Worker entry into one minified ES module:
 *
 *   node scripts/build-grader.ts [outfile]      (default dist-grader/grader-worker.js)
 *
 * and prints its size, raw and gzipped. The bundle must not carry anything Node-only; the
 * build fails if esbuild had to leave a `node:` import or a Node built-in in it.
 */
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { isMain } from './lib/main.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const entry = resolve(projectRoot, 'src/grader/worker/worker-entry.ts');

/** Node built-ins that must never appear in the worker bundle. */
const nodeOnly = /\b(?:require\(["'](?:node:)?(?:fs|path|os|child_process|util|url|module|worker_threads|zlib)["']\)|from\s*["']node:|import\(["']node:)/;

/** `import text from './file.ts?raw'`, as Vite reads it: the file's text as the default export. */
const rawText: Plugin = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

export interface BuiltBundle {
  readonly outfile: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

/** Builds the worker bundle to `outfile` and returns its sizes. */
export async function buildGraderWorker(outfile: string): Promise<BuiltBundle> {
  const target = resolve(outfile);
  mkdirSync(dirname(target), { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile: target,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [rawText],
    // Libraries read these to pick a mode or to detect colour support; in a worker they
    // are constants, and leaving `process` undefined keeps Node detection paths off.
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env.FORCE_COLOR': 'undefined',
      'process.env.NO_COLOR': '"1"',
    },
  });
  for (const warning of result.warnings) console.warn(`esbuild: ${warning.text}`);
  const code = readFileSync(target);
  const text = code.toString('utf8');
  const leak = nodeOnly.exec(text);
  if (leak) throw new Error(`The worker bundle imports a Node module: ${leak[0]}`);
  return { outfile: target, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (isMain(import.meta.url)) {
  const out = process.argv[2] ?? 'dist-grader/grader-worker.js';
  const built = await buildGraderWorker(out);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`${built.outfile}\n  raw  ${kb(built.rawBytes)} (${built.rawBytes} bytes)\n  gzip ${kb(built.gzipBytes)} (${built.gzipBytes} bytes)`);
}
