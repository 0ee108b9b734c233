/**
 * The report of a grade over several exercises (`npm run grade -- [ids…] --report <file>`):
 * its versioned shape, a check of that shape, the table printed in the terminal and the
 * JUnit XML that CI services read. Pure functions: the grading itself is in `grade-many.ts`.
 * The format is documented in `docs/grade-report.md`.
 */
import type { GradeResult } from '../../src/grader/types.ts';

export const REPORT_FORMAT = 'faultlines-grade-report';
export const REPORT_VERSION = 1;

/** How the seed of each exercise was chosen. */
export type SeedRule =
  /** The seed in each exercise.json: the one the page practises with. */
  | 'exercise'
  /** One seed for every exercise, given with `--seed`. */
  | 'fixed'
  /** A fresh seed per exercise, drawn at random and written in the report (`--record`). */
  | 'record';

/** One test, as the report keeps it. */
export interface ReportTest {
  /** Describe blocks and title, joined with ` > `. */
  readonly name: string;
  readonly file: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  /** The first error of a failed test, `Name: message`. */
  readonly message?: string;
}

export interface ReportExercise {
  readonly id: string;
  readonly title: string;
  /**
   * `passed`: every test passed; `failed`: a test failed or the run had errors; `missing`:
   * the folder graded has no files for this exercise (it was not graded).
   */
  readonly status: 'passed' | 'failed' | 'missing';
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly total: number;
  /** The seed the tests read with `inject('seed')`. */
  readonly seed: number;
  /** Wall time of the grade, process start included, in ms. */
  readonly durationMs: number;
  /** Which version of each earlier component the exercise was graded with. */
  readonly components: readonly { readonly exercise: string; readonly file: string; readonly source: 'yours' | 'reference' }[];
  readonly tests: readonly ReportTest[];
  /** Errors outside any test (a file that does not load, an error after the tests). */
  readonly errors: readonly { readonly kind: string; readonly message: string; readonly file?: string }[];
  /** What the tests attached for a report page: the capstone's day report (see `docs/grade-report.md`). */
  readonly report?: Readonly<Record<string, unknown>>;
}

export interface GradeReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  /** ISO 8601. */
  readonly generatedAt: string;
  /** What was graded: `exercises`, `solutions`, or the folder given with `--dir`. */
  readonly source: string;
  readonly seedRule: SeedRule;
  /** True when every exercise passed. */
  readonly ok: boolean;
  readonly exercises: readonly ReportExercise[];
}

/** The report's entry for one graded exercise. */
export function exerciseEntry(
  exercise: { readonly id: string; readonly title: string },
  seed: number,
  result: GradeResult,
  components: ReportExercise['components'],
): ReportExercise {
  return {
    id: exercise.id,
    title: exercise.title,
    status: result.ok ? 'passed' : 'failed',
    passed: result.summary.passed,
    failed: result.summary.failed,
    skipped: result.summary.skipped,
    total: result.summary.total,
    seed,
    durationMs: Math.round(result.hostDurationMs ?? result.durationMs),
    components,
    tests: result.tests.map((t) => ({
      name: t.name,
      file: t.file,
      status: t.status === 'pass' ? 'passed' : t.status === 'fail' ? 'failed' : 'skipped',
      durationMs: Math.round(t.durationMs),
      ...(t.message !== undefined ? { message: t.message } : {}),
    })),
    errors: result.errors.map((e) => ({ kind: e.kind, message: e.message, ...(e.file !== undefined ? { file: e.file } : {}) })),
    ...(result.report !== undefined ? { report: result.report } : {}),
  };
}

/** The entry of an exercise the folder has no files for. */
export function missingEntry(exercise: { readonly id: string; readonly title: string }, seed: number): ReportExercise {
  return { id: exercise.id, title: exercise.title, status: 'missing', passed: 0, failed: 0, skipped: 0, total: 0, seed, durationMs: 0, components: [], tests: [], errors: [] };
}

