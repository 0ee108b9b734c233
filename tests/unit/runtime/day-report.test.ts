/**
 * The day report as the report page reads it: from a grade report (what `npm run grade --
 * capstone --report` and the page's Save write), from a bare day report, or from the
 * capstone's last run in the browser; and every file it cannot draw refused with a sentence
 * that says why. The fixture is the report of a real day (the reference solution, seed 2026).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReport, type GradeReport } from '../../../scripts/lib/grade-report.ts';
import type { GradeResult } from '../../../src/grader/types.ts';
import { checkDayReport, readReportText, reportFromRun, type DayReport } from '../../../src/runtime/report/day-report.ts';
import { clockTime as dayClock } from '../../../src/sim/index.ts';
import { attemptLine, boundFigures } from '../../../src/runtime/report/report-view.ts';

const file = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/day-reports/capstone-grade-report.json'), 'utf8')) as GradeReport;
const day = file.exercises[0]!.report as unknown as DayReport;
const text = (value: unknown) => JSON.stringify(value);

describe('reading a day report', () => {
  it('reads the grade report of a real day, with where each component came from', () => {
    expect(checkReport(file)).toEqual([]);
    expect(checkDayReport(day)).toEqual([]);
    const read = readReportText(text(file));
    expect('error' in read).toBe(false);
    if ('error' in read) return;
    expect(read.report.seed).toBe(2026);
    expect(read.report.buckets.startMs).toHaveLength(80);
    expect(read.sources['quorum-store']).toBe('reference');
  });

  it('reads a day whose plan predicts nothing yet (the starter): predictions without a number are null', () => {
    const unpredicted = { ...day, predictions: day.predictions.map((p) => ({ ...p, predicted: null, ok: false })) };
    expect(checkDayReport(unpredicted)).toEqual([]);
    expect(checkDayReport({ ...day, predictions: day.predictions.map((p) => ({ ...p, predicted: 'soon' })) })[0]).toBe('"predictions[0]" is not what a day report holds there.');
  });

  it('reads a bare day report, and wraps it in a grade report that can be saved and read again', () => {
    const read = readReportText(text(day));
    if ('error' in read) throw new Error(read.error);
    expect(checkReport(read.file)).toEqual([]);
    const again = readReportText(text(read.file));
    if ('error' in again) throw new Error(again.error);
    expect(again.report).toEqual(day);
  });

  it('refuses what it cannot draw, saying why', () => {
    const error = (value: string) => {
      const read = readReportText(value);
      return 'error' in read ? read.error : 'read';
    };
    expect(error('{ not json')).toMatch(/^This file is not JSON/);
    expect(error(text({ format: 'something-else' }))).toMatch(/not a day report \(its "format" is "something-else"/);
    expect(error(text({ ...day, version: 2 }))).toMatch(/version 2; this version of the course reads version 1 only/);
    expect(error(text({ ...file, version: 9 }))).toMatch(/This grade report cannot be read: .*version 9/);
    expect(error(text({ ...file, exercises: [{ ...file.exercises[0]!, id: 'sharding-ring', report: undefined }] }))).toMatch(/does not include the capstone/);
    const { report: _report, ...withoutReport } = file.exercises[0]!;
    expect(error(text({ ...file, ok: false, exercises: [{ ...withoutReport, status: 'failed' }] }))).toMatch(/includes the capstone but no day report \(its status: failed\)/);
    const shortColumn = { ...day, buckets: { ...day.buckets, p99Ms: day.buckets.p99Ms.slice(1) } };
    expect(error(text(shortColumn))).toMatch(/"buckets.p99Ms" must be 80 numbers/);
    expect(error(text({ ...day, slowest: [{ label: 'x', invokeMs: 1, endMs: 2, attempts: [{ router: 'r' }] }] }))).toMatch(/"slowest\[0\]" is not what a day report holds there/);
    expect(error(text({ ...file, exercises: [{ ...file.exercises[0]!, report: { ...day, advice: [3] } }] }))).toMatch(/The day report in this file cannot be drawn: "advice" must be a list of sentences/);
  });

  it("makes the file Save writes from a run in the page: the capstone's entry with its report, source browser", () => {
    const result = { ok: true, tests: [], logs: [], droppedLogLines: 0, errors: [], summary: { passed: 0, failed: 0, skipped: 0, total: 0 }, durationMs: 1, testsDurationMs: 1, seed: 2026, report: day } as unknown as GradeResult;
    const loaded = reportFromRun({ id: 'capstone', title: 'A production day' }, result, [{ exercise: 'discovery-leases', file: 'registry.ts', source: 'yours' }, { exercise: 'discovery-leases', file: 'client-cache.ts', source: 'reference' }], new Date(Date.UTC(2026, 11, 5)));
    expect(loaded).toBeDefined();
    expect(checkReport(loaded!.file)).toEqual([]);
    expect(loaded!.file.source).toBe('browser');
    expect(loaded!.file.exercises[0]!.report).toEqual(day);
    // One file of a component from the reference makes the component's code "the reference" in part.
    expect(loaded!.sources['discovery-leases']).toBe('reference');
    expect(reportFromRun({ id: 'capstone', title: 't' }, { ...result, report: undefined } as GradeResult, [], new Date())).toBeUndefined();
    expect(reportFromRun({ id: 'capstone', title: 't' }, { ...result, report: { format: 'faultlines-day-report', version: 1 } } as unknown as GradeResult, [], new Date())).toBeUndefined();
  });
});

describe('the words and figures the page shows', () => {
  it('states each bound with its limit and the margin left, or missed by', () => {
    expect(boundFigures({ name: 'a', sense: 'min', measured: 0.99989, bound: 0.999, unit: '%', ok: true })).toEqual({ measured: '99.989%', bound: '≥ 99.900%', margin: '+0.089 points' });
    expect(boundFigures({ name: 'p', sense: 'max', measured: 52.5, bound: 40, unit: 'ms', ok: false })).toEqual({ measured: '52.5 ms', bound: '≤ 40.0 ms', margin: '−12.5 ms' });
    expect(boundFigures({ name: 'u', sense: 'max', measured: 0.95, bound: 0.9, unit: 'share', ok: false }).margin).toBe('−5 points');
    expect(dayClock(9_450)).toBe('0:09.5');
    expect(dayClock(65_300)).toBe('1:05.3');
  });

  it("tells an attempt's story from the request's start", () => {
    expect(attemptLine({ router: 'router-a3', sentMs: 100, endMs: 350, outcome: 'timeout', replica: 'g3-4', replicaSentMs: 102.5 }, 100, 0)).toBe(
      'Attempt 1: sent to router-a3 at +0.0 ms, timed out at +250.0 ms. The router passed it to g3-4 at +2.5 ms, which had not answered when the attempt ended.',
    );
    expect(attemptLine({ router: 'router-b1', sentMs: 360, endMs: 361, outcome: 'refused', error: 'g1-2 has not heard from a majority' }, 100, 1)).toBe(
      'Attempt 2: sent to router-b1 at +260.0 ms, refused at +261.0 ms (g1-2 has not heard from a majority). The router never passed it to a replica.',
    );
  });
});
