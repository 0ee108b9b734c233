/**
 * The test harness: a sharded key-value cluster in the simulator, with your router in
 * front of it, and your migration moving shards in the middle of the run.
 *
 * - The 32 shards are placed on owner groups with the consistent-hash ring you built in
 *   the previous exercise (`../sharding-ring/ring.ts`): shard `s` belongs to
 *   `ring.ownerOf(shardKey(s))`, on a ring with `RING_VNODES` virtual nodes per group.
 *   Each group is a single server for now (replicating a group comes in a later module).
 * - Groups g1–g3 own the shards at epoch 1, and hold data: every one of the 10,000 keys
 *   the clients use starts with the value `INITIAL_VALUE`, a record of `RECORD_BYTES` on the
 *   wire. A fourth group, g4, starts empty.
 * - At `rebalanceAtMs`, g4 joins the ring. The shards whose owner changes (with the
 *   reference ring, 8 of the 32, all to g4) are moved one after another by your
 *   `moveShard` (`migrate.ts`), run on the old owner's server. The servers' links to each
 *   other carry `MIGRATION_BYTES_PER_MS`: the data takes time to move, and clients keep
 *   reading and writing the shard meanwhile.
 * - Each move ends with a commit at the configuration service `config`, which holds the
 *   authoritative map: each commit gives one shard to g4 and adds one to the epoch (with
 *   8 moves, epochs 2 to 9). The service pushes each new map to every server and to the
 *   router `pushDelayMs` after the commit, and `staleResendAfterMs` after the rebalance
 *   began, a lagging replica of it re-sends the epoch 1 map to the router.
 * - The servers sit in zones (`ZONE_OF`): g1–g3 in zone-a to zone-c, g4 in zone-d. Just
 *   after the first move begins, the donor's zone and zone-d lose each other for
 *   `CUT_FOR_MS`: the batches in flight are lost. A move that gives up (its `moveShard`
 *   rejects) is tried again by the balancer `RETRY_MOVE_AFTER_MS` later, up to
 *   `MAX_MOVE_ATTEMPTS` attempts in all.
 * - Each server serves what its own map gives it and refuses the rest with a "wrong
 *   owner" refusal that carries its map. Apart from the push, a server learns of a new map only
 *   when the move's own code hands it one (`adopt`, `tell`): an old owner that waits for
 *   the push keeps serving a shard it has given away.
 * - Clients send an open-loop Poisson stream of gets and puts to the router, over every key,
 *   and a bulk import keeps rewriting the rows of one shard, the hot shard: the second one
 *   to move, `hotWritesPerS` puts a second, which is 4 MB/s of changes against a 10 MB/s link.
 *   Servers have 8 workers each, enough for the import and their share of the rest.
 *
 * The router itself never sees the ring: the configuration service builds the maps with
 * it, and the router only ever holds a `ShardMap` (see `types.ts`).
 */
import {
  Rejection,
  RemoteError,
  RpcTimeoutError,
  Simulation,
  uniform,
  type KvInput,
  type KvOutput,
  type NodeContext,
  type Workload,
} from '@faultlines/sim';
import { createRing } from '../sharding-ring/ring.ts';
import type { Ring, RingOptions } from '../sharding-ring/types.ts';
import { moveShard as learnerMoveShard } from './migrate.ts';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from './shards.ts';
import type {
  Donor,
  ForwardRequest,
  MoveShard,
  ScanChunk,
  ShardChanges,
  ShardMap,
  ShardRecord,
  ShardReply,
  ShardRouter,
} from './types.ts';

/** How many keys the clients use: `k0` … `k9999`, every one stored from the start. */
export const KEY_COUNT = 10_000;

/** Every key's value before any client writes it. */
export const INITIAL_VALUE = 'v0';

/**
 * What one record weighs on the wire, in bytes: a row of 4 KiB. The values in this model
 * are short tags, but each stands for a whole row, and a migration moves rows. With 10,000
 * keys a shard holds about 312 records, 1.28 MB.
 */
export const RECORD_BYTES = 4_096;

