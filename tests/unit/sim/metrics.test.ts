import { describe, expect, it } from 'vitest';
import { LatencyRecorder, Rejection, Simulation, checkSlo, constant, type SloMeasurements } from '../../../src/sim/index.ts';

function measured(overrides: Partial<SloMeasurements['latency']> & { availability?: number; ackedWritesLost?: number }): SloMeasurements {
  const { availability = 1, ackedWritesLost, ...latency } = overrides;
  return {
    latency: { count: 100, meanMs: 10, p50Ms: 10, p90Ms: 20, p99Ms: 50, p999Ms: 80, maxMs: 90, ...latency },
    availability,
    throughputPerS: 100,
    ...(ackedWritesLost === undefined ? {} : { ackedWritesLost }),
  };
}

describe('LatencyRecorder', () => {
  it('reports percentiles within 0.1% and exact mean and max', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 10_000; i++) recorder.record(i / 10);
    const summary = recorder.summary();
    expect(summary.count).toBe(10_000);
    expect(summary.meanMs).toBeCloseTo(500.05, 6);
    expect(summary.maxMs).toBe(1000);
    for (const [value, expected] of [
      [summary.p50Ms, 500],
      [summary.p90Ms, 900],
      [summary.p99Ms, 990],
      [summary.p999Ms, 999],
    ] as const) {
      expect(Math.abs(value - expected) / expected).toBeLessThan(0.001);
    }
  });

  it('reports zeros when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
  });
});

describe('checkSlo', () => {
  it('passes objectives that were met and says so per objective', () => {
    const report = checkSlo(measured({ p99Ms: 120, availability: 0.9995, ackedWritesLost: 0 }), {
      p99LatencyMs: 150,
      availability: 0.999,
      ackedWritesLost: 0,
    });
    expect(report.pass).toBe(true);
    expect(report.results.map((r) => [r.objective, r.measured, r.pass])).toEqual([
      ['p99LatencyMs', 120, true],
      ['availability', 0.9995, true],
      ['ackedWritesLost', 0, true],
    ]);
    expect(report.results[0]!.description).toBe('p99 latency 120 ms <= 150 ms: PASS');
  });

  it('fails an objective that was missed, with the measured value in the message', () => {
    const report = checkSlo(measured({ p99Ms: 212.4, availability: 0.98 }), { p99LatencyMs: 150, availability: 0.999 });
    expect(report.pass).toBe(false);
    expect(report.results.map((r) => r.description)).toEqual([
      'p99 latency 212.4 ms > 150 ms: FAIL',
      'availability 0.98 < 0.999: FAIL',
    ]);
  });

  it('fails an objective whose figure was not measured', () => {
    const report = checkSlo(measured({}), { ackedWritesLost: 0 });
    expect(report.pass).toBe(false);
    expect(report.results[0]).toMatchObject({ measured: undefined, description: 'acked writes lost not measured vs 0: FAIL' });
  });
});

describe('the run summary', () => {
  it('counts messages per operation and per-node load', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    sim.addNode('kv', () => ({ onRequest: () => ({ kind: 'put' }) }));
    sim.workload({ target: 'kv', arrivals: { kind: 'closed', clients: 2 }, maxOperations: 10 });
    await sim.runUntilIdle();
    const summary = sim.summary();
    expect(summary.operations).toBe(10);
    expect(summary.availability).toBe(1);
    expect(summary.messagesPerOperation).toBe(2);
    expect(summary.latency.p50Ms).toBe(2);
    expect(summary.nodes).toEqual([{ node: 'kv', served: 10, rejected: 0, maxQueueDepth: 0 }]);
    expect(sim.checkSlo({ p99LatencyMs: 5, availability: 1 }).pass).toBe(true);
  });

  it('tells a listener of every operation as the summary counts it, with the trace off, and separates those still open', async () => {
    const sim = new Simulation({ seed: 3, network: { latency: constant(1) }, trace: { enabled: false } });
    // Requests in turn: refused, answered in 1 ms, answered after the 20 ms deadline.
    let turn = 0;
    sim.addNode('kv', (ctx) => ({
      async onRequest() {
        const kind = turn++ % 3;
        if (kind === 0) throw new Rejection('no');
        await ctx.sleep(kind === 1 ? 1 : 30);
        return { kind: 'put' };
      },
    }));
    sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 200 }, mix: { put: 1 }, deadlineMs: 20, stopMs: 1_000 });
    const seen = { ok: 0, failed: 0, unknown: 0, latencies: [] as number[] };
    const stop = sim.onOperation((op) => {
      seen[op.status]++;
      if (op.status === 'ok') seen.latencies.push(op.returnMs! - op.invokeMs);
      else if (op.status === 'unknown') expect(op.returnMs).toBeUndefined();
      expect(op.countedAtMs).toBe(sim.nowMs);
    });
    await sim.runUntil(1_000);
    const summary = sim.summary();
    expect(sim.trace.events).toHaveLength(0);
    expect(seen.failed).toBe(summary.failed);
    expect(seen.failed).toBeGreaterThan(50);
    expect(seen.ok).toBe(summary.ok);
    expect(seen.ok).toBeGreaterThan(50);
    expect(seen.latencies.every((ms) => ms >= 1 && ms < 20)).toBe(true);
    expect(seen.unknown).toBeGreaterThan(50);
    expect(summary.open).toBeGreaterThan(0);
    expect(seen.unknown + summary.open).toBe(summary.unknown);
    expect(summary.operations).toBe(seen.ok + seen.failed + seen.unknown + summary.open);
    stop();
    await sim.runUntil(2_000);
    expect(seen.unknown + seen.failed + seen.ok).toBeLessThan(sim.summary().operations);
  });
});
