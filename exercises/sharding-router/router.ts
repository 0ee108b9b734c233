import type { KvInput } from '@faultlines/sim';
import { shardOf } from './shards.ts';
import type { Send, ShardMap, ShardReply, ShardRouter } from './types.ts';

/**
 * A shard router that caches the shard map and forwards each operation to the owner of
 * its key's shard.
 *
 * This starter trusts whatever map it is given and never retries, so it loses requests
 * when shards move. Make it survive a rebalance:
 *
 * 1. `applyMap`: keep a pushed map only if its epoch is newer than the one you hold.
 * 2. `route`: if the server refuses with "wrong owner" (`wrongOwnerOf(error)` from
 *    `shards.ts` returns the hint), adopt the newer map it carries and retry once, at the
 *    owner it names. Pass every other error on unchanged.
 */
export function createRouter(initial: ShardMap): ShardRouter {
  let map = initial;

  return {
    get epoch(): number {
      return map.epoch;
    },

    ownerOf(key: string): string {
      return map.owners[shardOf(key)]!;
    },

    applyMap(next: ShardMap): void {
      map = next;
    },

    route(op: KvInput, send: Send): Promise<ShardReply> {
      return send(this.ownerOf(op.key), { epoch: map.epoch, op });
    },
  };
}