/**
 * The migration link between two servers, in bytes per millisecond: 10,000, or 10 MB/s, a
 * rebalancing stream throttled so that it leaves the servers' bandwidth to the clients.
 * A shard of 312 records takes 128 ms to cross it.
 */
export const MIGRATION_BYTES_PER_MS = 10_000;

/**
 * The zone each server sits in: g4 joins in a zone of its own, so every move crosses zones.
 * The router, the configuration service and the balancer sit in zone-b.
 */
export const ZONE_OF: Readonly<Record<string, string>> = { g1: 'zone-a', g2: 'zone-b', g3: 'zone-c', g4: 'zone-d' };

/**
 * The correlated fault: `CUT_AFTER_MS` into the first move, the donor's zone and g4's lose
 * every link between them for `CUT_FOR_MS` (the clients, the router and the configuration
 * service still reach every server). A batch in flight is lost, and its `ship` rejects when
 * its `SHIP_TIMEOUT_MS` runs out. A move that gives up is tried again by the balancer.
 */
export const CUT_AFTER_MS = 30;
export const CUT_FOR_MS = 300;

/** How long `ship`, `commit` and `tell` wait for an answer before they reject. */
export const SHIP_TIMEOUT_MS = 500;

/** A move whose `moveShard` rejects is tried again this long after, up to `MAX_MOVE_ATTEMPTS` times. */
export const RETRY_MOVE_AFTER_MS = 200;
export const MAX_MOVE_ATTEMPTS = 3;

/** Bytes a shipped batch adds to its records, for the request's own fields. */
export const BATCH_HEADER_BYTES = 64;

export interface ClusterOptions {
  readonly seed: number;
  /** Builds the router under test (your `createRouter`). */
  readonly createRouter: (initial: ShardMap) => ShardRouter;
  /** Moves a shard (your `moveShard`). @default `moveShard` of `./migrate.ts` */
  readonly moveShard?: MoveShard;
  /** Builds the ring the shards are placed with. @default `createRing` of `../sharding-ring/ring.ts` */
  readonly createRing?: (options: RingOptions) => Ring;
  /** Client operations per second over all 10,000 keys, 80% gets and 20% puts. @default 1500 */
  readonly ratePerS?: number;
  /** Puts per second of the bulk import into the hot shard (the second one to move). @default 1000 */
  readonly hotWritesPerS?: number;
  /** When g4 joins and the first shard starts to move. @default 2000 */
  readonly rebalanceAtMs?: number;
  /** How long after each commit the servers and the router are pushed the new map. @default 1000 */
  readonly pushDelayMs?: number;
  /** How long after the rebalance began the stale epoch 1 map is re-sent to the router. @default 1300 */
  readonly staleResendAfterMs?: number;
  /** When clients stop sending. @default 4500 */
  readonly stopMs?: number;
  /** How long a client waits for an answer. @default 1000 */
  readonly deadlineMs?: number;
}

/** One shard's move, as the harness saw it. */
export interface MoveRecord {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  /** 1 for the first attempt at this shard, 2 for the retry after it failed, … */
  readonly attempt: number;
  /** When the donor was asked to move the shard. */
  readonly startMs: number;
  /** How many records the shard held when the move began. */
  readonly recordsAtStart: number;
  /** Writes the donor accepted to the shard from the attempt's start to its commit (or end). */
  writesDuring: number;
  /** Bytes shipped while this attempt was the latest, batch headers included. */
  bytesShipped: number;
  /** When the configuration service recorded the new owner, if it did. */
  committedAtMs?: number;
  /** The epoch of the map that commit made. */
  committedEpoch?: number;
  /** When `moveShard` resolved or rejected. */
  endMs?: number;
  /** Why `moveShard` rejected, if it did. */
  error?: string;
  /** The epochs of the donor's and the new owner's maps when `moveShard` resolved. */
  donorEpochAtEnd?: number;
  recipientEpochAtEnd?: number;
  /** Whether the shard was still paused on the donor when `moveShard` resolved or rejected. */
  leftPaused?: boolean;
}

