import { describe, expect, it } from 'vitest';
import {
  BIN_COUNT,
  binEdges,
  chooseBucketMs,
  clampWindow,
  followWindow,
  formatLogTicks,
  formatMs,
  formatPercent,
  formatTicks,
  latencyBin,
  panWindow,
  percentileOfSorted,
  sparseBins,
  addBins,
  zoomWindow,
} from '../../../src/runtime/visual/scales.ts';

describe('latency histogram bins', () => {
  it('puts every latency in the bin whose edges contain it', () => {
    for (const ms of [0.02, 0.5, 1, 3.7, 10, 99.9, 250, 4_000, 65_000]) {
      const [lo, hi] = binEdges(latencyBin(ms));
      expect(ms).toBeGreaterThanOrEqual(lo * 0.999999);
      expect(ms).toBeLessThan(hi * 1.000001);
    }
  });

  it('keeps latencies outside the range in the first and last bins rather than losing them', () => {
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(-5)).toBe(0);
    expect(latencyBin(1e9)).toBe(BIN_COUNT - 1);
  });

  it('round-trips a histogram through the sparse form the worker sends', () => {
    const dense = new Float64Array(BIN_COUNT);
    dense[3] = 2;
    dense[40] = 7;
    const back = new Float64Array(BIN_COUNT);
    addBins(back, sparseBins(dense));
    expect([...back]).toEqual([...dense]);
  });
});

describe('percentiles and readouts', () => {
  it('uses the nearest rank, as the lesson defines a percentile', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted([], 99)).toBeNaN();
  });

  it('formats durations with three significant figures and a unit that fits', () => {
    expect(formatMs(0.25)).toBe('250 µs');
    expect(formatMs(3.456)).toBe('3.46 ms');
    expect(formatMs(45.67)).toBe('45.7 ms');
    expect(formatMs(209.4)).toBe('209 ms');
    expect(formatMs(3_200)).toBe('3.20 s');
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatPercent(0.9995)).toBe('99.95%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('labels axis ticks with enough decimals to tell neighbours apart', () => {
    expect(formatTicks([19_800, 19_850, 19_900])).toEqual(['19.80 s', '19.85 s', '19.90 s']);
    expect(formatTicks([0, 20, 40])).toEqual(['0 ms', '20 ms', '40 ms']);
    expect(formatTicks([0, 0.5, 1])).toEqual(['0.0 ms', '0.5 ms', '1.0 ms']);
    expect(formatLogTicks([1, 2, 10, 50, 100])).toEqual(['1.00 ms', '', '10.0 ms', '', '100 ms']);
  });

  it('picks round metrics buckets, about 400 to a run', () => {
    expect(chooseBucketMs(20_000)).toBe(50);
    expect(chooseBucketMs(10_000)).toBe(50);
    expect(chooseBucketMs(1_000)).toBe(5);
    expect(20_000 / chooseBucketMs(20_000)).toBeLessThanOrEqual(400);
  });
});

describe('the sequence diagram time window', () => {
  it('follows the playhead with the playhead at the right edge, never before time zero', () => {
    expect(followWindow(1_000, 200, 20_000)).toEqual({ startMs: 800, endMs: 1_000 });
    expect(followWindow(50, 200, 20_000)).toEqual({ startMs: 0, endMs: 200 });
  });

  it('zooms around an anchor that stays where it was on screen', () => {
    const w = zoomWindow({ startMs: 0, endMs: 100 }, 0.5, 25, 1_000);
    expect(w).toEqual({ startMs: 12.5, endMs: 62.5 });
  });

  it('never zooms out past the whole run nor pans outside it', () => {
    expect(zoomWindow({ startMs: 0, endMs: 800 }, 4, 400, 1_000)).toEqual({ startMs: 0, endMs: 1_000 });
    expect(panWindow({ startMs: 900, endMs: 1_000 }, 500, 1_000)).toEqual({ startMs: 900, endMs: 1_000 });
    expect(panWindow({ startMs: 0, endMs: 100 }, -50, 1_000)).toEqual({ startMs: 0, endMs: 100 });
    expect(clampWindow({ startMs: -10, endMs: 90 }, 1_000)).toEqual({ startMs: 0, endMs: 100 });
  });
});
