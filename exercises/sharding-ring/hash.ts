/**
 * The hash to place keys and virtual nodes with: `hash32(text)` is a well-mixed 32-bit
 * hash of a string, an unsigned integer in [0, 2^32) (FNV-1a, then MurmurHash3's
 * finaliser, so that "s1#0" and "s1#1" land far apart).
 *
 * @example
 * hash32('user:42');   // a number in [0, 4294967295]
 * hash32('s3#17');     // a position for virtual node 17 of node "s3"
 */
export { hash32 } from '@faultlines/sim';
