import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_EVENTS } from '../../../src/sim/engine.ts';
import {
  Simulation,
  exponential,
  logNormal,
  mixture,
  traceEventToJson,
  traceHash,
  uniform,
  type KvOutput,
} from '../../../src/sim/index.ts';

interface Scenario {
  readonly seed: number;
  readonly servers: number;
  readonly ratePerS: number;
  readonly dropProbability: number;
  readonly partitionAtMs: number;
  readonly crashAtMs: number;
}

/** A small but busy scenario: async balancer, servers with capacity, loss, a partition and a crash. */
async function run(scenario: Scenario, trace: { enabled?: boolean; capacity?: number } = {}): Promise<Simulation> {
  const sim = new Simulation({
    seed: scenario.seed,
    trace,
    network: {
      latency: mixture([
        [0.95, uniform(0.5, 2)],
        [0.05, logNormal({ p50Ms: 20, p99Ms: 200 })],
      ]),
      dropProbability: scenario.dropProbability,
    },
  });
  const servers = Array.from({ length: scenario.servers }, (_, i) => `s${i}`);
  for (const name of servers) {
    sim.addNode(
      name,
      (ctx) => ({
        async onRequest({ body }) {
          ctx.disk.write(body.key, body.kind);
          if (ctx.random.chance(0.3)) await ctx.disk.sync();
          return { kind: 'put' } satisfies KvOutput;
        },
      }),
      { capacity: { workers: 2, serviceTime: exponential(3), queueCapacity: 20 } },
    );
  }
  sim.addNode('lb', (ctx) => ({
    async onRequest({ body }) {
      const first = servers[ctx.random.int(servers.length)]!;
      try {
        return await ctx.rpc(first, body, { timeoutMs: 40 });
      } catch {
        return await ctx.rpc(servers[(servers.indexOf(first) + 1) % servers.length]!, body, { timeoutMs: 40 });
      }
    },
  }));
  sim.workload({ target: 'lb', arrivals: { kind: 'open', ratePerS: scenario.ratePerS }, stopMs: 2_000, deadlineMs: 150 });
  sim.partition([['lb'], [servers[0]!]], { atMs: scenario.partitionAtMs, healAtMs: scenario.partitionAtMs + 300 });
  sim.crash(servers[servers.length - 1]!, { atMs: scenario.crashAtMs, restartAtMs: scenario.crashAtMs + 200 });
  await sim.runUntilIdle();
  return sim;
}

const scenarios = fc.record({
  seed: fc.integer(),
  servers: fc.integer({ min: 2, max: 5 }),
  ratePerS: fc.integer({ min: 50, max: 400 }),
  dropProbability: fc.double({ min: 0, max: 0.1, noNaN: true }),
  partitionAtMs: fc.integer({ min: 0, max: 1500 }),
  crashAtMs: fc.integer({ min: 0, max: 1500 }),
});

describe('determinism', () => {
  it('gives the same trace hash for the same seed and scenario', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const a = await run(scenario);
        const b = await run(scenario);
        expect(a.trace.count).toBeGreaterThan(0);
        expect(b.trace.hash).toBe(a.trace.hash);
        expect(b.summary()).toEqual(a.summary());
      }),
      { numRuns: 12 },
    );
  });

  it('gives different traces for different seeds or inputs', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const base = await run(scenario);
        const otherSeed = await run({ ...scenario, seed: scenario.seed + 1 });
        const otherRate = await run({ ...scenario, ratePerS: scenario.ratePerS + 7 });
        expect(otherSeed.trace.hash).not.toBe(base.trace.hash);
        expect(otherRate.trace.hash).not.toBe(base.trace.hash);
      }),
      { numRuns: 6 },
    );
  });

  it('hashes every event even when the trace keeps only the first ones', async () => {
    const scenario = { seed: 3, servers: 3, ratePerS: 200, dropProbability: 0.01, partitionAtMs: 500, crashAtMs: 900 };
    const full = await run(scenario);
    const capped = await run(scenario, { capacity: 100 });
    expect(capped.trace.events).toHaveLength(100);
    expect(capped.trace.truncated).toBe(true);
    expect(capped.trace.count).toBe(full.trace.count);
    expect(capped.trace.hash).toBe(full.trace.hash);
    expect(traceHash(full.trace.events)).toBe(full.trace.hash);
    expect(capped.trace.events).toEqual(full.trace.events.slice(0, 100));
  });

  it('runs the same way with tracing off', async () => {
    const scenario = { seed: 4, servers: 3, ratePerS: 200, dropProbability: 0.01, partitionAtMs: 500, crashAtMs: 900 };
    const traced = await run(scenario);
    const silent = await run(scenario, { enabled: false });
    expect(silent.trace.count).toBe(0);
    expect(silent.summary()).toEqual(traced.summary());
    expect(silent.eventsProcessed).toBe(traced.eventsProcessed);
  });
});

