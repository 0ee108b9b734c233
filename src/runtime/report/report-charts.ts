/**
 * The day report's two charts, drawn with uPlot (loaded with this module, only when a report
 * is drawn): latency and throughput over the day with the fault windows shaded, and the
 * error budget burning down. Redrawn in the new colours when the theme changes and at the
 * new width when the page is resized.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axis } from '../visual/charts.ts';
import { formatTicks } from '../visual/scales.ts';
import { onThemeChange, readPalette, type Palette } from '../visual/theme.ts';
import type { DayReport } from './day-report.ts';

const HEIGHT = 220;

const seconds = (_u: uPlot, splits: number[]) => splits.map((s) => `${(s / 1000).toFixed(s % 1000 === 0 ? 0 : 1)} s`);

/** Shades each fault window behind the series, its label along the top. */
function windowBands(report: DayReport, p: Palette): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [
        (u: uPlot) => {
          const ctx = u.ctx;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.font = `${Math.round(11 * devicePixelRatio)}px ${p.font}`;
          ctx.textBaseline = 'top';
          report.windows.forEach((w, i) => {
            const x0 = u.valToPos(w.startMs, 'x', true);
            const x1 = u.valToPos(Math.min(w.endMs, report.dayMs), 'x', true);
            ctx.globalAlpha = 0.16;
            ctx.fillStyle = w.kind === 'partition' ? p.bad : w.kind === 'crash' ? p.warn : p.accent;
            ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
            ctx.globalAlpha = 1;
            ctx.fillStyle = p.muted;
            // A scenario's own event (the rebalance) is named by its label's first words.
            ctx.fillText(w.kind === 'event' ? (w.label.split(':')[0] ?? w.kind) : w.kind, x0 + 3, top + 3 + (i % 3) * 13 * devicePixelRatio);
          });
          ctx.restore();
        },
      ],
    },
  };
}

function latencyChart(host: HTMLElement, report: DayReport, p: Palette, width: number): uPlot {
  const b = report.buckets;
  const xs = b.startMs.map((s) => s + report.bucketMs / 2);
  return new uPlot(
    {
      width,
      height: HEIGHT,
      plugins: [windowBands(report, p)],
      scales: { x: { time: false, range: [0, report.dayMs] }, ms: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] }, rps: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] } },
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '–' : `${(v / 1000).toFixed(2)} s`) },
        { label: 'p50', scale: 'ms', stroke: p.accent, width: 2, points: { show: false }, value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} ms`) },
        { label: 'p99', scale: 'ms', stroke: p.warn, width: 2, points: { show: false }, value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} ms`) },
        { label: 'answered/s', scale: 'rps', stroke: p.muted, width: 1.5, dash: [4, 3], points: { show: false }, value: (_u, v) => (v == null ? '–' : Math.round(v).toLocaleString('en')) },
      ],
      axes: [
        axis(p, { values: seconds }),
        axis(p, { scale: 'ms', values: (_u, s) => formatTicks(s), size: 64 }),
        axis(p, { scale: 'rps', side: 1, values: (_u, s) => s.map((v) => (v >= 1000 ? `${(v / 1000).toFixed(0)}k/s` : `${v}/s`)), size: 56, grid: { show: false } }),
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [xs, [...b.p50Ms], [...b.p99Ms], [...b.okPerS]],
    host,
  );
}

function budgetChart(host: HTMLElement, report: DayReport, p: Palette, width: number): uPlot {
  const b = report.buckets;
  const xs = b.startMs.map((s) => s + report.bucketMs);
  return new uPlot(
    {
      width,
      height: HEIGHT - 40,
      plugins: [windowBands(report, p)],
      scales: { x: { time: false, range: [0, report.dayMs] }, y: { range: (_u, min) => [Math.min(min ?? 0, 0) * 100 - 5, 105] } },
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '–' : `${(v / 1000).toFixed(2)} s`) },
        { label: 'budget left', stroke: p.ok, width: 2, fill: `${p.ok}22`, points: { show: false }, value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)}%`) },
        { label: 'none left', stroke: p.bad, width: 1, dash: [6, 4], points: { show: false } },
      ],
      axes: [axis(p, { values: seconds }), axis(p, { values: (_u, s) => s.map((v) => `${v}%`), size: 56 })],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[0, ...xs], [100, ...b.budgetLeft.map((x) => x * 100)], [0, ...xs.map(() => 0)]],
    host,
  );
}

/** Draws both charts, and keeps them in step with the theme and the page's width. */
export function drawReportCharts(latencyHost: HTMLElement, budgetHost: HTMLElement, report: DayReport): () => void {
  let plots: uPlot[] = [];
  const width = (h: HTMLElement) => Math.max(260, Math.floor(h.clientWidth || 320));
  const draw = () => {
    for (const plot of plots) plot.destroy();
    const p = readPalette();
    plots = [latencyChart(latencyHost, report, p, width(latencyHost)), budgetChart(budgetHost, report, p, width(budgetHost))];
    latencyHost.dataset['drawn'] = String(report.buckets.startMs.length);
    budgetHost.dataset['drawn'] = String(report.buckets.startMs.length);
  };
  draw();
  const stopTheme = onThemeChange(draw);
  let last = width(latencyHost);
  const resize = new ResizeObserver(() => {
    const now = width(latencyHost);
    if (now === last) return;
    last = now;
    for (const [plot, host] of [[plots[0], latencyHost], [plots[1], budgetHost]] as const) plot?.setSize({ width: width(host), height: plot.height });
  });
  resize.observe(latencyHost);
  return () => {
    stopTheme();
    resize.disconnect();
    for (const plot of plots) plot.destroy();
    plots = [];
  };
}
