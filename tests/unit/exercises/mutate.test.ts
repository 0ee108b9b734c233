/**
 * `scripts/mutate.ts` mutation-tests each exercise in a workspace outside the repository. A full
 * Stryker run takes minutes, so these tests check the parts that decide whether its numbers mean
 * anything: the workspace holds the solution (not the starter) with the exercise's other files,
 * runs the tests as the grader does (seed, timeout, simulator), mutates only the editable files,
 * and the report is counted as Stryker counts it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExercise, type Exercise } from '../../../src/content/exercises.ts';
import { parseArgs } from '../../../scripts/mutate.ts';
import { duration } from '../../../scripts/lib/mutate/format.ts';
import { mutateExercise } from '../../../scripts/lib/mutate/run.ts';
import { summarise, type MutationReport } from '../../../scripts/lib/mutate/report.ts';
import {
  COVERAGE_SETUP_FILE,
  LOG_FILE,
  REPORT_FILE,
  STRYKER_CONFIG_FILE,
  VITEST_CONFIG_FILE,
  buildWorkspace,
  vitestConfig,
  type CoverageAnalysis,
} from '../../../scripts/lib/mutate/workspace.ts';
import { fixtureRoot, simEntry } from './helpers.ts';

const projectRoot = join(import.meta.dirname, '..', '..', '..');
const vitestCli = join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');
const base = mkdtempSync(join(tmpdir(), 'faultlines-mutate-test-'));

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const options = { concurrency: 2, coverageAnalysis: 'perTest' as const };

describe('the mutation workspace of an exercise', () => {
  const exercise = loadExercise('token-bucket', fixtureRoot);
  const dir = join(base, 'token-bucket');
  beforeAll(() => buildWorkspace(exercise, dir, options));

  it('holds the solution in place of the editable files, and every other file as it is', () => {
    expect(readFileSync(join(dir, 'bucket.ts'), 'utf8'), 'the editable file should be the solution').toBe(exercise.solution['bucket.ts']);
    for (const file of exercise.files.filter((f) => f.role !== 'editable')) {
      expect(readFileSync(join(dir, file.path), 'utf8'), `${file.path} should be copied unchanged`).toBe(file.starter);
    }
  });

  it('mutates the editable files only, with the vitest runner and a report Stryker writes inside the workspace', () => {
    const config = JSON.parse(readFileSync(join(dir, STRYKER_CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      testRunner: 'vitest',
      vitest: { configFile: VITEST_CONFIG_FILE },
      mutate: ['bucket.ts'],
      coverageAnalysis: 'perTest',
      concurrency: 2,
      jsonReporter: { fileName: REPORT_FILE },
      tempDirName: '.stryker-tmp',
    });
    expect(config.reporters).toEqual(expect.arrayContaining(['clear-text', 'json']));
    expect(config.ignorePatterns).toEqual(expect.arrayContaining([REPORT_FILE, LOG_FILE]));
    expect(config.timeoutMS, 'no shorter than the exercise’s own per-test limit').toBeGreaterThanOrEqual(exercise.meta.testTimeoutMs);
  });

  it('runs the tests with the exercise’s seed and per-test timeout, and the simulator as @faultlines/sim', async () => {
    const written = ((await import(pathToFileURL(join(dir, VITEST_CONFIG_FILE)).href)) as { default: unknown }).default;
    expect(written).toEqual(vitestConfig(exercise));
    expect(written).toMatchObject({
      resolve: { alias: { '@faultlines/sim': simEntry } },
      test: { include: ['bucket.test.ts', 'refill.test.ts'], provide: { seed: 3 }, testTimeout: 2_000 },
    });
  });

  it('links the repository’s node_modules, so Stryker, vitest and the tests resolve their packages', () => {
    expect(realpathSync(join(dir, 'node_modules'))).toBe(realpathSync(join(projectRoot, 'node_modules')));
  });

  it('passes its tests under vitest, outside the repository (the run Stryker starts from)', async () => {
    // weighted-pick reads inject('seed') and imports @faultlines/sim: both must work from the workspace.
    const pick = loadExercise('weighted-pick', fixtureRoot);
    const pickDir = join(base, 'weighted-pick');
    buildWorkspace(pick, pickDir, options);
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [vitestCli, 'run', '--root', pickDir], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, output: `${stdout}\n${stderr}` }),
      );
    });
    expect(result.code, result.output.slice(-3000)).toBe(0);
    expect(existsSync(join(pickDir, '.vite')), 'vite’s cache should stay in the workspace, not in the linked node_modules').toBe(true);
  }, 60_000);
});

/**
 * Tests that share work, as the exercises' do: the first test computes a result once and the
 * next reads it. Only the first executes `label`, so Stryker's per-test coverage says that only
 * it can kill a mutant of `label`, and it checks too little to kill any. The second test
 * catches every one of them.
 */
function sharedWorkExercise(): Exercise {
  const base = loadExercise('token-bucket', fixtureRoot);
  const solution = "export const label = (mode: string): string => (mode === 'sync' ? 'both' : 'one');\n";
  const test = [
    "import { expect, it } from 'vitest';",
    "import { label } from './mode.ts';",
    '',
    'let labels: Record<string, string> | undefined;',
    "const run = (): Record<string, string> => (labels ??= { sync: label('sync'), async: label('async') });",
    '',
    "it('labels both modes', () => expect(Object.keys(run())).toHaveLength(2));",
    "it('labels each mode right', () => expect(run()).toEqual({ sync: 'both', async: 'one' }));",
    '',
  ].join('\n');
  return {
    ...base,
    id: 'shared-work',
    files: [
      { path: 'mode.ts', role: 'editable', starter: "export const label = (mode: string): string => '';\n" },
      { path: 'mode.test.ts', role: 'readonly', starter: test },
    ],
    testFiles: ['mode.test.ts'],
    solution: { 'mode.ts': solution },
    components: [],
    dependencyFiles: {},
  };
}

