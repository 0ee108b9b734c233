/**
 * The test harness: a sharded key-value cluster in the simulator, with your router in
 * front of it and a rebalance in the middle of the run.
 *
 * - Servers s1–s3 own the 32 shards at epoch 1. A fourth server, s4, starts empty.
 * - At `rebalanceAtMs`, s4 joins: the authoritative map becomes epoch 2, in which s4 takes
 *   8 shards (a quarter), 2 or 3 from each old server, and their data moves with them.
 *   Servers switch to the new map at that instant (as if they read it from a strongly
 *   consistent store such as etcd) and refuse keys they no longer own, with a "wrong
 *   owner" refusal that carries their map.
 * - The router hears about it later, from the configuration service `config`: the epoch 2
 *   map arrives `pushDelayMs` after the rebalance, and then, `staleResendAfterMs` after
 *   the rebalance, a lagging replica of the configuration service re-sends the epoch 1 map.
 * - Clients send an open-loop Poisson stream of gets and puts to the router.
 */
import {
  Rejection,
  Simulation,
  uniform,
  type KvInput,
  type KvOutput,
  type Workload,
} from '@faultlines/sim';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from './shards.ts';
import type { ForwardRequest, ShardMap, ShardReply, ShardRouter } from './types.ts';

export interface ClusterOptions {
  readonly seed: number;
  /** Builds the router under test (your `createRouter`). */
  readonly createRouter: (initial: ShardMap) => ShardRouter;
  /** Client operations per second. @default 1500 */
  readonly ratePerS?: number;
  /** When s4 joins and the shards move. @default 2000 */
  readonly rebalanceAtMs?: number;
  /** How long after the rebalance the router is pushed the new map. @default 1000 */
  readonly pushDelayMs?: number;
  /** How long after the rebalance the stale epoch 1 map is re-sent. @default 1300 */
  readonly staleResendAfterMs?: number;
  /** When clients stop sending. @default 4000 */
  readonly stopMs?: number;
  /** How long a client waits for an answer. @default 500 */
  readonly deadlineMs?: number;
}

export interface ClusterRun {
  readonly sim: Simulation;
  readonly load: Workload<KvInput, ShardReply>;
  /** The authoritative maps: epoch 1 and epoch 2. */
  readonly maps: readonly [ShardMap, ShardMap];
  readonly rebalanceAtMs: number;
  /** Requests a server refused because it did not own the key, with when it happened. */
  readonly misrouted: { readonly server: string; readonly shard: number; readonly atMs: number }[];
  /** The shards that moved to s4. */
  readonly movedShards: readonly number[];
}

export const SERVERS = ['s1', 's2', 's3', 's4'] as const;

/** Epoch 1: s1–s3 own the shards in turn. */
export function initialMap(): ShardMap {
  return { epoch: 1, owners: Array.from({ length: SHARD_COUNT }, (_, shard) => SERVERS[shard % 3]!) };
}

/**
 * The next map when `joining` joins: the new server takes shards from the busiest
 * servers (their highest-numbered shards first) until no server has more than its fair
 * share. Moves as few shards as possible.
 */
export function mapWithNewServer(map: ShardMap, joining: string): ShardMap {
  const owners = [...map.owners];
  const servers = [...new Set(owners), joining];
  const fair = Math.floor(SHARD_COUNT / servers.length);
  const count = (s: string): number => owners.filter((o) => o === s).length;
  while (count(joining) < fair) {
    const busiest = servers.reduce((a, b) => (count(b) > count(a) ? b : a));
    const shard = owners.lastIndexOf(busiest);
    owners[shard] = joining;
  }
  return { epoch: map.epoch + 1, owners };
}

