/**
 * The mutation workspace of one exercise: a folder outside the repository holding the
 * exercise's files with the reference solution laid over the editable ones, a vitest config
 * that runs the tests as the grader does, and the Stryker config that mutates the editable
 * files and runs those tests against each mutant.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesWith, type Exercise } from '../../../src/content/exercises.ts';

export const projectRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The simulator's source entry, which exercises import as `@faultlines/sim`. */
export const simEntry = join(projectRoot, 'src', 'sim', 'index.ts');

export type CoverageAnalysis = 'perTest' | 'all' | 'off';

export interface WorkspaceOptions {
  /** Stryker worker processes (test runners) at once. */
  readonly concurrency: number;
  readonly coverageAnalysis: CoverageAnalysis;
  /** The node_modules the workspace links to (default: the repository's). */
  readonly nodeModules?: string;
  /** What `@faultlines/sim` resolves to (default: the simulator's source). */
  readonly simEntry?: string;
}

/** Where Stryker writes its JSON report, relative to the workspace. */
export const REPORT_FILE = join('reports', 'mutation.json');
/** Stryker's console output, relative to the workspace. */
export const LOG_FILE = 'stryker.log';
export const STRYKER_CONFIG_FILE = 'stryker.config.json';
export const VITEST_CONFIG_FILE = 'vitest.config.mjs';
/** The vitest setup file that makes coverage analysis "all" or "off" mean what it says (see below). */
export const COVERAGE_SETUP_FILE = 'coverage-setup.mjs';

/** The editable files of an exercise: the only ones mutated. */
export function editableFiles(exercise: Exercise): string[] {
  return exercise.files.filter((f) => f.role === 'editable').map((f) => f.path);
}

/**
 * Stryker's coverage analysis decides which tests run against each mutant: "perTest" runs
 * only the tests that executed the mutated code in the first run, "all" runs every test
 * for each mutant that any test executed, "off" runs every test for every mutant. Its vitest
 * runner, though, records which test is running whatever the setting, and Stryker uses that
 * record whenever a runner reports one; so with vitest, "all" and "off" behave as "perTest".
 * The exercises' tests share work: a simulation runs once per file and several tests read
 * it, and only the first of them executes the code. Under "perTest" the others never run
 * against a mutant, and a mutant only they would catch is counted as survived.
 *
 * This setup file runs after Stryker's own (Stryker puts its own first). In Stryker's first
 * run it stops the record of the running test, so that everything the tests execute counts
 * for all of them ("all"), or stops the coverage record altogether ("off"). Outside Stryker
 * (plain `npx vitest` in the workspace) it does nothing.
 */
export function coverageSetup(coverage: Exclude<CoverageAnalysis, 'perTest'>): string {
  const field = coverage === 'all' ? 'currentTestId' : 'mutantCoverage';
  return [
    `// Written by scripts/mutate.ts: coverage analysis "${coverage}" with Stryker's vitest runner.`,
    `import { inject } from 'vitest';`,
    ``,
    `const namespace = inject('globalNamespace');`,
    `if (namespace !== undefined && inject('mode') === 'dry-run') {`,
    `  const stryker = globalThis[namespace] ?? (globalThis[namespace] = {});`,
    `  // Reads as undefined whatever Stryker writes to it.`,
    `  Object.defineProperty(stryker, '${field}', { configurable: true, get: () => undefined, set: () => {} });`,
    `}`,
    ``,
  ].join('\n');
}

/** The vitest config of a workspace: the exercise's tests, run as `npx vitest exercises/<id>` runs them. */
export function vitestConfig(
  exercise: Exercise,
  sim: string = simEntry,
  coverage: CoverageAnalysis = 'perTest',
  dir?: string,
): object {
  // Components of earlier exercises are written beside the workspace (`../ring/…`); Stryker
  // runs the tests in a sandbox inside it, so their imports are pointed at those folders.
  const components: Record<string, string> = {};
  if (dir !== undefined) {
    for (const path of Object.keys(exercise.dependencyFiles)) {
      const folder = path.split('/').slice(0, 2).join('/');
      components[folder] = resolve(dir, folder);
    }
  }
  return {
    // Vite's cache stays in the workspace (or Stryker's sandbox), not in the linked node_modules.
    cacheDir: '.vite',
    resolve: { alias: { '@faultlines/sim': sim, ...components } },
    test: {
      include: exercise.testFiles,
      environment: 'node',
      provide: { seed: exercise.meta.seed },
      testTimeout: exercise.meta.testTimeoutMs,
      watch: false,
      ...(coverage === 'perTest' ? {} : { setupFiles: [`./${COVERAGE_SETUP_FILE}`] }),
    },
  };
}

/** The Stryker config of a workspace: mutate the editable files, run the exercise's tests with vitest. */
export function strykerConfig(exercise: Exercise, options: WorkspaceOptions): Record<string, unknown> {
  return {
    testRunner: 'vitest',
    vitest: { configFile: VITEST_CONFIG_FILE },
    mutate: editableFiles(exercise),
    coverageAnalysis: options.coverageAnalysis,
    concurrency: options.concurrency,
    reporters: ['clear-text', 'json'],
    jsonReporter: { fileName: REPORT_FILE },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    allowConsoleColors: false,
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    ignorePatterns: [REPORT_FILE, LOG_FILE, '.vite'],
    // A mutant that makes a test slower than the exercise's own per-test limit is a timeout,
    // not a survivor; below that, Stryker's margin over the dry run's time applies.
    timeoutMS: Math.max(5_000, exercise.meta.testTimeoutMs),
    dryRunTimeoutMinutes: 5,
    disableTypeChecks: true,
    warnings: false,
  };
}

/**
 * Builds the workspace of one exercise in `dir` (created if needed): its files with the
 * solution's laid over the editable ones, a vitest config, a Stryker config, and a link to
 * the repository's node_modules so that Stryker, vitest and the tests resolve their packages.
 */
export function buildWorkspace(exercise: Exercise, dir: string, options: WorkspaceOptions): void {
  mkdirSync(dir, { recursive: true });
  // Components of earlier exercises sit beside the workspace (`../sharding-ring/ring.ts`), as the grader mounts them.
  for (const [path, source] of Object.entries(filesWith(exercise, exercise.solution))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(
    join(dir, VITEST_CONFIG_FILE),
    `// Written by scripts/mutate.ts for the exercise "${exercise.id}".\nexport default ${JSON.stringify(vitestConfig(exercise, options.simEntry ?? simEntry, options.coverageAnalysis, dir), null, 2)};\n`,
  );
  if (options.coverageAnalysis !== 'perTest') writeFileSync(join(dir, COVERAGE_SETUP_FILE), coverageSetup(options.coverageAnalysis));
  writeFileSync(join(dir, STRYKER_CONFIG_FILE), `${JSON.stringify(strykerConfig(exercise, options), null, 2)}\n`);
  symlinkSync(options.nodeModules ?? join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
}
