/**
 * The simulator's one queue of future events: a binary min-heap ordered by time, ties
 * broken by insertion order, so that two events due at the same instant always run in the
 * order they were scheduled. That tie-break is what makes runs reproducible.
 *
 * Event fields live in parallel typed arrays, so scheduling an event allocates nothing
 * once the arrays have grown.
 *
 * Events scheduled a fixed delay ahead ({@link EventQueue.pushAfter}: every call's timeout)
 * go into lanes, one per delay: those come due in the order they were pushed, so a lane is
 * a first-in first-out ring with only its first event in the heap. Most of them are dead by
 * then (the call was answered a second before its timeout), and a lane drops its dead
 * events as they reach its front, without a heap operation: a busy run's heap holds a
 * few thousand events instead of every unanswered and answered call of the last second.
 */

/** The most events the queue will hold at once before refusing, with a clear error. */
export const DEFAULT_EVENT_QUEUE_CAPACITY = 16_000_000;

/** The most lanes (distinct delays) a queue keeps; events of other delays go into the heap. */
export const MAX_LANES = 8;

/** Events pushed with one delay, first in first out, in a ring that grows by doubling. */
class Lane {
  readonly delay: number;
  times = new Float64Array(64);
  seqs = new Float64Array(64);
  kinds = new Uint8Array(64);
  targets = new Int32Array(64);
  payloads: unknown[] = new Array<unknown>(64).fill(undefined);
  head = 0;
  count = 0;

  constructor(delay: number) {
    this.delay = delay;
  }

  /** Index of the ring position `i` places behind the head. */
  at(i: number): number {
    return (this.head + i) & (this.times.length - 1);
  }

  grow(): void {
    const old = this.times.length;
    const head = this.head;
    const count = this.count;
    // Unroll the ring to the front of arrays twice as long (positions by the old length).
    const order = <T extends Float64Array | Uint8Array | Int32Array>(array: T, next: T): T => {
      for (let i = 0; i < count; i++) next[i] = array[(head + i) & (old - 1)]!;
      return next;
    };
    this.times = order(this.times, new Float64Array(old * 2));
    this.seqs = order(this.seqs, new Float64Array(old * 2));
    this.kinds = order(this.kinds, new Uint8Array(old * 2));
    this.targets = order(this.targets, new Int32Array(old * 2));
    const payloads = new Array<unknown>(old * 2).fill(undefined);
    for (let i = 0; i < count; i++) payloads[i] = this.payloads[(head + i) & (old - 1)];
    this.payloads = payloads;
    this.head = 0;
  }
}

/**
 * A priority queue of timed events. Not exported from the public entry: the simulation
 * owns the only instance.
 */
export class EventQueue {
  // The heap, by position: each entry's time, insertion sequence and slot. Keeping the
  // ordering keys in the heap arrays themselves (rather than behind the slot number) keeps
  // sifting on contiguous memory, which roughly halves its cost. A lane's first event is in
  // the heap with slot -1 - (the lane's index). The heap arrays have room for every slot,
  // every lane and the sentinel.
  #heapTimes: Float64Array;
  #heapSeqs: Float64Array;
  #heapSlots: Int32Array;
  // The rest of each event, by slot.
  #kinds: Uint8Array;
  #targets: Int32Array;
  #payloads: unknown[];
  /** Events held, in the heap and the lanes. */
  #size = 0;
  /** Entries in the heap: events, and the first event of each lane that has any. */
  #heapSize = 0;
  /** Free slots, used as a stack. */
  #free: Int32Array;
  #freeCount: number;
  #nextSeq = 0;
  readonly #limit: number;
  readonly #lanes: Lane[] = [];
  /** Whether a lane's event will do nothing when it comes up, and what to do when one is dropped. */
  #isDead: (kind: number, payload: unknown, target: number) => boolean = () => false;
  #onDropped: () => void = () => undefined;

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
    this.#heapTimes = new Float64Array(capacity + MAX_LANES + 1);
    this.#heapSeqs = new Float64Array(capacity + MAX_LANES + 1);
    this.#heapSlots = new Int32Array(capacity + MAX_LANES + 1);
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

  /**
   * Lets lanes drop events that will do nothing when they come up (`isDead`), calling
   * `onDropped` for each, as they reach the front of their lane.
   */
  dropDeadLaneEvents(isDead: (kind: number, payload: unknown, target: number) => boolean, onDropped: () => void): void {
    this.#isDead = isDead;
    this.#onDropped = onDropped;
  }

