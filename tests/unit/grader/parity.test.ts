/**
 * The grader must agree with `vitest run` test by test: same names, same statuses, same
 * assertion messages, and the same overall verdict (vitest fails a run with unhandled errors
 * even when every test passed). This is what keeps the grader honest when either side is
 * upgraded.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradeResult, TestStatus } from '../../../src/grader/index.ts';
import { fixtureRequest, gradeInFreshRealm, materializeFixture, parityFixtures } from './fixtures.ts';

const vitestCli = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const reporter = fileURLToPath(new URL('./parity-reporter.ts', import.meta.url));

/** What `parity-reporter.ts` writes. */
interface VitestReport {
  modules: { file: string; errors: string[]; tests: { name: string; state: string; mode: string; errors: string[] }[] }[];
  unhandled: string[];
}

interface Reference {
  readonly report: VitestReport;
  readonly exitCode: number;
}

function statusFromVitest(test: VitestReport['modules'][number]['tests'][number]): TestStatus {
  if (test.mode === 'todo') return 'todo';
  if (test.state === 'passed') return 'pass';
  if (test.state === 'failed') return 'fail';
  return 'skip';
}

function stripColours(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Runs the real vitest CLI on a copy of the fixture, with a config of its own. */
async function runVitest(name: string): Promise<Reference> {
  const dir = materializeFixture(name);
  const out = join(dir, 'report.json');
  writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['**/*.spec.ts'], watch: false } };\n");
  let exitCode = 0;
  try {
    await promisify(execFile)(process.execPath, [vitestCli, 'run', '--root', dir, `--reporter=${reporter}`], {
      env: { ...process.env, NO_COLOR: '1', FAULTLINES_PARITY_OUT: out },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    exitCode = (error as { code?: number }).code ?? 1;
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
  rmSync(dir, { recursive: true, force: true });
  return { report, exitCode };
}

const references = new Map<string, Reference>();
const grades = new Map<string, GradeResult>();

beforeAll(async () => {
  const ran = await Promise.all(parityFixtures.map(async (name) => [name, await runVitest(name)] as const));
  for (const [name, reference] of ran) references.set(name, reference);
  const results = gradeInFreshRealm(parityFixtures.map((name) => fixtureRequest(name)));
  parityFixtures.forEach((name, i) => grades.set(name, results[i]!.result));
}, 120_000);

afterAll(() => {
  references.clear();
});

describe.each(parityFixtures)('the grader agrees with vitest run on the %s fixture', (name) => {
  it('lists the same tests, in the same order, with the same statuses', () => {
    const expected = references.get(name)!.report.modules.flatMap((m) => m.tests.map((t) => ({ name: t.name, status: statusFromVitest(t) })));
    const actual = grades.get(name)!.tests.map((t) => ({ name: t.name, status: t.status }));
    expect(actual).toEqual(expected);
  });

  it('gives the same assertion messages for every failure', () => {
    const expected = references
      .get(name)!
      .report.modules.flatMap((m) => m.tests.filter((t) => t.state === 'failed').map((t) => t.errors.map(stripColours)));
    const actual = grades
      .get(name)!
      .tests.filter((t) => t.status === 'fail')
      .map((t) => [t.message, ...(t.otherMessages ?? [])]);
    expect(actual).toEqual(expected);
  });

  it('fails a file vitest cannot load, reports the unhandled errors vitest reports, and passes the run only when vitest does', () => {
    const { report, exitCode } = references.get(name)!;
    const result = grades.get(name)!;
    const fileFailed = report.modules.some((m) => m.errors.length > 0);
    expect(result.errors.some((e) => e.kind === 'syntax' || e.kind === 'import')).toBe(fileFailed);
    expect(result.errors.filter((e) => e.kind === 'unhandled').map((e) => e.message)).toEqual(report.unhandled.map(stripColours));
    expect(result.ok).toBe(exitCode === 0);
  });
});
