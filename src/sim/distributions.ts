/**
 * Probability distributions for latencies and service times, as plain data.
 *
 * A distribution is a small readonly object (`{ kind: 'exponential', meanMs: 5 }`) so that
 * scenarios can be printed, compared and stored; the helper functions below build them.
 * All values are milliseconds, and every sample is at least 0. Sampling uses the
 * engine-independent `log` and `exp` of math.ts, so samples are identical in every browser.
 */
import { exp, log } from './math.ts';
import type { Random } from './random.ts';

/** Always the same value. */
export interface ConstantDistribution {
  readonly kind: 'constant';
  /** The value every sample takes, in milliseconds. */
  readonly valueMs: number;
}

/** Every value in [`minMs`, `maxMs`) equally likely. */
export interface UniformDistribution {
  readonly kind: 'uniform';
  /** Smallest value, in milliseconds. */
  readonly minMs: number;
  /** Upper bound (exclusive), in milliseconds. */
  readonly maxMs: number;
}

/** Memoryless: the gap between Poisson arrivals, or the classic M/M/1 service time. */
export interface ExponentialDistribution {
  readonly kind: 'exponential';
  /** Mean, in milliseconds. */
  readonly meanMs: number;
}

/** A bell curve; negative samples are clamped to 0. */
export interface NormalDistribution {
  readonly kind: 'normal';
  /** Mean, in milliseconds. */
  readonly meanMs: number;
  /** Standard deviation, in milliseconds. */
  readonly stdDevMs: number;
}

/**
 * A long-tailed distribution whose logarithm is normal: most samples near the median, a few
 * far above it. Real request latencies often look like this.
 */
export interface LogNormalDistribution {
  readonly kind: 'lognormal';
  /** Mean of the natural logarithm of a sample (the median is `exp(mu)` milliseconds). */
  readonly mu: number;
  /** Standard deviation of the natural logarithm of a sample; larger means a longer tail. */
  readonly sigma: number;
}

/** One part of a {@link MixtureDistribution}. */
export interface MixtureComponent {
  /** Relative weight; weights need not sum to 1. */
  readonly weight: number;
  /** The distribution sampled when this part is chosen. */
  readonly distribution: Distribution;
}

/** "Mostly fast, sometimes very slow": each sample comes from one part, chosen by weight. */
export interface MixtureDistribution {
  readonly kind: 'mixture';
  /** The parts, at least one, each with a positive weight. */
  readonly components: readonly MixtureComponent[];
}

/** Any distribution the simulator can sample. Build one with the helpers in this module. */
export type Distribution =
  | ConstantDistribution
  | UniformDistribution
  | ExponentialDistribution
  | NormalDistribution
  | LogNormalDistribution
  | MixtureDistribution;

/** Draws one sample, in milliseconds, from a compiled distribution. */
export type Sampler = (rng: Random) => number;

/** The 99th percentile of the standard normal distribution. */
const Z_99 = 2.3263478740408408;

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

/**
 * Always `valueMs`.
 * @example constant(2) // every message takes exactly 2 ms
 */
export function constant(valueMs: number): ConstantDistribution {
  check(Number.isFinite(valueMs) && valueMs >= 0, `constant(valueMs) needs a finite value >= 0; got ${valueMs}.`);
  return { kind: 'constant', valueMs };
}

/**
 * Uniform between `minMs` (inclusive) and `maxMs` (exclusive).
 * @example uniform(1, 3) // mean 2 ms
 */
export function uniform(minMs: number, maxMs: number): UniformDistribution {
  check(
    Number.isFinite(minMs) && Number.isFinite(maxMs) && minMs >= 0 && maxMs >= minMs,
    `uniform(minMs, maxMs) needs 0 <= minMs <= maxMs; got ${minMs}, ${maxMs}.`,
  );
  return { kind: 'uniform', minMs, maxMs };
}

/**
 * Exponential with the given mean.
 * @example exponential(10) // mean 10 ms, median about 6.9 ms, p99 about 46 ms
 */
export function exponential(meanMs: number): ExponentialDistribution {
  check(Number.isFinite(meanMs) && meanMs > 0, `exponential(meanMs) needs a mean > 0; got ${meanMs}.`);
  return { kind: 'exponential', meanMs };
}

/**
 * Normal with the given mean and standard deviation; negative samples become 0.
 * @example normal(20, 5) // 95% of samples between 10 and 30 ms
 */
export function normal(meanMs: number, stdDevMs: number): NormalDistribution {
  check(
    Number.isFinite(meanMs) && Number.isFinite(stdDevMs) && stdDevMs >= 0,
    `normal(meanMs, stdDevMs) needs finite numbers and stdDevMs >= 0; got ${meanMs}, ${stdDevMs}.`,
  );
  return { kind: 'normal', meanMs, stdDevMs };
}

