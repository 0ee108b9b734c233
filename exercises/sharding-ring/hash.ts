import { hashString } from '@faultlines/sim';

/**
 * A well-mixed 32-bit hash of a string, as an unsigned integer in [0, 2^32).
 *
 * FNV-1a over the string, then the 32-bit finaliser of MurmurHash3 ("fmix32"), so that
 * strings differing only in their last character ("s1#0", "s1#1") land far apart. Use it
 * both to place a node's virtual nodes on the ring and to place keys.
 *
 * @example
 * hash32('user:42');   // a number in [0, 4294967295]
 * hash32('s3#17');     // a position for virtual node 17 of node "s3"
 */
export function hash32(text: string): number {
  let h = hashString(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
