/**
 * Draws a day report as a page: the verdict and what to change first, the bounds with their
 * margins, the predictions, the day over time (charts, in report-charts.ts, loaded when
 * drawn), the fault windows, where time went component by component, and the slowest
 * requests, each with its trace on request. Text first: every figure a chart shows is also
 * in a table or a sentence.
 */
import { clockTime as dayClock } from '../../sim/index.ts';
import { el } from '../dom.ts';
import type { ComponentSources, DayReport } from './day-report.ts';

type Bound = DayReport['bounds'][number];
type Request = DayReport['slowest'][number];
type Attempt = Request['attempts'][number];

const percent = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;
const millis = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

/** A bound's measured value and limit in its unit, and the margin left (negative: missed by). */
export function boundFigures(b: Bound): { measured: string; bound: string; margin: string } {
  const show = (x: number) => (b.unit === '%' ? percent(x, 3) : b.unit === 'ms' ? millis(x) : b.unit === 'share' ? percent(x, 0) : `${x}`);
  const margin = b.sense === 'min' ? b.measured - b.bound : b.bound - b.measured;
  const marginText =
    b.unit === '%'
      ? `${margin >= 0 ? '+' : '−'}${(Math.abs(margin) * 100).toFixed(3)} points`
      : b.unit === 'ms'
        ? `${margin >= 0 ? '' : '−'}${millis(Math.abs(margin))}`
        : b.unit === 'share'
          ? `${margin >= 0 ? '' : '−'}${Math.round(Math.abs(margin) * 100)} points`
          : `${margin}`;
  return { measured: show(b.measured), bound: `${b.sense === 'min' ? '≥' : '≤'} ${show(b.bound)}`, margin: marginText };
}

/** The fault windows a moment falls in, by label. */
function windowsAt(report: DayReport, ms: number): string[] {
  return report.windows.filter((w) => ms >= w.startMs && ms < w.endMs).map((w) => w.label);
}

let tables = 0;

/** A table in a box that scrolls sideways on a narrow screen (focusable, so a keyboard can scroll it). */
function table(caption: string, head: readonly string[], rows: readonly (readonly (string | Node)[])[], className?: string): HTMLElement {
  const id = `report-table-${++tables}`;
  const t = el('table', { className: `report-table${className ? ` ${className}` : ''}` });
  t.append(el('caption', { id, textContent: caption }));
  const thead = el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', textContent: h }))));
  const tbody = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    row.forEach((cell, i) => tr.append(i === 0 ? el('th', { scope: 'row' }, cell) : el('td', {}, cell)));
    tbody.append(tr);
  }
  t.append(thead, tbody);
  const box = el('div', { className: 'table-scroll', tabIndex: 0 }, t);
  box.setAttribute('role', 'region');
  box.setAttribute('aria-labelledby', id);
  return box;
}

function verdictCell(ok: boolean): HTMLSpanElement {
  const span = el('span', { className: `verdict ${ok ? 'ok' : 'bad'}`, textContent: ok ? 'met' : 'missed' });
  return span;
}

/** One attempt in words: where it went and how it ended, times from the request's start. */
export function attemptLine(a: Attempt, startMs: number, index: number): string {
  const at = (ms: number) => `+${(ms - startMs).toFixed(1)} ms`;
  const via =
    a.replica === undefined
      ? ' The router never passed it to a replica.'
      : ` The router passed it to ${a.replica} at ${at(a.replicaSentMs ?? a.sentMs)}${a.replicaEndMs === undefined ? ', which had not answered when the attempt ended' : `, whose answer came at ${at(a.replicaEndMs)}`}.`;
  const ended =
    a.outcome === 'ok'
      ? `answered at ${at(a.endMs)}`
      : a.outcome === 'timeout'
        ? `timed out at ${at(a.endMs)}`
        : a.outcome === 'overloaded'
          ? `refused as overloaded at ${at(a.endMs)}`
          : a.outcome === 'refused'
            ? `refused at ${at(a.endMs)}${a.error ? ` (${a.error})` : ''}`
            : 'still waiting when the request ended';
  return `Attempt ${index + 1}: sent to ${a.router} at ${at(a.sentMs)}, ${ended}.${via}`;
}

