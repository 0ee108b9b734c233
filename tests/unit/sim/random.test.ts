import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, hash32, hashString } from '../../../src/sim/index.ts';

function draw(rng: Random, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe('Random', () => {
  it('gives the same sequence for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (seed) => {
        expect(draw(new Random(seed), 20)).toEqual(draw(new Random(seed), 20));
      }),
    );
  });

  it('gives different sequences for neighbouring seeds', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(draw(new Random(seed), 4)).not.toEqual(draw(new Random(seed + 1), 4));
    }
    expect(draw(new Random(2 ** 40), 4)).not.toEqual(draw(new Random(2 ** 40 + 2 ** 33), 4));
  });

  it('accepts string seeds', () => {
    expect(draw(new Random('capstone'), 5)).toEqual(draw(new Random('capstone'), 5));
    expect(draw(new Random('capstone'), 5)).not.toEqual(draw(new Random('capstone!'), 5));
  });

  it('refuses seeds that are not safe integers', () => {
    expect(() => new Random(1.5)).toThrow(/safe integer/);
    expect(() => new Random(Number.NaN)).toThrow(/safe integer/);
  });

  it('derives forks from the seed and label only, not from how much was drawn', () => {
    const a = new Random(9);
    const b = new Random(9);
    draw(b, 100);
    expect(draw(a.fork('network'), 10)).toEqual(draw(b.fork('network'), 10));
    expect(draw(a.fork('network'), 10)).not.toEqual(draw(a.fork('disk'), 10));
    expect(draw(a.fork('x'), 10)).not.toEqual(draw(a, 10));
  });

  it('keeps next() in [0, 1) and int(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const rng = new Random(seed);
        for (let i = 0; i < 50; i++) {
          const x = rng.next();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
          const k = rng.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('is close to uniform: each of ten buckets gets about a tenth', () => {
    const rng = new Random(3);
    const buckets = new Array<number>(10).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) buckets[Math.floor(rng.next() * 10)]!++;
    for (const count of buckets) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.005);
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const rng = new Random(4);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal(10, 2);
      sum += x;
      sumSquares += x * x;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(sumSquares / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('rejects an int() bound that is not a positive integer', () => {
    expect(() => new Random(1).int(0)).toThrow(RangeError);
    expect(() => new Random(1).int(2.5)).toThrow(RangeError);
  });

  it('hashes strings with FNV-1a', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});

describe('hash32', () => {
  it('spreads strings that differ only in their last characters over the whole 32-bit range', () => {
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 1_600; i++) buckets[hash32(`s1#${i}`) >>> 28]!++;
    // 100 expected per bucket; FNV-1a alone leaves most of them empty for these keys.
    expect(Math.min(...buckets)).toBeGreaterThan(60);
    expect(Math.max(...buckets)).toBeLessThan(140);
    expect(hash32('user:42')).toBe(hash32('user:42'));
  });
});
