import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { loadExercise } from './src/content/exercises.ts';
import { chooseComponents, localRecordPath, readLocalRecord, type ChosenComponent } from './src/grader/node/local-components.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The exercise's seed from its exercise.json; exercise tests read it with inject('seed'). */
    seed: number;
    /**
     * Absolute paths of the exercise's own modules other than tests and editable files (its
     * harness); the exercise setup file freezes their exports before the tests load.
     */
    harnessModules: string[];
  }
}

/** Exercises import the simulator by this name, here as in the grader. */
const simEntry = fileURLToPath(new URL('./src/sim/index.ts', import.meta.url));
const exercisesDir = fileURLToPath(new URL('./exercises/', import.meta.url));
/** Freezes the simulator and the harness before the learner's code loads (see src/grader/harden.ts). */
export const exerciseSetupFile = fileURLToPath(new URL('./src/grader/exercise-setup.ts', import.meta.url));

/**
 * The modules of an exercise folder the exercise setup file freezes: its scripts that are
 * neither tests nor editable, as exercise.json lists them (the grader freezes every module
 * that is not the learner's).
 */
export function harnessModules(folder: string, files: readonly { path?: unknown; role?: unknown }[]): string[] {
  return files
    .filter((f) => typeof f.path === 'string' && f.role !== 'editable' && /\.[mc]?[jt]s$/.test(f.path) && !/\.(test|spec)\.[mc]?[jt]s$/.test(f.path))
    .map((f) => join(folder, f.path as string));
}

/**
 * Carry-forward under `npx vitest exercises/<id>`: an import of an earlier exercise's
 * component (`../sharding-ring/ring.ts`) is resolved to the version the grader would use —
 * the learner's file when it is the one recorded as passing, the last passing version
 * otherwise, or the reference (`FAULTLINES_REFERENCE_DEPS=1` forces the reference). The
 * reference and saved copies import their exercise's other files from `exercises/<dep>/`.
 */
export function componentsPlugin(dir: string, id: string): Plugin | undefined {
  let chosen: ChosenComponent[];
  const solutionsDir = join(dir, '..', 'solutions');
  const root = join(dir, '..');
  try {
    const exercise = loadExercise(id, { exercisesDir: dir, solutionsDir });
    if (exercise.components.length === 0) return undefined;
    chosen = chooseComponents(exercise, {
      exercisesDir: dir,
      record: readLocalRecord(localRecordPath(root)),
      referenceDeps: process.env.FAULTLINES_REFERENCE_DEPS === '1',
    });
  } catch {
    // A broken exercise is reported by the validity suite; plain resolution here.
    return undefined;
  }
  const savedDir = join(root, '.faultlines', 'saved');
  const target = new Map<string, string>();
  for (const c of chosen) {
    const learnerPath = join(dir, c.component.exercise, c.component.file);
    if (c.source === 'yours') target.set(learnerPath, learnerPath);
    else if (c.source === 'reference') target.set(learnerPath, join(solutionsDir, c.component.exercise, c.component.file));
    else {
      const saved = join(savedDir, c.component.exercise, c.component.file);
      mkdirSync(dirname(saved), { recursive: true });
      writeFileSync(saved, c.text);
      target.set(learnerPath, saved);
    }
  }
  let told = false;
  const plugin: Plugin & { configureVitest?: (context: { defineCacheKeyGenerator: (generate: () => false) => void }) => void } = {
    name: 'faultlines-components',
    enforce: 'pre',
    // Which component a module imports depends on the learner's record, not on the module's
    // text, so vitest's file-system module cache would keep a stale choice: this project's
    // modules are never cached (they are a handful of small files).
    configureVitest({ defineCacheKeyGenerator }) {
      defineCacheKeyGenerator(() => false);
    },
    resolveId(source, importer) {
      if (!importer || !(source.startsWith('./') || source.startsWith('../'))) return null;
      const candidate = resolve(dirname(importer), source);
      const swapped = target.get(candidate);
      if (swapped !== undefined && !importer.startsWith(join(dir, relative(dir, dirname(candidate))) + sep)) {
        // Said once, when this exercise's tests first load a component (not on every vitest start).
        if (!told) {
          told = true;
          console.log(`exercises/${id} is built on:\n${chosen.map((c) => `  ${c.reason}`).join('\n')}`);
        }
        return swapped;
      }
      // The reference and saved copies sit apart from their exercise's read-only files.
      for (const base of [solutionsDir, savedDir]) {
        if (!importer.startsWith(base + sep) || existsSync(candidate)) continue;
        const inExercise = join(dir, relative(base, candidate));
        if (existsSync(inExercise)) return inExercise;
      }
      return null;
    },
  };
  return plugin;
}

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
    let meta: { seed?: unknown; testTimeoutMs?: unknown; files?: unknown } = {};
    try {
      meta = JSON.parse(readFileSync(join(dir, id, 'exercise.json'), 'utf8')) as typeof meta;
    } catch {
      // Defaults below; the validity suite names the broken file.
    }
    const plugin = componentsPlugin(dir, id);
    return {
      ...(plugin ? { plugins: [plugin] } : {}),
      resolve: { alias: { '@faultlines/sim': simEntry } },
      test: {
        name: `exercises/${id}`,
        include: [`exercises/${id}/**/*.test.ts`],
        environment: 'node',
        setupFiles: [exerciseSetupFile],
        provide: {
          ...(typeof meta.seed === 'number' ? { seed: meta.seed } : {}),
          harnessModules: harnessModules(join(dir, id), Array.isArray(meta.files) ? (meta.files as { path?: unknown; role?: unknown }[]) : []),
        },
        ...(typeof meta.testTimeoutMs === 'number' ? { testTimeout: meta.testTimeoutMs } : {}),
      },
    };
  });
}

// The unit and exercise suites need nothing but Node; the end-to-end suite serves the built
// site (`npm run build` first) and drives a Chromium (scripts/lib/find-chromium.ts finds it),
// so it is its own project and can be run alone with `--project e2e`.
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
