import { hash32 } from './hash.ts';
import type { Ring, RingOptions } from './types.ts';

/** One virtual node: a position on the ring and the node that owns it. */
interface Point {
  readonly position: number;
  readonly node: string;
}

/**
 * A consistent-hash ring: every node is hashed to `vnodesPerNode` points on a circle of
 * 2^32 positions, and a key belongs to the first point at or after the key's own hash
 * (wrapping round past the top). The points are kept sorted so that a lookup is a binary
 * search.
 */
export function createRing(options: RingOptions): Ring {
  const vnodes = options.vnodesPerNode;
  if (!(Number.isInteger(vnodes) && vnodes >= 1)) {
    throw new RangeError(`vnodesPerNode must be an integer >= 1; got ${vnodes}.`);
  }
  const members: string[] = [];
  let points: Point[] = [];

  function byPosition(a: Point, b: Point): number {
    // Ties (two points hashed to the same position) are broken by node id, so that the
    // order, and hence the owner, does not depend on the order nodes were added.
    return a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
  }

  return {
    addNode(id: string): void {
      if (members.includes(id)) return;
      members.push(id);
      for (let i = 0; i < vnodes; i++) points.push({ position: hash32(`${id}#${i}`), node: id });
      points.sort(byPosition);
    },

    removeNode(id: string): void {
      const index = members.indexOf(id);
      if (index < 0) return;
      members.splice(index, 1);
      points = points.filter((point) => point.node !== id);
    },

    ownerOf(key: string): string {
      if (points.length === 0) throw new Error('The ring has no nodes: add one before looking up a key.');
      const h = hash32(key);
      // The first point whose position is >= h; past the last point, wrap to the first.
      let low = 0;
      let high = points.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (points[mid]!.position < h) low = mid + 1;
        else high = mid;
      }
      return points[low === points.length ? 0 : low]!.node;
    },

    nodes(): readonly string[] {
      return [...members];
    },
  };
}
