/**
 * The test harness: a sharded key-value cluster in the simulator, with your router in
 * front of it and a rebalance in the middle of the run.
 *
 * - The 32 shards are placed on owner groups with the consistent-hash ring you built in
 *   the previous exercise (`../sharding-ring/ring.ts`): shard `s` belongs to
 *   `ring.ownerOf(shardKey(s))`, on a ring with `RING_VNODES` virtual nodes per group.
 *   Each group is a single server for now (replicating a group comes in a later module).
 * - Groups g1–g3 own the shards at epoch 1. A fourth group, g4, starts empty.
 * - At `rebalanceAtMs`, g4 joins: it is added to the ring, and the map the ring gives then
 *   becomes the authoritative epoch 2 map. The shards whose owner changed (with the
 *   reference ring, 8 of the 32, all to g4) move, and their data moves with them. Servers
 *   switch to the new map at that instant (as if they read it from a strongly consistent
 *   store such as etcd) and refuse keys they no longer own, with a "wrong owner" refusal
 *   that carries their map.
 * - The router hears about it later, from the configuration service `config`: the epoch 2
 *   map arrives `pushDelayMs` after the rebalance, and then, `staleResendAfterMs` after
 *   the rebalance, a lagging replica of the configuration service re-sends the epoch 1 map.
 * - Clients send an open-loop Poisson stream of gets and puts to the router.
 *
 * The router itself never sees the ring: the configuration service builds the maps with
 * it, and the router only ever holds a `ShardMap` (see `types.ts`).
 */
import {
  Rejection,
  Simulation,
  uniform,
  type KvInput,
  type KvOutput,
  type Workload,
} from '@faultlines/sim';
import { createRing } from '../sharding-ring/ring.ts';
import type { Ring, RingOptions } from '../sharding-ring/types.ts';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from './shards.ts';
import type { ForwardRequest, ShardMap, ShardReply, ShardRouter } from './types.ts';

export interface ClusterOptions {
  readonly seed: number;
  /** Builds the router under test (your `createRouter`). */
  readonly createRouter: (initial: ShardMap) => ShardRouter;
  /** Builds the ring the shards are placed with. @default `createRing` of `../sharding-ring/ring.ts` */
  readonly createRing?: (options: RingOptions) => Ring;
  /** Client operations per second. @default 1500 */
  readonly ratePerS?: number;
  /** When g4 joins and the shards move. @default 2000 */
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
  /** The shards whose owner changed when g4 joined. */
  readonly movedShards: readonly number[];
  /**
   * When the router answered each client operation it answered, by the operation's input (the
   * very object `load.history` holds): the instant its `route` resolved, before the reply
   * travelled back to the client.
   */
  readonly returnedAtMs: ReadonlyMap<KvInput, number>;
}

/** The owner groups: g1–g3 from the start, g4 joins at the rebalance. One server each. */
export const GROUPS = ['g1', 'g2', 'g3', 'g4'] as const;

/** The group that joins at the rebalance. */
export const JOINING_GROUP = 'g4';

/**
 * Virtual nodes per group on the ring, as in the ring exercise's tests. With 32 shards on
 * 3 or 4 groups the spread is lumpy whatever the vnode count (each shard is one draw from
 * the ring), so the count matters less than the ring's correctness. With the reference ring
 * g1, g2 and g3 get 8, 11 and 13 shards, and 8 move to g4 when it joins.
 */
export const RING_VNODES = 200;

/**
 * The key a shard is placed by on the ring: `shard-00` … `shard-31`. The ring hashes it
 * like any other key, so a shard lands on the group whose point follows that hash.
 *
 * @example
 * ring.ownerOf(shardKey(7)); // the group that owns shard 7: ring.ownerOf('shard-07')
 */
export function shardKey(shard: number): string {
  return `shard-${String(shard).padStart(2, '0')}`;
}

/** The shard map a ring gives: `owners[shard] = ring.ownerOf(shardKey(shard))`. */
export function mapFromRing(ring: Ring, epoch: number): ShardMap {
  return { epoch, owners: Array.from({ length: SHARD_COUNT }, (_, shard) => ring.ownerOf(shardKey(shard))) };
}

