/**
 * A fixed-size set of small non-negative integers, used by the linearizability search to
 * record which operations are already linearized.
 *
 * The search asks two things of it millions of times: "have I seen this exact set
 * before?" and "add or remove one operation". So the set keeps a running hash that is
 * updated in constant time on every change (each bit contributes a fixed pseudo-random
 * word, combined with XOR, so adding and removing the same bit cancel out), and equality
 * compares the 32-bit words directly.
 *
 * A search that walks a long history forward has linearized nearly every operation
 * before the current point and none after it: its sets are a run of full words, a few
 * mixed ones, then zeros. So the set also tracks where the full run ends and where the
 * zeros begin, and stores or compares only the words in between (its span), which
 * keeps each remembered position a few words long however long the history is.
 */
export class Bitset {
  /** The bits, 32 to a word; bit `i` lives in word `i >>> 5`. */
  readonly #words: Uint32Array;
  /** How many integers the set can hold: members are in `[0, size)`. */
  readonly size: number;
  #hash = 0;
  #count = 0;
  /** How many leading words are all ones. */
  #full = 0;
  /** One past the last word that is not zero (0 when the set is empty). */
  #end = 0;

  /**
   * Creates an empty set able to hold the integers `0 .. size - 1`.
   *
   * @param size - the capacity; must be a non-negative integer.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`A Bitset needs a non-negative integer size, got ${size}.`);
    }
    this.size = size;
    this.#words = new Uint32Array(Math.ceil(size / 32));
  }

  /** The number of members. */
  get count(): number {
    return this.#count;
  }

  /**
   * A 32-bit hash of the members, maintained incrementally. Two equal sets always have
   * the same hash; different sets usually do not.
   */
  get hash(): number {
    return this.#hash;
  }

  /** Whether `i` is a member. */
  has(i: number): boolean {
    return ((this.#words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  /** Adds `i`; adding a member twice leaves the set unchanged. */
  add(i: number): void {
    this.#check(i);
    const w = i >>> 5;
    const mask = 1 << (i & 31);
    const word = this.#words[w] ?? 0;
    if ((word & mask) !== 0) return;
    this.#words[w] = word | mask;
    this.#hash = (this.#hash ^ bitHash(i)) >>> 0;
    this.#count++;
    if (w >= this.#end) this.#end = w + 1;
    while (this.#full < this.#end && this.#words[this.#full] === 0xffffffff) this.#full++;
  }

  /** Removes `i`; removing a non-member leaves the set unchanged. */
  delete(i: number): void {
    this.#check(i);
    const w = i >>> 5;
    const mask = 1 << (i & 31);
    const word = this.#words[w] ?? 0;
    if ((word & mask) === 0) return;
    this.#words[w] = word & ~mask;
    this.#hash = (this.#hash ^ bitHash(i)) >>> 0;
    this.#count--;
    if (w < this.#full) this.#full = w;
    while (this.#end > 0 && this.#words[this.#end - 1] === 0) this.#end--;
  }

  /** Whether `other` has exactly the same members (sets of different sizes are never equal). */
  equals(other: Bitset): boolean {
    if (other.size !== this.size || other.#hash !== this.#hash || other.#count !== this.#count) {
      return false;
    }
    const a = this.#words;
    const b = other.#words;
    for (let w = 0; w < a.length; w++) {
      if (a[w] !== b[w]) return false;
    }
    return true;
  }

  /** An independent copy: later changes to either set do not affect the other. */
  clone(): Bitset {
    const copy = new Bitset(this.size);
    copy.#words.set(this.#words);
    copy.#hash = this.#hash;
    copy.#count = this.#count;
    copy.#full = this.#full;
    copy.#end = this.#end;
    return copy;
  }

  /** How many 32-bit words hold the bits. */
  get wordCount(): number {
    return this.#words.length;
  }

  /**
   * Where the span starts: the words that tell this set apart from others of the same
   * size. Every word before it is all ones, and every word after the span is zero.
   */
  get spanStart(): number {
    return this.#full;
  }

  /** How many words the span holds. */
  get spanLength(): number {
    return Math.max(0, this.#end - this.#full);
  }

  /** Copies the span's words into `pool` from `offset` on. */
  copySpanTo(pool: Uint32Array, offset: number): void {
    const a = this.#words;
    for (let w = this.#full; w < this.#end; w++) pool[offset + w - this.#full] = a[w]!;
  }

  /**
   * Whether this set equals the one whose span started at word `start` and whose
   * `length` span words are in `pool` from `offset` on (sets of the same size).
   */
  matchesSpan(pool: Uint32Array, offset: number, start: number, length: number): boolean {
    if (start !== this.#full || length !== this.spanLength) return false;
    const a = this.#words;
    for (let w = 0; w < length; w++) {
      if (a[start + w] !== pool[offset + w]) return false;
    }
    return true;
  }

  /** The members in increasing order. */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (this.has(i)) out.push(i);
    }
    return out;
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new RangeError(`Bit ${i} is outside this Bitset of size ${this.size}.`);
    }
  }
}

/**
 * The word that bit `i` contributes to a set's hash: a fixed integer mix of `i` (the
 * finaliser of MurmurHash3), so that neighbouring bits produce unrelated words and the
 * XOR of several of them rarely collides.
 */
function bitHash(i: number): number {
  let h = (i + 0x9e3779b9) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
