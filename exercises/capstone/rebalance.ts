/**
 * The rebalance at the peak. Read-only: read it to see how a shard changes groups.
 *
 * A fifth group, `g5`, runs all day but owns nothing. At the peak it joins your ring, and
 * every shard whose owner that changes moves to its new owner, one shard at a time, while
 * the store serves the others. Each move:
 *
 * 1. **Pauses** the shard on its old group: requests for it that reach the group wait, and
 *    the move waits for the ones already inside your replicas to finish.
 * 2. **Copies** each key of the shard: a read through your quorum code on the old group, a
 *    write through it on the new one, eight keys at a time. A quorum read returns the last
 *    acknowledged write (if R + W > 5), so nothing acknowledged stays behind.
 * 3. **Commits** the new map (epoch one higher) through the shard controller, your Raft log.
 *    Once the put is sent the move cannot be undone, since the controller may have committed
 *    it: the operator retries until it is acknowledged.
 * 4. **Hands over**: the new group takes the map and serves the shard; the old one takes it
 *    and refuses the waiting requests as "wrong owner", naming the new owner and carrying
 *    the map, which your router learns from and follows (`../sharding-router/router.ts`).
 *
 * Stop and copy is the simplest move that loses nothing: a shard here holds a few dozen
 * keys, so the pause lasts milliseconds. A shard of gigabytes would copy while it serves and
 * pause only to ship the last changes, as your shard mover does in the sharding module; it
 * needs one write log per shard, which a leaderless group does not have. The old group keeps
 * its copy of the moved keys and never serves them again.
 */
import { hash32, type NodeContext } from '@faultlines/sim';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from '../sharding-router/shards.ts';
import type { ShardMap } from '../sharding-router/types.ts';
import { MAP_KEY, askController, encodeMap, type ControllerStats } from './controller.ts';

/** Keys copied at once during a move. */
export const COPY_PARALLELISM = 16;
/** How long one copy read or write waits for its replica; a failed one is tried at the group's next replica. */
export const COPY_ATTEMPT_MS = 250;
/** Tries per key, each at another replica, before the move gives up and the shard stays. */
export const COPY_TRIES = 5;
/** How long a move waits for the requests already inside the old group to finish. */
export const DRAIN_LIMIT_MS = 1_000;

/** What a group serves: its map, and the shards paused for a move. Its five replicas share it. */
export class GroupGate {
  readonly group: string;
  #map: ShardMap;
  /** Per paused shard, the requests waiting for it to resume. */
  readonly #paused = new Map<number, (() => void)[]>();
  /** Per shard, the clients' requests inside the replicas' code now. */
  readonly #inside = new Int32Array(SHARD_COUNT);
  /** Per shard, a move waiting for those to finish. */
  readonly #drainWaiters = new Map<number, (() => void)[]>();
  /** Requests refused as "wrong owner", and requests that waited for a move. */
  refused = 0;
  waited = 0;

  constructor(group: string, map: ShardMap) {
    this.group = group;
    this.#map = map;
  }

  get map(): ShardMap {
    return this.#map;
  }