export function report(source: string, seedRule: SeedRule, exercises: readonly ReportExercise[], now = new Date()): GradeReport {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generatedAt: now.toISOString(),
    source,
    seedRule,
    ok: exercises.every((e) => e.status === 'passed'),
    exercises,
  };
}

/**
 * What is wrong with a value read as a report, one sentence per problem (empty when it is a
 * report of this version). A report of another version is refused by name, not guessed at.
 */
export function checkReport(value: unknown): string[] {
  const problems: string[] = [];
  const r = value as Partial<Record<string, unknown>> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return ['A report is a JSON object.'];
  if (r['format'] !== REPORT_FORMAT) return [`This is not a grade report (its "format" is ${JSON.stringify(r['format'])}, not "${REPORT_FORMAT}").`];
  if (r['version'] !== REPORT_VERSION) {
    return [`This report is version ${JSON.stringify(r['version'])}; this version of the course reads version ${REPORT_VERSION} only.`];
  }
  if (typeof r['generatedAt'] !== 'string' || Number.isNaN(Date.parse(r['generatedAt']))) problems.push('"generatedAt" must be an ISO 8601 date.');
  if (typeof r['source'] !== 'string') problems.push('"source" must be a string.');
  if (!['exercise', 'fixed', 'record'].includes(r['seedRule'] as string)) problems.push('"seedRule" must be "exercise", "fixed" or "record".');
  if (typeof r['ok'] !== 'boolean') problems.push('"ok" must be true or false.');
  if (!Array.isArray(r['exercises'])) return [...problems, '"exercises" must be a list.'];
  r['exercises'].forEach((e: Partial<Record<string, unknown>> | null, i: number) => {
    const where = `exercises[${i}]`;
    if (e === null || typeof e !== 'object') {
      problems.push(`${where} must be an object.`);
      return;
    }
    if (typeof e['id'] !== 'string' || e['id'] === '') problems.push(`${where}.id must be a non-empty string.`);
    if (typeof e['title'] !== 'string') problems.push(`${where}.title must be a string.`);
    if (!['passed', 'failed', 'missing'].includes(e['status'] as string)) problems.push(`${where}.status must be "passed", "failed" or "missing".`);
    for (const key of ['passed', 'failed', 'skipped', 'total', 'seed', 'durationMs']) {
      if (!(Number.isInteger(e[key]) && (e[key] as number) >= 0)) problems.push(`${where}.${key} must be a whole number ≥ 0.`);
    }
    if (!Array.isArray(e['tests'])) problems.push(`${where}.tests must be a list.`);
    else {
      (e['tests'] as Partial<Record<string, unknown>>[]).forEach((t, j) => {
        if (typeof t?.['name'] !== 'string' || !['passed', 'failed', 'skipped'].includes(t['status'] as string)) {
          problems.push(`${where}.tests[${j}] needs a name and a status of "passed", "failed" or "skipped".`);
        }
      });
      const counted = (e['tests'] as { status?: unknown }[]).filter((t) => t?.status === 'passed').length;
      if (counted !== e['passed']) problems.push(`${where}.passed is ${String(e['passed'])}, but ${counted} of its tests passed.`);
    }
    if (!Array.isArray(e['components'])) problems.push(`${where}.components must be a list.`);
    if (!Array.isArray(e['errors'])) problems.push(`${where}.errors must be a list.`);
    const attached = e['report'];
    if (attached !== undefined && (attached === null || typeof attached !== 'object' || Array.isArray(attached))) problems.push(`${where}.report, when present, must be an object.`);
  });
  if (problems.length === 0 && r['ok'] !== (r['exercises'] as { status: string }[]).every((e) => e.status === 'passed')) {
    problems.push('"ok" must be true exactly when every exercise passed.');
  }
  return problems;
}

