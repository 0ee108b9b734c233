/**
 * The shard router's interface. The router is a plain object with no simulator inside it:
 * the node that hosts it (see `cluster.ts`) hands it map updates and gives it a `send`
 * function for forwarding. Today that harness and the tests are what use it. The router
 * never calls the consistent-hash ring itself: the configuration service in `cluster.ts`
 * builds the shard maps with your ring from the previous exercise
 * (`../sharding-ring/types.ts` documents its interface), and the router only holds maps.
 */
import type { KvInput, KvOutput } from '@faultlines/sim';

/**
 * Which owner group owns each shard, as of one epoch. Keys are split into a fixed number of
 * shards (`SHARD_COUNT` in `shards.ts`, by hash); a rebalance reassigns whole shards. In
 * `cluster.ts` the owners come from the ring, and each group is one server, named like
 * the group (g1–g4).
 */
export interface ShardMap {
  /** Version of the map. Every change of ownership produces a map with a larger epoch. */
  readonly epoch: number;
  /** `owners[shard]` is the group (here: the server) that owns that shard. */
  readonly owners: readonly string[];
}

/** What the router sends to a server: the client's operation and the epoch it routed with. */
export interface ForwardRequest {
  /** The epoch of the map the router used to choose this server. */
  readonly epoch: number;
  readonly op: KvInput;
}

/**
 * A server's answer to a forwarded operation: the operation's output, stamped by the
 * server that executed it. Pass it on to the client unchanged.
 */
export type ShardReply = KvOutput & {
  /** The server that executed the operation. */
  readonly servedBy: string;
  /** When it executed it, in simulated milliseconds. */
  readonly servedAtMs: number;
  /** The epoch of the server's map when it executed it. */
  readonly epoch: number;
};

/**
 * Forwards one request to one server and resolves with its reply. It rejects like
 * `ctx.rpc`: with a `RemoteError` whose `rejected` is true when the server refused the
 * request (for example because it does not own the key: see `wrongOwnerOf` in
 * `shards.ts`), or with an `RpcTimeoutError` when no answer came in time — in which case
 * the server may still have executed it.
 */
export type Send = (server: string, request: ForwardRequest) => Promise<ShardReply>;

/** A shard router: keeps a cached copy of the shard map and forwards operations to owners. */
export interface ShardRouter {
  /** The epoch of the router's current map. */
  readonly epoch: number;
  /** The server the router's current map names as the owner of `key`'s shard. */
  ownerOf(key: string): string;
  /**
   * A map pushed by the configuration service. Pushes can arrive late, duplicated or out
   * of order: a map older than the one the router holds must not replace it.
   */
  applyMap(map: ShardMap): void;
  /**
   * Forwards `op` to the owner of its key and resolves with the owner's reply. When the
   * server says it is not the owner, learn the newer map from its refusal and retry once
   * at the right server. Do not retry anything else (a timed-out write may have happened).
   */
  route(op: KvInput, send: Send): Promise<ShardReply>;
}

/** One key's record as a migration copies it: the key and its current value. */
export interface ShardRecord {
  readonly key: string;
  readonly value: string;
}

/** A slice of a shard's records, from {@link Donor.scan}. */
export interface ScanChunk {
  /** The records, in key order. */
  readonly records: readonly ShardRecord[];
  /** The key to pass as `afterKey` to read on, or `null` when the shard has no more records. */
  readonly nextAfterKey: string | null;
}

/** What {@link Donor.changesSince} returns. */
export interface ShardChanges {
  /** The latest value of every key of the shard written since the position asked for. */
  readonly records: readonly ShardRecord[];
  /** The donor's log position these changes run to: ask from here next time. */
  readonly position: number;
}

/**
 * What the old owner of a shard (the donor) lets a migration do, on the donor's own server.
 * Every write the donor accepts is stored and appended to its write log; `logPosition()`
 * and `changesSince()` read that log, so a migration can copy a shard while writes continue
 * and then ship only what changed.
 *
 * The donor's map decides what it serves: a request for a shard its map gives to another
 * server is refused with a "wrong owner" refusal carrying that map. The configuration
 * service pushes every new map to every server, but late (see `cluster.ts`): a donor that
 * waits for the push keeps serving a shard it has given away.
 */
export interface Donor {
  /** The donor's name (g1–g3). */
  readonly name: string;
  /** Simulated time, in milliseconds. */
  now(): number;
  /** The donor's map: the newest it has adopted or been pushed. */
  map(): ShardMap;
  /** The position of the donor's write log now: the number of writes it has accepted. */
  logPosition(): number;
  /**
   * Reads the shard's records with keys after `afterKey` (`null`: from the first), in key
   * order, as they are now: at most `maxRecords` of them. Reading is local and instant.
   */
  scan(shard: number, afterKey: string | null, maxRecords: number): ScanChunk;
  /** The latest value of each key of `shard` written after log position `since`. */
  changesSince(shard: number, since: number): ShardChanges;
  /**
   * Sends records of `shard` to server `to`, which stores them (replacing what it had for
   * those keys) but serves none of them until its map says it owns the shard. Each record
   * is `RECORD_BYTES` on the wire, on a link of `MIGRATION_BYTES_PER_MS` (`cluster.ts`):
   * big batches queue behind each other on the link. Resolves when `to` has stored them;
   * rejects like `ctx.rpc` if no answer comes in time.
   */
  ship(to: string, shard: number, records: readonly ShardRecord[]): Promise<void>;
  /**
   * Starts the critical section: from now on, every request for `shard` that reaches the
   * donor waits, neither served nor refused, until {@link Donor.resume}.
   */
  pause(shard: number): void;
  /**
   * Ends the critical section: the waiting requests are handled now, in arrival order, with
   * the donor's map as it is now (served if it still owns the shard, refused if not).
   */
  resume(shard: number): void;
  /**
   * Asks the configuration service to record `to` as the shard's owner. Resolves with the new
   * authoritative map (its epoch one above the previous one), which no server has yet: the
   * service pushes it to the servers and the router late.
   */
  commit(shard: number, to: string): Promise<ShardMap>;
  /** Makes `map` the donor's own map, if it is newer than the one it holds. */
  adopt(map: ShardMap): void;
  /** Sends `map` to server `to`, which adopts it if newer; resolves when it has. */
  tell(to: string, map: ShardMap): Promise<void>;
  /** Deletes the donor's copy of the shard's records (the log keeps only positions). */
  drop(shard: number): void;
}

/**
 * Moves one shard from the donor to server `to` while clients keep using it, and resolves
 * when the move is over: `to` owns the shard, holds all its data, and the donor no longer
 * serves it. The cluster calls it on the donor's server, for one shard at a time.
 */
export type MoveShard = (donor: Donor, shard: number, to: string) => Promise<void>;
