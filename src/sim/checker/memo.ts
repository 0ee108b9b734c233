/**
 * The memory of the linearizability search: which positions (set of linearized
 * operations, model state) it has already explored. The search stores hundreds of
 * thousands of them on hard histories, so they live in a few growing typed arrays rather
 * than as one object each, which keeps the garbage collector out of the way.
 */
import { Bitset } from './bitset.ts';

/** The first capacity of a {@link PositionTable}, in entries; it doubles when full. */
const INITIAL_CAPACITY = 16;

/**
 * Gives each distinct model state a small integer, so that positions can be stored as
 * numbers. States are compared with `equal` when given (bucketed by `hash` if given too),
 * otherwise as `Map` keys (`===`, with `NaN` equal to itself).
 */
export function createStateInterner<State>(
  equal: ((a: State, b: State) => boolean) | undefined,
  hash: ((state: State) => number) | undefined,
): (state: State) => number {
  let nextId = 0;
  if (equal === undefined) {
    const ids = new Map<State, number>();
    return (state) => {
      const known = ids.get(state);
      if (known !== undefined) return known;
      ids.set(state, nextId);
      return nextId++;
    };
  }
  // Without a hash every state shares one bucket, which is correct but slow for models
  // that reach many different states; Model.hash says so.
  const buckets = new Map<number, { readonly state: State; readonly id: number }[]>();
  return (state) => {
    const key = hash === undefined ? 0 : hash(state) | 0;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      buckets.set(key, bucket);
    }
    for (let i = 0; i < bucket.length; i++) {
      const entry = bucket[i]!;
      if (equal(entry.state, state)) return entry.id;
    }
    bucket.push({ state, id: nextId });
    return nextId++;
  };
}

/**
 * A hash set of positions: (state id, set of linearized operations). Entries are chained
 * per bucket through typed arrays, and each set's span (see {@link Bitset.spanStart}) is
 * appended to one pool, so an entry costs a few words however long the history is.
 */
export class PositionTable {
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  /** The first entry of each bucket, or -1. There are as many buckets as entries fit. */
  #heads = new Int32Array(INITIAL_CAPACITY).fill(-1);
  /** The next entry in the same bucket, or -1. */
  #next = new Int32Array(INITIAL_CAPACITY);
  #hashes = new Uint32Array(INITIAL_CAPACITY);
  #states = new Int32Array(INITIAL_CAPACITY);
  /** Where each entry's span starts in its set, how long it is, and where it is pooled. */
  #spanStarts = new Int32Array(INITIAL_CAPACITY);
  #spanLengths = new Int32Array(INITIAL_CAPACITY);
  #offsets = new Int32Array(INITIAL_CAPACITY);
  #pool = new Uint32Array(INITIAL_CAPACITY * 4);
  #poolUsed = 0;

  /** How many positions are stored. */
  get size(): number {
    return this.#size;
  }

  /**
   * Stores the position (`stateId`, `bits`). Returns true if it was new, false if it was
   * already stored. Every set stored in one table must have the same size.
   */
  add(stateId: number, bits: Bitset): boolean {
    const h = mix(bits.hash, stateId);
    let e = this.#heads[h & (this.#capacity - 1)]!;
    // A chain never holds more than every entry, which bounds this walk.
    for (let guard = 0; e !== -1 && guard <= this.#size; guard++) {
      if (
        this.#hashes[e] === h &&
        this.#states[e] === stateId &&
        bits.matchesSpan(this.#pool, this.#offsets[e]!, this.#spanStarts[e]!, this.#spanLengths[e]!)
      ) {
        return false;
      }
      e = this.#next[e]!;
    }
    if (this.#size === this.#capacity) this.#grow();
    const length = bits.spanLength;
    if (this.#poolUsed + length > this.#pool.length) {
      const pool = new Uint32Array(Math.max(this.#pool.length * 2, this.#poolUsed + length));
      pool.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = pool;
    }
    const entry = this.#size++;
    const bucket = h & (this.#capacity - 1);
    this.#hashes[entry] = h;
    this.#states[entry] = stateId;
    this.#spanStarts[entry] = bits.spanStart;
    this.#spanLengths[entry] = length;
    this.#offsets[entry] = this.#poolUsed;
    bits.copySpanTo(this.#pool, this.#poolUsed);
    this.#poolUsed += length;
    this.#next[entry] = this.#heads[bucket]!;
    this.#heads[bucket] = entry;
    return true;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grown = <T extends Int32Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const copy = make(capacity);
      copy.set(old);
      return copy;
    };
    const int32 = (n: number) => new Int32Array(n);
    this.#next = grown(this.#next, int32);
    this.#hashes = grown(this.#hashes, (n) => new Uint32Array(n));
    this.#states = grown(this.#states, int32);
    this.#spanStarts = grown(this.#spanStarts, int32);
    this.#spanLengths = grown(this.#spanLengths, int32);
    this.#offsets = grown(this.#offsets, int32);
    this.#capacity = capacity;
    // Re-chain every entry under the larger bucket count.
    this.#heads = new Int32Array(capacity).fill(-1);
    for (let entry = 0; entry < this.#size; entry++) {
      const bucket = this.#hashes[entry]! & (capacity - 1);
      this.#next[entry] = this.#heads[bucket]!;
      this.#heads[bucket] = entry;
    }
  }
}

/** Combines a set's hash with a state id into one well-spread 32-bit hash. */
function mix(setHash: number, stateId: number): number {
  let h = (setHash ^ Math.imul(stateId + 1, 0x9e3779b1)) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
