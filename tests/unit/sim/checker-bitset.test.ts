import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Bitset } from '../../../src/sim/checker/index.ts';

describe('Bitset', () => {
  it('adds, removes and lists members across word boundaries', () => {
    const set = new Bitset(100);
    for (const i of [0, 31, 32, 63, 64, 99]) set.add(i);
    set.delete(63);
    expect(set.toArray()).toEqual([0, 31, 32, 64, 99]);
    expect(set.count).toBe(5);
    expect(set.has(63)).toBe(false);
  });

  it('gives equal sets the same hash whatever order members were added and removed in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(199), { maxLength: 60 }), fc.nat(), (members, seed) => {
        const a = new Bitset(200);
        const b = new Bitset(200);
        for (const i of members) a.add(i);
        const shuffled = [...members].sort((x, y) => ((x * 7919 + seed) % 211) - ((y * 7919 + seed) % 211));
        for (const i of shuffled) b.add(i);
        b.add(199 - (seed % 200));
        if (!members.includes(199 - (seed % 200))) b.delete(199 - (seed % 200));
        expect(b.equals(a)).toBe(true);
        expect(b.hash).toBe(a.hash);
      }),
    );
  });

  it('keeps a clone independent of the original', () => {
    const a = new Bitset(10);
    a.add(3);
    const b = a.clone();
    b.add(4);
    expect(a.toArray()).toEqual([3]);
    expect(b.toArray()).toEqual([3, 4]);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses a bit outside its size', () => {
    expect(() => new Bitset(8).add(8)).toThrow(/outside this Bitset of size 8/);
  });
});
