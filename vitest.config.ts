import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The exercise's seed from its exercise.json; exercise tests read it with inject('seed'). */
    seed: number;
  }
}

/** Exercises import the simulator by this name, here as in the grader. */
const simEntry = fileURLToPath(new URL('./src/sim/index.ts', import.meta.url));
const exercisesDir = fileURLToPath(new URL('./exercises/', import.meta.url));

/**
 * One project per exercise, so that each runs with its own seed (`inject('seed')`) and its
 * own per-test timeout, exactly as the grader runs it. The metadata is read leniently: a
 * broken exercise.json must not stop the rest of the tests from running; the
 * exercise-validity suite reports it, naming the file. The starters fail by design, so these
 * projects are not part of `npm test`; run one with `npx vitest exercises/<id>`.
 */
export function exerciseProjects(dir: string = exercisesDir): TestProjectInlineConfiguration[] {
  if (!existsSync(dir)) return [];
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  return ids.map((id) => {
    let meta: { seed?: unknown; testTimeoutMs?: unknown } = {};
    try {
      meta = JSON.parse(readFileSync(join(dir, id, 'exercise.json'), 'utf8')) as typeof meta;
    } catch {
      // Defaults below; the validity suite names the broken file.
    }
    return {
      resolve: { alias: { '@faultlines/sim': simEntry } },
      test: {
        name: `exercises/${id}`,
        include: [`exercises/${id}/**/*.test.ts`],
        environment: 'node',
        ...(typeof meta.seed === 'number' ? { provide: { seed: meta.seed } } : {}),
        ...(typeof meta.testTimeoutMs === 'number' ? { testTimeout: meta.testTimeoutMs } : {}),
      },
    };
  });
}

// The unit and exercise suites need nothing but Node; the end-to-end suite serves the built
// site (`npm run build` first) and drives Debian's Chromium, so it is its own project and can
// be run alone with `--project e2e`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          setupFiles: ['tests/e2e/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One Chromium and one preview server serve every file; run the files in turn.
          fileParallelism: false,
        },
      },
      ...exerciseProjects(),
    ],
  },
});
