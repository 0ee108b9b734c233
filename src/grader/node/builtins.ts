/**
 * The bare modules exercises may import under the Node host. This is the one place that
 * maps them; the Worker host has its own hook in `../worker/worker-entry.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LibraryName } from '../libraries.ts';

/** The simulator's entry point in the source tree. */
export const simSourceEntry = fileURLToPath(new URL('../../sim/index.ts', import.meta.url));

/**
 * Loads the builtins for one grade. The simulator is imported lazily and only if it exists,
 * so the grader works (and exercises that do not use the simulator pass) before it lands.
 * `simEntry` may point at a bundled copy of the simulator, which loads faster.
 */
export async function loadNodeBuiltins(simEntry: string = simSourceEntry): Promise<Record<string, unknown>> {
  const builtins: Record<string, unknown> = {};
  if (existsSync(simEntry)) {
    builtins['@faultlines/sim'] = await import(pathToFileURL(simEntry).href);
  }
  return builtins;
}

/**
 * The libraries a grade offers (see ../libraries.ts), loaded before the grade locks the
 * realm's built-ins. Only the ones asked for are loaded.
 */
export async function loadNodeLibraries(names: readonly string[] = []): Promise<Record<string, unknown>> {
  const loaders: Record<LibraryName, () => Promise<unknown>> = {
    // The self-contained build: a copy of its own, apart from the simulator's histograms.
    'hdr-histogram-js': async () => (await import('hdr-histogram-js/dist/hdrhistogram.umd.js')).default,
  };
  const modules: Record<string, unknown> = {};
  for (const name of names) {
    if (Object.hasOwn(loaders, name)) modules[name] = await loaders[name as LibraryName]();
  }
  return modules;
}
