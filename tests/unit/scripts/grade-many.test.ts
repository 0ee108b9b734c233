/**
 * `npm run grade` over several exercises, run as a learner or a team lead would run it, on the
 * fixture course in tests/fixtures/exercises (percentile, slo-check built on percentile,
 * token-bucket, weighted-pick): exit codes, the table, the JSON report and the JUnit file.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReport, type GradeReport } from '../../../scripts/lib/grade-report.ts';
import { waves } from '../../../scripts/lib/grade-many.ts';
import { loadExercise } from '../../../src/content/exercises.ts';

const projectRoot = resolve(import.meta.dirname, '../../..');
const script = join(projectRoot, 'scripts', 'grade.ts');
const fixtures = join(projectRoot, 'tests', 'fixtures');
const ids = ['percentile', 'slo-check', 'token-bucket', 'weighted-pick'];
let work: string;

function grade(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', FAULTLINES_EXERCISES_DIR: join(fixtures, 'exercises') }, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const read = (name: string): GradeReport => JSON.parse(readFileSync(join(work, name), 'utf8')) as GradeReport;

/** A report without what changes from run to run: the date and the times. */
const stable = (r: GradeReport): unknown => ({
  ...r,
  generatedAt: undefined,
  exercises: r.exercises.map((e) => ({ ...e, durationMs: undefined, tests: e.tests.map((t) => ({ ...t, durationMs: undefined })) })),
});

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'faultlines-grade-many-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('grading several exercises', { timeout: 120_000 }, () => {
  it('passes every solution, exits 0, and writes a report that checks and a JUnit file', async () => {
    const run = await grade('--all', '--solution', '--report', join(work, 'one.json'), '--junit', join(work, 'one.xml'));
    expect(run.code).toBe(0);
    const report = read('one.json');
    expect(checkReport(report)).toEqual([]);
    expect(report).toMatchObject({ source: 'solutions', seedRule: 'exercise', ok: true });
    expect(report.exercises.map((e) => [e.id, e.status])).toEqual(ids.map((id) => [id, 'passed']));
    for (const e of report.exercises) {
      expect(e.passed).toBe(e.total);
      expect(e.seed).toBe(loadExercise(e.id, { exercisesDir: join(fixtures, 'exercises'), solutionsDir: join(fixtures, 'solutions') }).meta.seed);
    }
    // slo-check builds on percentile, which passed in the same run: the solution's version is used.
    expect(report.exercises[1]!.components).toEqual([{ exercise: 'percentile', file: 'percentile.ts', source: 'yours' }]);
    expect(run.stdout).toMatch(/^exercise\s+result\s+tests\s+seed\s+time\s+first failure$/m);
    expect(run.stdout).toContain('4 of 4 exercise(s) passed.');
    const junit = readFileSync(join(work, 'one.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="Fault Lines" tests="\d+" failures="0"/);
  });

  it('gives the same report with two jobs as with one', async () => {
    const run = await grade('--all', '--solution', '--jobs', '2', '--report', join(work, 'two.json'));
    expect(run.code).toBe(0);
    expect(stable(read('two.json'))).toEqual(stable(read('one.json')));
  });

  it('fails every starter with exit 1, unless asked to report without failing', async () => {
    const run = await grade('--all', '--report', join(work, 'starters.json'));
    expect(run.code).toBe(1);
    const report = read('starters.json');
    expect(checkReport(report)).toEqual([]);
    expect(report).toMatchObject({ source: 'exercises', ok: false });
    expect(report.exercises.map((e) => e.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    // The starter percentile failed, so slo-check is graded with the reference.
    expect(report.exercises[1]!.components).toEqual([{ exercise: 'percentile', file: 'percentile.ts', source: 'reference' }]);
    expect(run.stdout).toContain('0 of 4 exercise(s) passed.');
    expect((await grade('percentile', 'token-bucket', '--no-fail')).code).toBe(0);
  });

  it('grades a folder laid out like exercises/, and reports an exercise without files as such', async () => {
    const cohort = join(work, 'alice');
    // Alice has done three of the four; token-bucket has no folder.
    for (const id of ['percentile', 'slo-check', 'weighted-pick']) cpSync(join(fixtures, 'solutions', id), join(cohort, id), { recursive: true });
    const run = await grade('--all', '--dir', cohort, '--report', join(work, 'alice.json'));
    expect(run.code).toBe(1);
    const report = read('alice.json');
    expect(report.source).toBe(cohort);
    expect(report.exercises.map((e) => [e.id, e.status])).toEqual([
      ['percentile', 'passed'],
      ['slo-check', 'passed'],
      ['token-bucket', 'missing'],
      ['weighted-pick', 'passed'],
    ]);
    expect(run.stdout).toMatch(/^token-bucket\s+no files/m);
  });

  it('draws a fresh seed for each exercise when the grade is for the record, and says so', async () => {
    const run = await grade('percentile', 'token-bucket', '--solution', '--record', '--report', join(work, 'record.json'));
    expect(run.code).toBe(0);
    const report = read('record.json');
    expect(report.seedRule).toBe('record');
    const practised = report.exercises.map((e) => loadExercise(e.id, { exercisesDir: join(fixtures, 'exercises'), solutionsDir: join(fixtures, 'solutions') }).meta.seed);
    expect(report.exercises.map((e) => e.seed)).not.toEqual(practised);
    for (const e of report.exercises) expect(Number.isInteger(e.seed) && e.seed >= 1).toBe(true);
    // The drawn seed is the one the tests read: weighted-pick's fixture checks that it is the exercise's.
    const pinned = await grade('weighted-pick', '--solution', '--record');
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/pick > runs with the seed from exercise\.json: AssertionError: expected \d+ to be 20240611/);
  });

  it('grades a learner whose file is the reference word for word (typed, or imported from the page), instead of refusing the exercise', async () => {
    const course = join(work, 'copied');
    cpSync(join(fixtures, 'exercises'), join(course, 'exercises'), { recursive: true });
    cpSync(join(fixtures, 'solutions'), join(course, 'solutions'), { recursive: true });
    cpSync(join(fixtures, 'solutions', 'percentile'), join(course, 'exercises', 'percentile'), { recursive: true });
    const run = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [script, 'percentile', 'slo-check'], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', FAULTLINES_EXERCISES_DIR: join(course, 'exercises') } }, (error, stdout) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    expect(run.stdout).toMatch(/^percentile\s+passed\s+5\/5/m);
    expect(run.code).toBe(1);
  });

  it('refuses an unknown exercise with exit 2 and the list of those there are', async () => {
    const run = await grade('percentile', 'nope');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('There is no exercise "nope". Available: percentile, slo-check, token-bucket, weighted-pick.');
  });
});

describe('the order of grading', () => {
  it('puts each exercise after those of the run whose components it uses', () => {
    const load = (id: string) => loadExercise(id, { exercisesDir: join(fixtures, 'exercises'), solutionsDir: join(fixtures, 'solutions') });
    const order = waves([load('slo-check'), load('token-bucket'), load('percentile')]).map((wave) => wave.map((e) => e.id));
    expect(order).toEqual([['token-bucket', 'percentile'], ['slo-check']]);
    // Without percentile in the run, slo-check waits for nothing.
    expect(waves([load('slo-check')]).map((wave) => wave.map((e) => e.id))).toEqual([['slo-check']]);
  });
});
