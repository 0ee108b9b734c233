import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradeResult } from '../../../src/grader/index.ts';
import { fixturesDir, materializeFixture } from './fixtures.ts';

const script = fileURLToPath(new URL('../../../scripts/grade.ts', import.meta.url));
/** The fixture exercises in the real format, with their solutions in `../solutions/`. */
const fixtureExercises = fileURLToPath(new URL('../../fixtures/exercises/', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** Runs the script; `exercisesDir` stands in for `exercises/` (and its `solutions/` beside it). */
function grade(args: readonly string[], exercisesDir?: string): Promise<Run> {
  const started = performance.now();
  const env = exercisesDir === undefined ? process.env : { ...process.env, FAULTLINES_EXERCISES_DIR: exercisesDir };
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { maxBuffer: 16 * 1024 * 1024, env }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

/** A learner folder that fixes the failing fixture's bug, plus an edited test file that must be ignored. */
function learnerFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-learner-'));
  writeFileSync(
    join(dir, 'balancer.ts'),
    [
      'export function assign(keys: readonly string[], shards: number): Record<string, number> {',
      '  const out: Record<string, number> = {};',
      '  keys.forEach((key, i) => { out[key] = i % shards; });',
      '  return out;',
      '}',
      'export function describeShard(shard: number): { id: number; replicas: string[] } {',
      "  return { id: shard, replicas: ['a', 'b', 'c'] };",
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'balancer.spec.ts'), "import { it } from 'vitest';\nit('was edited by the learner', () => {});\n");
  return dir;
}

/**
 * A copy of the fixture exercises with one more: `slow-bucket`, the token bucket with a test
 * that outlives its 1 s test timeout, then tests that each stay within it but together
 * outlast the 5 s run limit. It proves that the script takes both limits from
 * exercise.json, and that the run limit holds however the time is split between tests. The
 * busy tests outlast the limit by about 3 s, so a child that is slow to start on a loaded
 * machine is still stopped inside one of them.
 */
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function exercisesWithLimits(): string {
  const root = mkdtempSync(join(tmpdir(), 'faultlines-exercises-'));
  temporary.push(root);
  cpSync(fixtureExercises, join(root, 'exercises'), { recursive: true });
  cpSync(join(fixtureExercises, '..', 'solutions'), join(root, 'solutions'), { recursive: true });
  const dir = join(root, 'exercises', 'slow-bucket');
  cpSync(join(root, 'exercises', 'token-bucket'), dir, { recursive: true });
  cpSync(join(root, 'solutions', 'token-bucket'), join(root, 'solutions', 'slow-bucket'), { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'exercise.json'), 'utf8')) as { files: { path: string; role: string }[] };
  meta.files.push({ path: 'limits.test.ts', role: 'readonly' });
  writeFileSync(join(dir, 'exercise.json'), JSON.stringify({ ...meta, testTimeoutMs: 1_000, runTimeoutMs: 5_000 }, null, 2));
  writeFileSync(
    join(dir, 'limits.test.ts'),
    [
      "import { it } from 'vitest';",
      "it('waits longer than the test timeout', () => new Promise((done) => setTimeout(done, 1_500)));",
      'const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) {} };',
      "for (let i = 1; i <= 8; i++) it(`takes most of its time limit (${i})`, () => busy(800));",
      '',
    ].join('\n'),
  );
  return join(root, 'exercises');
}

/** A learner's folder for the token bucket: a fixed bucket, an edited test and a stray helper. */
function bucketLearnerFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-learner-'));
  temporary.push(dir);
  cpSync(join(fixtureExercises, '..', 'solutions', 'token-bucket', 'bucket.ts'), join(dir, 'bucket.ts'));
  writeFileSync(join(dir, 'refill.test.ts'), "import { it } from 'vitest';\nit('was edited by the learner', () => {});\n");
  writeFileSync(join(dir, 'helper.ts'), 'export const unused = 1;\n');
  return dir;
}

/** A percentile.ts that answers from the exercise's hidden samples instead of computing. */
function peekingLearnerFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-learner-'));
  temporary.push(dir);
  const solution = readFileSync(join(fixtureExercises, '..', 'solutions', 'percentile', 'percentile.ts'), 'utf8');
  writeFileSync(join(dir, 'percentile.ts'), `import { slowBackend } from './samples.ts';\nexport const peeked = slowBackend.length;\n${solution}`);
  return dir;
}

const runs: Record<string, Run> = {};

