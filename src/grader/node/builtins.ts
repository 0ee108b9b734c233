/**
 * The bare modules exercises may import under the Node host. This is the one place that
 * maps them; the Worker host has its own hook in `../worker/worker-entry.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
