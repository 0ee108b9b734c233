/**
 * Live simulation for the lesson "Partitioning keys": eight cache servers in front of a
 * database, with client-side key routing. Every cache starts warm; at t = 2 s a ninth
 * cache joins. The partitioner decides how evenly the keys spread (per-node load) and how
 * many keys change server when the pool grows: each moved key is a miss, and every miss
 * is a database read.
 */
import { Simulation, exponential, hash32, uniform, type KvInput } from '../sim/index.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';


/** Maps a key to a node, given the current node list. */
export type Partitioner = (key: string) => string;

/** Hash-mod-N over the nodes in the order given. */
export function modN(nodes: readonly string[]): Partitioner {
  return (key) => nodes[hash32(key) % nodes.length]!;
}

/** A consistent-hash ring with `vnodes` points per node (the exercise's reference). */
export function ring(nodes: readonly string[], vnodes: number): Partitioner {
  const points: { position: number; node: string }[] = [];
  for (const node of nodes) for (let i = 0; i < vnodes; i++) points.push({ position: hash32(`${node}#${i}`), node });
  points.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return (key) => {
    const h = hash32(key);
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (points[mid]!.position < h) low = mid + 1;
      else high = mid;
    }
    return points[low === points.length ? 0 : low]!.node;
  };
}

export const JOIN_AT_MS = 2_000;
const DURATION_MS = 6_000;
const KEY_COUNT = 20_000;

export const scenario: Scenario = {
  id: 'sharding-ring-balance',
  title: 'Cache pool: hash-mod-N versus a consistent-hash ring',
  description:
    'Eight warm cache servers in front of a database that can serve about 1,000 reads per second. At t = 2 s a ' +
    'ninth cache joins. With hash-mod-N almost every key moves, the misses flood the database and requests time ' +
    'out; with a ring only a ninth of the keys move. Lower the virtual nodes and watch the per-server load spread.',
  params: [
    {
      kind: 'select',
      name: 'partitioner',
      label: 'Partitioner',
      options: [
        { value: 'ring', label: 'Consistent-hash ring' },
        { value: 'mod', label: 'hash(key) mod N' },
      ],
      default: 'ring',
    },
    { kind: 'number', name: 'vnodes', label: 'Virtual nodes per server (ring only)', min: 1, max: 500, step: 1, default: 100 },
    { kind: 'number', name: 'ratePerS', label: 'Requests per second', min: 500, max: 4_000, step: 100, default: 2_400, unit: 'QPS' },
  ],
  build(params: ParamValues, seed: number) {
    return buildRingBalance(params, seed);
  },
};

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildRingBalance(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltScenario {
  const partitioner = params['partitioner'] === 'mod' ? 'mod' : 'ring';
  const vnodes = Math.max(1, Math.round(Number(params['vnodes'] ?? 100)));
  const ratePerS = Number(params['ratePerS'] ?? 2_400);
  const before = Array.from({ length: 8 }, (_, i) => `cache-${i + 1}`);
  const after = [...before, 'cache-9'];
  const make = (nodes: readonly string[]): Partitioner => (partitioner === 'mod' ? modN(nodes) : ring(nodes, vnodes));
  let route = make(before);

  const sim = new Simulation({ seed, trace: { enabled: options.trace ?? true }, network: { latency: uniform(0.2, 0.6) } });
  // Warm caches: each server starts holding exactly the keys it owns before the join.
  const warm = new Map<string, Set<string>>(after.map((n) => [n, new Set<string>()]));
  for (let k = 0; k < KEY_COUNT; k++) warm.get(route(`k${k}`))!.add(`k${k}`);
  for (const name of after) {
    sim.addNode(
      name,
      (ctx) => {
        const cached = warm.get(name)!;
        return {
          async onRequest(request) {
            const op = request.body as KvInput;
            if (!cached.has(op.key)) {
              // A miss: read through from the database, holding this worker meanwhile.
              await ctx.rpc('db', op, { timeoutMs: 400 });
              cached.add(op.key);
            }
            return { kind: 'get', value: null };
          },
        };
      },
      { capacity: { workers: 8, serviceTime: exponential(1), queueCapacity: 400 } },
    );
  }
  sim.addNode('db', () => ({ onRequest: () => ({ kind: 'get', value: null }) }), {
    capacity: { workers: 2, serviceTime: exponential(2), queueCapacity: 2_000 },
  });
  sim.at(JOIN_AT_MS, () => {
    route = make(after);
  });
  sim.workload({
    name: 'clients',
    target: (op) => route(op.key),
    arrivals: { kind: 'open', ratePerS },
    keys: { count: KEY_COUNT },
    mix: { get: 1 },
    deadlineMs: 500,
    stopMs: DURATION_MS,
  });
  return {
    sim,
    durationMs: DURATION_MS + 600,
    slo: { p99LatencyMs: 50, availability: 0.999 },
    groups: { clients: ['clients'], caches: after, database: ['db'] },
  };
}