/** The trace of one slow request: its attempts as bars on a shared scale, and in words. */
function requestTrace(r: Request): HTMLElement {
  const span = Math.max(r.endMs - r.invokeMs, 1);
  const box = el('div', { className: 'request-trace' });
  const bars = el('div', { className: 'trace-bars', ariaHidden: 'true' });
  const place = (from: number, to: number, className: string, text = '') => {
    const left = ((from - r.invokeMs) / span) * 100;
    const width = Math.max(((to - from) / span) * 100, 0.8);
    const bar = el('div', { className: `trace-bar ${className}`, textContent: text });
    bar.style.marginLeft = `${Math.min(left, 99)}%`;
    bar.style.width = `${Math.min(width, 100 - Math.min(left, 99))}%`;
    bars.append(bar);
  };
  r.attempts.forEach((a) => {
    place(a.sentMs, a.endMs, `attempt ${a.outcome}`, a.router);
    if (a.replica !== undefined && a.replicaSentMs !== undefined) place(a.replicaSentMs, a.replicaEndMs ?? a.endMs, 'replica', a.replica);
  });
  box.append(bars);
  const list = el('ol', { className: 'trace-lines' });
  r.attempts.forEach((a, i) => list.append(el('li', { textContent: attemptLine(a, r.invokeMs, i) })));
  if (r.attempts.length === 0) list.append(el('li', { textContent: 'No attempt was sent: the client had no router to send it to.' }));
  box.append(list);
  return box;
}

function slowestList(report: DayReport): HTMLElement {
  const list = el('ol', { className: 'slowest' });
  report.slowest.forEach((r, i) => {
    const took = r.endMs - r.invokeMs;
    const during = windowsAt(report, r.invokeMs);
    const item = el('li');
    const line = el(
      'p',
      {},
      el('strong', { textContent: r.label }),
      ` at ${dayClock(r.invokeMs)}: ${millis(took)}, ${r.ok ? 'answered' : 'failed'} after ${r.attempts.length} attempt${r.attempts.length === 1 ? '' : 's'}${during.length > 0 ? `, during ${during.join('; ')}` : ', outside every fault window'}. `,
    );
    const id = `trace-${i}`;
    const button = el('button', { type: 'button', className: 'show-trace', textContent: 'Show trace' });
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', id);
    const holder = el('div', { id, hidden: true });
    button.addEventListener('click', () => {
      const open = holder.hidden;
      if (open && holder.childElementCount === 0) holder.append(requestTrace(r));
      holder.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      button.textContent = open ? 'Hide trace' : 'Show trace';
    });
    line.append(button);
    item.append(line, holder);
    list.append(item);
  });
  return list;
}

/**
 * Draws `report` into `container` (emptied first); the charts follow once their code has
 * loaded. Resolves with a function that lets go of the charts (before drawing another report).
 */