describe('coverage analysis "all" and "off" with tests that share work', () => {
  const exercise = sharedWorkExercise();
  const mutate = (coverageAnalysis: CoverageAnalysis) =>
    mutateExercise(exercise, { concurrency: 1, coverageAnalysis, timeoutMs: 150_000, keep: false, baseDir: join(base, coverageAnalysis) });

  it('writes a setup file for "all" and "off" only, named in the vitest config', () => {
    for (const coverage of ['perTest', 'all', 'off'] as const) {
      const dir = join(base, `setup-${coverage}`);
      buildWorkspace(exercise, dir, { concurrency: 1, coverageAnalysis: coverage });
      expect(existsSync(join(dir, COVERAGE_SETUP_FILE)), coverage).toBe(coverage !== 'perTest');
      expect(vitestConfig(exercise, simEntry, coverage)).toMatchObject({ test: coverage === 'perTest' ? {} : { setupFiles: [`./${COVERAGE_SETUP_FILE}`] } });
    }
  });

  // Each runs Stryker on seven mutants: under ten seconds.
  for (const coverage of ['all', 'off'] as const) {
    it(`runs every test against each mutant with --coverage ${coverage}, so the second test kills them all`, async () => {
      const result = await mutate(coverage);
      expect(result.status, result.detail).toBe('complete');
      expect(result.summary?.counts.total).toBeGreaterThanOrEqual(6);
      expect(result.summary?.survivors).toEqual([]);
      expect(result.summary?.score).toBe(100);
    }, 180_000);
  }

  it('counts them as survived with --coverage perTest, which trusts each test to have executed what it reads', async () => {
    const result = await mutate('perTest');
    expect(result.status, result.detail).toBe('complete');
    // Every mutant of the comparison and of the labels survives; the first test only counts labels.
    expect(result.summary?.survivors.map((m) => m.original)).toEqual(expect.arrayContaining(["mode === 'sync'", "'sync'", "'both'", "'one'"]));
    expect(result.summary?.counts.survived).toBeGreaterThanOrEqual(6);
  }, 180_000);
});

describe('reading a Stryker report', () => {
  const source = ['export function f(a: number): number {', '  if (a < 1) return 0;', '  return a * 2;', '}'].join('\n');
  const at = (line: number, column: number, endColumn: number) => ({ start: { line, column }, end: { line, column: endColumn } });
  const report: MutationReport = {
    files: {
      'f.ts': {
        source,
        mutants: [
          { id: '1', mutatorName: 'EqualityOperator', replacement: 'a <= 1', status: 'Survived', location: at(2, 7, 12) },
          { id: '2', mutatorName: 'ArithmeticOperator', replacement: 'a / 2', status: 'Killed', location: at(3, 10, 15) },
          { id: '3', mutatorName: 'ConditionalExpression', replacement: 'true', status: 'Timeout', location: at(2, 7, 12) },
          { id: '4', mutatorName: 'BlockStatement', replacement: '{}', status: 'NoCoverage', location: at(1, 38, 39) },
          { id: '5', mutatorName: 'StringLiteral', replacement: '""', status: 'CompileError', location: at(3, 3, 9) },
          { id: '6', mutatorName: 'ConditionalExpression', replacement: 'false', status: 'Ignored', location: at(2, 7, 12) },
        ],
      },
    },
  };

  it('counts mutants by outcome and scores killed and timed-out ones over the valid ones, as Stryker does', () => {
    const { counts, score } = summarise(report);
    expect(counts).toEqual({ total: 6, killed: 1, survived: 1, timedOut: 1, noCoverage: 1, errors: 1, ignored: 1 });
    expect(score).toBeCloseTo(50, 10);
  });

  it('lists the mutants not killed in file order, with the code they replaced', () => {
    expect(summarise(report).survivors).toEqual([
      { file: 'f.ts', line: 1, column: 38, mutator: 'BlockStatement', status: 'NoCoverage', original: '{', replacement: '{}' },
      { file: 'f.ts', line: 2, column: 7, mutator: 'EqualityOperator', status: 'Survived', original: 'a < 1', replacement: 'a <= 1' },
    ]);
  });

  it('has no score when no mutant was valid', () => {
    expect(summarise({ files: {} }).score).toBeNull();
  });
});

describe('the command line of scripts/mutate.ts', () => {
  it('takes exercise ids and options', () => {
    expect(parseArgs(['a', 'b', 'a', '--json', 'out.json', '--timeout-min', '2.5', '--concurrency', '1', '--coverage', 'all', '--keep'])).toEqual({
      ids: ['a', 'b'],
      json: 'out.json',
      timeoutMin: 2.5,
      concurrency: 1,
      coverage: 'all',
      keep: true,
      help: false,
    });
  });

  it('rejects unknown options and bad values', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/Unknown option --fast/);
    expect(() => parseArgs(['--json'])).toThrow(/--json needs a value/);
    expect(() => parseArgs(['--concurrency', '1.5'])).toThrow(/positive whole number/);
    expect(() => parseArgs(['--timeout-min', '0'])).toThrow(/positive number/);
    expect(() => parseArgs(['--coverage', 'some'])).toThrow(/perTest, all or off/);
  });

  it('prints durations as minutes and seconds', () => {
    expect([duration(0), duration(59_600), duration(359_700), duration(61_000)]).toEqual(['0m00s', '1m00s', '6m00s', '1m01s']);
  });
});
