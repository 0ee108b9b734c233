import { hash32 } from './hash.ts';
import type { Ring, RingOptions } from './types.ts';

/**
 * Build a consistent-hash ring with `options.vnodesPerNode` virtual nodes per node.
 *
 * This starter is hash-mod-N: a key goes to node number `hash(key) mod N`. It spreads keys
 * evenly, but watch what the tests say about adding an eleventh node, and rewrite it:
 *
 * 1. Give every node `vnodesPerNode` points on a circle of 2^32 positions, for example
 *    `hash32(`${id}#${i}`)` for i = 0 … vnodesPerNode − 1.
 * 2. Keep all points sorted by position.
 * 3. A key belongs to the node of the first point at or after `hash32(key)`, wrapping
 *    round to the first point when the key hashes past the last one.
 */
export function createRing(options: RingOptions): Ring {
  const members: string[] = [];
  void options.vnodesPerNode; // unused by hash-mod-N

  return {
    addNode(id: string): void {
      if (!members.includes(id)) members.push(id);
    },

    removeNode(id: string): void {
      const index = members.indexOf(id);
      if (index >= 0) members.splice(index, 1);
    },

    ownerOf(key: string): string {
      if (members.length === 0) throw new Error('The ring has no nodes: add one before looking up a key.');
      return members[hash32(key) % members.length]!;
    },

    nodes(): readonly string[] {
      return [...members];
    },
  };
}
