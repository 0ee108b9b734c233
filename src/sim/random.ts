/**
 * The simulator's only source of randomness: a small, fast, seedable generator (sfc32,
 * seeded through splitmix32). Every random choice in a run — latencies, losses, service
 * times, arrivals, keys, the learner's own `ctx.random` — comes from a `Random` derived
 * from the one seed given to the simulation, so the same seed replays the same run.
 */

import { log } from './math.ts';

/** 2^-32, to turn a 32-bit unsigned integer into a float in [0, 1). */
const UINT32_TO_UNIT = 1 / 4294967296;

/** One splitmix32 step: a well-mixed 32-bit output for a 32-bit input. */
function mix32(input: number): number {
  let z = (input + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * FNV-1a over the UTF-16 code units of a string, as an unsigned 32-bit integer. Used to
 * turn string seeds and fork labels into numbers, and by the trace hash.
 *
 * @example
 * hashString('hello'); // => 1335831723
 */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A well-mixed 32-bit hash of a string, as an unsigned integer in [0, 2^32): FNV-1a,
 * then the 32-bit finaliser of MurmurHash3 ("fmix32"). FNV-1a alone leaves strings that
 * differ only in their last character ("s1#0", "s1#1") close together; the finaliser
 * spreads them. Use it to place keys and virtual nodes on a hash ring or in shards.
 *
 * @example
 * hash32('user:42'); // a number in [0, 4294967295]
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

/** A seed: any safe integer, or a string (hashed). */
export type Seed = number | string;

function seedKey(seed: Seed): number {
  if (typeof seed === 'string') return mix32(hashString(seed));
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`A seed must be a safe integer or a string; got ${seed}.`);
  }
  // Fold the high bits in as well, so that seeds differing only above bit 32 still differ.
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  return mix32(low ^ mix32(high));
}

/**
 * A deterministic pseudo-random number generator.
 *
 * It never reads the wall clock or `Math.random`: the same seed always yields the same
 * sequence, in Node and in every browser. Use {@link Random.fork} to give each part of a
 * system its own stream, so that one part drawing more numbers does not shift the others.
 *
 * @example
 * const rng = new Random(42);
 * rng.next();        // a float in [0, 1)
 * rng.int(6) + 1;    // a die roll
 * const net = rng.fork('network'); // an independent, reproducible stream
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** The mixed seed this generator started from; forks derive theirs from it. */
  readonly #key: number;
  /** A spare standard normal from the last Box–Muller pair, or NaN when there is none. */
  #spareNormal = Number.NaN;

  /** @param seed Any safe integer or a string. */
  constructor(seed: Seed) {
    const key = seedKey(seed);
    this.#key = key;
    this.#a = mix32(key);
    this.#b = mix32(this.#a);
    this.#c = mix32(this.#b);
    this.#d = mix32(this.#c) | 1;
    // Discard a few outputs: sfc32's first values are weakly mixed for similar seeds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /**
   * A new generator whose stream is fixed by this generator's seed and `label` alone —
   * not by how many numbers this one has drawn — so forks are stable as code changes.
   * Forking twice with the same label gives two identical streams.
   */
  fork(label: string): Random {
    return new Random(mix32(this.#key ^ hashString(label)));
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float uniformly distributed in [0, 1), with 32 bits of resolution. */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) * UINT32_TO_UNIT;
  }

  /**
   * An integer uniformly distributed in [0, `maxExclusive`).
   * @param maxExclusive A positive integer, at most 2^32.
   */
  int(maxExclusive: number): number {
    if (!(maxExclusive >= 1 && maxExclusive <= 4294967296) || !Number.isInteger(maxExclusive)) {
      throw new RangeError(`int(maxExclusive) needs an integer in [1, 2^32]; got ${maxExclusive}.`);
    }
    return Math.floor(this.next() * maxExclusive);
  }

  /** A float uniformly distributed in [`min`, `max`). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** `true` with the given probability (0 never, 1 always). */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty array, each equally likely. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array.');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** An exponentially distributed float with the given mean (for gaps of a Poisson process). */
  exponential(mean: number): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    return -mean * log(1 - this.next());
  }

  /**
   * A normally distributed float, mean 0 and standard deviation 1 by default. Uses
   * Marsaglia's polar method, which needs no sine or cosine (whose last bits vary between
   * engines), and keeps the second value of each pair for the next call.
   */
  normal(mean = 0, stdDev = 1): number {
    let z = this.#spareNormal;
    if (z === z) {
      this.#spareNormal = Number.NaN;
      return mean + stdDev * z;
    }
    // Each try succeeds with probability pi/4; 200 failures in a row never happen in practice.
    for (let tries = 0; tries < 200; tries++) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = Math.sqrt((-2 * log(s)) / s);
      z = u * factor;
      this.#spareNormal = v * factor;
      return mean + stdDev * z;
    }
    throw new Error('Random.normal() could not draw a point inside the unit circle; the generator is broken.');
  }
}
