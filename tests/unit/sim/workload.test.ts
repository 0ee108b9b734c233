import { describe, expect, it } from 'vitest';
import {
  KeyChooser,
  Random,
  Rejection,
  Simulation,
  burst,
  compressedDay,
  constant,
  exponential,
  ramp,
  type History,
  type KvInput,
  type KvOutput,
} from '../../../src/sim/index.ts';

/** A key-value server that answers at once. */
function kvServer(sim: Simulation, name = 'kv', options: Parameters<Simulation['addNode']>[2] = {}): void {
  sim.addNode(
    name,
    () => {
      const data = new Map<string, string>();
      return {
        onRequest({ body }: { body: KvInput }): KvOutput {
          if (body.kind === 'get') return { kind: 'get', value: data.get(body.key) ?? null };
          if (body.kind === 'put') data.set(body.key, body.value);
          return { kind: 'put' };
        },
      };
    },
    options,
  );
}

/** Checks that no client has two operations open at once. */
function expectOneOpenOperationPerClient(history: History): void {
  const byClient = new Map<number, { invokeMs: number; returnMs: number }[]>();
  for (const op of history) {
    const list = byClient.get(op.clientId) ?? [];
    list.push({ invokeMs: op.invokeMs, returnMs: op.returnMs ?? Infinity });
    byClient.set(op.clientId, list);
  }
  for (const ops of byClient.values()) {
    ops.sort((a, b) => a.invokeMs - b.invokeMs);
    for (let i = 1; i < ops.length; i++) expect(ops[i]!.invokeMs).toBeGreaterThanOrEqual(ops[i - 1]!.returnMs);
  }
}

describe('open-loop workloads', () => {
  it('arrive as a Poisson process at the target rate', async () => {
    const sim = new Simulation({ seed: 5, trace: { enabled: false } });
    kvServer(sim);
    const load = sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 500 }, stopMs: 60_000 });
    await sim.runUntilIdle();
    const times = load.history.map((op) => op.invokeMs);
    expect(Math.abs(times.length - 30_000) / 30_000).toBeLessThan(0.02);
    // Exponential gaps: the standard deviation equals the mean (coefficient of variation 1).
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.03);
  });

  it('follow a burst profile', async () => {
    const sim = new Simulation({ seed: 6, trace: { enabled: false } });
    kvServer(sim);
    const load = sim.workload({
      target: 'kv',
      arrivals: { kind: 'open', ratePerS: burst({ baseRatePerS: 100, burstRatePerS: 2000, startMs: 10_000, durationMs: 5_000 }) },
      stopMs: 20_000,
    });
    await sim.runUntilIdle();
    const inBurst = load.history.filter((op) => op.invokeMs >= 10_000 && op.invokeMs < 15_000).length;
    const before = load.history.filter((op) => op.invokeMs < 10_000).length;
    expect(Math.abs(inBurst - 10_000) / 10_000).toBeLessThan(0.04);
    expect(Math.abs(before - 1_000) / 1_000).toBeLessThan(0.1);
  });

  it('follow a ramp from a low to a high rate', async () => {
    const sim = new Simulation({ seed: 7, trace: { enabled: false } });
    kvServer(sim);
    const load = sim.workload({
      target: 'kv',
      arrivals: { kind: 'open', ratePerS: ramp({ fromRatePerS: 100, toRatePerS: 1000, startMs: 0, durationMs: 10_000 }) },
      stopMs: 10_000,
    });
    await sim.runUntilIdle();
    // The average rate of a linear ramp is the midpoint: 550/s over 10 s.
    expect(Math.abs(load.history.length - 5500) / 5500).toBeLessThan(0.04);
    const firstSecond = load.history.filter((op) => op.invokeMs < 1000).length;
    const lastSecond = load.history.filter((op) => op.invokeMs >= 9000).length;
    expect(lastSecond).toBeGreaterThan(4 * firstSecond);
  });

  it('mix reads and writes in the given proportions, on unique values', async () => {
    const sim = new Simulation({ seed: 8, trace: { enabled: false } });
    kvServer(sim);
    const load = sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 1000 }, mix: { get: 9, put: 1 }, maxOperations: 20_000 });
    await sim.runUntilIdle();
    const puts = load.history.filter((op) => op.input.kind === 'put');
    expect(Math.abs(puts.length / 20_000 - 0.1)).toBeLessThan(0.01);
    const values = puts.map((op) => (op.input.kind === 'put' ? op.input.value : ''));
    expect(new Set(values).size).toBe(values.length);
  });

  it('spread load with a routing function and never give a client two open operations', async () => {
    const sim = new Simulation({ seed: 9, network: { latency: exponential(5) }, trace: { enabled: false } });
    for (const name of ['a', 'b', 'c']) kvServer(sim, name, { capacity: { workers: 1, serviceTime: exponential(2) } });
    let turn = 0;
    const load = sim.workload({
      target: () => ['a', 'b', 'c'][turn++ % 3]!,
      arrivals: { kind: 'open', ratePerS: 600 },
      maxOperations: 6000,
      deadlineMs: 30,
    });
    await sim.runUntilIdle();
    const served = ['a', 'b', 'c'].map((n) => sim.node(n).served);
    for (const count of served) expect(Math.abs(count - 2000)).toBeLessThanOrEqual(1);
    expect(load.history.some((op) => op.status === 'unknown')).toBe(true);
    expectOneOpenOperationPerClient(load.history);
  });
});