/** The table printed after a grade of several exercises. */
export function formatTable(r: GradeReport): string {
  const rows = r.exercises.map((e) => [
    e.id,
    e.status === 'missing' ? 'no files' : e.status,
    e.status === 'missing' ? '–' : `${e.passed}/${e.total}`,
    String(e.seed),
    e.status === 'missing' ? '–' : `${(e.durationMs / 1000).toFixed(1)} s`,
    firstProblem(e),
  ]);
  const header = ['exercise', 'result', 'tests', 'seed', 'time', 'first failure'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const passed = r.exercises.filter((e) => e.status === 'passed').length;
  return [line(header), ...rows.map(line), '', `${passed} of ${r.exercises.length} exercise(s) passed.`].join('\n');
}

/** The first thing to look at in an exercise that did not pass, on one line. */
function firstProblem(e: ReportExercise): string {
  if (e.status === 'passed' || e.status === 'missing') return '';
  const failed = e.tests.find((t) => t.status === 'failed');
  const text = failed !== undefined ? `${failed.name}: ${failed.message ?? ''}` : (e.errors[0]?.message ?? '');
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 110 ? `${oneLine.slice(0, 109)}…` : oneLine;
}

const escapeXml = (text: string): string =>
  text
    // Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/**
 * The report as JUnit XML: one `<testsuite>` per exercise (its errors outside tests as one
 * more failed test case, "errors outside the tests"), one `<testcase>` per test, times in
 * seconds. An exercise without files is one failed test case.
 */
export function toJUnit(r: GradeReport): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const suites = r.exercises.map((e) => {
    const cases = e.tests.map((t) => {
      const open = `    <testcase classname="${escapeXml(e.id)}" name="${escapeXml(t.name)}" file="${escapeXml(t.file)}" time="${seconds(t.durationMs)}"`;
      if (t.status === 'passed') return `${open}/>`;
      if (t.status === 'skipped') return `${open}>\n      <skipped/>\n    </testcase>`;
      const message = t.message ?? 'failed';
      return `${open}>\n      <failure message="${escapeXml(message.split('\n')[0]!)}">${escapeXml(message)}</failure>\n    </testcase>`;
    });
    let failures = e.failed;
    if (e.errors.length > 0) {
      failures++;
      const text = e.errors.map((x) => `${x.kind}: ${x.message}`).join('\n');
      cases.push(
        `    <testcase classname="${escapeXml(e.id)}" name="errors outside the tests" time="0.000">\n` +
          `      <failure message="${escapeXml(e.errors[0]!.message.split('\n')[0]!)}">${escapeXml(text)}</failure>\n    </testcase>`,
      );
    }
    if (e.status === 'missing') {
      failures++;
      cases.push(
        `    <testcase classname="${escapeXml(e.id)}" name="files" time="0.000">\n` +
          `      <failure message="no files for this exercise in ${escapeXml(r.source)}"/>\n    </testcase>`,
      );
    }
    return (
      `  <testsuite name="${escapeXml(e.id)}" tests="${cases.length}" failures="${failures}" skipped="${e.skipped}" time="${seconds(e.durationMs)}">\n` +
      `    <properties>\n      <property name="seed" value="${e.seed}"/>\n      <property name="title" value="${escapeXml(e.title)}"/>\n    </properties>\n` +
      (cases.length > 0 ? `${cases.join('\n')}\n` : '') +
      '  </testsuite>'
    );
  });
  const tests = r.exercises.reduce((n, e) => n + Math.max(e.total, 0) + (e.errors.length > 0 ? 1 : 0) + (e.status === 'missing' ? 1 : 0), 0);
  const failures = r.exercises.reduce((n, e) => n + e.failed + (e.errors.length > 0 ? 1 : 0) + (e.status === 'missing' ? 1 : 0), 0);
  const time = r.exercises.reduce((n, e) => n + e.durationMs, 0);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="Fault Lines" tests="${tests}" failures="${failures}" time="${seconds(time)}" timestamp="${escapeXml(r.generatedAt)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
