/**
 * Bundles the grader with its Web Worker entry into one minified ES module:
 *
 *   node scripts/build-grader.ts [outfile]      (default dist-grader/grader-worker.js; --help)
 *
 * and prints its size, raw and gzipped. The bundle must not carry anything Node-only; the
 * build fails if esbuild had to leave a `node:` import or a Node built-in in it.
 */
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { readArgs, UsageError } from './lib/args.ts';
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
  // hdr-histogram-js tries Node's zlib inside eval and falls back to its own compression when
  // that throws, as it does in the worker (see loadWorkerLibraries): not an import.
  const leak = nodeOnly.exec(text.replace(/eval\((["'])require\("zlib"\)\.(?:de|in)flateSync\1\)/g, ''));
  if (leak) throw new Error(`The worker bundle imports a Node module: ${leak[0]}`);
  return { outfile: target, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

const defaultOutfile = 'dist-grader/grader-worker.js';

const help = `Usage:
  node scripts/build-grader.ts [outfile]

Bundles the grader with its Web Worker entry into one minified ES module at <outfile>
(default ${defaultOutfile}) and prints its size, raw and gzipped. Fails if the bundle
carries a Node-only import.

Options:
  -h, --help       show this help`;

export function parseArgs(argv: readonly string[]): { outfile: string; help: boolean } {
  const { values, positionals } = readArgs(argv, { help: { type: 'boolean', short: 'h' } });
  if (positionals.length > 1) throw new UsageError(`Only one output file can be given (got ${positionals[0]} and ${positionals[1]}).`);
  return { outfile: positionals[0] ?? defaultOutfile, help: values.help ?? false };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/build-grader.ts --help for usage.`);
    return 2;
  }
  if (args.help) {
    console.log(help);
    return 0;
  }
  const built = await buildGraderWorker(args.outfile);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`${built.outfile}\n  raw  ${kb(built.rawBytes)} (${built.rawBytes} bytes)\n  gzip ${kb(built.gzipBytes)} (${built.gzipBytes} bytes)`);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
