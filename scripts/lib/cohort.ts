/**
 * Many learners' grade reports (`npm run grade -- --all --report <file>`, one file per
 * learner) merged into one summary: per learner, per exercise, the tests passed. Written as
 * Markdown, CSV and a static HTML page with a chart (`npm run report`). Pure functions; the
 * command line is `scripts/report.ts`.
 */
import { checkDayReport, type DayReport } from '../../src/runtime/report/day-report.ts';
import { checkReport, type GradeReport } from './grade-report.ts';

/** One learner's result on one exercise. */
export interface Cell {
  readonly status: 'passed' | 'failed' | 'missing';
  readonly passed: number;
  readonly total: number;
  readonly seed: number;
}

export interface Cohort {
  /** Each learner, named by their report's file name (without `.json`), in the order given. */
  readonly learners: readonly { readonly name: string; readonly generatedAt: string; readonly seedRule: string }[];
  /** Every exercise any report holds, in the order first met. */
  readonly exercises: readonly { readonly id: string; readonly title: string }[];
  /** `cells[learner][exercise]`; undefined where a learner's report does not have the exercise. */
  readonly cells: readonly (readonly (Cell | undefined)[])[];
  /** Each learner's capstone day, from the day report in their grade report, in learner order. */
  readonly days: readonly DaySummary[];
}

/** The headline of one learner's capstone day, for a team lead's table. */
export interface DaySummary {
  readonly learner: string;
  readonly seed: number;
  readonly availability: number;
  /** Share of the error budget spent (above 1: the objective was missed). */
  readonly budgetSpent: number;
  readonly p99OutsideMs: number;
  readonly p99InsideMs: number;
  readonly ackedWritesLost: number;
  /** Bounds and predictions met, of all. */
  readonly met: number;
  readonly checks: number;
  /** The report's first line of what to change, or '' when nothing. */
  readonly firstChange: string;
}

/** The day summary of a learner's report, if it carries a day report that can be read. */
function daySummary(learner: string, report: GradeReport): DaySummary | undefined {
  const attached = report.exercises.find((e) => e.report !== undefined)?.report;
  if (attached === undefined || checkDayReport(attached).length > 0) return undefined;
  const day = attached as unknown as DayReport;
  const checks = [...day.bounds, ...day.predictions];
  return {
    learner,
    seed: day.seed,
    availability: day.availability,
    budgetSpent: day.budget.spentShare,
    p99OutsideMs: day.figures.p99OutsideMs,
    p99InsideMs: day.figures.p99InsideMs,
    ackedWritesLost: day.figures.ackedWritesLost,
    met: checks.filter((c) => c.ok).length,
    checks: checks.length,
    firstChange: day.advice[0] ?? '',
  };
}

const dayCells = (d: DaySummary): string[] => [
  `${(d.availability * 100).toFixed(3)}%`,
  `${Math.round(d.budgetSpent * 100)}%`,
  `${d.p99OutsideMs.toFixed(1)} ms`,
  `${d.p99InsideMs.toFixed(1)} ms`,
  String(d.ackedWritesLost),
  `${d.met}/${d.checks}`,
  d.firstChange || 'nothing',
];
const DAY_HEAD = ['availability', 'budget spent', 'p99 outside faults', 'p99 inside faults', 'writes lost', 'checks met', 'first thing to change'];

/** A report that could not be read, with the reason in one sentence. */
export class ReportFileError extends Error {}

/** Parses and checks one report file's text; `name` is used in the message. */
export function readReport(name: string, text: string): GradeReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportFileError(`${name} is not JSON: ${(error as Error).message}`);
  }
  const problems = checkReport(value);
  if (problems.length > 0) throw new ReportFileError(`${name} is not a grade report this version can read: ${problems.join(' ')}`);
  return value as GradeReport;
}