export function renderDayReport(container: HTMLElement, report: DayReport, sources: ComponentSources, heading: string): Promise<() => void> {
  container.replaceChildren();
  const bounds = report.bounds;
  const predictions = report.predictions;
  const missed = bounds.filter((b) => !b.ok).length + predictions.filter((p) => !p.ok).length;
  const all = bounds.length + predictions.length;

  const summary = el('section', { className: 'report-summary' });
  summary.setAttribute('aria-labelledby', 'report-verdict');
  summary.append(
    el('h2', { id: 'report-verdict', textContent: missed === 0 ? `Every bound and prediction met (${all} of ${all})` : `${missed} of ${all} bounds and predictions missed` }),
    el('p', { className: 'report-meta', textContent: heading }),
    el(
      'p',
      {},
      `Seed ${report.seed}: ${report.operations.toLocaleString('en')} requests over a ${report.dayMs / 1000} s compressed day, ${percent(report.availability, 3)} answered against an objective of ${percent(report.objective, 1)}; ` +
        `${percent(report.budget.spentShare, 0)} of the error budget spent (${report.budget.spent} failures of ${Math.floor(report.budget.allowed)} allowed).`,
    ),
  );
  const adviceList = el('ol', { className: 'advice' }, ...(report.advice.length > 0 ? report.advice : ['Nothing: every bound and prediction held. Try other seeds with npm run grade -- capstone --record.']).map((a) => el('li', { textContent: a })));
  summary.append(el('h3', { textContent: 'What to change' }), adviceList);

  const boundsTable = table(
    'The bounds the day is graded on',
    ['Bound', 'Measured', 'Limit', 'Margin', 'Verdict'],
    bounds.map((b) => {
      const f = boundFigures(b);
      return [b.name, f.measured, f.bound, f.margin, verdictCell(b.ok)];
    }),
    'bounds',
  );
  const predictionsTable = table(
    'Your predictions (plan.ts)',
    ['Prediction', 'You said', 'Measured', 'Counts within', 'Verdict'],
    predictions.map((p) => [p.name, p.predicted === null ? 'not predicted yet' : `${p.predicted} ${p.unit}`, p.measured === null ? 'no recovery before the heal' : `${p.measured} ${p.unit}`, `± ${p.tolerance} ${p.unit}`, verdictCell(p.ok)]),
    'predictions',
  );

  const charts = el('section', { className: 'report-charts' });
  charts.setAttribute('aria-labelledby', 'report-day');
  const latencyHost = el('figure', { className: 'report-chart' }, el('div', { className: 'chart-host' }));
  latencyHost.append(el('figcaption', { textContent: 'Latency (p50 and p99, left axis) and requests answered per second (right axis) over the day; shaded bands are the fault windows.' }));
  const budgetHost = el('figure', { className: 'report-chart' }, el('div', { className: 'chart-host' }));
  budgetHost.append(el('figcaption', { textContent: `The error budget left over the day: ${percent(1 - report.objective, 1)} of the day's requests may fail; below zero, the objective is missed.` }));
  const exhausted = report.budget.exhaustedAtMs;
  charts.append(
    el('h2', { id: 'report-day', textContent: 'The day' }),
    el('p', { textContent: exhausted === null ? 'The budget lasted the whole day.' : `The budget ran out at ${dayClock(exhausted)}.` }),
    latencyHost,
    budgetHost,
  );

  const windows = table(
    'The fault windows',
    ['Window', 'From', 'To', 'Requests', 'Failed', 'Budget spent', 'p99'],
    report.windows.map((w) => [w.label, dayClock(w.startMs), dayClock(w.endMs), w.operations.toLocaleString('en'), w.bad.toLocaleString('en'), percent(w.budgetSpent, 0), millis(w.p99Ms)]),
    'windows',
  );
  const schedule = el('details', { className: 'schedule' }, el('summary', { textContent: 'The schedule, as printed with the seed' }), el('pre', { textContent: report.schedule }));

  const components = table(
    'Where time went and what failed, component by component',
    ['Component', 'Code', 'Failures', 'Mean time', 'How it did'],
    report.components.map((c) => {
      const known = c.exercises.map((e) => sources[e]).filter((s) => s !== undefined);
      const whose = known.length === 0 ? c.file : `${c.file}: ${known.every((s) => s === 'yours') ? 'yours' : known.every((s) => s === 'reference') ? 'the reference' : 'yours and the reference'}`;
      return [c.component, whose, c.failures.toLocaleString('en'), c.meanMs === undefined ? '—' : millis(c.meanMs), c.summary];
    }),
    'components',
  );

  const slowest = el('section', { className: 'report-slowest' });
  slowest.setAttribute('aria-labelledby', 'report-slowest');
  slowest.append(el('h2', { id: 'report-slowest', textContent: `The ${report.slowest.length} slowest requests` }), slowestList(report));

  const figures = el('section', { className: 'report-figures' });
  figures.setAttribute('aria-labelledby', 'report-graded');
  figures.append(el('h2', { id: 'report-graded', textContent: 'Bounds and predictions' }), boundsTable, predictionsTable);
  const where = el('section');
  where.setAttribute('aria-labelledby', 'report-where');
  where.append(el('h2', { id: 'report-where', textContent: 'Faults and components' }), windows, schedule, components);

  container.append(summary, figures, charts, where, slowest);
  return import('./report-charts.ts').then(({ drawReportCharts }) => drawReportCharts(latencyHost.querySelector('.chart-host')!, budgetHost.querySelector('.chart-host')!, report));
}
