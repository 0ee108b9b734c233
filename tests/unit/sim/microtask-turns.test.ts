import { describe, expect, it } from 'vitest';
import { Rejection, Simulation, exponential, uniform, type KvInput } from '../../../src/sim/index.ts';

/** Awaits `n` already-settled values: `n` microtask turns in which the simulation is not called. */
async function chain(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/**
 * Three servers whose handlers (and the client's issue function) await chains of the given
 * depth before calling the simulation again: shallower than, close to, and deeper than the
 * 32 quiet turns the run loop waits after each event that settles a promise.
 */
async function run(depth: number): Promise<{ hash: string; events: number }> {
  const sim = new Simulation({ seed: depth, network: { latency: uniform(0.2, 2) } });
  for (const name of ['a', 'b', 'c']) {
    sim.addNode(
      name,
      (ctx) => ({
        async onRequest({ body }: { body: KvInput }) {
          await chain(depth);
          if (ctx.random.next() < 0.1) throw new Rejection('no');
          if (name !== 'c') {
            await chain(depth);
            return ctx.rpc('c', body, { timeoutMs: 20 });
          }
          await ctx.sleep(ctx.random.exponential(1));
          return { kind: 'put' };
        },
      }),
      { capacity: { workers: 2, serviceTime: exponential(0.5), queueCapacity: 20 } },
    );
  }
  sim.workload({
    name: 'cl',
    arrivals: { kind: 'open', ratePerS: 800 },
    mix: { put: 1 },
    deadlineMs: 50,
    stopMs: 2000,
    async issue(input, ctx) {
      await chain(depth);
      return ctx.rpc(ctx.random.next() < 0.5 ? 'a' : 'b', input, { timeoutMs: 40 });
    },
  });
  await sim.runUntilIdle();
  return { hash: sim.trace.hash, events: sim.eventsProcessed };
}

describe('how async learner code interleaves with simulated events', () => {
  // Pinned: any change to how the run loop lets continuations run (the order of microtask
  // turns against events) changes these, and with them every recorded run of the course.
  it.each([
    [0, '9b9a7d0f', 3109],
    [3, 'e3df67b2', 3165],
    [31, '94c10099', 2957],
    [40, 'e92dbee9', 3259],
    [80, '52ec322a', 3275],
  ])('gives the same run as before with await chains %i turns deep', async (depth, hash, events) => {
    expect(await run(depth)).toEqual({ hash, events });
  });
});

describe('a promise settled by a handler that returns at once', () => {
  it('lets an async request handler waiting on it reply at that moment, not when the run ends', async () => {
    // The handler waits for a one-way message to release it, as a leader waits for a follower's
    // acknowledgement: the onMessage that settles the promise is not async itself.
    const sim = new Simulation({ seed: 3, network: { latency: uniform(1, 1) } });
    sim.addNode('leader', () => {
      const waiting: (() => void)[] = [];
      return {
        async onRequest() {
          await new Promise<void>((resolve) => waiting.push(resolve));
          return { kind: 'put' };
        },
        onMessage() {
          for (const release of waiting.splice(0)) release();
        },
      };
    });
    sim.addNode('follower', (ctx) => ({
      onStart() {
        ctx.setTimer(10, () => ctx.send('leader', 'ack'));
      },
    }));
    const load = sim.workload({ name: 'client', target: 'leader', arrivals: { kind: 'open', ratePerS: 1_000 }, mix: { put: 1 }, maxOperations: 1 });
    await sim.runUntil(500);
    const [op] = load.history;
    // Sent at about 1 ms, released when the acknowledgement lands at 11 ms, answered 1 ms later.
    expect(op?.status).toBe('ok');
    expect(op!.returnMs! - op!.invokeMs).toBeLessThan(15);
  });
});