/**
 * A long-tailed log-normal distribution, given either by its median and 99th percentile
 * (the way latencies are usually described) or by `mu` and `sigma` of its logarithm.
 *
 * @example
 * logNormal({ p50Ms: 5, p99Ms: 80 }) // half of the samples under 5 ms, 1% over 80 ms
 * logNormal({ mu: Math.log(5), sigma: 1.2 })
 */
export function logNormal(
  shape: { readonly p50Ms: number; readonly p99Ms: number } | { readonly mu: number; readonly sigma: number },
): LogNormalDistribution {
  if ('p50Ms' in shape) {
    const { p50Ms, p99Ms } = shape;
    check(p50Ms > 0 && p99Ms >= p50Ms, `logNormal needs 0 < p50Ms <= p99Ms; got ${p50Ms}, ${p99Ms}.`);
    const mu = log(p50Ms);
    return { kind: 'lognormal', mu, sigma: (log(p99Ms) - mu) / Z_99 };
  }
  check(Number.isFinite(shape.mu) && shape.sigma >= 0, `logNormal needs a finite mu and sigma >= 0.`);
  return { kind: 'lognormal', mu: shape.mu, sigma: shape.sigma };
}

/**
 * A weighted mixture. Each pair is `[weight, distribution]`.
 *
 * @example
 * // 99% of messages take about 1 ms; 1% hit a 200 ms stall.
 * mixture([[0.99, uniform(0.5, 1.5)], [0.01, constant(200)]])
 */
export function mixture(parts: readonly (readonly [weight: number, distribution: Distribution])[]): MixtureDistribution {
  check(parts.length > 0, 'mixture() needs at least one part.');
  for (const [weight] of parts) {
    check(Number.isFinite(weight) && weight > 0, `mixture weights must be finite and > 0; got ${weight}.`);
  }
  return { kind: 'mixture', components: parts.map(([weight, distribution]) => ({ weight, distribution })) };
}

/**
 * Compiles a distribution into a sampling function. Compile once and reuse the function:
 * that keeps per-sample work to a few arithmetic operations.
 */
export function samplerFor(distribution: Distribution): Sampler {
  switch (distribution.kind) {
    case 'constant': {
      const value = distribution.valueMs;
      return () => value;
    }
    case 'uniform': {
      const { minMs, maxMs } = distribution;
      const width = maxMs - minMs;
      return (rng) => minMs + width * rng.next();
    }
    case 'exponential': {
      const mean = distribution.meanMs;
      return (rng) => -mean * log(1 - rng.next());
    }
    case 'normal': {
      const { meanMs, stdDevMs } = distribution;
      return (rng) => {
        const x = rng.normal(meanMs, stdDevMs);
        return x > 0 ? x : 0;
      };
    }
    case 'lognormal': {
      const { mu, sigma } = distribution;
      return (rng) => exp(mu + sigma * rng.normal());
    }
    case 'mixture': {
      const total = distribution.components.reduce((sum, c) => sum + c.weight, 0);
      const cumulative: number[] = [];
      const samplers: Sampler[] = [];
      let running = 0;
      for (const component of distribution.components) {
        running += component.weight / total;
        cumulative.push(running);
        samplers.push(samplerFor(component.distribution));
      }
      // Guard against rounding leaving the last bound a hair below 1.
      cumulative[cumulative.length - 1] = 1;
      return (rng) => {
        const u = rng.next();
        let i = 0;
        while (cumulative[i]! <= u) i++;
        return samplers[i]!(rng);
      };
    }
  }
}

/** Draws one sample. For many samples, compile once with {@link samplerFor}. */
export function sample(distribution: Distribution, rng: Random): number {
  return samplerFor(distribution)(rng);
}

/**
 * The theoretical mean, in milliseconds. For `normal`, this ignores the clamping at 0
 * (which matters only when the mean is within a few standard deviations of 0).
 *
 * @example meanOf(exponential(10)) // => 10
 */
export function meanOf(distribution: Distribution): number {
  switch (distribution.kind) {
    case 'constant':
      return distribution.valueMs;
    case 'uniform':
      return (distribution.minMs + distribution.maxMs) / 2;
    case 'exponential':
      return distribution.meanMs;
    case 'normal':
      return distribution.meanMs;
    case 'lognormal':
      return exp(distribution.mu + (distribution.sigma * distribution.sigma) / 2);
    case 'mixture': {
      const total = distribution.components.reduce((sum, c) => sum + c.weight, 0);
      return distribution.components.reduce((sum, c) => sum + (c.weight / total) * meanOf(c.distribution), 0);
    }
  }
}