describe('a compressed day', () => {
  const day = compressedDay({ dayMs: 20_000, peakRatePerS: 2_000, flashCrowd: { startMs: 5_000, durationMs: 1_000, multiplier: 3 } });
  const plain = compressedDay({ dayMs: 20_000, peakRatePerS: 2_000 });

  it('peaks at peakRatePerS three quarters into the day, 2.5 times its trough half a day later, and repeats', () => {
    expect(plain.ratePerS(15_000)).toBe(2_000);
    expect(plain.ratePerS(5_000)).toBeCloseTo(800, 9);
    expect(plain.ratePerS(35_000)).toBe(2_000);
    expect(plain.ratePerS(-5_000)).toBe(2_000);
    // Smooth and one-way between: rising from the trough to the peak, falling after it.
    let previous = plain.ratePerS(5_000);
    for (let t = 5_100; t <= 15_000; t += 100) {
      expect(plain.ratePerS(t)).toBeGreaterThanOrEqual(previous);
      expect(plain.ratePerS(t) - previous).toBeLessThan(40);
      previous = plain.ratePerS(t);
    }
    for (let t = 15_100; t <= 25_000; t += 100) expect(plain.ratePerS(t)).toBeLessThanOrEqual(plain.ratePerS(t - 100));
    // Halfway between trough and peak in time, halfway in rate (the curve is symmetric).
    expect(plain.ratePerS(10_000)).toBeCloseTo(1_400, 9);
    expect(plain.peakRatePerS).toBe(2_000);
  });

  it('multiplies the rate in a flash crowd, and only then, with a peak that bounds it', () => {
    expect(day.ratePerS(5_500)).toBeCloseTo(3 * plain.ratePerS(5_500), 9);
    expect(day.ratePerS(4_999)).toBe(plain.ratePerS(4_999));
    expect(day.ratePerS(6_000)).toBe(plain.ratePerS(6_000));
    expect(day.peakRatePerS).toBe(6_000);
    for (let t = 0; t < 20_000; t += 50) expect(day.ratePerS(t)).toBeLessThanOrEqual(day.peakRatePerS);
  });

  it('drives an open-loop workload: 2.5 times as many arrivals at the peak as at the trough, and the day’s average of 70% of the peak', async () => {
    const sim = new Simulation({ seed: 8, trace: { enabled: false } });
    kvServer(sim);
    const load = sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: plain }, stopMs: 20_000 });
    await sim.runUntilIdle();
    const within = (from: number, to: number) => load.history.filter((op) => op.invokeMs >= from && op.invokeMs < to).length;
    const atPeak = within(14_500, 15_500);
    const atTrough = within(4_500, 5_500);
    expect(Math.abs(atPeak / atTrough - 2.5)).toBeLessThan(0.25);
    // The smoothstep averages one half over the day: 2,000 − 1,200 / 2 = 1,400 a second.
    expect(Math.abs(load.history.length - 28_000) / 28_000).toBeLessThan(0.02);
  });

  it('refuses settings that make no day', () => {
    expect(() => compressedDay({ dayMs: 0, peakRatePerS: 10 })).toThrow('dayMs must be finite and > 0; got 0.');
    expect(() => compressedDay({ dayMs: 1_000, peakRatePerS: 10, peakToTrough: 0.5 })).toThrow('peakToTrough must be finite and >= 1; got 0.5.');
    expect(() => compressedDay({ dayMs: 1_000, peakRatePerS: 10, peakAt: 1 })).toThrow('peakAt must be in [0, 1); got 1.');
    expect(() => compressedDay({ dayMs: 1_000, peakRatePerS: 10, flashCrowd: { startMs: 0, durationMs: 10, multiplier: 0.5 } })).toThrow('flashCrowd needs');
  });
});

describe('closed-loop workloads', () => {
  it('reach clients / (response time + think time) throughput', async () => {
    const sim = new Simulation({ seed: 10, network: { latency: constant(0) }, trace: { enabled: false } });
    kvServer(sim, 'kv', { capacity: { workers: 100, serviceTime: constant(10) } });
    const load = sim.workload({
      target: 'kv',
      arrivals: { kind: 'closed', clients: 10, thinkTime: constant(40) },
      stopMs: 10_000,
    });
    await sim.runUntilIdle();
    // Each client completes one operation per 50 ms: 10 clients × 20/s × 10 s.
    expect(load.history.length).toBe(2000);
    const throughput = sim.summary().throughputPerS;
    expect(throughput).toBeGreaterThan(199);
    expect(throughput).toBeLessThan(202);
    expectOneOpenOperationPerClient(load.history);
    expect(new Set(load.history.map((op) => op.clientId)).size).toBe(10);
  });
});