export function merge(reports: readonly { readonly name: string; readonly report: GradeReport }[]): Cohort {
  const exercises: { id: string; title: string }[] = [];
  for (const { report } of reports) {
    for (const e of report.exercises) if (!exercises.some((x) => x.id === e.id)) exercises.push({ id: e.id, title: e.title });
  }
  const names = new Set<string>();
  for (const { name } of reports) {
    if (names.has(name)) throw new ReportFileError(`Two reports are both named ${name}: give each learner's report its own file name.`);
    names.add(name);
  }
  return {
    learners: reports.map(({ name, report }) => ({ name, generatedAt: report.generatedAt, seedRule: report.seedRule })),
    exercises,
    cells: reports.map(({ report }) =>
      exercises.map((x) => {
        const e = report.exercises.find((y) => y.id === x.id);
        return e === undefined ? undefined : { status: e.status, passed: e.passed, total: e.total, seed: e.seed };
      }),
    ),
    days: reports.flatMap(({ name, report }) => daySummary(name, report) ?? []),
  };
}

/** Per exercise: how many learners passed it, and how many have it in their report. */
export function passRates(c: Cohort): { id: string; passed: number; graded: number }[] {
  return c.exercises.map((x, j) => ({
    id: x.id,
    passed: c.cells.filter((row) => row[j]?.status === 'passed').length,
    graded: c.cells.filter((row) => row[j] !== undefined).length,
  }));
}

const cellText = (cell: Cell | undefined): string =>
  cell === undefined ? '–' : cell.status === 'missing' ? 'no files' : `${cell.status === 'passed' ? '✓' : '✗'} ${cell.passed}/${cell.total}`;

const passedCount = (row: readonly (Cell | undefined)[]): number => row.filter((cell) => cell?.status === 'passed').length;

