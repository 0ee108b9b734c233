/**
 * The record of what clients asked a system to do and what it answered. Workloads write
 * histories; the linearizability checker and the invariant helpers read them.
 *
 * Times are virtual milliseconds from the simulation clock. An operation whose outcome is
 * unknown (a timeout after the request may already have been applied) is recorded with
 * `status: 'unknown'` and has no `returnMs`: a checker must treat it as possibly taking
 * effect at any moment after `invokeMs`, or never.
 */

/** A key-value operation, as the learner's store exposes it. */
export type KvInput =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'append'; readonly key: string; readonly value: string }
  | {
      readonly kind: 'cas';
      readonly key: string;
      /** The value the key must hold for the swap to happen; `null` means "absent". */
      readonly expected: string | null;
      readonly value: string;
    };

/** What the store answered. `get` returns the value (`null` if absent); `cas` whether it swapped. */
export type KvOutput =
  | { readonly kind: 'get'; readonly value: string | null }
  | { readonly kind: 'put' }
  | { readonly kind: 'append' }
  | { readonly kind: 'cas'; readonly swapped: boolean };

/**
 * One completed, failed or unresolved operation.
 *
 * - `ok`: the operation took effect exactly once between `invokeMs` and `returnMs`.
 * - `failed`: the system said it did not happen (a rejected request); it constrains nothing.
 * - `unknown`: no answer arrived in time; it may have happened at any point after `invokeMs`.
 */
export interface Operation<I = KvInput, O = KvOutput> {
  /** The client (process) that issued it. A client has at most one operation open. */
  readonly clientId: number;
  readonly input: I;
  /** Virtual time the request was issued, in milliseconds. */
  readonly invokeMs: number;
  /** Virtual time the answer arrived; absent when `status` is `'unknown'`. */
  readonly returnMs?: number;
  readonly status: 'ok' | 'failed' | 'unknown';
  /** The answer, present when `status` is `'ok'`. */
  readonly output?: O;
  /** Why it failed or timed out, for messages and traces. */
  readonly error?: string;
}

/** A history is every operation issued during a run, in invocation order. */
export type History<I = KvInput, O = KvOutput> = readonly Operation<I, O>[];
