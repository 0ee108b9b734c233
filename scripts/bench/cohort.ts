/**
 * Figures for team grading: how fast `npm run report` merges reports, and how long a cohort
 * takes to grade with `npm run grade -- --all --jobs N` on this machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { merge, toCsv, toHtml, toMarkdown } from '../lib/cohort.ts';
import { report, type GradeReport, type ReportExercise } from '../lib/grade-report.ts';
import type { BenchSuite } from './types.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const LEARNERS = 200;

/** A learner's report with `exercises` exercises of 15 tests each, some failed. */
function syntheticReport(learner: number, exercises: number): GradeReport {
  const entries: ReportExercise[] = Array.from({ length: exercises }, (_, j) => {
    const passed = (learner + j) % 4 === 0 ? 12 : 15;
    return {
      id: `exercise-${j}`,
      title: `Exercise ${j}`,
      status: passed === 15 ? 'passed' : 'failed',
      passed,
      failed: 15 - passed,
      skipped: 0,
      total: 15,
      seed: learner * 100 + j,
      durationMs: 1_000,
      components: [],
      tests: Array.from({ length: 15 }, (_, k) => ({ name: `suite > test ${k}`, file: 'x.test.ts', status: k < passed ? 'passed' : 'failed', durationMs: 3 })),
      errors: [],
    };
  });
  return report(`learner-${learner}`, 'record', entries);
}

function gradeAll(jobs: number): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'faultlines-bench-cohort-'));
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(projectRoot, 'scripts', 'grade.ts'), '--all', '--solution', '--jobs', String(jobs), '--report', join(out, 'r.json')],
      { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024, timeout: 900_000 },
      (error) => {
        const ok = (JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as GradeReport).ok;
        rmSync(out, { recursive: true, force: true });
        if (error || !ok) fail(error ?? new Error('a solution failed while timing the cohort'));
        else done(performance.now() - started);
      },
    );
  });
}

export const cohortBench: BenchSuite = {
  name: 'cohort',
  async run(report) {
    const reports = Array.from({ length: LEARNERS }, (_, i) => ({ name: `learner-${i}`, report: JSON.parse(JSON.stringify(syntheticReport(i, 8))) as GradeReport }));
    const uplot = { js: '', css: '' };
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const cohort = merge(reports);
      toMarkdown(cohort);
      toCsv(cohort);
      toHtml(cohort, uplot);
      runs.push(performance.now() - started);
    }
    runs.sort((a, b) => a - b);
    report({
      name: 'cohort.reports_merged_per_s',
      value: Math.round((LEARNERS / runs[2]!) * 1000),
      unit: 'reports/s',
      note: `${LEARNERS} reports of 8 exercises × 15 tests merged and written as Markdown, CSV and HTML, median of 5`,
    });
    const jobs = Math.max(1, Math.min(4, cpus().length));
    const oneLearnerMs = await gradeAll(jobs);
    report({ name: 'cohort.one_learner_all_exercises_s', value: Number((oneLearnerMs / 1000).toFixed(1)), unit: 's', note: `npm run grade -- --all --solution --jobs ${jobs}, wall time` });
    report({
      name: 'cohort.200_learners_min',
      value: Number(((oneLearnerMs * LEARNERS) / 60_000).toFixed(0)),
      unit: 'min',
      note: `${LEARNERS} learners × every exercise on this machine (${cpus().length} cores), projected from one learner's grade with --jobs ${jobs}; CI matrix jobs divide it`,
    });
  },
};
