import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, log, pow } from '../../../src/sim/math.ts';

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe('engine-independent math', () => {
  it('log agrees with Math.log to within a few units in the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), (x) => {
        const expected = Math.log(x);
        expect(Math.abs(log(x) - expected)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 5000 },
    );
  });

  it('exp agrees with Math.exp to within a few units in the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => {
        expect(relativeError(exp(x), Math.exp(x))).toBeLessThan(8 * Number.EPSILON);
      }),
      { numRuns: 5000 },
    );
  });

  it('pow agrees with Math.pow for the bases and exponents Zipf uses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 3, noNaN: true }), (base, exponent) => {
        expect(relativeError(pow(base, exponent), Math.pow(base, exponent))).toBeLessThan(1e-13);
      }),
    );
  });

  it('handles the edges: zero, infinity, subnormals, overflow', () => {
    expect(log(0)).toBe(-Infinity);
    expect(log(-1)).toBeNaN();
    expect(log(Infinity)).toBe(Infinity);
    expect(log(1)).toBe(0);
    expect(relativeError(log(5e-324), Math.log(5e-324))).toBeLessThan(1e-15);
    expect(exp(0)).toBe(1);
    expect(exp(1000)).toBe(Infinity);
    expect(exp(-1000)).toBe(0);
    expect(relativeError(exp(-740), Math.exp(-740))).toBeLessThan(1e-3);
    expect(exp(Number.NaN)).toBeNaN();
  });
});
