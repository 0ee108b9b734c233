import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Bitset } from '../../../src/sim/checker/index.ts';
import { PositionTable } from '../../../src/sim/checker/memo.ts';

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

  it('keeps only the words between its run of full words and its trailing zeros in its span', () => {
    const set = new Bitset(200);
    for (let i = 0; i < 70; i++) set.add(i);
    set.add(130);
    // Words 0 and 1 are full; words 2 to 4 hold bits 64-69 and 130; words 5 and 6 are empty.
    expect(set.spanStart).toBe(2);
    expect(set.spanLength).toBe(3);
    set.delete(5);
    expect(set.spanStart).toBe(0);
    expect(set.spanLength).toBe(5);
    set.delete(130);
    expect(set.spanLength).toBe(3);
    set.add(5);
    expect([set.spanStart, set.spanLength]).toEqual([2, 1]);
  });
});

describe('PositionTable', () => {
  it('tells apart positions whose sets differ anywhere, and recognises any position it stored', () => {
    // Sets like the search's: a run of every operation up to some point, plus a few more.
    const setArb = fc.tuple(fc.nat(150), fc.uniqueArray(fc.nat(149), { maxLength: 8 }), fc.nat(2));
    fc.assert(
      fc.property(fc.array(setArb, { minLength: 1, maxLength: 40 }), (positions) => {
        const table = new PositionTable();
        const seen = new Set<string>();
        for (const [run, extra, state] of positions) {
          const bits = new Bitset(150);
          for (let i = 0; i < run; i++) bits.add(i);
          for (const i of extra) bits.add(i);
          const key = `${state}:${bits.toArray().join(',')}`;
          expect(table.add(state, bits)).toBe(!seen.has(key));
          seen.add(key);
        }
        expect(table.size).toBe(seen.size);
      }),
    );
  });
});
