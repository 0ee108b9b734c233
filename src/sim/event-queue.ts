/**
 * The simulator's one queue of future events: a binary min-heap ordered by time, ties
 * broken by insertion order, so that two events due at the same instant always run in the
 * order they were scheduled. That tie-break is what makes runs reproducible.
 *
 * Event fields live in parallel typed arrays, so scheduling an event allocates nothing
 * once the arrays have grown.
 */

/** The most events the queue will hold at once before refusing, with a clear error. */
export const DEFAULT_EVENT_QUEUE_CAPACITY = 16_000_000;

/**
 * A priority queue of timed events. Not exported from the public entry: the simulation
 * owns the only instance.
 */
export class EventQueue {
  // The heap, by position: each entry's time, insertion sequence and slot. Keeping the
  // ordering keys in the heap arrays themselves (rather than behind the slot number) keeps
  // sifting on contiguous memory, which roughly halves its cost.
  #heapTimes: Float64Array;
  #heapSeqs: Float64Array;
  #heapSlots: Int32Array;
  // The rest of each event, by slot.
  #kinds: Uint8Array;
  #targets: Int32Array;
  #payloads: unknown[];
  #size = 0;
  /** Free slots, used as a stack. */
  #free: Int32Array;
  #freeCount: number;
  #nextSeq = 0;
  readonly #limit: number;

  /** Time of the event last taken by {@link pop}, in milliseconds. */
  poppedTime = 0;
  /** Kind of the event last taken by {@link pop}. */
  poppedKind = 0;
  /** Target (usually a node index) of the event last taken by {@link pop}. */
  poppedTarget = 0;
  /** Payload of the event last taken by {@link pop}. */
  poppedPayload: unknown = undefined;

  /** @param limit Most events held at once; scheduling beyond it throws. */
  constructor(limit = DEFAULT_EVENT_QUEUE_CAPACITY, initialCapacity = 1024) {
    this.#limit = limit;
    const capacity = Math.max(16, Math.min(initialCapacity, limit));
    this.#heapTimes = new Float64Array(capacity);
    this.#heapSeqs = new Float64Array(capacity);
    this.#heapSlots = new Int32Array(capacity);
    this.#kinds = new Uint8Array(capacity);
    this.#targets = new Int32Array(capacity);
    this.#payloads = new Array<unknown>(capacity).fill(undefined);
    this.#free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.#free[i] = capacity - 1 - i;
    this.#freeCount = capacity;
  }

  /** Number of events waiting. */
  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event, or `Infinity` when the queue is empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#heapTimes[0]!;
  }

  /** Schedules an event. Events with equal times come out in the order they went in. */
  push(time: number, kind: number, target: number, payload: unknown): void {
    if (this.#freeCount === 0) this.#grow();
    const slot = this.#free[--this.#freeCount]!;
    this.#kinds[slot] = kind;
    this.#targets[slot] = target;
    this.#payloads[slot] = payload;
    const seq = this.#nextSeq++;
    // Sift up with a hole: move parents down until the new event's place is found.
    const times = this.#heapTimes;
    const seqs = this.#heapSeqs;
    const slots = this.#heapSlots;
    let index = this.#size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < time || (parentTime === time && seqs[parent]! < seq)) break;
      times[index] = parentTime;
      seqs[index] = seqs[parent]!;
      slots[index] = slots[parent]!;
      index = parent;
    }
    times[index] = time;
    seqs[index] = seq;
    slots[index] = slot;
  }

  /**
   * Removes the earliest event and exposes it through the `popped*` fields (no object is
   * allocated). Returns `false` when the queue is empty.
   */
  pop(): boolean {
    if (this.#size === 0) return false;
    const times = this.#heapTimes;
    const seqs = this.#heapSeqs;
    const slots = this.#heapSlots;
    const top = slots[0]!;
    this.poppedTime = times[0]!;
    this.poppedKind = this.#kinds[top]!;
    this.poppedTarget = this.#targets[top]!;
    this.poppedPayload = this.#payloads[top];
    this.#payloads[top] = undefined;
    this.#free[this.#freeCount++] = top;
    const size = --this.#size;
    if (size === 0) return true;
    // Sift the last entry down from the root, again with a hole.
    const time = times[size]!;
    const seq = seqs[size]!;
    const slot = slots[size]!;
    // A sentinel just past the heap stands in for a missing right child, so the loop
    // needs no bounds check for it. It sorts after every real event, even one at
    // Infinity, because its sequence number is Infinity too. (`size` is below the
    // arrays' length here, since an entry was just removed.)
    times[size] = Infinity;
    seqs[size] = Infinity;
    let index = 0;
    let child = 1;
    while (child < size) {
      const leftTime = times[child]!;
      const rightTime = times[child + 1]!;
      if (rightTime === leftTime) {
        if (seqs[child + 1]! < seqs[child]!) child++;
      } else {
        // Which child is earlier is a coin toss, so a branch here is mispredicted half
        // the time; adding the comparison as a number compiles without one, and makes
        // the whole pop about a third faster.
        child += +(rightTime < leftTime);
      }
      const childTime = times[child]!;
      if (time < childTime || (time === childTime && seq < seqs[child]!)) break;
      times[index] = childTime;
      seqs[index] = seqs[child]!;
      slots[index] = slots[child]!;
      index = child;
      child = 2 * index + 1;
    }
    times[index] = time;
    seqs[index] = seq;
    slots[index] = slot;
    return true;
  }

  /** Drops every event. */
  clear(): void {
    while (this.pop()) {
      // Popping returns every slot to the free list.
    }
    this.poppedPayload = undefined;
  }

  #grow(): void {
    const old = this.#heapTimes.length;
    if (old >= this.#limit) {
      throw new RangeError(
        `The event queue is full (${this.#limit} pending events). A scenario is scheduling ` +
          'events faster than it processes them; raise maxPendingEvents if this is intended.',
      );
    }
    const capacity = Math.min(old * 2, this.#limit);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.#heapTimes = grow(this.#heapTimes, (n) => new Float64Array(n));
    this.#heapSeqs = grow(this.#heapSeqs, (n) => new Float64Array(n));
    this.#heapSlots = grow(this.#heapSlots, (n) => new Int32Array(n));
    this.#kinds = grow(this.#kinds, (n) => new Uint8Array(n));
    this.#targets = grow(this.#targets, (n) => new Int32Array(n));
    const free = new Int32Array(capacity);
    // Every slot was in use when growth was needed, so the free list holds only new slots.
    for (let i = 0; i < capacity - old; i++) free[i] = capacity - 1 - i;
    this.#free = free;
    this.#freeCount = capacity - old;
    for (let i = old; i < capacity; i++) this.#payloads.push(undefined);
  }
}
