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
