/**
 * Everything the page knows about a run, as it streams in, with the queries the views
 * make every frame: messages in a time window, messages in flight at an instant, active
 * partitions, and the metrics bucket at the playhead. Views ask only for what is visible,
 * so a frame costs the same at the start of a run and after 100,000 messages.
 */
import { OUTCOMES, type CutEvent, type EndColumns, type LaneEvent, type MessageColumns, type MetricBucket, type Outcome, type RunMeta } from './protocol.ts';

const QUEUE_FULL = OUTCOMES.indexOf('queue-full');
/** Message ids below this are looked up in an array (at most 64 MB of it); larger ones in a Map. */
const MAX_DENSE_ID = 1 << 24;

/** A growable typed column. */
class Column<T extends Float64Array | Int32Array | Uint16Array | Uint8Array> {
  data: T;
  readonly #make: (n: number) => T;
  constructor(make: (n: number) => T) {
    this.#make = make;
    this.data = make(1024);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < n) size *= 2;
    const next = this.#make(size);
    next.set(this.data as never);
    this.data = next;
  }
}

/** One message, read out of the columns for a details panel. */
export interface MessageView {
  readonly row: number;
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly kind: 'message' | 'request' | 'reply';
  readonly body: string;
  readonly sendMs: number;
  /** NaN while its fate is unknown. */
  readonly endMs: number;
  readonly outcome: Outcome;
}

export class RunStore {
  readonly meta: RunMeta;
  count = 0;
  readonly #id = new Column((n) => new Int32Array(n));
  readonly #send = new Column((n) => new Float64Array(n));
  readonly #end = new Column((n) => new Float64Array(n));
  readonly #from = new Column((n) => new Uint16Array(n));
  readonly #to = new Column((n) => new Uint16Array(n));
  readonly #kind = new Column((n) => new Uint8Array(n));
  readonly #outcome = new Column((n) => new Uint8Array(n));
  readonly #body: string[] = [];
  /**
   * The row of each message id, indexed by id: the simulator numbers messages 1, 2, 3…,
   * so an array replaces a Map that would rehash (and allocate) again and again as a run
   * grows, on the page's main thread. Ids too large for that go to {@link #rowOfLarge}.
   */
  #rowById = new Int32Array(1024).fill(-1);
  readonly #rowOfLarge = new Map<number, number>();
  /** Rows whose fate is not known yet; kept apart so window queries never miss them. */
  readonly #pending = new Set<number>();
  /** The longest time any ended message spent between send and end. */
  maxFlightMs = 0;
  readonly lanes: LaneEvent[] = [];
  /** Crashes and restarts only: few, and asked about every frame. */
  readonly faults: LaneEvent[] = [];
  readonly cuts: CutEvent[] = [];
  readonly buckets: MetricBucket[] = [];
  /** Virtual time up to which everything has arrived. */
  availableMs = 0;
  done = false;
  traceTruncated = false;

  constructor(meta: RunMeta) {
    this.meta = meta;
  }

  /** Adds one batch from the worker. */
  ingest(batch: {
    readonly untilMs: number;
    readonly messages: MessageColumns;
    readonly ends: EndColumns;
    readonly lanes: readonly LaneEvent[];
    readonly cuts: readonly CutEvent[];
    readonly buckets: readonly MetricBucket[];
    readonly traceTruncated: boolean;
    readonly done: boolean;
  }): void {
    const m = batch.messages;
    const n = m.id.length;
    const start = this.count;
    const total = start + n;
    for (const c of [this.#id, this.#send, this.#end, this.#from, this.#to, this.#kind, this.#outcome] as Column<never>[]) c.ensure(total);
    this.#id.data.set(m.id, start);
    this.#send.data.set(m.sendMs, start);
    this.#from.data.set(m.from, start);
    this.#to.data.set(m.to, start);
    this.#kind.data.set(m.kind, start);
    this.#end.data.fill(Number.NaN, start, total);
    this.#outcome.data.fill(0, start, total);
    for (let i = 0; i < n; i++) {
      this.#body.push(m.body[i] ?? '');
      this.#setRow(m.id[i]!, start + i);
      this.#pending.add(start + i);
    }
    this.count = total;
    const e = batch.ends;
    for (let i = 0; i < e.id.length; i++) {
      const row = this.#rowOf(e.id[i]!);
      if (row === undefined) continue;
      if (!this.#pending.has(row)) {
        // A request delivered into a full queue is rejected right after: that is its fate.
        // Any other second ending (a duplicate the network made) leaves the first one drawn.
        if (e.outcome[i] === QUEUE_FULL) this.#outcome.data[row] = QUEUE_FULL;
        continue;
      }
      this.#end.data[row] = e.endMs[i]!;
      this.#outcome.data[row] = e.outcome[i]!;
      this.#pending.delete(row);
      const flight = e.endMs[i]! - this.#send.data[row]!;
      if (flight > this.maxFlightMs) this.maxFlightMs = flight;
    }
    for (const l of batch.lanes) {
      this.lanes.push(l);
      if (l.type === 'crash' || l.type === 'restart') this.faults.push(l);
    }
    for (const c of batch.cuts) this.cuts.push(c);
    for (const b of batch.buckets) this.buckets.push(b);
    this.availableMs = Math.max(this.availableMs, batch.untilMs);
    this.traceTruncated ||= batch.traceTruncated;
    this.done ||= batch.done;
  }

  #setRow(id: number, row: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= MAX_DENSE_ID) {
      this.#rowOfLarge.set(id, row);
      return;
    }
    if (id >= this.#rowById.length) {
      let size = this.#rowById.length * 2;
      while (size <= id) size *= 2;
      const next = new Int32Array(size).fill(-1);
      next.set(this.#rowById);
      this.#rowById = next;
    }
    this.#rowById[id] = row;
  }

  #rowOf(id: number): number | undefined {
    if (Number.isInteger(id) && id >= 0 && id < MAX_DENSE_ID) {
      const row = id < this.#rowById.length ? this.#rowById[id]! : -1;
      return row < 0 ? undefined : row;
    }
    return this.#rowOfLarge.get(id);
  }