beforeAll(async () => {
  const jobs: Record<string, readonly string[]> = {
    passing: ['--tests', join(fixturesDir, 'passing')],
    failing: ['--tests', join(fixturesDir, 'failing-assertions')],
    json: ['--tests', join(fixturesDir, 'failing-assertions'), '--json'],
    overlay: ['--tests', join(fixturesDir, 'failing-assertions'), '--dir', learnerFolder(), '--json'],
    syntax: ['--tests', materializeFixture('syntax-error')],
    // 5 s: time for a child that is slow to start on a loaded machine to reach the loop.
    loop: ['--tests', join(fixturesDir, 'infinite-loop'), '--deadline-s', '5'],
    unknown: ['no-such-exercise'],
    badFlag: ['--tests', join(fixturesDir, 'passing'), '--colour'],
    help: ['--help'],
  };
  const limits = exercisesWithLimits();
  const exerciseJobs: Record<string, readonly string[]> = {
    starter: ['percentile', '--json'],
    solution: ['percentile', '--solution', '--json'],
    seeded: ['weighted-pick', '--json'],
    reseeded: ['weighted-pick', '--seed', '7', '--json'],
    learner: ['token-bucket', '--dir', bucketLearnerFolder(), '--json'],
    peeking: ['percentile', '--dir', peekingLearnerFolder(), '--json'],
    limits: ['slow-bucket', '--json'],
    missing: ['no-such-exercise'],
  };
  // A second copy, with a file that exercise.json does not list.
  const brokenRoot = exercisesWithLimits();
  writeFileSync(join(brokenRoot, 'percentile', 'stray.ts'), 'export {};\n');
  const entries = await Promise.all([
    ...Object.entries(jobs).map(async ([name, args]) => [name, await grade(args)] as const),
    ...Object.entries(exerciseJobs).map(async ([name, args]) => [name, await grade(args, limits)] as const),
    (async () => ['broken', await grade(['percentile'], brokenRoot)] as const)(),
  ]);
  for (const [name, run] of entries) runs[name] = run;
}, 60_000);

function run(name: string): Run {
  const found = runs[name];
  if (!found) throw new Error(`no run named ${name}`);
  return found;
}

