/**
 * The capstone's day report as the report page reads it: from the capstone's last run in this
 * browser, or from a file (a grade report that `npm run grade -- capstone --report <file>`
 * or this page's Save wrote, or a bare day report). Whatever the source, the report is
 * checked before anything is drawn: a file of another kind or version gets a sentence that
 * says so, never a half-drawn page.
 */
import type { DayReport } from '../../../exercises/capstone/report.ts';
import type { GradeResult } from '../../grader/types.ts';
import { checkReport, exerciseEntry, report as gradeReport, REPORT_FORMAT, type GradeReport } from '../../../scripts/lib/grade-report.ts';

export type { DayReport };

export const DAY_REPORT_FORMAT = 'faultlines-day-report';
export const DAY_REPORT_VERSION = 1;
/** The exercise whose tests attach a day report. */
export const CAPSTONE_ID = 'capstone';

/** Where each component's code came from in the run, when known: `yours` or `reference`, by exercise. */
export type ComponentSources = Readonly<Record<string, 'yours' | 'reference'>>;

export interface LoadedReport {
  readonly report: DayReport;
  /** Where the components' code came from, by exercise, when the source says. */
  readonly sources: ComponentSources;
  /** The grade report to save: the file that was opened, or one made from the run. */
  readonly file: GradeReport;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberList = (v: unknown, length?: number): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && (length === undefined || v.length === length);

/**
 * What is wrong with `value` as a day report, one sentence per problem; empty when it can be
 * drawn. Checks what the page draws: a report that passes draws without an error.
 */
export function checkDayReport(value: unknown): string[] {
  if (!isObject(value)) return ['A day report is a JSON object.'];
  if (value['format'] !== DAY_REPORT_FORMAT) return [`This is not a day report (its "format" is ${JSON.stringify(value['format'])}, not "${DAY_REPORT_FORMAT}").`];
  if (value['version'] !== DAY_REPORT_VERSION) return [`This day report is version ${JSON.stringify(value['version'])}; this version of the course reads version ${DAY_REPORT_VERSION} only.`];
  const problems: string[] = [];
  for (const key of ['seed', 'dayMs', 'objective', 'operations', 'availability', 'bucketMs']) {
    if (typeof value[key] !== 'number' || !Number.isFinite(value[key])) problems.push(`"${key}" must be a number.`);
  }
  if (typeof value['schedule'] !== 'string') problems.push('"schedule" must be text.');
  const buckets = value['buckets'];
  if (!isObject(buckets) || !Array.isArray(buckets['startMs'])) problems.push('"buckets" must hold the columns of the day.');
  else {
    const n = (buckets['startMs'] as unknown[]).length;
    for (const key of ['startMs', 'operations', 'bad', 'okPerS', 'p50Ms', 'p99Ms', 'budgetLeft']) {
      if (!isNumberList(buckets[key], n)) problems.push(`"buckets.${key}" must be ${n} numbers.`);
    }
  }
  const budget = value['budget'];
  if (!isObject(budget) || typeof budget['spentShare'] !== 'number' || typeof budget['allowed'] !== 'number' || typeof budget['spent'] !== 'number') problems.push('"budget" must say what was allowed and spent.');
  const lists: [string, (item: Record<string, unknown>) => boolean][] = [
    ['windows', (w) => typeof w['label'] === 'string' && typeof w['startMs'] === 'number' && typeof w['endMs'] === 'number' && typeof w['operations'] === 'number' && typeof w['bad'] === 'number'],
    ['bounds', (b) => typeof b['name'] === 'string' && typeof b['measured'] === 'number' && typeof b['bound'] === 'number' && typeof b['ok'] === 'boolean'],
    ['predictions', (p) => typeof p['name'] === 'string' && (typeof p['predicted'] === 'number' || p['predicted'] === null) && (typeof p['measured'] === 'number' || p['measured'] === null) && typeof p['ok'] === 'boolean'],
    ['components', (c) => typeof c['component'] === 'string' && typeof c['summary'] === 'string' && typeof c['failures'] === 'number' && Array.isArray(c['exercises'])],
    ['slowest', (r) => typeof r['label'] === 'string' && typeof r['invokeMs'] === 'number' && typeof r['endMs'] === 'number' && Array.isArray(r['attempts']) && (r['attempts'] as unknown[]).every((a) => isObject(a) && typeof a['router'] === 'string' && typeof a['sentMs'] === 'number' && typeof a['endMs'] === 'number' && typeof a['outcome'] === 'string')],
  ];
  for (const [key, valid] of lists) {
    const list = value[key];
    if (!Array.isArray(list)) problems.push(`"${key}" must be a list.`);
    else list.forEach((item, i) => {
      if (!isObject(item) || !valid(item)) problems.push(`"${key}[${i}]" is not what a day report holds there.`);
    });
  }
  if (!Array.isArray(value['advice']) || !(value['advice'] as unknown[]).every((a) => typeof a === 'string')) problems.push('"advice" must be a list of sentences.');
  if (!isObject(value['figures'])) problems.push('"figures" must be an object.');
  return problems;
}

/** The sources of an exercise entry's components, by exercise: a component used from its reference in one file counts as reference. */
function sourcesOf(components: readonly { readonly exercise: string; readonly source: 'yours' | 'reference' }[]): ComponentSources {
  const out: Record<string, 'yours' | 'reference'> = {};
  for (const c of components) if (out[c.exercise] !== 'reference') out[c.exercise] = c.source;
  return out;
}

/**
 * Reads the text of a file the learner opened. Returns the report, or the sentence that says
 * why the file cannot be drawn.
 */
export function readReportText(text: string): LoadedReport | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'This file is not JSON: open a report that npm run grade -- capstone --report <file>, or this page, saved.' };
  }
  if (isObject(value) && value['format'] === REPORT_FORMAT) {
    const problems = checkReport(value);
    if (problems.length > 0) return { error: `This grade report cannot be read: ${problems.slice(0, 3).join(' ')}` };
    const file = value as unknown as GradeReport;
    const entries = file.exercises.filter((e) => e.report !== undefined);
    const entry = entries.find((e) => e.id === CAPSTONE_ID) ?? entries[0];
    if (entry === undefined) {
      const graded = file.exercises.find((e) => e.id === CAPSTONE_ID);
      return {
        error:
          graded === undefined
            ? 'This grade report does not include the capstone: grade it with npm run grade -- capstone --report <file>.'
            : `This grade report includes the capstone but no day report (its status: ${graded.status}); the day did not run to its end.`,
      };
    }
    const problemsOfDay = checkDayReport(entry.report);
    if (problemsOfDay.length > 0) return { error: `The day report in this file cannot be drawn: ${problemsOfDay.slice(0, 3).join(' ')}` };
    return { report: entry.report as unknown as DayReport, sources: sourcesOf(entry.components), file };
  }
  const problems = checkDayReport(value);
  if (problems.length > 0) return { error: `This file cannot be drawn as a day report: ${problems.slice(0, 3).join(' ')}` };
  const report = value as unknown as DayReport;
  const file = gradeReport('file', 'exercise', [
    { id: CAPSTONE_ID, title: 'A production day', status: 'missing', passed: 0, failed: 0, skipped: 0, total: 0, seed: report.seed, durationMs: 0, components: [], tests: [], errors: [], report: report as unknown as Record<string, unknown> },
  ]);
  return { report, sources: {}, file };
}

/**
 * The report of a grade that ran in this page, with the grade report Save writes: the same
 * shape `npm run grade -- capstone --report <file>` writes, source `browser`.
 */
export function reportFromRun(
  exercise: { readonly id: string; readonly title: string },
  result: GradeResult,
  components: readonly { readonly exercise: string; readonly file: string; readonly source: 'yours' | 'reference' }[],
  at: Date,
): LoadedReport | undefined {
  if (result.report === undefined || checkDayReport(result.report).length > 0) return undefined;
  const entry = exerciseEntry(exercise, result.seed ?? 0, result, components.map((c) => ({ exercise: c.exercise, file: c.file, source: c.source })));
  return { report: result.report as unknown as DayReport, sources: sourcesOf(components), file: gradeReport('browser', 'exercise', [entry], at) };
}
