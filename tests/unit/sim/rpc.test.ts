import { describe, expect, it } from 'vitest';
import {
  OverloadedError,
  Rejection,
  RemoteError,
  RpcTimeoutError,
  Simulation,
  constant,
  uniform,
  type NodeContext,
} from '../../../src/sim/index.ts';

/** A server that answers `{ n }` with `{ n: n + 1 }` after `delayMs` (async) or at once. */
function incrementer(sim: Simulation, name: string, delayMs = 0): void {
  sim.addNode(name, (ctx) => ({
    async onRequest({ body }) {
      if (delayMs > 0) await ctx.sleep(delayMs);
      return { n: (body as { n: number }).n + 1 };
    },
  }));
}

describe('rpc', () => {
  it('resolves with what the remote onRequest returned, after a round trip', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(5) } });
    incrementer(sim, 'server');
    let answer: unknown;
    let atMs = 0;
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        answer = await ctx.rpc('server', { n: 1 });
        atMs = ctx.now();
      },
    }));
    await sim.runUntilIdle();
    expect(answer).toEqual({ n: 2 });
    expect(atMs).toBe(10);
  });

  it('supports a chain of awaits through several nodes', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    incrementer(sim, 'c', 3);
    sim.addNode('b', (ctx) => ({
      async onRequest({ body }) {
        const first = await ctx.rpc<{ n: number }>('c', body);
        const second = await ctx.rpc<{ n: number }>('c', first);
        return second;
      },
    }));
    const results: { n: number; atMs: number }[] = [];
    sim.addNode('a', (ctx) => ({
      async onStart() {
        let value = { n: 0 };
        for (let i = 0; i < 3; i++) {
          value = await ctx.rpc<{ n: number }>('b', value);
          results.push({ n: value.n, atMs: ctx.now() });
        }
      },
    }));
    await sim.runUntilIdle();
    // Each call to b: 1 ms there, two calls to c of 1 + 3 + 1 ms each, 1 ms back.
    expect(results).toEqual([
      { n: 2, atMs: 12 },
      { n: 4, atMs: 24 },
      { n: 6, atMs: 36 },
    ]);
  });

  it('lets a deep chain of nested async functions finish before time moves on', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    incrementer(sim, 'server');
    let sentAtMs = -1;
    sim.addNode('sink', () => ({ onMessage: () => void (sentAtMs = sim.nowMs) }));
    async function nested(depth: number, ctx: NodeContext): Promise<number> {
      if (depth === 0) return (await ctx.rpc<{ n: number }>('server', { n: 0 })).n;
      return (await nested(depth - 1, ctx)) + 1;
    }
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        await nested(20, ctx);
        ctx.send('sink', 'done');
      },
    }));
    await sim.runUntilIdle();
    // Request at 0, reply at 2, then the send at 2 arrives at 3: no event slipped in between.
    expect(sentAtMs).toBe(3);
  });

  it('runs Promise.all over several RPCs concurrently', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(2) } });
    for (const [name, delay] of [
      ['s1', 10],
      ['s2', 30],
      ['s3', 20],
    ] as const) {
      incrementer(sim, name, delay);
    }
    let outcome: unknown;
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        const replies = await Promise.all(['s1', 's2', 's3'].map((s, i) => ctx.rpc<{ n: number }>(s, { n: i * 10 })));
        outcome = { ns: replies.map((r) => r.n), atMs: ctx.now() };
      },
    }));
    await sim.runUntilIdle();
    expect(outcome).toEqual({ ns: [1, 11, 21], atMs: 34 });
  });

  it('rejects with a typed timeout error when no reply comes in time', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(5) } });
    incrementer(sim, 'slow', 100);
    let error: unknown;
    let atMs = 0;
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        try {
          await ctx.rpc('slow', { n: 1 }, { timeoutMs: 50 });
        } catch (e) {
          error = e;
          atMs = ctx.now();
        }
      },
    }));
    await sim.runUntilIdle();
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(error).toMatchObject({ to: 'slow', timeoutMs: 50 });
    expect(atMs).toBe(50);
    // The late reply still arrives, and is dropped with a reason.
    expect(sim.trace.ofType('drop').map((d) => d.reason)).toEqual(['late-reply']);
  });

  it('times out when the request is lost in a partition', async () => {
    const sim = new Simulation({ seed: 1 });
    incrementer(sim, 'server');
    const errors: string[] = [];
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        await ctx.rpc('server', { n: 1 }, { timeoutMs: 20 }).catch((e: Error) => void errors.push(e.name));
      },
    }));
    sim.partition([['caller'], ['server']]);
    await sim.runUntilIdle();
    expect(errors).toEqual(['RpcTimeoutError']);
  });

  it('passes a remote error back, flagged as rejected only for a Rejection', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('server', () => ({
      onRequest({ body }) {
        if (body === 'refuse') throw new Rejection('not the leader');
        throw new Error('disk on fire');
      },
    }));
    const errors: unknown[] = [];
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        for (const body of ['refuse', 'crash']) await ctx.rpc('server', body).catch((e: unknown) => void errors.push(e));
      },
    }));
    await sim.runUntilIdle();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(RemoteError);
    expect(errors[0]).toMatchObject({ message: 'not the leader', from: 'server', rejected: true });
    expect(errors[1]).toMatchObject({ message: 'disk on fire', rejected: false });
  });

  it('rejects with OverloadedError when the server queue is full', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('server', () => ({ onRequest: () => 'ok' }), {
      capacity: { workers: 1, serviceTime: constant(10), queueCapacity: 1 },
    });
    const outcomes: string[] = [];
    sim.addNode('caller', (ctx) => ({
      onStart() {
        for (let i = 0; i < 3; i++) {
          ctx.rpc('server', i).then(
            (v) => void outcomes.push(String(v)),
            (e: unknown) => void outcomes.push(e instanceof OverloadedError ? 'overloaded' : 'other'),
          );
        }
      },
    }));
    await sim.runUntilIdle();
    expect(outcomes).toEqual(['overloaded', 'ok', 'ok']);
    expect(sim.node('server').rejected).toBe(1);
  });

  it('gives identical results and traces across runs of an async scenario', async () => {
    async function run(seed: number) {
      const sim = new Simulation({ seed, network: { latency: uniform(1, 10), dropProbability: 0.05 } });
      for (const name of ['s1', 's2', 's3']) incrementer(sim, name, 2);
      const log: string[] = [];
      sim.addNode('caller', (ctx: NodeContext) => ({
        async onStart() {
          for (let round = 0; round < 20; round++) {
            const settled = await Promise.allSettled(
              ['s1', 's2', 's3'].map((s) => ctx.rpc<{ n: number }>(s, { n: round }, { timeoutMs: 15 })),
            );
            log.push(settled.map((r) => (r.status === 'fulfilled' ? r.value.n : 'x')).join(',') + '@' + ctx.now().toFixed(3));
          }
        },
      }));
      await sim.runUntilIdle();
      return { log, hash: sim.trace.hash };
    }
    const first = await run(42);
    expect(first.log).toHaveLength(20);
    expect(first.log.some((line) => line.includes('x'))).toBe(true);
    expect(await run(42)).toEqual(first);
    expect((await run(43)).hash).not.toBe(first.hash);
  });

  it('can be stepped one event at a time, with continuations run by settle()', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    incrementer(sim, 'server');
    let answer: unknown;
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        answer = await ctx.rpc('server', { n: 41 });
      },
    }));
    const times: number[] = [];
    while (sim.step()) {
      times.push(sim.nowMs);
      await sim.settle();
    }
    expect(answer).toEqual({ n: 42 });
    // Boot the server, boot the caller, deliver the request, deliver the reply. The timeout
    // of the answered request is dead and is skipped.
    expect(times).toEqual([0, 0, 1, 2]);
  });

  it('does not keep the simulation running for timeouts of answered requests', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    incrementer(sim, 'server');
    sim.addNode('caller', (ctx) => ({
      async onStart() {
        await ctx.rpc('server', { n: 1 }, { timeoutMs: 60_000 });
      },
    }));
    await sim.runUntilIdle();
    expect(sim.nowMs).toBe(2);
  });
});