describe('node scripts/grade.ts', () => {
  it('prints a tick per passing test and exits 0 when every test passes', () => {
    const { code, stdout } = run('passing');
    expect(code).toBe(0);
    expect(stdout).toContain('  ✓ pick > chooses the least loaded backend');
    expect(stdout).toContain('  ↓ is skipped on purpose');
    expect(stdout).toContain('  ○ measures p99 under a slow backend (todo)');
    expect(stdout).toMatch(/PASS {2}Tests 9 passed, 2 skipped \(11\) {2}· {2}\d+ ms \(tests \d+ ms\) {2}· {2}host node/);
  });

  it('prints the message, location and diff of each failure and exits 1', () => {
    const { code, stdout } = run('failing');
    expect(code).toBe(1);
    expect(stdout).toContain(
      [
        '  ✗ assign > spreads three keys over three shards',
      ].join('\n'),
    );
    expect(stdout).toContain(
      [
        '      AssertionError: expected { x: +0, y: 1, z: +0 } to deeply equal { x: +0, y: 1, z: 2 }',
        '      at balancer.spec.ts:6:40',
        '',
        '      - Expected',
        '      + Received',
      ].join('\n'),
    );
    expect(stdout).toContain('      -   "z": 2,\n      +   "z": 0,');
    expect(stdout).not.toMatch(/\u001b\[/);
    expect(stdout).toMatch(/FAIL {2}Tests 0 passed, 6 failed \(6\)/);
  });

  it('prints the result as JSON with --json, marked as graded by the node host', () => {
    const { code, stdout } = run('json');
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as GradeResult;
    expect(result.host).toBe('node');
    expect(result.summary).toEqual({ passed: 0, failed: 6, skipped: 0, total: 6 });
    expect(result.hostDurationMs).toBeGreaterThanOrEqual(result.durationMs);
  });

  it('grades the learner files from --dir against the exercise tests, ignoring edited test files', () => {
    const { code, stdout } = run('overlay');
    const result = JSON.parse(stdout) as GradeResult;
    expect(result.tests.map((t) => t.title)).not.toContain('was edited by the learner');
    expect(result.tests.find((t) => t.title === 'spreads three keys over three shards')?.status).toBe('pass');
    expect(result.tests.find((t) => t.title === 'describes a shard with three replicas')?.status).toBe('pass');
    // The fixture's other tests fail whatever the learner writes.
    expect(code).toBe(1);
  });

  it('shows a syntax error with a code frame', () => {
    const { code, stdout } = run('syntax');
    expect(code).toBe(1);
    expect(stdout).toContain('[syntax] SyntaxError: Unexpected token, expected "," (router.ts:8:34) at router.ts:8:34');
    expect(stdout).toContain('>  8 | export function broken(a: number {');
  });

  it('kills a synchronous infinite loop at the deadline and names the test that was running', () => {
    const { code, stdout, elapsedMs } = run('loop');
    expect(code).toBe(1);
    expect(stdout).toContain('  ✓ finishes quickly');
    expect(stdout).toContain('  ✗ spins until the deadline');
    expect(stdout).toMatch(
      /Stopped after 5\.\d s while running "spins until the deadline": the whole run may take 5 s, and the code did not finish\./,
    );
    // The loop never ends by itself, so finishing at all proves the kill; the bound is loose
    // because these runs share a busy machine, and the bench measures the host's speed.
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('exits 2 and lists the available exercises for an unknown id', () => {
    const { code, stderr } = run('unknown');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^There is no exercise "no-such-exercise"\. (Available: .+\.|There are no exercises yet)/);
  });

  it('exits 2 for an unknown option and prints help with --help', () => {
    expect(run('badFlag').code).toBe(2);
    expect(run('badFlag').stderr).toContain('Unknown option --colour.');
    expect(run('help').code).toBe(0);
    expect(run('help').stdout).toContain('node scripts/grade.ts --tests <dir> [options]');
  });
});

describe('node scripts/grade.ts <id>, an exercise in the exercise format', () => {
  const result = (name: string): GradeResult => JSON.parse(run(name).stdout) as GradeResult;

  it('grades the files exercise.json lists, hidden ones included, and fails the starter', () => {
    // The tests import the hidden samples.ts: the summary test fails on the starter's answer,
    // not on a missing module.
    expect(run('starter').code).toBe(1);
    expect(result('starter').errors).toEqual([]);
    expect(result('starter').tests.find((t) => t.name === 'summarize > shows the tail of a backend that is usually fast')?.message).toBe(
      'AssertionError: expected { p50: +0, p99: +0, max: 100 } to deeply equal { p50: 12, p99: 40, max: 900 }',
    );
  });

  it('grades the reference solution from solutions/<id> with --solution and exits 0', () => {
    expect(run('solution').code).toBe(0);
    expect(result('solution').summary).toEqual({ passed: 5, failed: 0, skipped: 0, total: 5 });
  });

  it('runs the tests with the seed from exercise.json, unless --seed overrides it', () => {
    expect(result('seeded').seed).toBe(20240611);
    expect(result('seeded').tests.find((t) => t.name === 'pick > runs with the seed from exercise.json')?.status).toBe('pass');
    expect(result('reseeded').seed).toBe(7);
    expect(result('reseeded').tests.find((t) => t.name === 'pick > runs with the seed from exercise.json')?.message).toBe(
      'AssertionError: expected 7 to be 20240611 // Object.is equality',
    );
  });

  it("refuses the learner's file an import of a hidden file, naming the file and line", () => {
    expect(run('peeking').code).toBe(1);
    expect(result('peeking').errors.map((e) => e.message)).toContain(
      'Error: Cannot import "./samples.ts" in percentile.ts:1: samples.ts is a file the exercise keeps hidden: it belongs to the tests.',
    );
  });

  it('takes only the editable files from --dir and says which others it left out', () => {
    const { code, stderr } = run('learner');
    expect(code).toBe(0);
    expect(result('learner').tests.map((t) => t.title)).not.toContain('was edited by the learner');
    expect(stderr).toContain('Left out of the grade: helper.ts, refill.test.ts (only bucket.ts can be changed in this exercise).');
  });

  it('applies the exercise’s per-test timeout and stops the run at its runTimeoutMs, listing the tests it did not reach', () => {
    const { code, stdout } = run('limits');
    expect(code).toBe(1);
    const graded = JSON.parse(stdout) as GradeResult;
    expect(graded.tests.find((t) => t.title === 'waits longer than the test timeout')?.message).toMatch(/^TestTimeoutError: Test timed out in 1000ms\./);
    // The child writes a test's start to the parent before the test runs, so even a test
    // that spins without yielding is named as the one running when the limit is reached.
    expect(graded.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Stopped after 5\.\d s while running "takes most of its time limit \(\d\)": the whole run may take 5 s, and the code did not finish\./),
    ]);
    // Every test is listed: the run stopped in one of the busy tests, and the last ones never ran.
    const busy = graded.tests.filter((t) => t.title.startsWith('takes most of its time limit'));
    expect(busy).toHaveLength(8);
    expect(busy.filter((t) => t.status === 'fail').map((t) => t.message)).toEqual(['Stopped: this test did not finish (the whole run may take 5 s).']);
    expect(busy.at(-1)).toMatchObject({ status: 'skip', note: 'Not run: the run was stopped before this test.' });
  });

  it('prints one line listing the available exercises for an unknown id, and exits 2', () => {
    const { code, stderr } = run('missing');
    expect(code).toBe(2);
    expect(stderr).toBe('There is no exercise "no-such-exercise". Available: percentile, slo-check, slow-bucket, token-bucket, weighted-pick.\n');
  });

  it('exits 2 naming the file when an exercise does not load', () => {
    const { code, stderr } = run('broken');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^The exercise "percentile" cannot be graded: .*\/percentile\/stray\.ts: is not listed in exercise\.json\n$/);
  });
});
