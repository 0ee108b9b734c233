/**
 * Merges learners' grade reports into one cohort summary: `npm run report -- reports/*.json`.
 * Run `node scripts/report.ts --help` for the options.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { merge, ReportFileError, readReport, toCsv, toHtml, toMarkdown } from './lib/cohort.ts';
import { readArgs, UsageError } from './lib/args.ts';
import { isMain } from './lib/main.ts';

const help = `Usage:
  node scripts/report.ts <report.json> … [--out <folder>]   (npm run report -- reports/*.json)

Reads grade reports (npm run grade -- --all --report <file>, one file per learner, named
after the learner) and writes a cohort summary to <folder> (default: cohort-report):

  summary.md    a table per learner and exercise, and learners passing each exercise
  summary.csv   one row per learner and exercise (learner, exercise, status, tests, seed)
  summary.html  a page that opens without a network: a chart and the same tables

A file that is not a report of this version is refused by name, and nothing is written.

Exit codes: 0 when the summary is written, 2 for usage errors and unreadable reports.`;

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = readArgs(argv, { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } });
    if (values.help) {
      console.log(help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('Name at least one report file.');
    const reports = positionals.map((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new ReportFileError(`${file} cannot be read.`);
      }
      return { name: basename(file).replace(/\.json$/i, ''), report: readReport(file, text) };
    });
    const cohort = merge(reports);
    const out = resolve(values.out ?? 'cohort-report');
    mkdirSync(out, { recursive: true });
    const require = createRequire(import.meta.url);
    const uplot = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
    writeFileSync(join(out, 'summary.md'), toMarkdown(cohort));
    writeFileSync(join(out, 'summary.csv'), toCsv(cohort));
    writeFileSync(join(out, 'summary.html'), toHtml(cohort, uplot));
    console.log(`${cohort.learners.length} learner(s), ${cohort.exercises.length} exercise(s): wrote summary.md, summary.csv and summary.html to ${out}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\nRun node scripts/report.ts --help for usage.`);
      return 2;
    }
    if (error instanceof ReportFileError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