export function toMarkdown(c: Cohort): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const header = `| learner | passed | ${c.exercises.map((x) => escape(x.id)).join(' | ')} |`;
  const rule = `| --- | --- | ${c.exercises.map(() => '---').join(' | ')} |`;
  const rows = c.learners.map((l, i) => `| ${escape(l.name)} | ${passedCount(c.cells[i]!)}/${c.exercises.length} | ${c.cells[i]!.map(cellText).join(' | ')} |`);
  const rates = passRates(c).map((r) => `| ${escape(r.id)} | ${r.passed} of ${r.graded} |`);
  return [
    `# Cohort summary: ${c.learners.length} learner(s), ${c.exercises.length} exercise(s)`,
    '',
    'Each cell: ✓ passed or ✗ failed, with the tests passed; "no files" where the learner has not started the exercise, – where their report does not cover it.',
    '',
    header,
    rule,
    ...rows,
    '',
    '## Per exercise',
    '',
    '| exercise | learners who passed |',
    '| --- | --- |',
    ...rates,
    '',
    ...(c.days.length === 0
      ? []
      : [
          '## Capstone days',
          '',
          'Each learner\u2019s production day, from the day report in their grade report (open the report file on the course\u2019s report page for the charts and traces).',
          '',
          `| learner | seed | ${DAY_HEAD.join(' | ')} |`,
          `| --- | --- | ${DAY_HEAD.map(() => '---').join(' | ')} |`,
          ...c.days.map((d) => `| ${escape(d.learner)} | ${d.seed} | ${dayCells(d).map(escape).join(' | ')} |`),
          '',
        ]),
  ].join('\n');
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per learner and exercise: the long format spreadsheets and scripts read best. */
export function toCsv(c: Cohort): string {
  const lines = [['learner', 'exercise', 'status', 'tests_passed', 'tests_total', 'seed', 'graded_at'].join(',')];
  c.learners.forEach((l, i) => {
    c.exercises.forEach((x, j) => {
      const cell = c.cells[i]![j];
      if (cell === undefined) return;
      lines.push([l.name, x.id, cell.status, cell.passed, cell.total, cell.seed, l.generatedAt].map(csvField).join(','));
    });
  });
  return `${lines.join('\r\n')}\r\n`;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A page that stands alone (no network): the chart of learners passing each exercise, drawn
 * by uPlot (inlined, with its CSS), and the full table, which says the same in words for
 * anyone who cannot see the chart.
 */
export function toHtml(c: Cohort, uplot: { readonly js: string; readonly css: string }): string {
  const rates = passRates(c);
  const data = [rates.map((_, i) => i), rates.map((r) => (r.graded === 0 ? 0 : (100 * r.passed) / r.graded))];
  const head = `<tr><th scope="col">Learner</th><th scope="col">Passed</th>${c.exercises
    .map((x) => `<th scope="col" title="${escapeHtml(x.title)}">${escapeHtml(x.id)}</th>`)
    .join('')}</tr>`;
  const rows = c.learners
    .map(
      (l, i) =>
        `<tr><th scope="row">${escapeHtml(l.name)}</th><td>${passedCount(c.cells[i]!)}/${c.exercises.length}</td>${c.cells[i]!.map(
          (cell) => `<td class="${cell?.status ?? 'absent'}">${escapeHtml(cellText(cell))}</td>`,
        ).join('')}</tr>`,
    )
    .join('\n');
  const rateRows = rates.map((r) => `<tr><th scope="row">${escapeHtml(r.id)}</th><td>${r.passed} of ${r.graded}</td></tr>`).join('\n');
  // The script is data: a closing tag inside it would end the element early.
  const json = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cohort summary: ${c.learners.length} learner(s)</title>
<style>${uplot.css}
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.5; background: #fff; color: #1f2328; }
@media (prefers-color-scheme: dark) { body { background: #0d1117; color: #e6edf3; } }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #8888; padding: 0.25rem 0.6rem; text-align: left; }
td.passed { color: #1a7f37; } td.failed { color: #c62828; }
@media (prefers-color-scheme: dark) { td.passed { color: #7ee787; } td.failed { color: #ff9b9b; } }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; }
</style>
</head>
<body>
<main>
<h1>Cohort summary</h1>
<p>${c.learners.length} learner(s), ${c.exercises.length} exercise(s). A cell shows ✓ passed or ✗ failed, and the tests passed; "no files" where the learner has not started the exercise.</p>
<h2 id="chart-title">Learners who passed each exercise</h2>
<figure>
<div id="chart" role="img" aria-labelledby="chart-title" aria-describedby="rates-title"></div>
<figcaption>Share of the learners whose report covers the exercise; the table below gives the counts.</figcaption>
</figure>
<h2 id="rates-title">Per exercise</h2>
<table><caption>Learners who passed, of those graded</caption>
<thead><tr><th scope="col">Exercise</th><th scope="col">Passed</th></tr></thead>
<tbody>
${rateRows}
</tbody></table>
${
    c.days.length === 0
      ? ''
      : `<h2>Capstone days</h2>
<p>Each learner's production day, from the day report in their grade report; open the report file on the course's report page for the charts and traces.</p>
<div class="scroll" tabindex="0" role="region" aria-label="Each learner's capstone day (scrolls sideways)"><table><caption>Each learner's capstone day</caption>
<thead><tr><th scope="col">Learner</th><th scope="col">Seed</th>${DAY_HEAD.map((h) => `<th scope="col">${escapeHtml(h[0]!.toUpperCase() + h.slice(1))}</th>`).join('')}</tr></thead>
<tbody>
${c.days.map((d) => `<tr><th scope="row">${escapeHtml(d.learner)}</th><td>${d.seed}</td>${dayCells(d).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>
`
  }<h2>Per learner</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Each learner's result on each exercise (scrolls sideways)"><table><caption>Each learner's result on each exercise</caption>
<thead>${head}</thead>
<tbody>
${rows}
</tbody></table></div>
</main>
<script>${uplot.js}</script>
<script>
(() => {
  const ids = ${json(rates.map((r) => r.id))};
  const data = ${json(data)};
  const el = document.getElementById('chart');
  const width = Math.min(el.parentElement.clientWidth || 640, 960);
  // Axes in the page's own text colour, so that they read in light and dark themes.
  const ink = getComputedStyle(document.body).color;
  const grid = { stroke: 'rgba(128, 128, 128, 0.3)' };
  new uPlot({
    width, height: 280,
    scales: { x: { time: false, range: [-0.5, ids.length - 0.5] }, y: { range: [0, 100] } },
    axes: [
      { stroke: ink, grid, splits: () => ids.map((_, i) => i), values: (_, ticks) => ticks.map((i) => ids[i] ?? ''), rotate: width < 600 ? -60 : -30, size: width < 600 ? 150 : 90 },
      { stroke: ink, grid, label: '% passed', values: (_, ticks) => ticks.map((v) => v + '%') },
    ],
    series: [{}, { label: 'passed', fill: '#2f81f7aa', stroke: '#2f81f7', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }],
    legend: { show: false },
  }, data, el);
})();
</script>
</body>
</html>
`;
}
