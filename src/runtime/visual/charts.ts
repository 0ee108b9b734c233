/**
 * The metrics charts, drawn with uPlot: latency percentiles over time, the latency
 * histogram, per-node load, and throughput with availability. SLO targets from the
 * scenario are drawn as dashed lines. Charts are rebuilt when the theme changes (uPlot
 * bakes colours into its options) and resized with their container.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunMeta } from './protocol.ts';
import type { RunStore } from './store.ts';
import { histogramSeries, histogramUpTo, latencySeries, loadBars, throughputSeries } from './metrics-data.ts';
import { formatLogTicks, formatMs, formatTicks } from './scales.ts';
import type { Palette } from './theme.ts';

const HEIGHT = 190;

/** Axis styling shared by every chart. */
export function axis(p: Palette, extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: p.muted,
    grid: { stroke: p.border, width: 1 },
    ticks: { stroke: p.border, width: 1 },
    font: `12px ${p.font}`,
    labelFont: `12px ${p.font}`,
    ...extra,
  };
}

const timeValues = (_u: uPlot, splits: number[]) => formatTicks(splits);

interface Chart {
  readonly plot: uPlot;
  update(store: RunStore, upTo: number): void;
}

/** Dashed constant line for an SLO target, as a uPlot series over the same x values. */
function sloSeries(label: string, stroke: string, scale?: string): uPlot.Series {
  return { label, stroke, dash: [6, 4], width: 1.5, points: { show: false }, ...(scale ? { scale } : {}) };
}

function latencyChart(host: HTMLElement, meta: RunMeta, p: Palette, width: number): Chart {
  const slo = meta.slo.p99LatencyMs;
  const series: uPlot.Series[] = [
    { label: 'virtual time', value: (_u, v) => (v == null ? '–' : formatMs(v)) },
    { label: 'p50', stroke: p.accent, width: 2, value: (_u, v) => (v == null ? '–' : formatMs(v)) },
    { label: 'p99', stroke: p.warn, width: 2, value: (_u, v) => (v == null ? '–' : formatMs(v)) },
  ];
  if (slo !== undefined) series.push(sloSeries(`p99 SLO (${formatMs(slo)})`, p.bad));
  // A log axis (when the scenario asks) spans whole powers of ten around the data and the
  // SLO, so a 2 ms request and a 1 s election wait are both readable; a linear one starts at 0.
  const log = meta.latencyScale === 'log';
  const y: uPlot.Scale = log
    ? {
        distr: 3,
        log: 10,
        range: (_u, min, max) => {
          const lo = Math.min(min ?? 1, slo ?? Infinity, 1);
          const hi = Math.max(max ?? 10, slo ?? 0, 10);
          return [10 ** Math.floor(Math.log10(Math.max(lo, 1e-3))), 10 ** Math.ceil(Math.log10(hi))];
        },
      }
    : { range: (_u, _min, max) => [0, Math.max(max ?? 0, slo ?? 0, 1) * 1.1] };
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      scales: { x: { time: false, range: [0, meta.durationMs] }, y },
      series,
      axes: [axis(p, { values: timeValues }), axis(p, { values: (_u, s) => (log ? formatLogTicks(s) : formatTicks(s)), size: 64 })],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[], [], [], ...(slo !== undefined ? [[]] : [])] as unknown as uPlot.AlignedData,
    host,
  );
  return {
    plot,
    update(store, upTo) {
      const [xs, p50, p99] = latencySeries(store.buckets, upTo);
      const data: (number | null)[][] = [xs, p50, p99];
      if (slo !== undefined) data.push(xs.map(() => slo));
      plot.setData(data as uPlot.AlignedData);
    },
  };
}

function histogramChart(host: HTMLElement, p: Palette, width: number): Chart {
  const bars = uPlot.paths.bars!({ size: [0.9, 40] });
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      scales: { x: { time: false, distr: 3 }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] } },
      series: [
        { label: 'latency', value: (_u, v) => (v == null ? '–' : `≈ ${formatMs(v)}`) },
        { label: 'operations', stroke: p.accent, fill: p.accent, paths: bars, points: { show: false } },
      ],
      axes: [axis(p, { values: (_u, s) => formatLogTicks(s) }), axis(p, { size: 56 })],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[], []],
    host,
  );
  return {
    plot,
    update(store, upTo) {
      plot.setData(histogramSeries(histogramUpTo(store.buckets, upTo)));
    },
  };
}

function loadChart(host: HTMLElement, meta: RunMeta, p: Palette, width: number): Chart {
  const n = meta.nodes.length;
  const bars = uPlot.paths.bars!({ size: [0.6, 48] });
  let peak = 1;
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: () => [0, peak * 1.1] } },
      series: [
        { label: 'node', value: (_u, v) => (v == null ? '–' : (meta.nodes[v] ?? '')) },
        { label: 'in the node (queued + in service)', stroke: p.warn, fill: p.warn, paths: bars, points: { show: false } },
        { label: 'in service', stroke: p.accent, fill: p.accent, paths: bars, points: { show: false } },
      ],
      axes: [
        axis(p, { splits: () => meta.nodes.map((_, i) => i), values: (_u, s) => s.map((i) => meta.nodes[i] ?? ''), grid: { show: false } }),
        axis(p, { size: 48 }),
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[], [], []],
    host,
  );
  return {
    plot,
    update(store, upTo) {
      const data = loadBars(store.buckets[upTo], n);
      // The y scale is the peak so far, so bars do not jump as a spike passes, and it
      // depends only on the playhead (not on which frames happened to be drawn).
      peak = 1;
      for (let i = 0; i <= upTo && i < store.buckets.length; i++) {
        for (const node of store.buckets[i]!.nodes) peak = Math.max(peak, node.queueDepth + node.inService);
      }
      plot.setData(data);
    },
  };
}