  sendMs(row: number): number {
    return this.#send.data[row]!;
  }
  endMs(row: number): number {
    return this.#end.data[row]!;
  }
  from(row: number): number {
    return this.#from.data[row]!;
  }
  to(row: number): number {
    return this.#to.data[row]!;
  }
  outcome(row: number): Outcome {
    return OUTCOMES[this.#outcome.data[row]!]!;
  }
  isReply(row: number): boolean {
    return this.#kind.data[row] === 2;
  }
  dropped(row: number): boolean {
    return this.#outcome.data[row]! > 1;
  }

  message(row: number): MessageView {
    return {
      row,
      id: this.#id.data[row]!,
      from: this.from(row),
      to: this.to(row),
      kind: (['message', 'request', 'reply'] as const)[this.#kind.data[row]!] ?? 'message',
      body: this.#body[row] ?? '',
      sendMs: this.sendMs(row),
      endMs: this.endMs(row),
      outcome: this.outcome(row),
    };
  }

  /** First row sent at or after `t` (rows are in send order, as the trace is in time order). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    const send = this.#send.data;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (send[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Rows of the messages visible in `[startMs, endMs]`: sent, ended or in flight during
   * it, in send order, at most `limit` of them. A message still pending counts as in
   * flight until {@link availableMs}.
   */
  messagesInWindow(startMs: number, endMs: number, limit = Infinity): number[] {
    const out: number[] = [];
    const first = this.lowerBound(startMs - this.maxFlightMs);
    const send = this.#send.data;
    const end = this.#end.data;
    for (const row of this.#pending) {
      if (row < first && send[row]! <= endMs) out.push(row);
    }
    out.sort((a, b) => a - b);
    for (let row = first; row < this.count && send[row]! <= endMs && out.length < limit; row++) {
      const e = end[row]!;
      if (Number.isNaN(e) || e >= startMs) out.push(row);
    }
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Rows of the messages in flight at `t` (sent at or before, not yet ended), at most `limit`. */
  inFlightAt(t: number, limit = Infinity): number[] {
    const out: number[] = [];
    const last = this.lowerBound(t + 1e-9);
    const first = this.lowerBound(t - this.maxFlightMs);
    const end = this.#end.data;
    for (const row of this.#pending) if (row < first && out.length < limit) out.push(row);
    for (let row = first; row < last && out.length < limit; row++) {
      const e = end[row]!;
      if (Number.isNaN(e) || e > t) out.push(row);
    }
    return out;
  }

  /** Index of the first lane event at or after `t`. */
  laneLowerBound(t: number): number {
    let lo = 0;
    let hi = this.lanes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lanes[mid]!.t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first dropped message sent after `t`, or -1. */
  nextDropped(t: number): number {
    for (let row = this.lowerBound(t); row < this.count; row++) if (this.dropped(row)) return row;
    return -1;
  }

  /** Directed links cut by a partition at `t`, as `"from>to"` keys of node indices. */
  cutLinksAt(t: number): Set<string> {
    const active = new Map<string, readonly (readonly [number, number])[]>();
    for (const c of this.cuts) {
      if (c.t > t) break;
      if (c.type === 'partition') active.set(c.label, c.cuts);
      else active.delete(c.label);
    }
    const links = new Set<string>();
    for (const cuts of active.values()) for (const [a, b] of cuts) links.add(`${a}>${b}`);
    return links;
  }

  /** Whether each node is up at `t`, from the crash and restart events on its lane. */
  nodesDownAt(t: number): Set<number> {
    const down = new Set<number>();
    for (const l of this.faults) {
      if (l.t > t) break;
      if (l.type === 'crash') down.add(l.node);
      else if (l.type === 'restart') down.delete(l.node);
    }
    return down;
  }

  /** Index of the last bucket that ended at or before `t`, or -1. */
  bucketIndexAt(t: number): number {
    const { bucketMs, durationMs } = this.meta;
    // The last bucket may be shorter than the others; the end of the run closes it.
    if (t >= durationMs) return this.buckets.length - 1;
    const i = Math.floor((t + 1e-9) / bucketMs) - 1;
    return Math.min(i, this.buckets.length - 1);
  }
}
