/**
 * The public types of the linearizability checker: what a sequential model is, what the
 * checker answers, and what a counterexample holds.
 */
import type { History, Operation } from '../history.ts';

/**
 * A sequential specification: how the object behaves when operations run one at a time.
 * The checker asks whether a concurrent history could have been produced by some one-at-
 * a-time order of its operations that respects real time. Every function must be pure:
 * the search calls them many times, in any order, and keeps old states around.
 *
 * @example
 * ```ts
 * // A counter that can be incremented and read.
 * type In = { kind: 'inc' } | { kind: 'read' };
 * type Out = { kind: 'inc' } | { kind: 'read'; value: number };
 * const counter: Model<number, In, Out> = {
 *   name: 'counter',
 *   init: () => 0,
 *   step: (n, input, output) =>
 *     input.kind === 'inc' ? [true, n + 1] : [output === undefined || (output.kind === 'read' && output.value === n), n],
 *   isReadOnly: (input) => input.kind === 'read',
 * };
 * ```
 */
export interface Model<State, Input, Output> {
  /** A short name used in messages, e.g. `'key-value store'`. */
  readonly name: string;
  /** The state before any operation. */
  init(): State;
  /**
   * Applies one operation to a state. Returns whether the operation, with this output, is
   * a legal step from `state`, and the state after it.
   *
   * `output` is `undefined` for an operation whose outcome is unknown (it timed out): then
   * any output is acceptable and the step must only say what the state becomes if the
   * operation took effect. The model must be deterministic: the next state depends only
   * on `state`, `input` and `output`.
   */
  step(state: State, input: Input, output: Output | undefined): readonly [ok: boolean, next: State];
  /**
   * Whether two states are the same, used to recognise a search position already
   * explored. Without it, states are compared as JavaScript `Map` keys compare them
   * (`===`, except that `NaN` equals `NaN`), which suits primitive states such as strings
   * and numbers and is the fastest option; a model whose states are objects must give it.
   */
  equal?(a: State, b: State): boolean;
  /**
   * A 32-bit hash of a state, consistent with `equal` (equal states, equal hashes). Only
   * used together with `equal`, and then strongly advised: without it the checker
   * compares each new state with every distinct state seen so far.
   */
  hash?(state: State): number;
  /**
   * Whether an operation with this output can never change any state (a read, or a
   * compare-and-set that reports it did not swap). Optional, but it makes the search much
   * faster: such an operation is placed as soon as it fits, without trying alternatives,
   * and a read-only operation of unknown outcome is ignored since it constrains nothing.
   * Answering `true` for an operation that can change the state makes the checker wrong.
   */
  isReadOnly?(input: Input, output: Output | undefined): boolean;
  /**
   * Splits a history into independent sub-histories that are checked separately, e.g. one
   * per key of a key-value store. A history is linearizable exactly when every part is,
   * provided the parts touch disjoint pieces of state. Each part must hold the very
   * operation objects of the history it was given, so that a counterexample can point
   * back into the original history.
   */
  split?(history: History<Input, Output>): readonly HistoryPart<Input, Output>[];
  /** Describes an operation for a message, e.g. `get("x") → "a"`. */
  describeOperation?(input: Input, output: Output | undefined): string;
  /** Describes a state for a message, e.g. `"a"` or `absent`. */
  describeState?(state: State): string;
}

/** One independent part of a history, as returned by {@link Model.split}. */
export interface HistoryPart<Input, Output> {
  /** What the part is about, for messages, e.g. `key "x"`. */
  readonly label: string;
  /** The operations of this part, in invocation order. */
  readonly operations: History<Input, Output>;
}

/** Limits on how long a check may search before answering `'unknown'`. */
export interface CheckOptions {
  /**
   * The most search steps over all parts; a step is one move of the search
   * (looking at one event, placing an operation or taking one back). A step budget
   * makes the answer the same on every machine, fast or slow.
   *
   * @default 10_000_000
   */
  readonly maxSteps?: number;
  /**
   * A clock in milliseconds, for a wall-clock budget as well. The checker never reads a
   * clock of its own, so that it stays deterministic when no clock is given.
   */
  readonly now?: () => number;
  /** With `now`, give up after this many milliseconds. Ignored without `now`. */
  readonly timeBudgetMs?: number;
}

/** How much work a check did. */
export interface CheckStats {
  /** Search steps taken over all parts. */
  readonly steps: number;
  /** How many independent parts the history was split into. */
  readonly parts: number;
  /** How many operations were checked (failed operations are not counted). */
  readonly operations: number;
}

/** The answer of {@link checkLinearizability}. */
export type CheckResult<State, Input, Output> =
  | {
      /** Some order of the operations that respects real time matches the model. */
      readonly verdict: 'linearizable';
      readonly stats: CheckStats;
    }
  | {
      /** No order of the operations that respects real time matches the model. */
      readonly verdict: 'not-linearizable';
      /** A small piece of the history that shows why. */
      readonly counterexample: Counterexample<State, Input, Output>;
      readonly stats: CheckStats;
    }
  | {
      /** The search ran out of budget before reaching an answer. */
      readonly verdict: 'unknown';
      /** Which budget ran out, and on which part of the history. */
      readonly reason: string;
      readonly stats: CheckStats;
    };

/** The part an operation plays in a counterexample. */
export type CounterexampleRole = 'linearized' | 'pending' | 'unplaceable';

/** One operation shown in a counterexample. */
export interface CounterexampleOperation<Input, Output> {
  /** The operation's position in the history given to the checker. */
  readonly index: number;
  /** The operation itself: client, times, input, output. */
  readonly operation: Operation<Input, Output>;
  /** A one-line description such as `get("x") → "a"`. */
  readonly description: string;
  /**
   * `'linearized'`: part of the longest valid order found; `'pending'`: open at the point
   * of failure but not placed; `'unplaceable'`: the operation that could not take effect.
   */
  readonly role: CounterexampleRole;
  /** For a linearized operation, its position in {@link Counterexample.linearizedPrefix}. */
  readonly linearizedAt?: number;
}

/**
 * Why a history is not linearizable, cut down to something a person can draw and follow.
 *
 * The search finds the longest prefix of a valid order (the most operations it could
 * place one after another without contradiction); at that point one operation's response
 * deadline has passed without it being placeable. The counterexample keeps that operation
 * and, from its part only (e.g. one key), the few other operations that make the
 * failure stand on its own: the listed operations are not linearizable by themselves,
 * from the model's initial state; without the unplaceable one, they are; and the
 * unplaceable one, freed from real time, would fit (it fails for its timing, not for a
 * value nothing wrote). The write that set the state it contradicts is always listed. The
 * roles, the valid order and the state are those of the listed operations, searched again,
 * so a reader can check them by hand. When cutting down runs out of budget, the
 * operations open around the failure are listed instead.
 */
export interface Counterexample<State, Input, Output> {
  /** The part of the history that failed, e.g. `key "x"`, or `the register` for an unsplit history. */
  readonly part: string;
  /** The operations to draw, sorted by invocation time. */
  readonly operations: readonly CounterexampleOperation<Input, Output>[];
  /** History indices of the longest valid order of the listed operations, in that order. */
  readonly linearizedPrefix: readonly number[];
  /** The model state after {@link linearizedPrefix}. */
  readonly stateAfterPrefix: State;
  /** History indices of the operations that could not be placed. */
  readonly unplaceable: readonly number[];
  /** One or two sentences a learner can read. */
  readonly explanation: string;
}