/** A request that waited in a paused shard. */
export interface HeldRecord {
  readonly server: string;
  readonly shard: number;
  readonly arrivedAtMs: number;
  /** When the donor resumed the shard; absent if it never did. */
  releasedAtMs?: number;
}

export interface ClusterRun {
  readonly sim: Simulation;
  readonly load: Workload<KvInput, ShardReply>;
  readonly rebalanceAtMs: number;
  /** Every authoritative map, with when the configuration service made it: epoch 1 at 0. */
  readonly mapHistory: readonly { readonly atMs: number; readonly map: ShardMap }[];
  /**
   * Requests a server refused because it did not own the key, with when it happened, and
   * whether the request had waited in a paused shard (such a request arrived before the
   * move committed, so no router could have known better).
   */
  readonly misrouted: { readonly server: string; readonly shard: number; readonly atMs: number; readonly held: boolean }[];
  /** The shards whose owner changes when g4 joins, in the order they are moved. */
  readonly movedShards: readonly number[];
  /** The shard a bulk import keeps writing to during the whole run: the second one to move (the only one, if one moves). */
  readonly hotShard: number;
  /** Each attempt at a move, in order: a failed attempt is followed by the retry. */
  readonly moves: readonly MoveRecord[];
  /** The zone cut: between which zones, when, and the shard whose move it hit (none if no move crossed zones). */
  readonly cut: { zones?: readonly [string, string]; fromMs?: number; toMs?: number; shard?: number };
  /** Every request that waited in a paused shard. */
  readonly held: readonly HeldRecord[];
  /** The client operations that waited in a paused shard, by input (the object `load.history` holds). */
  readonly heldOps: ReadonlySet<KvInput>;
  /**
   * When the router answered each client operation it answered, by the operation's input (the
   * very object `load.history` holds): the instant its `route` resolved, before the reply
   * travelled back to the client.
   */
  readonly returnedAtMs: ReadonlyMap<KvInput, number>;
  /** The value `key` has at the server that owns it in the last authoritative map (null if it has none). */
  finalValue(key: string): string | null;
  /** Records each server still holds for shards the last authoritative map gives to another. */
  leftovers(): { readonly server: string; readonly shard: number; readonly records: number }[];
  /** The shards still paused, on which server, now. */
  paused(): { readonly server: string; readonly shard: number }[];
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
  const move = options.moveShard ?? learnerMoveShard;
  const [before, after] = shardMaps(options.createRing);
  const movedShards = after.owners.flatMap((owner, shard) => (owner !== before.owners[shard] ? [shard] : []));
  // The second shard to move (the first is the one the zone cut hits), so that it moves
  // while the import runs whatever the migration's speed.
  const hotShard = movedShards[Math.min(1, movedShards.length - 1)]!;

  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: uniform(0.5, 2) } });

  // The configuration service's authoritative maps, and every map it has issued, by epoch.
  let authoritative: ShardMap = before;
  const mapHistory: { atMs: number; map: ShardMap }[] = [{ atMs: 0, map: before }];
  const issued = new Map<number, ShardMap>([[before.epoch, before]]);

  const servers = new Map<string, ServerState>(GROUPS.map((name) => [name, newServer(name, before)]));
  for (let i = 0; i < KEY_COUNT; i++) {
    const key = `k${i}`;
    const shard = shardOf(key);
    servers.get(before.owners[shard]!)!.shards[shard]!.set(key, INITIAL_VALUE);
  }

  const misrouted: { server: string; shard: number; atMs: number; held: boolean }[] = [];
  const returnedAtMs = new Map<KvInput, number>();
  const moves: MoveRecord[] = [];
  const cut: { zones?: readonly [string, string]; fromMs?: number; toMs?: number; shard?: number } = {};
  const held: HeldRecord[] = [];
  const heldBodies = new Set<object>();
  const clientOpOf = new WeakMap<object, KvInput>();
  let nextTicket = 1;

  /** A map the configuration service issued, equal to `map`, or an error saying it is not one. */
  function issuedCopy(map: ShardMap, what: string): ShardMap {
    const known = typeof map?.epoch === 'number' ? issued.get(map.epoch) : undefined;
    const same =
      known !== undefined &&
      Array.isArray(map.owners) &&
      map.owners.length === known.owners.length &&
      known.owners.every((owner, shard) => map.owners[shard] === owner);
    if (!same) throw new Error(`${what}: that map is not one the configuration service issued (epoch ${String(map?.epoch)})`);
    return copyMap(known);
  }

  /** Runs a client operation on a server, or refuses it if the server's map gives the shard to another. */
  function execute(state: ServerState, ctx: NodeContext, request: ForwardRequest, wasHeld: boolean): ShardReply {
    const op = request.op;
    const shard = shardOf(op.key);
    const map = state.map;
    if (map.owners[shard] !== state.name) {
      misrouted.push({ server: state.name, shard, atMs: ctx.now(), held: wasHeld });
      throw wrongOwnerRejection(shard, map, request.epoch);
    }
    const store = state.shards[shard]!;
    let output: KvOutput;
    if (op.kind === 'get') output = { kind: 'get', value: store.get(op.key) ?? null };
    else {
      if (op.kind === 'put') {
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
      state.log.push({ shard, key: op.key });
      const attempt = moves[moves.length - 1];
      if (attempt !== undefined && attempt.shard === shard && attempt.from === state.name && attempt.committedAtMs === undefined) {
        attempt.writesDuring++;
      }
    }
    return { ...output, servedBy: state.name, servedAtMs: ctx.now(), epoch: map.epoch };
  }

  /** What a migration on `state`'s server may do: the `Donor` of `types.ts`. */
  function donorFor(state: ServerState, ctx: NodeContext): Donor {
    const checkShard = (shard: number, what: string): void => {
      if (!(Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT)) {
        throw new RangeError(`${what}: shard must be an integer in [0, ${SHARD_COUNT}); got ${String(shard)}`);
      }
    };
    const checkServer = (to: string, what: string): void => {
      if (!(GROUPS as readonly string[]).includes(to) || to === state.name) {
        throw new Error(`${what}: "${String(to)}" is not another server (${GROUPS.filter((g) => g !== state.name).join(', ')})`);
      }
    };
    return Object.freeze({
      name: state.name,
      now: () => ctx.now(),
      map: () => copyMap(state.map),
      logPosition: () => state.log.length,
      scan(shard: number, afterKey: string | null, maxRecords: number): ScanChunk {
        checkShard(shard, 'scan');
        if (!(Number.isInteger(maxRecords) && maxRecords >= 1)) {
          throw new RangeError(`scan: maxRecords must be an integer >= 1; got ${String(maxRecords)}`);
        }
        const keys = [...state.shards[shard]!.keys()].filter((k) => afterKey === null || k > afterKey).sort();
        const taken = keys.slice(0, maxRecords);
        const records = taken.map((key) => ({ key, value: state.shards[shard]!.get(key)! }));
        return { records, nextAfterKey: keys.length > maxRecords ? taken[taken.length - 1]! : null };
      },
      changesSince(shard: number, since: number): ShardChanges {
        checkShard(shard, 'changesSince');
        if (!(Number.isInteger(since) && since >= 0 && since <= state.log.length)) {
          throw new RangeError(`changesSince: since must be a log position in [0, ${state.log.length}]; got ${String(since)}`);
        }
        const keys = new Set<string>();
        for (let i = since; i < state.log.length; i++) if (state.log[i]!.shard === shard) keys.add(state.log[i]!.key);
        const store = state.shards[shard]!;
        const records = [...keys].filter((key) => store.has(key)).sort().map((key) => ({ key, value: store.get(key)! }));
        return { records, position: state.log.length };
      },
      async ship(to: string, shard: number, records: readonly ShardRecord[]): Promise<void> {
        checkServer(to, 'ship');
        checkShard(shard, 'ship');
        const batch = records.map((r) => {
          if (typeof r?.key !== 'string' || typeof r.value !== 'string' || shardOf(r.key) !== shard) {
            throw new Error(`ship: ${JSON.stringify(r)} is not a record of shard ${shard}`);
          }
          return { key: r.key, value: r.value };
        });
        const bytes = batch.length * RECORD_BYTES + BATCH_HEADER_BYTES;
        const attempt = moves[moves.length - 1];
        if (attempt !== undefined) attempt.bytesShipped += bytes;
        await ctx.rpc(to, { kind: 'migration-batch', shard, records: batch }, { sizeBytes: bytes, timeoutMs: SHIP_TIMEOUT_MS });
      },
      pause(shard: number): void {
        checkShard(shard, 'pause');
        state.paused.add(shard);
      },
      resume(shard: number): void {
        checkShard(shard, 'resume');
        state.paused.delete(shard);
        const waiting = state.waiting.filter((w) => w.shard === shard);
        state.waiting = state.waiting.filter((w) => w.shard !== shard);
        for (const w of waiting) {
          w.record.releasedAtMs = ctx.now();
          let result: HeldResult;
          try {
            result = { kind: 'held-result', ticket: w.ticket, reply: execute(state, ctx, w.request, true) };
          } catch (error) {
            result = { kind: 'held-result', ticket: w.ticket, refusal: error instanceof Error ? error.message : String(error) };
          }
          ctx.send(w.from, result);
        }
      },
      async commit(shard: number, to: string): Promise<ShardMap> {
        checkShard(shard, 'commit');
        checkServer(to, 'commit');
        const map = await ctx.rpc<ShardMap>('config', { kind: 'migration-commit', shard, from: state.name, to }, { timeoutMs: SHIP_TIMEOUT_MS });
        return copyMap(map);
      },
      adopt(map: ShardMap): void {
        const next = issuedCopy(map, 'adopt');
        if (next.epoch > state.map.epoch) state.map = next;
      },
      async tell(to: string, map: ShardMap): Promise<void> {
        checkServer(to, 'tell');
        await ctx.rpc(to, { kind: 'migration-map', map: issuedCopy(map, 'tell') }, { timeoutMs: SHIP_TIMEOUT_MS });
      },
      drop(shard: number): void {
        checkShard(shard, 'drop');
        state.shards[shard]!.clear();
      },
    });
  }

  for (const name of GROUPS) {
    const state = servers.get(name)!;
    sim.addNode(
      name,
      (ctx) => ({
        onMessage(message) {
          const body = message.body as { kind?: string; map?: ShardMap };
          if (message.from === 'config' && body.kind === 'shard-map' && body.map !== undefined && body.map.epoch > state.map.epoch) {
            state.map = copyMap(body.map);
          }
        },
        onRequest(request) {
          const body = request.body as { kind?: string } & Partial<ForwardRequest>;
          if (body.kind === 'migration-batch' && (GROUPS as readonly string[]).includes(request.from)) {
            const { shard, records } = body as unknown as { shard: number; records: ShardRecord[] };
            for (const r of records) state.shards[shard]!.set(r.key, r.value);
            return { stored: records.length };
          }
          if (body.kind === 'migration-map' && (GROUPS as readonly string[]).includes(request.from)) {
            const { map } = body as unknown as { map: ShardMap };
            if (map.epoch > state.map.epoch) state.map = map;
            return { epoch: state.map.epoch };
          }
          if (body.kind === 'migration-move' && request.from === 'balancer') {
            // The move runs from a timer, so that it holds none of the server's workers.
            const { shard, to } = body as unknown as { shard: number; to: string };
            ctx.setTimer(0, async () => {
              let error: string | undefined;
              try {
                await move(donorFor(state, ctx), shard, to);
              } catch (e) {
                error = e instanceof Error ? e.message : String(e);
              }
              ctx.send('balancer', { kind: 'migration-moved', shard, ...(error === undefined ? {} : { error }) });
            });
            return { started: shard };
          }
          if (typeof body.epoch !== 'number' || body.op === undefined) {
            throw new Rejection(`${name} expected a ForwardRequest { epoch, op }`);
          }
          const forward = { epoch: body.epoch, op: body.op };
          const shard = shardOf(forward.op.key);
          if (!state.paused.has(shard)) return execute(state, ctx, forward, false);
          // A request for a paused shard waits without holding a worker, as in a server that
          // parks it: the server answers "held" at once, and sends the real answer when the
          // shard resumes. The router's `send` (below) turns the two back into one reply.
          const record: HeldRecord = { server: name, shard, arrivedAtMs: ctx.now() };
          held.push(record);
          heldBodies.add(request.body as object);
          const ticket = nextTicket++;
          state.waiting.push({ shard, request: forward, record, ticket, from: request.from });
          return { kind: 'held', ticket } satisfies HeldAnswer;
        },
      }),
      { capacity: { workers: 8, serviceTime: uniform(1, 3), queueCapacity: 200 } },
    );
  }

  // The servers' links to each other carry the migrations, at a limited rate.
  for (const a of GROUPS) {
    for (const b of GROUPS) if (a !== b) sim.setLink(a, b, { bandwidthBytesPerMs: MIGRATION_BYTES_PER_MS, oneWay: true });
  }

  // The configuration service: the authoritative map, changed one shard at a time by commits,
  // each pushed late to every server and the router, and a stale re-send of epoch 1.
  // The router and the servers get copies: the harness's own maps are the ground truth the
  // tests check against (`ownerAt`), and no component may change them.
  const planned = new Map(movedShards.map((shard) => [shard, after.owners[shard]!]));
  sim.addNode('config', (ctx) => ({
    onStart() {
      ctx.setTimer(rebalanceAtMs + staleResendAfterMs, () => ctx.send('router', { kind: 'shard-map', map: copyMap(before) }));
    },
    onRequest(request) {
      const body = request.body as { kind?: string; shard?: number; from?: string; to?: string };
      if (body.kind !== 'migration-commit') throw new Rejection('config: unknown request');
      const { shard, from, to } = body as { shard: number; from: string; to: string };
      if (planned.get(shard) !== to || authoritative.owners[shard] !== from || request.from !== from) {
        throw new Rejection(
          `config: refused to give shard ${shard} to ${to}: the rebalance moves ${
            planned.has(shard) ? `it to ${planned.get(shard)!}` : 'it nowhere'
          }, and its owner is ${authoritative.owners[shard]!}`,
        );
      }
      const owners = [...authoritative.owners];
      owners[shard] = to;
      authoritative = { epoch: authoritative.epoch + 1, owners };
      issued.set(authoritative.epoch, authoritative);
      mapHistory.push({ atMs: ctx.now(), map: authoritative });
      const moveRecord = [...moves].reverse().find((m) => m.shard === shard);
      if (moveRecord !== undefined) {
        moveRecord.committedAtMs = ctx.now();
        moveRecord.committedEpoch = authoritative.epoch;
      }
      const pushed = authoritative;
      ctx.setTimer(pushDelayMs, () => {
        for (const target of [...GROUPS, 'router']) ctx.send(target, { kind: 'shard-map', map: copyMap(pushed) });
      });
      return copyMap(authoritative);
    },
  }));

  // The balancer: asks each moved shard's old owner to move it, one shard at a time.
  let finishMove: (error: string | undefined) => void = () => undefined;
  sim.addNode('balancer', (ctx) => ({
    onMessage(message) {
      const body = message.body as { kind?: string; error?: string };
      if (body.kind === 'migration-moved') finishMove(body.error);
    },
    onStart() {
      ctx.setTimer(rebalanceAtMs, async () => {
        for (const shard of movedShards) {
          const from = before.owners[shard]!;
          const to = after.owners[shard]!;
          for (let attempt = 1; attempt <= MAX_MOVE_ATTEMPTS; attempt++) {
            if (attempt > 1) await new Promise<void>((resolve) => ctx.setTimer(RETRY_MOVE_AFTER_MS, resolve));
            const record: MoveRecord = {
              shard,
              from,
              to,
              attempt,
              startMs: ctx.now(),
              recordsAtStart: servers.get(from)!.shards[shard]!.size,
              bytesShipped: 0,
              writesDuring: 0,
            };
            moves.push(record);
            if (cut.zones === undefined && ZONE_OF[from] !== ZONE_OF[to]) {
              // The first move that crosses zones: its zones lose each other for a while.
              const zones = [ZONE_OF[from]!, ZONE_OF[to]!] as const;
              cut.zones = zones;
              cut.shard = shard;
              cut.fromMs = ctx.now() + CUT_AFTER_MS;
              cut.toMs = cut.fromMs + CUT_FOR_MS;
              const inZone = (zone: string): string[] => GROUPS.filter((g) => ZONE_OF[g] === zone);
              sim.partition([inZone(zones[0]), inZone(zones[1])], { atMs: cut.fromMs, healAtMs: cut.toMs, label: `${zones[0]} | ${zones[1]}` });
            }
            const done = new Promise<string | undefined>((resolve) => {
              finishMove = resolve;
            });
            await ctx.rpc(from, { kind: 'migration-move', shard, to });
            const error = await done;
            if (error !== undefined) record.error = error;
            record.endMs = ctx.now();
            record.donorEpochAtEnd = servers.get(from)!.map.epoch;
            record.recipientEpochAtEnd = servers.get(to)!.map.epoch;
            record.leftPaused = servers.get(from)!.paused.has(shard);
            if (error === undefined || record.committedAtMs !== undefined) break;
          }
        }
      });
    },
  }));

  sim.addNode('router', (ctx) => {
    const router = options.createRouter(copyMap(before));
    const parked = new Map<number, (result: HeldResult) => void>();
    const arrived = new Map<number, HeldResult>();
    /**
     * The router's `send`: an RPC to the server, with a 500 ms timeout. A request the server
     * parked in a paused shard resolves (or rejects) when the server sends its real answer.
     */
    async function forwardTo(server: string, forward: ForwardRequest): Promise<ShardReply> {
      const timeoutMs = 500;
      const sentAt = ctx.now();
      const first = await ctx.rpc<ShardReply | HeldAnswer>(server, forward, { timeoutMs });
      if (first.kind !== 'held') return first;
      const ticket = first.ticket;
      const result = await new Promise<HeldResult | undefined>((resolve) => {
        // The real answer may have overtaken the "held" one on the network.
        const early = arrived.get(ticket);
        if (early !== undefined) return resolve(early);
        parked.set(ticket, resolve);
        ctx.setTimer(Math.max(timeoutMs - (ctx.now() - sentAt), 0), () => resolve(undefined));
      });
      parked.delete(ticket);
      arrived.delete(ticket);
      if (result === undefined) throw new RpcTimeoutError(server, timeoutMs, ticket);
      if (result.refusal !== undefined) throw new RemoteError(server, result.refusal, true);
      return result.reply!;
    }
    return {
      onMessage(message) {
        const body = message.body as { kind?: string; map?: ShardMap; ticket?: number };
        if (body.kind === 'shard-map' && body.map !== undefined) router.applyMap(body.map);
        if (body.kind === 'held-result' && body.ticket !== undefined) {
          const waiting = parked.get(body.ticket);
          if (waiting !== undefined) waiting(body as HeldResult);
          else arrived.set(body.ticket, body as HeldResult);
        }
      },
      onRequest(request) {
        const op = request.body as KvInput;
        const reply = router.route({ ...op }, (server, forward) => {
          // The server receives this very object: it ties a request that waits in a paused
          // shard back to the client's operation.
          if (typeof forward === 'object' && forward !== null) clientOpOf.set(forward, op);
          return forwardTo(server, forward);
        });
        // Notes when the router answered; the client is sent `reply` itself, unchanged.
        Promise.resolve(reply).then(
          () => returnedAtMs.set(op, ctx.now()),
          () => undefined,
        );
        return reply;
      },
    };
  });

  // The clients: gets and puts over every key, and a bulk import that keeps rewriting the
  // rows of the hot shard, all through the router. Put values are unique to the run.
  const ratePerS = options.ratePerS ?? 1_500;
  const hotWritesPerS = options.hotWritesPerS ?? 1_000;
  const hotKeys = Array.from({ length: KEY_COUNT }, (_, i) => `k${i}`).filter((key) => shardOf(key) === hotShard);
  const load = sim.workload<KvInput, ShardReply>({
    name: 'clients',
    target: 'router',
    arrivals: { kind: 'open', ratePerS: ratePerS + hotWritesPerS },
    operation: (rng, index) => {
      const value = `clients-${index}`;
      if (rng.next() * (ratePerS + hotWritesPerS) < hotWritesPerS) return { kind: 'put', key: hotKeys[rng.int(hotKeys.length)]!, value };
      const key = `k${rng.int(KEY_COUNT)}`;
      return rng.next() < 0.8 ? { kind: 'get', key } : { kind: 'put', key, value };
    },
    deadlineMs: options.deadlineMs ?? 1_000,
    stopMs: options.stopMs ?? 4_500,
  });

  return {
    sim,
    load,
    rebalanceAtMs,
    mapHistory,
    misrouted,
    movedShards,
    hotShard,
    moves,
    cut,
    held,
    get heldOps(): ReadonlySet<KvInput> {
      const ops = new Set<KvInput>();
      for (const body of heldBodies) {
        const op = clientOpOf.get(body);
        if (op !== undefined) ops.add(op);
      }
      return ops;
    },
    returnedAtMs,
    finalValue(key: string): string | null {
      const shard = shardOf(key);
      return servers.get(authoritative.owners[shard]!)!.shards[shard]!.get(key) ?? null;
    },
    paused() {
      return [...servers.values()].flatMap((state) => [...state.paused].map((shard) => ({ server: state.name, shard })));
    },
    leftovers() {
      return [...servers.values()].flatMap((state) =>
        state.shards.flatMap((store, shard) =>
          authoritative.owners[shard] !== state.name && store.size > 0 ? [{ server: state.name, shard, records: store.size }] : [],
        ),
      );
    },
  };
}

