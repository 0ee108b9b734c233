import { describe, expect, it } from 'vitest';
import {
  Random,
  constant,
  exponential,
  logNormal,
  meanOf,
  mixture,
  normal,
  samplerFor,
  uniform,
  type Distribution,
} from '../../../src/sim/index.ts';

const SAMPLES = 200_000;

function samples(distribution: Distribution, seed = 1): Float64Array {
  const rng = new Random(seed);
  const draw = samplerFor(distribution);
  const out = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) out[i] = draw(rng);
  return out.sort();
}

function mean(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function expectWithin(actual: number, expected: number, relativeTolerance: number): void {
  expect(Math.abs(actual - expected) / expected, `${actual} vs expected ${expected}`).toBeLessThan(relativeTolerance);
}

describe('distributions', () => {
  it('constant always gives its value', () => {
    const xs = samples(constant(4.5));
    expect(xs[0]).toBe(4.5);
    expect(xs[xs.length - 1]).toBe(4.5);
  });

  it('uniform has the midpoint as mean and stays within its bounds', () => {
    const xs = samples(uniform(2, 6));
    expectWithin(mean(xs), 4, 0.01);
    expect(xs[0]).toBeGreaterThanOrEqual(2);
    expect(xs[xs.length - 1]).toBeLessThan(6);
    expectWithin(quantile(xs, 0.25), 3, 0.01);
  });

  it('exponential has the given mean and median mean × ln 2', () => {
    const xs = samples(exponential(10));
    expectWithin(mean(xs), 10, 0.02);
    expectWithin(quantile(xs, 0.5), 10 * Math.LN2, 0.02);
    expectWithin(quantile(xs, 0.99), 10 * Math.log(100), 0.03);
  });

  it('normal has the given mean and spread, and never goes below 0', () => {
    const xs = samples(normal(50, 5));
    expectWithin(mean(xs), 50, 0.005);
    expectWithin(quantile(xs, 0.8413), 55, 0.01);
    const clamped = samples(normal(1, 5));
    expect(clamped[0]).toBe(0);
  });

  it('logNormal given p50 and p99 reproduces them', () => {
    const xs = samples(logNormal({ p50Ms: 5, p99Ms: 80 }));
    expectWithin(quantile(xs, 0.5), 5, 0.02);
    expectWithin(quantile(xs, 0.99), 80, 0.05);
  });

  it('logNormal given mu and sigma has mean exp(mu + sigma²/2)', () => {
    const d = logNormal({ mu: Math.log(10), sigma: 0.5 });
    expect(meanOf(d)).toBeCloseTo(10 * Math.exp(0.125), 10);
    expectWithin(mean(samples(d)), meanOf(d), 0.01);
  });

  it('mixture is mostly fast and sometimes very slow, in the given proportions', () => {
    const d = mixture([
      [0.99, constant(1)],
      [0.01, constant(200)],
    ]);
    const xs = samples(d);
    const slow = xs.filter((x) => x === 200).length / xs.length;
    expectWithin(slow, 0.01, 0.05);
    expect(quantile(xs, 0.98)).toBe(1);
    expect(quantile(xs, 0.995)).toBe(200);
    expectWithin(mean(xs), meanOf(d), 0.05);
    expect(meanOf(d)).toBeCloseTo(2.99, 10);
  });

  it('mixture weights need not sum to one', () => {
    const xs = samples(
      mixture([
        [3, constant(1)],
        [1, constant(5)],
      ]),
    );
    expectWithin(mean(xs), 2, 0.01);
  });

  it('rejects nonsensical parameters with a clear message', () => {
    expect(() => exponential(0)).toThrow(/mean > 0/);
    expect(() => uniform(5, 1)).toThrow(/minMs <= maxMs/);
    expect(() => logNormal({ p50Ms: 10, p99Ms: 5 })).toThrow(/p50Ms <= p99Ms/);
    expect(() => mixture([])).toThrow(/at least one/);
    expect(() => constant(-1)).toThrow(/>= 0/);
  });

  it('samples the same values for the same seed', () => {
    expect(samples(logNormal({ p50Ms: 3, p99Ms: 30 }), 7).slice(0, 100)).toEqual(
      samples(logNormal({ p50Ms: 3, p99Ms: 30 }), 7).slice(0, 100),
    );
  });
});