function throughputChart(host: HTMLElement, meta: RunMeta, p: Palette, width: number): Chart {
  const target = meta.slo.availability;
  const series: uPlot.Series[] = [
    { label: 'virtual time', value: (_u, v) => (v == null ? '–' : formatMs(v)) },
    { label: 'throughput (ok/s)', stroke: p.accent, width: 2, scale: 'rate', value: (_u, v) => (v == null ? '–' : v.toFixed(0)) },
    { label: 'availability (%)', stroke: p.ok, width: 2, scale: 'pct', value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)}%`) },
  ];
  if (target !== undefined) series.push(sloSeries(`availability SLO (${target * 100}%)`, p.bad, 'pct'));
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      scales: {
        x: { time: false, range: [0, meta.durationMs] },
        rate: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 1) * 1.1] },
        pct: { range: [0, 100] },
      },
      series,
      axes: [
        axis(p, { values: timeValues }),
        axis(p, { scale: 'rate', size: 48 }),
        axis(p, { scale: 'pct', side: 1, grid: { show: false }, size: 44, values: (_u, s) => s.map((v) => `${v}%`) }),
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [[], [], [], ...(target !== undefined ? [[]] : [])] as unknown as uPlot.AlignedData,
    host,
  );
  return {
    plot,
    update(store, upTo) {
      const [xs, rate, avail] = throughputSeries(store.buckets, upTo);
      const data: (number | null)[][] = [xs, rate, avail];
      if (target !== undefined) data.push(xs.map(() => target * 100));
      plot.setData(data as uPlot.AlignedData);
    },
  };
}

/** The four metric charts of one simulation, in the hosts given. */
export class MetricCharts {
  #charts: Chart[] = [];
  readonly #hosts: readonly HTMLElement[];
  readonly #meta: RunMeta;
  #lastUpTo = -2;
  #store: RunStore | undefined;
  /** The next chart a spread update redraws; the chart count when none is pending. */
  #next = 0;

  constructor(hosts: { latency: HTMLElement; histogram: HTMLElement; load: HTMLElement; throughput: HTMLElement }, meta: RunMeta, palette: Palette) {
    this.#hosts = [hosts.latency, hosts.histogram, hosts.load, hosts.throughput];
    this.#meta = meta;
    // The caption says when the latency axis is logarithmic: equal steps are then ×10, not +n ms.
    const log = meta.latencyScale === 'log';
    hosts.latency.dataset['scale'] = log ? 'log' : 'linear';
    const caption = hosts.latency.closest('figure')?.querySelector('figcaption');
    if (caption) caption.textContent = `Latency percentiles over time${log ? ' (log scale)' : ''}`;
    this.rebuild(palette);
  }

  /** Recreates the charts, e.g. in new colours. */
  rebuild(palette: Palette): void {
    this.destroy();
    const [latency, histogram, load, throughput] = this.#hosts as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    const w = (h: HTMLElement) => Math.max(240, Math.floor(h.clientWidth || 320));
    this.#charts = [
      latencyChart(latency, this.#meta, palette, w(latency)),
      histogramChart(histogram, palette, w(histogram)),
      loadChart(load, this.#meta, palette, w(load)),
      throughputChart(throughput, this.#meta, palette, w(throughput)),
    ];
    this.#lastUpTo = -2;
    this.#next = this.#charts.length;
  }

  /**
   * Redraws for the bucket at the playhead; does nothing when it has not changed. With
   * `spread`, only the first chart redraws now and the others on the following
   * {@link drawNext} calls, one each: four charts in one frame make a long task on a slow
   * machine, one per frame does not.
   */
  update(store: RunStore, upTo: number, force = false, spread = false): void {
    if (!force && upTo === this.#lastUpTo) {
      // Nothing new, but a spread update may still owe some charts; finish them when asked to draw all.
      if (!spread) while (this.drawNext());
      return;
    }
    this.#lastUpTo = upTo;
    this.#store = store;
    this.#next = 0;
    if (spread) this.drawNext();
    else while (this.drawNext());
  }

  /** Whether a spread update still has charts to redraw. */
  get pending(): boolean {
    return this.#store !== undefined && this.#next < this.#charts.length;
  }

  /** Redraws the next chart of a spread update; returns whether any remain. */
  drawNext(): boolean {
    const store = this.#store;
    if (!store || this.#next >= this.#charts.length) return false;
    this.#charts[this.#next++]!.update(store, this.#lastUpTo);
    return this.#next < this.#charts.length;
  }

  resize(): void {
    this.#charts.forEach((c, i) => {
      const host = this.#hosts[i]!;
      c.plot.setSize({ width: Math.max(240, Math.floor(host.clientWidth)), height: HEIGHT });
    });
  }

  destroy(): void {
    for (const c of this.#charts) c.plot.destroy();
    this.#charts = [];
  }
}