/**
 * The configuration service's two maps: epoch 1 from a ring of g1–g3, and epoch 2 from the
 * same ring once g4 has been added to it.
 */
export function shardMaps(create: (options: RingOptions) => Ring = createRing): readonly [ShardMap, ShardMap] {
  const ring = create({ vnodesPerNode: RING_VNODES });
  for (const group of GROUPS) if (group !== JOINING_GROUP) ring.addNode(group);
  const before = mapFromRing(ring, 1);
  ring.addNode(JOINING_GROUP);
  const after = mapFromRing(ring, 2);
  return [before, after];
}

export function buildCluster(options: ClusterOptions): ClusterRun {
  const rebalanceAtMs = options.rebalanceAtMs ?? 2_000;
  const pushDelayMs = options.pushDelayMs ?? 1_000;
  const staleResendAfterMs = options.staleResendAfterMs ?? 1_300;
  const [before, after] = shardMaps(options.createRing);
  const movedShards = after.owners.flatMap((owner, shard) => (owner !== before.owners[shard] ? [shard] : []));

  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: uniform(0.5, 2) } });
  let authoritative: ShardMap = before;
  const stores = new Map<string, Map<string, string>>(GROUPS.map((s) => [s, new Map()]));
  const storeOf = (server: string): Map<string, string> => {
    if (!stores.has(server)) stores.set(server, new Map());
    return stores.get(server)!;
  };
  const misrouted: { server: string; shard: number; atMs: number }[] = [];
  const returnedAtMs = new Map<KvInput, number>();

  for (const name of GROUPS) {
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
          const store = storeOf(name);
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

  // The rebalance: the authoritative map changes and each moved shard's data goes to its new owner.
  sim.at(rebalanceAtMs, () => {
    for (const shard of movedShards) {
      const source = storeOf(before.owners[shard]!);
      const target = storeOf(after.owners[shard]!);
      for (const [key, value] of source) {
        if (shardOf(key) !== shard) continue;
        target.set(key, value);
        source.delete(key);
      }
    }
    authoritative = after;
  });

  // The configuration service: a late push of the new map, then a stale re-send of the old one.
  // The router gets copies of the maps and of each operation: the harness's own objects are
  // the servers' authoritative maps, the ground truth the tests check against (`ownerAt`) and
  // the history's record of what each client asked, and a router must not be able to change
  // them (a router may change its own copy, as it likes).
  sim.addNode('config', (ctx) => ({
    onStart() {
      ctx.setTimer(rebalanceAtMs + pushDelayMs, () => ctx.send('router', { kind: 'shard-map', map: copyMap(after) }));
      ctx.setTimer(rebalanceAtMs + staleResendAfterMs, () => ctx.send('router', { kind: 'shard-map', map: copyMap(before) }));
    },
  }));

  sim.addNode('router', (ctx) => {
    const router = options.createRouter(copyMap(before));
    return {
      onMessage(message) {
        const body = message.body as { kind?: string; map?: ShardMap };
        if (body.kind === 'shard-map' && body.map !== undefined) router.applyMap(body.map);
      },
      onRequest(request) {
        const op = request.body as KvInput;
        const reply = router.route({ ...op }, (server, forward) => ctx.rpc<ShardReply>(server, forward, { timeoutMs: 250 }));
        // Notes when the router answered; the client is sent `reply` itself, unchanged.
        Promise.resolve(reply).then(
          () => returnedAtMs.set(op, ctx.now()),
          () => undefined,
        );
        return reply;
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

  return { sim, load, maps: [before, after], rebalanceAtMs, misrouted, movedShards, returnedAtMs };
}

/** A map of the router's own, equal to `map`. */
function copyMap(map: ShardMap): ShardMap {
  return { epoch: map.epoch, owners: [...map.owners] };
}

/** The authoritative owner of `key` at true time `atMs` in a run. */
export function ownerAt(run: ClusterRun, key: string, atMs: number): string {
  const map = atMs < run.rebalanceAtMs ? run.maps[0] : run.maps[1];
  return map.owners[shardOf(key)]!;
}