export function buildCluster(options: ClusterOptions): ClusterRun {
  const rebalanceAtMs = options.rebalanceAtMs ?? 2_000;
  const pushDelayMs = options.pushDelayMs ?? 1_000;
  const staleResendAfterMs = options.staleResendAfterMs ?? 1_300;
  const before = initialMap();
  const after = mapWithNewServer(before, 's4');
  const movedShards = after.owners.flatMap((owner, shard) => (owner !== before.owners[shard] ? [shard] : []));

  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: uniform(0.5, 2) } });
  let authoritative: ShardMap = before;
  const stores = new Map<string, Map<string, string>>(SERVERS.map((s) => [s, new Map()]));
  const misrouted: { server: string; shard: number; atMs: number }[] = [];

  for (const name of SERVERS) {
    sim.addNode(
      name,
      (ctx) => ({
        onRequest(request): ShardReply {
          const body = request.body as Partial<ForwardRequest>;
          if (typeof body.epoch !== 'number' || body.op === undefined) {
            throw new Rejection(`${name} expected a ForwardRequest { epoch, op }`);
          }
          const op = body.op;
          const shard = shardOf(op.key);
          const map = authoritative;
          if (map.owners[shard] !== name) {
            misrouted.push({ server: name, shard, atMs: ctx.now() });
            throw wrongOwnerRejection(shard, map, body.epoch);
          }
          const store = stores.get(name)!;
          let output: KvOutput;
          if (op.kind === 'get') output = { kind: 'get', value: store.get(op.key) ?? null };
          else if (op.kind === 'put') {
            store.set(op.key, op.value);
            output = { kind: 'put' };
          } else if (op.kind === 'append') {
            store.set(op.key, (store.get(op.key) ?? '') + op.value);
            output = { kind: 'append' };
          } else {
            const swapped = (store.get(op.key) ?? null) === op.expected;
            if (swapped) store.set(op.key, op.value);
            output = { kind: 'cas', swapped };
          }
          return { ...output, servedBy: name, servedAtMs: ctx.now(), epoch: map.epoch };
        },
      }),
      { capacity: { workers: 4, serviceTime: uniform(1, 3), queueCapacity: 200 } },
    );
  }

  // The rebalance: the authoritative map changes and the moved shards' data goes to s4.
  sim.at(rebalanceAtMs, () => {
    const target = stores.get('s4')!;
    for (const shard of movedShards) {
      const source = stores.get(before.owners[shard]!)!;
      for (const [key, value] of source) {
        if (shardOf(key) !== shard) continue;
        target.set(key, value);
        source.delete(key);
      }
    }
    authoritative = after;
  });

  // The configuration service: a late push of the new map, then a stale re-send of the old one.
  sim.addNode('config', (ctx) => ({
    onStart() {
      ctx.setTimer(rebalanceAtMs + pushDelayMs, () => ctx.send('router', { kind: 'shard-map', map: after }));
      ctx.setTimer(rebalanceAtMs + staleResendAfterMs, () => ctx.send('router', { kind: 'shard-map', map: before }));
    },
  }));

  sim.addNode('router', (ctx) => {
    const router = options.createRouter(before);
    return {
      onMessage(message) {
        const body = message.body as { kind?: string; map?: ShardMap };
        if (body.kind === 'shard-map' && body.map !== undefined) router.applyMap(body.map);
      },
      onRequest(request) {
        return router.route(request.body as KvInput, (server, forward) =>
          ctx.rpc<ShardReply>(server, forward, { timeoutMs: 250 }),
        );
      },
    };
  });

  const load = sim.workload<KvInput, ShardReply>({
    name: 'clients',
    target: 'router',
    arrivals: { kind: 'open', ratePerS: options.ratePerS ?? 1_500 },
    keys: { count: 10_000 },
    mix: { get: 0.8, put: 0.2 },
    deadlineMs: options.deadlineMs ?? 500,
    stopMs: options.stopMs ?? 4_000,
  });

  return { sim, load, maps: [before, after], rebalanceAtMs, misrouted, movedShards };
}

/** The authoritative owner of `key` at true time `atMs` in a run. */
export function ownerAt(run: ClusterRun, key: string, atMs: number): string {
  const map = atMs < run.rebalanceAtMs ? run.maps[0] : run.maps[1];
  return map.owners[shardOf(key)]!;
}
