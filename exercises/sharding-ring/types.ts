/**
 * The interface of a consistent-hash ring, and the only description of it: code that uses
 * your ring imports these types from here. Today that is the next exercise's shard cluster
 * (`sharding-router/cluster.ts`), which builds its shard maps with your ring: it calls
 * `createRing`, `addNode` for each owner group, `ownerOf` for the key of each of its 32
 * shards, and `addNode` again when a fourth group joins. So keep to this interface exactly.
 */

/** Options for `createRing`. */
export interface RingOptions {
  /**
   * How many points ("virtual nodes") each node gets on the ring. 1 is the original
   * scheme; production systems use tens to hundreds. An integer, at least 1.
   */
  readonly vnodesPerNode: number;
}

/**
 * Maps keys to nodes so that adding or removing a node moves as few keys as possible.
 *
 * Requirements the tests check:
 * - `ownerOf` always names a node that is currently in the ring.
 * - The mapping depends only on the set of nodes (and `vnodesPerNode`), not on the order
 *   in which they were added, and the same inputs give the same answer on every run.
 * - When a node joins, the only keys that change owner move to the new node.
 * - When a node leaves, only its own keys change owner.
 */
export interface Ring {
  /** Adds a node. Adding a node that is already in the ring does nothing. */
  addNode(id: string): void;
  /** Removes a node. Removing a node that is not in the ring does nothing. */
  removeNode(id: string): void;
  /**
   * The node that owns `key`.
   * @throws Error when the ring has no nodes.
   */
  ownerOf(key: string): string;
  /** The nodes currently in the ring, in the order they were added. */
  nodes(): readonly string[];
}