  /** Schedules an event. Events with equal times come out in the order they went in. */
  push(time: number, kind: number, target: number, payload: unknown): void {
    if (this.#freeCount === 0) this.#grow();
    const slot = this.#free[--this.#freeCount]!;
    this.#kinds[slot] = kind;
    this.#targets[slot] = target;
    this.#payloads[slot] = payload;
    this.#size++;
    this.#siftUp(time, this.#nextSeq++, slot);
  }

  /**
   * Schedules an event `delay` after `now` (at `now + delay`, as {@link push} would): in the
   * lane of that delay, or the heap when {@link MAX_LANES} other delays have lanes. `now`
   * must never go back from one call to the next, or a lane would be out of order.
   */
  pushAfter(now: number, delay: number, kind: number, target: number, payload: unknown): void {
    const lanes = this.#lanes;
    let index = 0;
    while (index < lanes.length && lanes[index]!.delay !== delay) index++;
    if (index === lanes.length) {
      if (index === MAX_LANES) {
        this.push(now + delay, kind, target, payload);
        return;
      }
      lanes.push(new Lane(delay));
    }
    if (this.#size >= this.#limit) this.#full();
    const lane = lanes[index]!;
    if (lane.count === lane.times.length) lane.grow();
    const at = lane.at(lane.count);
    const time = now + delay;
    const seq = this.#nextSeq++;
    lane.times[at] = time;
    lane.seqs[at] = seq;
    lane.kinds[at] = kind;
    lane.targets[at] = target;
    lane.payloads[at] = payload;
    this.#size++;
    if (lane.count++ === 0) this.#siftUp(time, seq, -1 - index);
  }

  /** Puts an entry in the heap (whose size does not count it yet): sift up with a hole, moving parents down until its place is found. */
  #siftUp(time: number, seq: number, slot: number): void {
    const times = this.#heapTimes;
    const seqs = this.#heapSeqs;
    const slots = this.#heapSlots;
    let index = this.#heapSize++;
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
    this.#size--;
    if (top < 0) {
      // A lane's first event: take it, and put the lane's next live one in its place.
      const lane = this.#lanes[-1 - top]!;
      let at = lane.head;
      this.poppedKind = lane.kinds[at]!;
      this.poppedTarget = lane.targets[at]!;
      this.poppedPayload = lane.payloads[at];
      const mask = lane.times.length - 1;
      for (;;) {
        lane.payloads[at] = undefined;
        at = (at + 1) & mask;
        lane.head = at;
        if (--lane.count === 0 || !this.#isDead(lane.kinds[at]!, lane.payloads[at], lane.targets[at]!)) break;
        this.#size--;
        this.#onDropped();
      }
      if (lane.count > 0) {
        this.#siftDown(lane.times[at]!, lane.seqs[at]!, top);
        return true;
      }
    } else {
      this.poppedKind = this.#kinds[top]!;
      this.poppedTarget = this.#targets[top]!;
      this.poppedPayload = this.#payloads[top];
      this.#payloads[top] = undefined;
      this.#free[this.#freeCount++] = top;
    }
    const size = --this.#heapSize;
    if (size === 0) return true;
    // Sift the last entry down from the root.
    this.#siftDown(times[size]!, seqs[size]!, slots[size]!);
    return true;
  }

  /** Puts an entry at the root in place of the one there, and sifts it down with a hole. */
  #siftDown(time: number, seq: number, slot: number): void {
    const times = this.#heapTimes;
    const seqs = this.#heapSeqs;
    const slots = this.#heapSlots;
    const size = this.#heapSize;
    // A sentinel just past the heap stands in for a missing right child, so the loop
    // needs no bounds check for it. It sorts after every real event, even one at
    // Infinity, because its sequence number is Infinity too. (The arrays have room for it.)
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
  }

  /** Drops every event. */
  clear(): void {
    while (this.pop()) {
      // Popping returns every slot to the free list.
    }
    this.poppedPayload = undefined;
  }

  #grow(): void {
    const old = this.#kinds.length;
    if (old >= this.#limit) this.#full();
    const capacity = Math.min(old * 2, this.#limit);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const next = make(capacity);
      // (A heap array is longer than the others; the part past the heap is free.)
      next.set(array);
      return next;
    };
    this.#heapTimes = grow(this.#heapTimes, (n) => new Float64Array(n + MAX_LANES + 1));
    this.#heapSeqs = grow(this.#heapSeqs, (n) => new Float64Array(n + MAX_LANES + 1));
    this.#heapSlots = grow(this.#heapSlots, (n) => new Int32Array(n + MAX_LANES + 1));
    this.#kinds = grow(this.#kinds, (n) => new Uint8Array(n));
    this.#targets = grow(this.#targets, (n) => new Int32Array(n));
    const free = new Int32Array(capacity);
    // Every slot was in use when growth was needed, so the free list holds only new slots.
    for (let i = 0; i < capacity - old; i++) free[i] = capacity - 1 - i;
    this.#free = free;
    this.#freeCount = capacity - old;
    for (let i = old; i < capacity; i++) this.#payloads.push(undefined);
  }

  #full(): never {
    throw new RangeError(
      `The event queue is full (${this.#limit} pending events). A scenario is scheduling ` +
        'events faster than it processes them; raise maxPendingEvents if this is intended.',
    );
  }
}
