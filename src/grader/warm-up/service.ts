/**
 * The warm-up exercise's "learner file": a small balanced key-value service in the style of
 * the course's exercises. The grader's worker grades it once, out of sight, before it says
 * it is ready; see `../warm-up.ts`.
 */
import { exponential, hashString, logNormal, Random, Rejection, RpcTimeoutError, Simulation, uniform } from '@faultlines/sim';
import type { KvInput, NodeContext } from '@faultlines/sim';

export interface Backend {
  readonly name: string;
  outstanding: number;
}

/** The backend with the fewest outstanding requests of two picked at random. */
export function pickOfTwo(backends: readonly Backend[], roll: () => number): Backend {
  const a = backends[Math.floor(roll() * backends.length)]!;
  const b = backends[Math.floor(roll() * backends.length)]!;
  return a.outstanding <= b.outstanding ? a : b;
}

/** The shard owning a key, by hashing. */
export function shardOf(key: string, shards: number): number {
  return hashString(key) % shards;
}

export interface RunSummary {
  readonly operations: number;
  readonly availability: number;
  readonly p99Ms: number;
  readonly perBackend: readonly number[];
}

/**
 * Three backends with finite capacity, one behind a long-tailed link and one that crashes
 * and comes back, a store node that the backends call, heartbeats on timers, and an open
 * stream of requests balanced by {@link pickOfTwo}.
 */
export async function runCluster(seed: number, durationMs: number): Promise<RunSummary> {
  const sim = new Simulation({ seed, network: { latency: uniform(0.3, 1.2) }, trace: { enabled: false } });
  const names = ['b1', 'b2', 'b3'];
  const backends: Backend[] = names.map((name) => ({ name, outstanding: 0 }));
  const store = new Map<string, string>();
  sim.addNode('store', () => ({
    onRequest({ body }: { body: KvInput }) {
      if (body.kind === 'put') store.set(body.key, body.value);
      return { kind: body.kind, value: body.kind === 'get' ? (store.get(body.key) ?? null) : null };
    },
    onMessage() {},
  }));
  for (const name of names) {
    sim.addNode(
      name,
      (ctx) => {
        const beat = (): void => {
          ctx.send('store', { kind: 'heartbeat', from: name });
          ctx.setTimer(100, beat);
        };
        return {
          onStart: () => beat(),
          async onRequest({ body }: { body: KvInput }) {
            if (ctx.random.next() < 0.02) throw new Rejection(`${name} refused ${body.key}`);
            if (body.kind === 'get' && shardOf(body.key, 4) === 0) return ctx.rpc('store', body, { timeoutMs: 50 });
            await ctx.sleep(ctx.random.exponential(0.5));
            return ctx.rpc('store', body, { timeoutMs: 50 });
          },
        };
      },
      { capacity: { workers: 4, serviceTime: exponential(2), queueCapacity: 50 } },
    );
  }
  const random = new Random(seed).fork('balancer');
  sim.workload({
    name: 'client',
    arrivals: { kind: 'open', ratePerS: 2_000 },
    keys: { count: 200 },
    mix: { get: 3, put: 1 },
    deadlineMs: 100,
    stopMs: durationMs,
    async issue(input: KvInput, ctx: NodeContext) {
      const backend = pickOfTwo(backends, () => random.next());
      backend.outstanding++;
      try {
        return await ctx.rpc(backend.name, input, { timeoutMs: 80 });
      } catch (error) {
        if (error instanceof RpcTimeoutError) throw new Rejection('timed out');
        throw error;
      } finally {
        backend.outstanding--;
      }
    },
  });
  // The client node exists once its workload does.
  sim.setLink('client', 'b3', { latency: logNormal({ p50Ms: 2, p99Ms: 20 }) });
  sim.crash('b2', { atMs: durationMs / 3, restartAtMs: durationMs / 2 });
  sim.partition([['b1'], ['client', 'store', 'b2', 'b3']], { atMs: durationMs / 2, healAtMs: (durationMs * 2) / 3 });
  // Heartbeats never stop, so run to a time rather than until idle.
  await sim.runUntil(durationMs + 200);
  const summary = sim.summary();
  return {
    operations: summary.operations,
    availability: summary.availability,
    p99Ms: summary.latency.p99Ms,
    perBackend: names.map((name) => summary.nodes.find((n) => n.node === name)?.served ?? 0),
  };
}
