/**
 * The structured log of everything that happened in a run. The visual components draw it,
 * tests read it, and its hash proves two runs were identical.
 *
 * Every event is a plain object whose keys are always written in the same order (`t`,
 * `type`, then the fields of that type), so `JSON.stringify` gives the same text for the
 * same run on every engine.
 */
import { hashString } from './random.ts';

/** Why a message was not delivered. */
export type DropReason =
  /** The link lost it (its `dropProbability`). */
  | 'loss'
  /** The link was cut when it was sent or when it would have arrived. */
  | 'partition'
  /** The receiver was crashed when it arrived. */
  | 'node-down'
  /** The receiver's bounded queue was full, so the request was rejected. */
  | 'queue-full'
  /** A reply arrived after its request had timed out, or for a caller that has since crashed. */
  | 'late-reply';

/** What kind of message: one-way, an RPC request, or an RPC reply. */
export type MessageKind = 'message' | 'request' | 'reply';

/** One entry of the trace. `t` is the true simulation time in milliseconds. */
export type TraceEvent =
  | {
      readonly t: number;
      readonly type: 'send';
      readonly from: string;
      readonly to: string;
      /** Message id, unique within the run. */
      readonly id: number;
      readonly kind: MessageKind;
      readonly body: unknown;
    }
  | { readonly t: number; readonly type: 'deliver'; readonly from: string; readonly to: string; readonly id: number }
  | {
      readonly t: number;
      readonly type: 'drop';
      readonly from: string;
      readonly to: string;
      readonly id: number;
      readonly reason: DropReason;
    }
  | { readonly t: number; readonly type: 'duplicate'; readonly from: string; readonly to: string; readonly id: number }
  | {
      readonly t: number;
      readonly type: 'timer-set';
      readonly node: string;
      readonly timer: number;
      /** True simulation time at which it will fire, in milliseconds. */
      readonly atMs: number;
    }
  | { readonly t: number; readonly type: 'timer-fire'; readonly node: string; readonly timer: number }
  | { readonly t: number; readonly type: 'timer-cancel'; readonly node: string; readonly timer: number }
  | { readonly t: number; readonly type: 'rpc-timeout'; readonly node: string; readonly to: string; readonly id: number }
  | { readonly t: number; readonly type: 'crash'; readonly node: string }
  | { readonly t: number; readonly type: 'restart'; readonly node: string }
  | { readonly t: number; readonly type: 'pause'; readonly node: string }
  | { readonly t: number; readonly type: 'resume'; readonly node: string }
  | {
      readonly t: number;
      readonly type: 'partition';
      readonly label: string;
      /** Every directed link cut, as `[from, to]`. */
      readonly cuts: readonly (readonly [string, string])[];
    }
  | { readonly t: number; readonly type: 'heal'; readonly label: string }
  | { readonly t: number; readonly type: 'enqueue'; readonly node: string; readonly id: number; readonly depth: number }
  | { readonly t: number; readonly type: 'reject'; readonly node: string; readonly id: number }
  | {
      readonly t: number;
      readonly type: 'invoke';
      readonly client: number;
      /** Index of the operation in its workload's history. */
      readonly op: number;
      readonly input: unknown;
    }
  | {
      readonly t: number;
      readonly type: 'complete';
      readonly client: number;
      readonly op: number;
      readonly status: 'ok' | 'failed' | 'unknown';
      readonly output: unknown;
    }
  | { readonly t: number; readonly type: 'disk-write'; readonly node: string; readonly key: string }
  | { readonly t: number; readonly type: 'disk-sync'; readonly node: string }
  | { readonly t: number; readonly type: 'disk-synced'; readonly node: string; readonly writes: number }
  | { readonly t: number; readonly type: 'error'; readonly node: string; readonly message: string }
  | { readonly t: number; readonly type: 'log'; readonly node: string; readonly message: string };

/** The `type` field of a {@link TraceEvent}. */
export type TraceEventType = TraceEvent['type'];

/** How much of a run to trace. */
export interface TraceOptions {
  /**
   * Record events at all. Turn off for big runs and benchmarks: nothing is allocated then.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Most events kept in memory; later events are still hashed and counted but not kept.
   * @default 200_000
   */
  readonly capacity?: number;
}

/** FNV-1a offset basis: the hash of an empty trace. */
const EMPTY_HASH = 0x811c9dc5;

/** JSON text of a trace event. BigInts become strings rather than throwing. */
export function traceEventToJson(event: TraceEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/**
 * FNV-1a hash of the events' JSON lines (each followed by a newline), as 8 hex digits.
 * Two runs with equal hashes produced the same trace, byte for byte (barring a collision).
 *
 * @example
 * expect(traceHash(runA.trace.events)).toBe(traceHash(runB.trace.events));
 */
export function traceHash(events: Iterable<TraceEvent>): string {
  let hash = EMPTY_HASH;
  for (const event of events) hash = hashString(traceEventToJson(event) + '\n', hash);
  return hash.toString(16).padStart(8, '0');
}

/**
 * The trace of one simulation, reached through `sim.trace`. It keeps up to `capacity`
 * events and hashes every event, kept or not.
 */
export class Trace {
  readonly #events: TraceEvent[] = [];
  readonly #capacity: number;
  #count = 0;
  #hash = EMPTY_HASH;
  /** Whether events are being recorded; the simulation checks this before building one. */
  readonly enabled: boolean;

  /** @param options See {@link TraceOptions}. */
  constructor(options: TraceOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.#capacity = options.capacity ?? 200_000;
    if (!(this.#capacity >= 0)) throw new RangeError(`trace capacity must be >= 0; got ${this.#capacity}.`);
  }

  /** Adds an event. The simulation calls this; learner code uses `ctx.log` instead. */
  record(event: TraceEvent): void {
    this.#count++;
    this.#hash = hashString(traceEventToJson(event) + '\n', this.#hash);
    if (this.#events.length < this.#capacity) this.#events.push(event);
  }

  /** The kept events, oldest first. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** How many events were recorded, including any beyond `capacity`. */
  get count(): number {
    return this.#count;
  }

  /** Whether some events were hashed but not kept because the capacity was reached. */
  get truncated(): boolean {
    return this.#count > this.#events.length;
  }

  /** Hash of every event recorded so far (see {@link traceHash}), as 8 hex digits. */
  get hash(): string {
    return this.#hash.toString(16).padStart(8, '0');
  }

  /** The kept events as JSON lines, one event per line. */
  toJsonLines(): string {
    let text = '';
    for (const event of this.#events) text += traceEventToJson(event) + '\n';
    return text;
  }

  /** The kept events of one or more types. */
  ofType<K extends TraceEventType>(...types: K[]): Extract<TraceEvent, { type: K }>[] {
    const wanted = new Set<string>(types);
    return this.#events.filter((e): e is Extract<TraceEvent, { type: K }> => wanted.has(e.type));
  }
}