/** What the harness keeps for one server. */
interface ServerState {
  readonly name: string;
  /** The server's own map: what it serves. */
  map: ShardMap;
  /** Its records, shard by shard. */
  readonly shards: Map<string, string>[];
  /** Its write log: the shard and key of every write it accepted, in order. */
  readonly log: { readonly shard: number; readonly key: string }[];
  /** The shards a migration has paused here. */
  readonly paused: Set<number>;
  /** Requests waiting in paused shards, in arrival order. */
  waiting: {
    readonly shard: number;
    readonly request: ForwardRequest;
    readonly record: HeldRecord;
    readonly ticket: number;
    /** The node that sent the request, where the answer goes. */
    readonly from: string;
  }[];
}

/** A server's first answer to a request it parked in a paused shard. */
interface HeldAnswer {
  readonly kind: 'held';
  readonly ticket: number;
}

/** The real answer to a parked request, sent when the shard resumes: a reply or a refusal. */
interface HeldResult {
  readonly kind: 'held-result';
  readonly ticket: number;
  readonly reply?: ShardReply;
  readonly refusal?: string;
}

function newServer(name: string, map: ShardMap): ServerState {
  return {
    name,
    map: copyMap(map),
    shards: Array.from({ length: SHARD_COUNT }, () => new Map<string, string>()),
    log: [],
    paused: new Set(),
    waiting: [],
  };
}

/** A map of the router's own, equal to `map`. */
function copyMap(map: ShardMap): ShardMap {
  return { epoch: map.epoch, owners: [...map.owners] };
}

/** The authoritative owner of `key` at true time `atMs` in a run. */
export function ownerAt(run: ClusterRun, key: string, atMs: number): string {
  let map = run.mapHistory[0]!.map;
  for (const entry of run.mapHistory) if (entry.atMs <= atMs) map = entry.map;
  return map.owners[shardOf(key)]!;
}