describe('progress reports', () => {
  it('come every 65,536 events taken from the queue, with the simulated time reached, and change nothing in the run', async () => {
    const busy = async (onProgress?: (simulatedMs: number, untilMs: number) => void) => {
      const sim = new Simulation({ seed: 9, trace: { enabled: false }, ...(onProgress ? { onProgress } : {}) });
      sim.addNode('kv', () => ({ onRequest: async () => ({ kind: 'put' }) }), { capacity: { workers: 4, serviceTime: exponential(0.1), queueCapacity: 50 } });
      sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 20_000 }, mix: { put: 1 }, stopMs: 4_000, deadlineMs: 100 });
      await sim.runUntil(5_000);
      return sim;
    };
    const reports: [number, number][] = [];
    const watched = await busy((simulatedMs, untilMs) => reports.push([simulatedMs, untilMs]));
    const plain = await busy();
    expect(watched.summary()).toEqual(plain.summary());
    expect(watched.eventsProcessed).toBe(plain.eventsProcessed);
    // Every 65,536 events taken from the queue, the dead ones (timeouts of answered calls) included.
    expect(reports.length).toBeGreaterThanOrEqual(Math.floor(plain.eventsProcessed / PROGRESS_EVERY_EVENTS));
    expect(reports.length).toBeLessThanOrEqual(Math.ceil((2 * plain.eventsProcessed) / PROGRESS_EVERY_EVENTS));
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.every(([t, until], i) => until === 5_000 && t > 0 && t <= 4_100 && (i === 0 || t >= reports[i - 1]![0]))).toBe(true);
  });
});

describe('the trace', () => {
  it('writes each event as JSON with a fixed key order', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('b', () => ({ onMessage() {} }));
    sim.addNode('a', (ctx) => ({ onStart: () => ctx.send('b', { hello: 'world' }) }));
    await sim.runUntilIdle();
    expect(sim.trace.toJsonLines()).toBe(
      '{"t":0,"type":"send","from":"a","to":"b","id":1,"kind":"message","body":{"hello":"world"}}\n' +
        '{"t":1,"type":"deliver","from":"a","to":"b","id":1}\n',
    );
  });

  it('records faults and client operations for the debugger', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('kv', () => ({ onRequest: () => ({ kind: 'put' }) }));
    sim.workload({ target: 'kv', arrivals: { kind: 'closed', clients: 1 }, mix: { put: 1 }, maxOperations: 1 });
    sim.partition([['kv'], ['client']], { atMs: 10, healAtMs: 20, label: 'split' });
    sim.pause('kv', { atMs: 30, resumeAtMs: 40 });
    sim.crash('kv', { atMs: 50, restartAtMs: 60 });
    await sim.runUntilIdle();
    const types = sim.trace.events.map((e) => e.type);
    expect(types).toEqual([
      'invoke',
      'send',
      'deliver',
      'send',
      'deliver',
      'complete',
      'partition',
      'heal',
      'pause',
      'resume',
      'crash',
      'restart',
    ]);
    expect(traceEventToJson(sim.trace.events[6]!)).toBe(
      '{"t":10,"type":"partition","label":"split","cuts":[["kv","client"],["client","kv"]]}',
    );
  });
});
