import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import config from '../../../astro.config.mjs';

const root = resolve(import.meta.dirname, '../../..');

/** Every module the browser code starts as a web worker, as paths from the repository root. */
function workerEntries(): string[] {
  const found = new Set<string>();
  for (const file of globSync('src/**/*.ts', { cwd: root })) {
    const text = readFileSync(resolve(root, file), 'utf8');
    for (const match of text.matchAll(/new Worker\(\s*new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g)) {
      found.add(relative(root, resolve(root, dirname(file), match[1]!)));
    }
  }
  return [...found].sort();
}

describe('the dev server', () => {
  it('scans every web worker for dependencies at start-up, so that opening an exercise or a simulation does not reload the page', () => {
    // Vite's scanner cannot follow `new Worker(new URL(…))`. A worker it does not scan has
    // its dependencies discovered only when it first starts, and Vite then re-optimises and
    // reloads the page under the learner.
    const workers = workerEntries();
    expect(workers).toContain('src/grader/worker/worker-entry.ts');
    const entries = config.vite?.optimizeDeps?.entries;
    const patterns = typeof entries === 'string' ? [entries] : (entries ?? []);
    const scanned = new Set(globSync(patterns, { cwd: root }));
    expect(workers.filter((worker) => !scanned.has(worker)), 'workers missing from vite.optimizeDeps.entries').toEqual([]);
    // The pages' own scripts must still be scanned too.
    expect([...scanned]).toContain('src/components/Exercise.astro');
  });
});