describe('histories', () => {
  it('record ok, failed and unknown operations as history.ts defines them', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    let calls = 0;
    sim.addNode('kv', (ctx) => ({
      async onRequest(): Promise<KvOutput> {
        calls++;
        if (calls === 2) throw new Rejection('not the leader');
        if (calls === 3) await ctx.sleep(1000);
        return { kind: 'put' };
      },
    }));
    const load = sim.workload({
      target: 'kv',
      arrivals: { kind: 'closed', clients: 1 },
      mix: { put: 1 },
      deadlineMs: 100,
      maxOperations: 3,
    });
    await sim.runUntilIdle();
    const [ok, failed, unknown] = load.history;
    expect(ok).toMatchObject({ clientId: 0, invokeMs: 0, returnMs: 2, status: 'ok', output: { kind: 'put' } });
    expect(failed).toMatchObject({ clientId: 0, invokeMs: 2, returnMs: 4, status: 'failed', error: 'not the leader' });
    expect(unknown).toMatchObject({ clientId: 0, invokeMs: 4, status: 'unknown' });
    expect(unknown).not.toHaveProperty('returnMs');
    expect(sim.summary()).toMatchObject({ operations: 3, ok: 1, failed: 1, unknown: 1 });
  });

  it('give a client a new id after an unknown outcome', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('kv', () => ({ onRequest: () => ({ kind: 'put' }) }));
    const load = sim.workload({
      name: 'client',
      target: 'kv',
      arrivals: { kind: 'closed', clients: 1 },
      mix: { put: 1 },
      deadlineMs: 100,
      maxOperations: 3,
    });
    sim.partition([['client'], ['kv']], { atMs: 0, healAtMs: 150 });
    await sim.runUntilIdle();
    expect(load.history.map((op) => [op.clientId, op.status])).toEqual([
      [0, 'unknown'],
      [1, 'unknown'],
      [2, 'ok'],
    ]);
  });

  it('show operations still open as unknown, without a return time', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(50) } });
    kvServer(sim);
    const load = sim.workload({ target: 'kv', arrivals: { kind: 'closed', clients: 2 }, maxOperations: 2 });
    await sim.runUntil(10);
    expect(load.open).toBe(2);
    expect(load.history.map((op) => op.status)).toEqual(['unknown', 'unknown']);
    expect(sim.summary().unknown).toBe(2);
    await sim.runUntilIdle();
    expect(load.history.map((op) => op.status)).toEqual(['ok', 'ok']);
  });

  it('let a custom issue function retry, within the deadline', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    kvServer(sim, 'good');
    sim.addNode('bad', () => ({
      onRequest() {
        throw new Rejection('busy');
      },
    }));
    const load = sim.workload<KvInput, KvOutput>({
      arrivals: { kind: 'closed', clients: 1 },
      maxOperations: 5,
      async issue(input, ctx) {
        try {
          return await ctx.rpc<KvOutput>('bad', input, { timeoutMs: 50 });
        } catch {
          return await ctx.rpc<KvOutput>('good', input, { timeoutMs: 50 });
        }
      },
    });
    await sim.runUntilIdle();
    expect(load.history.map((op) => op.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(load.history.map((op) => op.returnMs! - op.invokeMs)).toEqual([4, 4, 4, 4, 4]);
  });

  it('refuse a workload with no end', () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 1 } })).toThrow(/stopMs, maxOperations/);
  });
});

describe('keys', () => {
  it('follow Zipf frequencies: key k is picked in proportion to 1 / (k + 1)^s', () => {
    const count = 50;
    const exponent = 1.1;
    const chooser = new KeyChooser({ count, distribution: { zipfExponent: exponent } });
    const rng = new Random(12);
    const hits = new Array<number>(count).fill(0);
    const n = 300_000;
    for (let i = 0; i < n; i++) hits[chooser.pickIndex(rng)]!++;
    let total = 0;
    for (let k = 0; k < count; k++) total += 1 / (k + 1) ** exponent;
    for (const k of [0, 1, 2, 9, 49]) {
      const expected = 1 / (k + 1) ** exponent / total;
      expect(Math.abs(hits[k]! / n - expected) / expected).toBeLessThan(0.06);
    }
  });

  it('are uniform by default, and named with the prefix', () => {
    const chooser = new KeyChooser({ count: 4, prefix: 'user-' });
    const rng = new Random(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 40_000; i++) {
      const key = chooser.pick(rng);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['user-0', 'user-1', 'user-2', 'user-3']);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