  /**
   * Lets a client's request for `shard` in, counting it as inside until {@link leave}. Throws
   * the "wrong owner" refusal if the group's map gives the shard to another group; returns a
   * promise to wait on (then call `admit` again) while the shard is paused.
   */
  admit(shard: number, requestEpoch: number): Promise<void> | undefined {
    const waiting = this.#paused.get(shard);
    if (waiting !== undefined) {
      this.waited++;
      return new Promise<void>((resolve) => waiting.push(resolve));
    }
    if (this.#map.owners[shard] !== this.group) {
      this.refused++;
      throw wrongOwnerRejection(shard, this.#map, requestEpoch);
    }
    this.#inside[shard]!++;
    return undefined;
  }

  /** A request let in by {@link admit} is over. */
  leave(shard: number): void {
    if (--this.#inside[shard]! === 0) {
      const waiters = this.#drainWaiters.get(shard);
      this.#drainWaiters.delete(shard);
      for (const w of waiters ?? []) w();
    }
  }

  pause(shard: number): void {
    if (!this.#paused.has(shard)) this.#paused.set(shard, []);
  }

  /** Resolves once no request for `shard` is inside the replicas' code. */
  drained(shard: number): Promise<void> {
    if (this.#inside[shard] === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const list = this.#drainWaiters.get(shard) ?? [];
      list.push(resolve);
      this.#drainWaiters.set(shard, list);
    });
  }

  /** Lets the waiting requests go on, in arrival order, with the group's map as it is now. */
  resume(shard: number): void {
    const waiting = this.#paused.get(shard);
    this.#paused.delete(shard);
    for (const go of waiting ?? []) go();
  }

  /** Takes `map` if it is newer than the group's. */
  adopt(map: ShardMap): void {
    if (map.epoch > this.#map.epoch) this.#map = map;
  }
}

/** One shard's move, as the report shows it. */
export interface Move {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  /** When it started, and when the shard was served again (by either group). */
  readonly startMs: number;
  endMs: number;
  /** Keys copied. */
  keys: number;
  /** When it sent the new map to the controller, if it got that far. */
  commitSentMs?: number;
  /** The epoch of the map it committed, once the controller acknowledged it. */
  epoch?: number;
  /** Why it gave up, if it did: the shard stayed where it was. */
  error?: string;
}

/** A move whose new map was sent to the controller and never acknowledged: its shard stays paused. */
export const isStuck = (move: Move): boolean => move.commitSentMs !== undefined && move.epoch === undefined;

/** The rebalance, as the day measured it. */
export interface RebalanceStats {
  /** Shards whose owner the ring changed when the group joined. */
  readonly planned: readonly { readonly shard: number; readonly from: string; readonly to: string }[];
  readonly moves: Move[];
  /** When the first move started and the last one ended; null before the rebalance. */
  startedMs: number | null;
  endedMs: number | null;
}

/** What the operator's mover works with. */
export interface MoverDeps {
  readonly ctx: NodeContext;
  readonly gates: ReadonlyMap<string, GroupGate>;
  /** Each group's replicas, by name. */
  readonly replicas: (group: string) => readonly string[];
  /** The keys a replica holds now (what a scan of its disk would list). */
  readonly keysOf: (replica: string) => Iterable<string>;
  readonly controller: ControllerStats;
  /** The controller's last map, which the moves build on. */
  map: ShardMap;
  readonly stats: RebalanceStats;
  /** Told of each map just before its put is sent (so a router that reads it knows it for one the operator wrote). */
  readonly onCommit?: (map: ShardMap) => void;
}

/** The body the operator sends a replica to read or write a key for a move. */
export type MoveRequest = { readonly move: { readonly read: string } } | { readonly move: { readonly write: string; readonly value: string } };

/** Runs every planned move, one shard at a time. */
export async function rebalance(deps: MoverDeps): Promise<void> {
  const { ctx, stats } = deps;
  stats.startedMs = ctx.now();
  const guess = { leader: 'ctl-1' };
  for (const planned of stats.planned) {
    const move: Move = { ...planned, startMs: ctx.now(), endMs: ctx.now(), keys: 0 };
    stats.moves.push(move);
    await moveOne(deps, move, guess);
    move.endMs = ctx.now();
  }
  stats.endedMs = ctx.now();
}

async function moveOne(deps: MoverDeps, move: Move, guess: { leader: string }): Promise<void> {
  const { ctx, gates } = deps;
  const from = gates.get(move.from)!;
  const to = gates.get(move.to)!;
  from.pause(move.shard);
  try {
    // 1. Wait for the requests already inside the old group.
    const drained = await Promise.race([from.drained(move.shard).then(() => true), sleep(ctx, DRAIN_LIMIT_MS).then(() => false)]);
    if (!drained) throw new Error(`requests for the shard were still inside ${move.from} after ${DRAIN_LIMIT_MS} ms`);
    // 2. Copy every key of the shard that any replica of the old group holds.
    const keys = new Set<string>();
    for (const replica of deps.replicas(move.from)) for (const key of deps.keysOf(replica)) if (shardOf(key) === move.shard) keys.add(key);
    const queue = [...keys].sort();
    const copyOne = async (key: string): Promise<void> => {
      const value = await tryReplicas(ctx, move.from, deps.replicas(move.from), key, { move: { read: key } });
      if (typeof value === 'string') await tryReplicas(ctx, move.to, deps.replicas(move.to), key, { move: { write: key, value } });
      move.keys++;
    };
    // One failed key gives the move up: the other workers take no more keys.
    const workers = Array.from({ length: COPY_PARALLELISM }, async () => {
      try {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) await copyOne(key);
      } catch (error) {
        queue.length = 0;
        throw error;
      }
    });
    await Promise.all(workers);
  } catch (error) {
    move.error = error instanceof Error ? error.message : String(error);
    from.resume(move.shard);
    return;
  }
  // 3. Commit the new map through the controller. From here the move cannot be undone.
  const owners = [...deps.map.owners];
  owners[move.shard] = move.to;
  const next: ShardMap = Object.freeze({ epoch: deps.map.epoch + 1, owners: Object.freeze(owners) });
  deps.onCommit?.(next);
  move.commitSentMs = ctx.now();
  await askController(ctx, { kind: 'put', key: MAP_KEY, value: encodeMap(next) }, guess, deps.controller);
  deps.map = next;
  move.epoch = next.epoch;
  // 4. The new owner first, then the old one, which refuses what waited with the new map.
  to.adopt(next);
  from.adopt(next);
  from.resume(move.shard);
}

/** Sends `body` to `group`'s replicas in turn, starting at one chosen by key, until one answers. */
async function tryReplicas(ctx: NodeContext, group: string, replicas: readonly string[], key: string, body: MoveRequest): Promise<unknown> {
  let last: unknown;
  for (let i = 0; i < COPY_TRIES; i++) {
    const replica = replicas[(hash32(key) + i) % replicas.length]!;
    try {
      return await ctx.rpc(replica, body, { timeoutMs: COPY_ATTEMPT_MS });
    } catch (error) {
      last = error;
    }
  }
  const what = 'read' in body.move ? 'read' : 'write';
  throw new Error(`could not ${what} ${key} on any replica of ${group} in ${COPY_TRIES} tries (last: ${last instanceof Error ? last.message : String(last)})`);
}

const sleep = (ctx: NodeContext, ms: number): Promise<void> => new Promise<void>((resolve) => ctx.setTimer(ms, resolve));

/** The shards whose owner changes from `before` to `after`, in shard order. */
export function plannedMoves(before: readonly string[], after: readonly string[]): { shard: number; from: string; to: string }[] {
  const out: { shard: number; from: string; to: string }[] = [];
  for (let shard = 0; shard < before.length; shard++) if (before[shard] !== after[shard]) out.push({ shard, from: before[shard]!, to: after[shard]! });
  return out;
}
