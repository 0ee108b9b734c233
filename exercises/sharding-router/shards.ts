/**
 * Shards, hashing and the servers' "wrong owner" refusal, shared by the router and the
 * servers in `cluster.ts`.
 */
import { Rejection, hash32 } from '@faultlines/sim';
import type { ShardMap } from './types.ts';

/** How many shards the key space is split into. Rebalancing moves whole shards. */
export const SHARD_COUNT = 32;


/**
 * The shard a key belongs to, in [0, SHARD_COUNT). Fixed forever: only the owner of a
 * shard changes.
 *
 * @example
 * map.owners[shardOf('k42')]; // the server that owns key "k42" in this map
 */
export function shardOf(key: string): number {
  return hash32(key) % SHARD_COUNT;
}

/** What a server's "wrong owner" refusal tells the router. */
export interface WrongOwner {
  /** The shard of the key that was sent to the wrong server. */
  readonly shard: number;
  /** The server that owns the shard now. */
  readonly owner: string;
  /** The refusing server's map, whose `epoch` is at least that of the request. */
  readonly map: ShardMap;
}

const PREFIX = 'wrong owner:';

/**
 * The refusal a server throws when asked for a key it does not own. The caller receives
 * it as a `RemoteError` with `rejected: true`: the operation did not take effect.
 */
export function wrongOwnerRejection(shard: number, map: ShardMap, requestEpoch: number): Rejection {
  const owner = map.owners[shard]!;
  return new Rejection(
    `${PREFIX} shard ${shard} is on ${owner} at epoch ${map.epoch} (request routed with epoch ${requestEpoch}); ` +
      `map ${map.epoch}:${map.owners.join(',')}`,
  );
}

/**
 * Reads a server's "wrong owner" refusal out of any error. Returns `undefined` for any
 * other error (a timeout, an overloaded server, a different refusal).
 *
 * @example
 * try {
 *   return await send(server, { epoch, op });
 * } catch (error) {
 *   const hint = wrongOwnerOf(error);
 *   if (hint === undefined) throw error; // not a routing problem
 *   // hint.owner owns the key's shard; hint.map is the server's newer map
 * }
 */
export function wrongOwnerOf(error: unknown): WrongOwner | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(PREFIX)) return undefined;
  const match = /shard (\d+) is on (\S+) at epoch \d+ .*; map (\d+):(\S+)$/.exec(error.message);
  if (match === null) return undefined;
  const owners = match[4]!.split(',');
  return { shard: Number(match[1]), owner: match[2]!, map: { epoch: Number(match[3]), owners } };
}
