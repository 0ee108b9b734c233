/**
 * The simulator's trace as columns: messages as parallel typed arrays whose buffers can be
 * transferred between threads instead of copied, plus the lane events and partitions that
 * are too few to be worth a column. The page's views draw these (through the visual
 * worker's protocol) and the grader captures them from test runs; `trace-batch.ts` turns
 * trace events into them.
 */

/** How a message ended. `pending` until its delivery or drop is known. */
export const OUTCOMES = ['pending', 'delivered', 'loss', 'partition', 'node-down', 'queue-full', 'late-reply'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const KINDS = ['message', 'request', 'reply'] as const;
export type Kind = (typeof KINDS)[number];

/** New messages, one entry per column index. Node names are indices into `RunMeta.nodes`. */
export interface MessageColumns {
  readonly id: Int32Array;
  readonly sendMs: Float64Array;
  readonly from: Uint16Array;
  readonly to: Uint16Array;
  readonly kind: Uint8Array;
  /** A short description of the body, at most {@link BODY_CHARS} characters. */
  readonly body: readonly string[];
}

/** Messages whose fate became known: delivered or dropped, and when. */
export interface EndColumns {
  readonly id: Int32Array;
  readonly endMs: Float64Array;
  /** Index into {@link OUTCOMES}. */
  readonly outcome: Uint8Array;
}

/** Longest body description kept; the details panel is not the place for a whole payload. */
export const BODY_CHARS = 120;

/** Something that happened on one node's lane, other than a message. */
export interface LaneEvent {
  readonly t: number;
  readonly node: number;
  readonly type: 'timer-set' | 'timer-fire' | 'crash' | 'restart' | 'pause' | 'resume' | 'rpc-timeout' | 'error' | 'reject';
  readonly detail: string;
}

/** A partition starting or healing; `cuts` are directed links as node indices. */
export interface CutEvent {
  readonly t: number;
  readonly type: 'partition' | 'heal';
  readonly label: string;
  readonly cuts: readonly (readonly [number, number])[];
}
