import { describe, expect, it } from 'vitest';
import { histogramSeries, histogramUpTo, latencySeries, loadBars, snapshot, throughputSeries } from '../../../src/runtime/visual/metrics-data.ts';
import type { MetricBucket, RunMeta } from '../../../src/runtime/visual/protocol.ts';
import { latencyBin } from '../../../src/runtime/visual/scales.ts';

const meta: RunMeta = {
  scenarioId: 't', title: '', description: '', params: [], seed: 1, nodes: ['clients', 'server'],
  groups: [], durationMs: 2_000, bucketMs: 500, slo: { p99LatencyMs: 100, availability: 0.99 }, traced: true,
};

/** Running totals, as the simulator's summary keeps them. */
const totals = { ok: 0, failed: 0 };

function bucket(i: number, ok: number, failed: number, p99: number, totalP99: number, open = 0): MetricBucket {
  totals.ok += ok;
  totals.failed += failed;
  return {
    startMs: i * 500, endMs: i * 500 + 500, ok, failed, unknown: 0, p50Ms: p99 / 2, p99Ms: p99,
    totalOk: totals.ok, totalFailed: totals.failed, totalUnknown: 0, totalOpen: open,
    totalP50Ms: totalP99 / 2, totalP99Ms: totalP99, bins: [latencyBin(p99), ok],
    nodes: [{ queueDepth: 0, inService: 0, served: 0, rejected: 0, up: true, paused: false }, { queueDepth: 3, inService: 1, served: 10, rejected: 0, up: true, paused: false }],
  };
}

const buckets = [bucket(0, 50, 0, 20, 20, 4), bucket(1, 40, 10, Number.NaN, 80, 3), bucket(2, 45, 5, 150, 120, 2), bucket(3, 10, 0, 20, 110, 5)];

describe('metrics up to the playhead', () => {
  it('draws a gap, not a zero, for a bucket with no successful request', () => {
    const [xs, , p99] = latencySeries(buckets, 2);
    expect(xs).toEqual([500, 1_000, 1_500]);
    expect(p99).toEqual([20, null, 150]);
  });

  it('turns bucket counts into throughput per second and availability in percent', () => {
    const [, rate, avail] = throughputSeries(buckets, 1);
    expect(rate).toEqual([100, 80]);
    expect(avail).toEqual([100, 80]);
  });

  it('sums the histograms of the buckets before the playhead only', () => {
    const dense = histogramUpTo(buckets, 0);
    expect(dense.reduce((a, b) => a + b, 0)).toBe(50);
    const [xs, ys] = histogramSeries(dense);
    expect(ys.reduce((a, b) => a + b, 0)).toBe(50);
    expect(xs.length).toBe(ys.length);
  });

  it('shows each node’s load as requests inside it and requests in service', () => {
    expect(loadBars(buckets[0], 2)).toEqual([[0, 1], [0, 4], [0, 1]]);
  });

  it('judges the SLO on the figures so far', () => {
    const early = snapshot(meta, buckets, 0, 500);
    expect(early.slo).toEqual([
      { label: 'p99 latency', target: '≤ 100 ms', pass: true },
      { label: 'availability', target: '≥ 99%', pass: true },
    ]);
    const late = snapshot(meta, buckets, 2, 1_500);
    expect(late.p99Ms).toBe(120);
    expect(late.availability).toBeCloseTo(135 / 150);
    expect(late.slo.map((s) => s.pass)).toEqual([false, false]);
    expect(late.throughputPerS).toBeCloseTo(85);
    expect(snapshot(meta, buckets, -1, 0).slo.map((s) => s.pass)).toEqual([undefined, undefined]);
  });

  it('leaves requests still in flight out of availability while the run goes on, and counts them as unanswered at its end', () => {
    // Four requests in flight after the first bucket: not failures, just not answered yet.
    expect(snapshot(meta, buckets, 0, 500).availability).toBe(1);
    expect(snapshot(meta, buckets, 0, 500).completed).toBe(50);
    // The run is over after the last bucket: the five still open had no answer, as sim.summary() counts them.
    const end = snapshot(meta, buckets, 3, 2_000);
    expect(end.ok).toBe(145);
    expect(end.completed).toBe(145 + 15 + 5);
    expect(end.availability).toBeCloseTo(145 / 165);
  });
});
