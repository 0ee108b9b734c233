/**
 * Live simulation for the lesson "Rebalancing and routing": clients send to a shard
 * router in front of three key-value servers; at t = 2 s a fourth server takes over a
 * quarter of the shards. The servers switch to the new shard map at once and refuse keys
 * they no longer own; the router hears about the new map only later (a push), and a stale
 * copy of the old map is re-sent 300 ms after that. The router's policy decides how many
 * requests are lost or misrouted in between.
 *
 * The shards are dealt round robin here and s4 takes exactly 8, so that the lesson's numbers
 * do not depend on a ring; the exercise's cluster places them with the learner's ring
 * (exercises/sharding-router/cluster.ts), and the lesson says so.
 */
import {
  Rejection,
  Simulation,
  hashString,
  uniform,
  type KvInput,
  type KvOutput,
  type Workload,
} from '../sim/index.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const SHARDS = 32;
export const REBALANCE_AT_MS = 2_000;
const STOP_MS = 5_000;

interface ShardMap {
  readonly epoch: number;
  readonly owners: readonly string[];
}

type Reply = KvOutput & { readonly servedBy: string; readonly servedAtMs: number };

function shardOf(key: string): number {
  let h = hashString(key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % SHARDS;
}

/** A refusal that carries the refusing server's whole map, like the exercise's. */
class WrongOwner extends Rejection {
  readonly map: ShardMap;
  constructor(shard: number, map: ShardMap) {
    super(`wrong owner: shard ${shard} is on ${map.owners[shard]} at epoch ${map.epoch}`);
    this.map = map;
  }
}

export type RouterPolicy = 'epoch' | 'retry' | 'stale';

/**
 * The three routers the lesson compares:
 * - `stale`: applies every pushed map as it arrives and never retries;
 * - `retry`: the same, but retries a refused request once at the owner the refusal names,
 *   without learning anything from it;
 * - `epoch`: ignores pushes older than its map, and on a refusal adopts the refusing
 *   server's (newer) map and retries once — the exercise's reference solution.
 */
function makeRouter(policy: RouterPolicy, initial: ShardMap, maps: Map<string, ShardMap>) {
  let map = initial;
  return {
    apply(next: ShardMap): void {
      if (policy !== 'epoch' || next.epoch > map.epoch) map = next;
    },
    async route(op: KvInput, send: (server: string) => Promise<Reply>): Promise<Reply> {
      const shard = shardOf(op.key);
      try {
        return await send(map.owners[shard]!);
      } catch (error) {
        // In the simulator a refusal arrives as a RemoteError carrying only the message; the
        // scenario looks the refusing server's map up by that message.
        const carried = error instanceof Error ? maps.get(error.message) : undefined;
        if (policy === 'stale' || carried === undefined) throw error;
        if (policy === 'epoch' && carried.epoch > map.epoch) map = carried;
        return send(carried.owners[shard]!);
      }
    },
  };
}

/** Everything a test or chart needs from one run. */
export interface RebalanceRun {
  readonly built: BuiltScenario;
  readonly load: Workload<KvInput, Reply>;
  /** Requests a server refused because it no longer owned the key. */
  readonly misrouted: { readonly atMs: number }[];
  readonly movedShards: number;
}

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildRebalance(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): RebalanceRun {
  const policy = (['epoch', 'retry', 'stale'].includes(String(params['router'])) ? params['router'] : 'epoch') as RouterPolicy;
  const pushDelayMs = Number(params['pushDelayMs'] ?? 1_000);
  const ratePerS = Number(params['ratePerS'] ?? 1_500);
  const servers = ['s1', 's2', 's3', 's4'];
  const before: ShardMap = { epoch: 1, owners: Array.from({ length: SHARDS }, (_, s) => servers[s % 3]!) };
  // s4 takes the highest-numbered shards of the busiest servers until it has its fair share.
  const owners = [...before.owners];
  const count = (s: string): number => owners.filter((o) => o === s).length;
  while (count('s4') < Math.floor(SHARDS / 4)) {
    const busiest = servers.slice(0, 3).reduce((a, b) => (count(b) > count(a) ? b : a));
    owners[owners.lastIndexOf(busiest)] = 's4';
  }
  const after: ShardMap = { epoch: 2, owners };
  const movedShards = owners.filter((o, s) => o !== before.owners[s]).length;

  const sim = new Simulation({ seed, trace: { enabled: options.trace ?? true }, network: { latency: uniform(0.5, 2) } });
  let authoritative = before;
  const refusals = new Map<string, ShardMap>();
  const misrouted: { atMs: number }[] = [];
  const stores = new Map<string, Map<string, string>>(servers.map((s) => [s, new Map()]));

  for (const name of servers) {
    sim.addNode(
      name,
      (ctx) => ({
        onRequest(request): Reply {
          const op = request.body as KvInput;
          const shard = shardOf(op.key);
          if (authoritative.owners[shard] !== name) {
            misrouted.push({ atMs: ctx.now() });
            const refusal = new WrongOwner(shard, authoritative);
            refusals.set(refusal.message, refusal.map);
            throw refusal;
          }
          const store = stores.get(name)!;
          if (op.kind === 'put') {
            store.set(op.key, op.value);
            return { kind: 'put', servedBy: name, servedAtMs: ctx.now() };
          }
          return { kind: 'get', value: store.get(op.key) ?? null, servedBy: name, servedAtMs: ctx.now() };
        },
      }),
      { capacity: { workers: 4, serviceTime: uniform(1, 3), queueCapacity: 200 } },
    );
  }

  sim.at(REBALANCE_AT_MS, () => {
    for (let shard = 0; shard < SHARDS; shard++) {
      if (after.owners[shard] === before.owners[shard]) continue;
      const source = stores.get(before.owners[shard]!)!;
      const target = stores.get(after.owners[shard]!)!;
      for (const [key, value] of source) {
        if (shardOf(key) !== shard) continue;
        target.set(key, value);
        source.delete(key);
      }
    }
    authoritative = after;
  });

  sim.addNode('config', (ctx) => ({
    onStart() {
      ctx.setTimer(REBALANCE_AT_MS + pushDelayMs, () => ctx.send('router', after));
      ctx.setTimer(REBALANCE_AT_MS + pushDelayMs + 300, () => ctx.send('router', before));
    },
  }));

  sim.addNode('router', (ctx) => {
    const router = makeRouter(policy, before, refusals);
    return {
      onMessage(message) {
        router.apply(message.body as ShardMap);
      },
      onRequest(request) {
        return router.route(request.body as KvInput, (server) => ctx.rpc<Reply>(server, request.body, { timeoutMs: 250 }));
      },
    };
  });

  const load = sim.workload<KvInput, Reply>({
    name: 'clients',
    target: 'router',
    arrivals: { kind: 'open', ratePerS },
    keys: { count: 10_000 },
    mix: { get: 0.8, put: 0.2 },
    deadlineMs: 500,
    stopMs: STOP_MS,
  });

  return {
    built: {
      sim,
      durationMs: STOP_MS + 600,
      slo: { p99LatencyMs: 25, availability: 0.999 },
      groups: { clients: ['clients'], router: ['router', 'config'], servers },
    },
    load,
    misrouted,
    movedShards,
  };
}

export const scenario: Scenario = {
  id: 'sharding-rebalance',
  title: 'A shard moves while clients keep sending',
  description:
    'At t = 2 s server s4 takes over a quarter of the shards. The router learns the new map only after the push ' +
    'delay, and a stale copy of the old map arrives 300 ms later. Watch availability and the refused ' +
    '("misrouted") requests for each router policy.',
  params: [
    {
      kind: 'select',
      name: 'router',
      label: 'Router',
      options: [
        { value: 'epoch', label: 'Epoch-aware: learn from refusals, retry once' },
        { value: 'retry', label: 'Retry at the named owner, learn nothing' },
        { value: 'stale', label: 'Trust every push, never retry' },
      ],
      default: 'epoch',
    },
    { kind: 'number', name: 'pushDelayMs', label: 'Delay before the router is pushed the new map', min: 0, max: 2_500, step: 100, default: 1_000, unit: 'ms' },
    { kind: 'number', name: 'ratePerS', label: 'Requests per second', min: 500, max: 3_000, step: 100, default: 1_500, unit: 'QPS' },
  ],
  build(params: ParamValues, seed: number): BuiltScenario {
    return buildRebalance(params, seed).built;
  },
};
