import type { KvInput } from '@faultlines/sim';
import { shardOf, wrongOwnerOf } from './shards.ts';
import type { Send, ShardMap, ShardReply, ShardRouter } from './types.ts';

/**
 * A shard router that caches the shard map, forwards each operation to the owner of its
 * key's shard with the map's epoch, and on a "wrong owner" refusal learns the newer map
 * from the refusal and retries once at the right owner.
 */
export function createRouter(initial: ShardMap): ShardRouter {
  let map = initial;

  /** Keeps `next` only if it is newer: late or repeated pushes must not roll the map back. */
  function adopt(next: ShardMap): void {
    if (next.epoch > map.epoch) map = next;
  }

  return {
    get epoch(): number {
      return map.epoch;
    },

    ownerOf(key: string): string {
      return map.owners[shardOf(key)]!;
    },

    applyMap(next: ShardMap): void {
      adopt(next);
    },

    async route(op: KvInput, send: Send): Promise<ShardReply> {
      const first = map.owners[shardOf(op.key)]!;
      try {
        return await send(first, { epoch: map.epoch, op });
      } catch (error) {
        const hint = wrongOwnerOf(error);
        // A timeout or any other refusal is not a routing problem: a timed-out write may
        // have been applied, so retrying it here could apply it twice.
        if (hint === undefined) throw error;
        adopt(hint.map);
        // Retry once, at the owner the refusing server named, with the epoch it used.
        return send(hint.owner, { epoch: Math.max(map.epoch, hint.map.epoch), op });
      }
    },
  };
}
