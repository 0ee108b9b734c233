import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, SloTimeline, type FaultWindow, type TimelineOperation } from '../../../src/sim/index.ts';

const windows: FaultWindow[] = [
  { kind: 'partition', label: 'zone b cut off', startMs: 2_000, endMs: 3_000 },
  { kind: 'crash', label: 'router-2 crashes', startMs: 2_500, endMs: 4_000 },
];

/** 1,000 operations a second for 6 s: 5 ms each outside the windows, 50 ms inside; some fail. */
function day(): TimelineOperation[] {
  const ops: TimelineOperation[] = [];
  for (let i = 0; i < 6_000; i++) {
    const invokeMs = i;
    const inside = invokeMs >= 2_000 && invokeMs < 4_000;
    const status = inside && i % 100 === 0 ? 'failed' : i === 5_555 ? 'unknown' : 'ok';
    ops.push({ status, invokeMs, returnMs: status === 'unknown' ? undefined : invokeMs + (inside ? 50 : 5), id: i, label: `get k${i % 7}` });
  }
  return ops;
}

describe('an SLO timeline', () => {
  it('counts operations, failures and the error budget spent', () => {
    const timeline = new SloTimeline({ startMs: 0, endMs: 6_000, bucketMs: 1_000, objective: 0.999, windows });
    for (const op of day()) timeline.record(op);
    const r = timeline.report();
    expect([r.operations, r.ok, r.failed, r.unknown]).toEqual([6_000, 5_979, 20, 1]);
    expect(r.availability).toBeCloseTo(5_979 / 6_000, 12);
    // 0.1% of 6,000 operations may fail: 6. 21 did.
    expect(r.budget.allowed).toBeCloseTo(6, 9);
    expect(r.budget.spent).toBe(21);
    expect(r.budget.spentShare).toBeCloseTo(3.5, 9);
    // 10 failures by 3 s (in the bucket 2–3 s): the budget ran out there.
    expect(r.budget.exhaustedAtMs).toBe(3_000);
    expect(r.buckets.bad).toEqual([0, 0, 10, 10, 0, 1]);
    expect(r.buckets.budgetLeft.map((x) => Math.round(x * 1000) / 1000)).toEqual([1, 1, -0.667, -2.333, -2.333, -2.5]);
    expect(r.buckets.okPerS).toEqual([1000, 1000, 990, 990, 1000, 999]);
  });

  it('measures latency inside the fault windows apart from outside, and each window alone', () => {
    const timeline = new SloTimeline({ startMs: 0, endMs: 6_000, bucketMs: 1_000, objective: 0.999, windows });
    for (const op of day()) timeline.record(op);
    const r = timeline.report();
    // Percentiles come from HDR histograms, exact to 0.1%.
    expect(r.latency.outsideFaults.p99Ms).toBeCloseTo(5, 1);
    expect(r.latency.insideFaults.p99Ms).toBeCloseTo(50, 0);
    expect(r.latency.insideFaults.count + r.latency.outsideFaults.count).toBe(r.latency.all.count);
    expect(r.buckets.p99Ms.map(Math.round)).toEqual([5, 5, 50, 50, 5, 5]);
    // The windows overlap from 2.5 to 3 s: an operation there counts in both.
    expect(r.windows.map((w) => [w.label, w.operations, w.bad, Math.round(w.latency.p99Ms)])).toEqual([
      ['zone b cut off', 1_000, 5 + 5, 50],
      ['router-2 crashes', 1_500, 15, 50],
    ]);
    expect(r.windows[0]!.budgetSpent).toBeCloseTo(10 / 6, 9);
    expect(r.windows[0]!.availability).toBeCloseTo(0.99, 12);
  });

  it('keeps the slowest successful operations, slowest first, with the windows they ran in', () => {
    const timeline = new SloTimeline({ startMs: 0, endMs: 6_000, bucketMs: 1_000, objective: 0.999, windows, slowest: 3 });
    const ops = day();
    ops[4_200] = { status: 'ok', invokeMs: 4_200, returnMs: 4_200 + 900, id: 4_200, label: 'put k0' };
    ops[2_700] = { status: 'ok', invokeMs: 2_700, returnMs: 2_700 + 700, id: 2_700 };
    for (const op of ops) timeline.record(op);
    const slowest = timeline.report().slowest;
    expect(slowest).toEqual([
      { id: 4_200, label: 'put k0', invokeMs: 4_200, latencyMs: 900, during: [] },
      { id: 2_700, invokeMs: 2_700, latencyMs: 700, during: ['zone b cut off', 'router-2 crashes'] },
      { id: 2_001, label: `get k${2_001 % 7}`, invokeMs: 2_001, latencyMs: 50, during: ['zone b cut off'] },
    ]);
  });

  it('gives the same report whatever order operations are recorded in', () => {
    const ops = day();
    const base = new SloTimeline({ startMs: 0, endMs: 6_000, bucketMs: 700, objective: 0.99, windows, slowest: 5 });
    for (const op of ops) base.record(op);
    const expected = JSON.stringify(base.report());
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const shuffled = [...ops];
        let s = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const timeline = new SloTimeline({ startMs: 0, endMs: 6_000, bucketMs: 700, objective: 0.99, windows, slowest: 5 });
        for (const op of shuffled) timeline.record(op);
        expect(JSON.stringify(timeline.report())).toBe(expected);
      }),
      { numRuns: 20 },
    );
  });

  it('agrees with one histogram over every operation, on any run', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: -100, max: 10_100 }), took: fc.integer({ min: 1, max: 5_000 }), ok: fc.boolean() }), { maxLength: 300 }),
        (draws) => {
          const timeline = new SloTimeline({ startMs: 0, endMs: 10_000, bucketMs: 1_500, objective: 0.999, windows });
          const all = new LatencyRecorder();
          let counted = 0;
          for (const d of draws) {
            const returnMs = d.at + d.took / 10;
            timeline.record({ status: d.ok ? 'ok' : 'failed', invokeMs: d.at, returnMs });
            if (d.at >= 0 && d.at < 10_000) {
              counted++;
              if (d.ok) all.record(returnMs - d.at);
            }
          }
          const r = timeline.report();
          expect(r.operations).toBe(counted);
          expect(r.buckets.operations.reduce((a, b) => a + b, 0)).toBe(counted);
          expect(r.buckets.startMs).toHaveLength(7);
          expect(r.latency.all).toEqual(all.summary());
          expect(r.budget.spent).toBe(r.buckets.bad.reduce((a, b) => a + b, 0));
        },
      ),
    );
  });

  it('reports a run without operations as whole, and refuses nonsense options', () => {
    const r = new SloTimeline({ startMs: 0, endMs: 1_000, bucketMs: 300, objective: 0.999 }).report();
    expect([r.operations, r.availability, r.budget.spentShare, r.budget.exhaustedAtMs]).toEqual([0, 1, 0, null]);
    expect(r.buckets.budgetLeft).toEqual([1, 1, 1, 1]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(() => new SloTimeline({ startMs: 0, endMs: 1_000, bucketMs: 100, objective: 99.9 })).toThrow(
      'objective must be in (0, 1), such as 0.999; got 99.9.',
    );
    expect(() => new SloTimeline({ startMs: 5, endMs: 5, bucketMs: 100, objective: 0.9 })).toThrow(/after startMs/);
    expect(() => new SloTimeline({ startMs: 0, endMs: 1e9, bucketMs: 1, objective: 0.9 })).toThrow(/too many/);
  });
});
