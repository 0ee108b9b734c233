/**
 * Carry-forward from the repository: `npm run grade` and `npx vitest exercises/<id>` grade an
 * exercise that builds on an earlier one with the learner's latest passing version of the
 * component, else the reference, and say which. Each case works on a copy of the fixture
 * exercises (`slo-check` uses `percentile/percentile.ts`), placed inside the project so that
 * the copy's vitest config resolves the project's packages.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot } from './helpers.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(projectRoot, 'scripts', 'grade.ts');
const vitestCli = join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');

let root: string;
const exercises = (): string => join(root, 'exercises');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, env: { ...process.env, NO_COLOR: '1', FAULTLINES_EXERCISES_DIR: exercises(), ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const grade = (...args: string[]): Promise<Run> => run([script, ...args]);

/** The learner's percentile: the reference, plus a line that says when it is loaded. */
const passing = (): string => `${readFileSync(join(fixtureRoot.solutionsDir, 'percentile', 'percentile.ts'), 'utf8')}console.log('the learner percentile is loaded');\n`;

beforeAll(() => {
  root = mkdtempSync(join(projectRoot, '.tmp-carry-'));
  cpSync(fixtureRoot.exercisesDir, join(root, 'exercises'), { recursive: true });
  cpSync(fixtureRoot.solutionsDir, join(root, 'solutions'), { recursive: true });
  writeFileSync(
    join(root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';\nimport { exerciseProjects } from '../vitest.config.ts';\n` +
      `export default defineConfig({ test: { projects: exerciseProjects(${JSON.stringify(exercises())}) } });\n`,
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('carry-forward from the repository', { timeout: 60_000 }, () => {
  it('uses the reference while the earlier exercise has never passed, and says so', async () => {
    const result = await grade('slo-check', '--solution');
    expect(result.stderr).toContain('Built on:\n  percentile/percentile.ts: the reference — yours has not passed its exercise yet');
    expect(result.code).toBe(0);
    expect(existsSync(join(root, '.faultlines', 'components.json'))).toBe(false);
  });

  it('records a passing grade of the learner\'s own files, and then uses them', async () => {
    writeFileSync(join(exercises(), 'percentile', 'percentile.ts'), passing());
    expect((await grade('percentile')).code).toBe(0);
    const record = JSON.parse(readFileSync(join(root, '.faultlines', 'components.json'), 'utf8')) as { passing: Record<string, { files: Record<string, string> }> };
    expect(record.passing.percentile?.files['percentile.ts']).toBe(passing());
    const result = await grade('slo-check', '--solution', '--json');
    expect(result.stderr).toMatch(/percentile\/percentile\.ts: yours \(passed \d{4}-\d\d-\d\dT/);
    expect((JSON.parse(result.stdout) as { components: unknown }).components).toEqual([
      { exercise: 'percentile', file: 'percentile.ts', source: 'yours', passedAt: expect.any(String) },
    ]);
  });

  it('checks a changed component first, and falls back to its last passing version when it now fails', async () => {
    writeFileSync(join(exercises(), 'percentile', 'percentile.ts'), passing().replace('Math.ceil', 'Math.floor'));
    const result = await grade('slo-check', '--solution');
    expect(result.stderr).toContain('percentile/percentile.ts: your last passing version (');
    expect(result.stderr).toContain('the file has changed since and has not passed again');
    expect(result.code).toBe(0);
  });

  it('uses every reference with --reference-deps', async () => {
    const result = await grade('slo-check', '--solution', '--reference-deps');
    expect(result.stderr).toContain('percentile/percentile.ts: the reference, as asked (--reference-deps, or FAULTLINES_REFERENCE_DEPS=1).');
  });

  it('resolves the component the same way under npx vitest exercises/<id>', async () => {
    writeFileSync(join(exercises(), 'percentile', 'percentile.ts'), passing());
    const vitest = (env: Record<string, string> = {}): Promise<Run> => run([vitestCli, 'run', '--root', root, '--project', 'exercises/slo-check'], env);
    const mine = await vitest();
    expect(mine.stdout).toContain('exercises/slo-check is built on:\n  percentile/percentile.ts: yours (passed');
    expect(mine.stdout).toContain('the learner percentile is loaded');
    // A second run in another mode resolves afresh (vitest's module cache must not keep the first choice).
    const reference = await vitest({ FAULTLINES_REFERENCE_DEPS: '1' });
    expect(reference.stdout).toContain('percentile/percentile.ts: the reference, as asked (--reference-deps, or FAULTLINES_REFERENCE_DEPS=1).');
    expect(reference.stdout).not.toContain('the learner percentile is loaded');
    expect((await vitest()).stdout).toContain('the learner percentile is loaded');
    // The starter slo.ts fails on one test and passes the other, with either version.
    expect(`${reference.stdout}${reference.stderr}`).toMatch(/1 failed.*1 passed/);
  });
});
