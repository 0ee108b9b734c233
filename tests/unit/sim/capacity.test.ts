import { describe, expect, it } from 'vitest';
import { Simulation, constant, exponential } from '../../../src/sim/index.ts';

/** One server with a single worker and exponential service, fed by Poisson arrivals: M/M/1. */
async function mm1(options: { ratePerS: number; serviceMeanMs: number; operations: number; seed: number }) {
  const sim = new Simulation({
    seed: options.seed,
    network: { latency: constant(0) },
    trace: { enabled: false },
    sampleIntervalMs: 50,
  });
  sim.addNode('server', () => ({ onRequest: () => ({ kind: 'put' }) }), {
    capacity: { workers: 1, serviceTime: exponential(options.serviceMeanMs) },
  });
  sim.workload({
    target: 'server',
    arrivals: { kind: 'open', ratePerS: options.ratePerS },
    mix: { put: 1 },
    deadlineMs: 60_000,
    maxOperations: options.operations,
  });
  await sim.runUntilIdle();
  return sim;
}

describe('servers with capacity', () => {
  it('behave like M/M/1 at 70% utilisation: mean time in system close to 1 / (μ − λ)', async () => {
    // μ = 1 / 10 ms, λ = 70 / s = 0.07 / ms, so the mean time in system is 1 / 0.03 ≈ 33.3 ms.
    const sim = await mm1({ ratePerS: 70, serviceMeanMs: 10, operations: 60_000, seed: 11 });
    const summary = sim.summary();
    expect(summary.ok).toBe(60_000);
    expect(Math.abs(summary.latency.meanMs - 100 / 3) / (100 / 3)).toBeLessThan(0.08);
    // The mean number waiting is ρ² / (1 − ρ) ≈ 1.63; the samples see it too.
    const samples = sim.queueSamples.filter((s) => s.node === 'server');
    const meanDepth = samples.reduce((sum, s) => sum + s.queueDepth, 0) / samples.length;
    expect(Math.abs(meanDepth - 0.49 / 0.3) / (0.49 / 0.3)).toBeLessThan(0.12);
    const meanBusy = samples.reduce((sum, s) => sum + s.inService, 0) / samples.length;
    expect(Math.abs(meanBusy - 0.7)).toBeLessThan(0.03);
  });

  it('make a request to a busy server wait behind the ones before it', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(0) } });
    sim.addNode('server', () => ({ onRequest: () => 'done' }), {
      capacity: { workers: 2, serviceTime: constant(10) },
    });
    const finished: number[] = [];
    sim.addNode('client', (ctx) => ({
      onStart() {
        for (let i = 0; i < 5; i++) void ctx.rpc('server', i).then(() => void finished.push(ctx.now()));
      },
    }));
    await sim.runUntil(1);
    expect(sim.node('server').inService).toBe(2);
    expect(sim.node('server').queueDepth).toBe(3);
    await sim.runUntilIdle();
    expect(finished).toEqual([10, 10, 20, 20, 30]);
    expect(sim.node('server').served).toBe(5);
    expect(sim.summary().nodes.find((n) => n.node === 'server')?.maxQueueDepth).toBe(3);
  });

  it('hold a worker while an async handler awaits, unless the server is an event loop', async () => {
    const finishedBy = async (eventLoop: boolean): Promise<number[]> => {
      const sim = new Simulation({ seed: 1, network: { latency: constant(0) } });
      // Each request costs 1 ms of work, then waits 20 ms for a backend before it answers.
      sim.addNode('backend', (ctx) => ({ onRequest: () => ctx.sleep(20).then(() => 'ok') }));
      sim.addNode('proxy', (ctx) => ({ onRequest: (request) => ctx.rpc('backend', request.body) }), {
        capacity: { workers: 1, serviceTime: constant(1), ...(eventLoop ? { eventLoop: true } : {}) },
      });
      const finished: number[] = [];
      sim.addNode('client', (ctx) => ({
        onStart() {
          for (let i = 0; i < 3; i++) void ctx.rpc('proxy', i).then(() => void finished.push(ctx.now()));
        },
      }));
      await sim.runUntilIdle();
      return finished;
    };
    // A thread per request: each waits for the one before to be answered.
    expect(await finishedBy(false)).toEqual([21, 42, 63]);
    // An event loop: the worker only spends the millisecond of work on each.
    expect(await finishedBy(true)).toEqual([21, 22, 23]);
  });

  it('count rejected requests when a bounded queue overflows', async () => {
    const sim = new Simulation({ seed: 2, network: { latency: constant(0) }, trace: { enabled: false } });
    sim.addNode('server', () => ({ onRequest: () => ({ kind: 'put' }) }), {
      capacity: { workers: 1, serviceTime: exponential(10), queueCapacity: 5 },
    });
    // Twice the server's capacity: about half must be turned away.
    const load = sim.workload({
      target: 'server',
      arrivals: { kind: 'open', ratePerS: 200 },
      mix: { put: 1 },
      maxOperations: 20_000,
    });
    await sim.runUntilIdle();
    const rejected = sim.node('server').rejected;
    expect(rejected / 20_000).toBeGreaterThan(0.45);
    expect(rejected / 20_000).toBeLessThan(0.55);
    expect(load.history.filter((op) => op.status === 'failed')).toHaveLength(rejected);
    expect(sim.summary().failed).toBe(rejected);
  });

  it('hold a worker for the whole of an async handler', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(0) } });
    sim.addNode('server', (ctx) => ({ onRequest: async () => ctx.sleep(20) }), {
      capacity: { workers: 1, serviceTime: constant(0) },
    });
    const finished: number[] = [];
    sim.addNode('client', (ctx) => ({
      onStart() {
        for (let i = 0; i < 3; i++) void ctx.rpc('server', i).then(() => void finished.push(ctx.now()));
      },
    }));
    await sim.runUntilIdle();
    expect(finished).toEqual([20, 40, 60]);
  });

  it('lose queued and in-service work when the server crashes', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(0) } });
    sim.addNode('server', () => ({ onRequest: () => 'done' }), {
      capacity: { workers: 1, serviceTime: constant(10) },
    });
    const outcomes: string[] = [];
    sim.addNode('client', (ctx) => ({
      onStart() {
        for (let i = 0; i < 3; i++) {
          ctx.rpc('server', i, { timeoutMs: 100 }).then(
            () => void outcomes.push('ok'),
            (e: Error) => void outcomes.push(e.name),
          );
        }
      },
    }));
    sim.crash('server', { atMs: 15, restartAtMs: 16 });
    await sim.runUntilIdle();
    expect(outcomes).toEqual(['ok', 'RpcTimeoutError', 'RpcTimeoutError']);
    expect(sim.node('server').queueDepth).toBe(0);
  });
});
