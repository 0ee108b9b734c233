/**
 * Chart-ready arrays and table figures from the metrics buckets, up to the playhead. Pure,
 * so the numbers the charts and the summary table show are tested in Node.
 */
import type { MetricBucket, RunMeta } from './protocol.ts';
import { BIN_COUNT, addBins, binEdges } from './scales.ts';

/** uPlot draws `null` as a gap; NaN would break its auto-ranging. */
const gap = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Latency over time: x (ms, bucket end), p50 and p99 of each bucket. */
export function latencySeries(buckets: readonly MetricBucket[], upTo: number): [number[], (number | null)[], (number | null)[]] {
  const xs: number[] = [];
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  for (let i = 0; i <= upTo && i < buckets.length; i++) {
    const b = buckets[i]!;
    xs.push(b.endMs);
    p50.push(gap(b.p50Ms));
    p99.push(gap(b.p99Ms));
  }
  return [xs, p50, p99];
}

/**
 * Throughput (successful operations per second) and availability (% of completed
 * operations that succeeded) per bucket. A bucket in which nothing completed has no
 * availability to show, rather than 0% or 100%.
 */
export function throughputSeries(buckets: readonly MetricBucket[], upTo: number): [number[], number[], (number | null)[]] {
  const xs: number[] = [];
  const rate: number[] = [];
  const avail: (number | null)[] = [];
  for (let i = 0; i <= upTo && i < buckets.length; i++) {
    const b = buckets[i]!;
    const seconds = (b.endMs - b.startMs) / 1000;
    const completed = b.ok + b.failed + b.unknown;
    xs.push(b.endMs);
    rate.push(seconds > 0 ? b.ok / seconds : 0);
    avail.push(completed > 0 ? (100 * b.ok) / completed : null);
  }
  return [xs, rate, avail];
}

/** The latency histogram of every successful operation up to bucket `upTo`, as dense counts. */
export function histogramUpTo(buckets: readonly MetricBucket[], upTo: number): Float64Array {
  const dense = new Float64Array(BIN_COUNT);
  for (let i = 0; i <= upTo && i < buckets.length; i++) addBins(dense, buckets[i]!.bins);
  return dense;
}

/** Histogram bars trimmed to the bins in use (plus one either side): x is the bin's geometric centre. */
export function histogramSeries(dense: Float64Array): [number[], number[]] {
  let first = dense.findIndex((c) => c > 0);
  if (first < 0) return [[], []];
  let last = dense.length - 1;
  while (last > first && dense[last] === 0) last--;
  first = Math.max(0, first - 1);
  last = Math.min(dense.length - 1, last + 1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = first; i <= last; i++) {
    const [lo, hi] = binEdges(i);
    xs.push(Math.sqrt(lo * hi));
    ys.push(dense[i]!);
  }
  return [xs, ys];
}

/** Per-node load at a bucket: x (node index), requests in the node (queued + in service), in service. */
export function loadBars(bucket: MetricBucket | undefined, nodeCount: number): [number[], number[], number[]] {
  const xs = Array.from({ length: nodeCount }, (_, i) => i);
  const total = xs.map((i) => (bucket?.nodes[i] ? bucket.nodes[i]!.queueDepth + bucket.nodes[i]!.inService : 0));
  const busy = xs.map((i) => bucket?.nodes[i]?.inService ?? 0);
  return [xs, total, busy];
}

/** The figures of the summary table at the playhead. */
export interface Snapshot {
  readonly atMs: number;
  /**
   * Operations with an outcome so far: succeeded, refused, or out of time. Once the run is
   * over, operations still waiting count too (as out of time), as the simulator's summary
   * counts them; this is then the summary's `operations`.
   */
  readonly completed: number;
  readonly ok: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Successful operations per second over the last second of virtual time. */
  readonly throughputPerS: number;
  /** `ok / completed` (NaN before any completed); at the end of the run, the summary's availability. */
  readonly availability: number;
  /** Verdict per SLO objective shown (only p99 and availability are measurable live). */
  readonly slo: readonly { readonly label: string; readonly target: string; readonly pass: boolean | undefined }[];
}

/**
 * The summary at the playhead, from the simulator's running totals in the bucket before
 * it. While the run goes on, an operation still waiting is not judged yet (it would drag
 * availability down for no fault of the system); at the end it counts as having had no
 * answer, exactly as `sim.summary()` counts it.
 */
export function snapshot(meta: RunMeta, buckets: readonly MetricBucket[], upTo: number, atMs: number): Snapshot {
  let recentOk = 0;
  let recentMs = 0;
  for (let i = Math.min(upTo, buckets.length - 1); i >= 0 && recentMs < 1000; i--) {
    const b = buckets[i]!;
    recentOk += b.ok;
    recentMs += b.endMs - b.startMs;
  }
  const last = upTo >= 0 ? buckets[Math.min(upTo, buckets.length - 1)] : undefined;
  const over = last !== undefined && last.endMs >= meta.durationMs;
  const ok = last?.totalOk ?? 0;
  const completed = last === undefined ? 0 : last.totalOk + last.totalFailed + last.totalUnknown + (over ? last.totalOpen : 0);
  const p50Ms = last?.totalP50Ms ?? Number.NaN;
  const p99Ms = last?.totalP99Ms ?? Number.NaN;
  const availability = completed > 0 ? ok / completed : Number.NaN;
  const slo: { label: string; target: string; pass: boolean | undefined }[] = [];
  const known = (v: number, test: boolean) => (Number.isFinite(v) ? test : undefined);
  if (meta.slo.p99LatencyMs !== undefined) {
    slo.push({ label: 'p99 latency', target: `≤ ${meta.slo.p99LatencyMs} ms`, pass: known(p99Ms, p99Ms <= meta.slo.p99LatencyMs) });
  }
  if (meta.slo.p50LatencyMs !== undefined) {
    slo.push({ label: 'p50 latency', target: `≤ ${meta.slo.p50LatencyMs} ms`, pass: known(p50Ms, p50Ms <= meta.slo.p50LatencyMs) });
  }
  if (meta.slo.availability !== undefined) {
    const target = meta.slo.availability;
    slo.push({ label: 'availability', target: `≥ ${target * 100}%`, pass: known(availability, availability >= target) });
  }
  return {
    atMs,
    completed,
    ok,
    p50Ms,
    p99Ms,
    throughputPerS: recentMs > 0 ? (recentOk * 1000) / recentMs : 0,
    availability,
    slo,
  };
}
