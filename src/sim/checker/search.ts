/**
 * The search at the heart of the linearizability checker, for one part of a history.
 *
 * This is the algorithm of Wing & Gong (1993) as improved by Lowe (2017, "Testing for
 * linearizability"). The history becomes a list of events, each operation's call and
 * return, in time order. The search keeps a partial order of "linearized" operations and
 * repeatedly picks an operation whose call is before the first return still in the list
 * (so that placing it next breaks no real-time order), checks it against the model, and
 * removes its two events from the list. Reaching a return event means that operation had
 * to be placed by now and was not, so the search backtracks. Each position it reaches,
 * (set of linearized operations, model state), is remembered: reaching the same position
 * by another route cannot succeed where the first route failed, so it is skipped.
 *
 * Two refinements:
 * - A read-only operation that fits the current state is placed at once and its
 *   alternatives are not tried. Moving a read-only operation earlier in a valid order,
 *   to a point where it is already open and fits, changes no other operation's state, so
 *   if any order succeeds from here, one that places it first succeeds too.
 * - An operation whose outcome is unknown has no return event: it may be placed at any
 *   point after its call, or never. The search succeeds as soon as every operation that
 *   returned is placed, leaving the unknown ones out. Placing one where it would not
 *   change the state is never tried, since leaving it out reaches the same state and
 *   keeps more choices open.
 */
import { Bitset } from './bitset.ts';
import { createStateInterner, PositionTable } from './memo.ts';

/** One operation of a part, ready for the search. */
export interface SearchOperation<Input, Output> {
  readonly input: Input;
  /** `undefined` when the outcome is unknown. */
  readonly output: Output | undefined;
  readonly invokeMs: number;
  /** `undefined` when the operation never returned (its outcome is unknown). */
  readonly returnMs: number | undefined;
  /** Whether the model says this operation can never change the state. */
  readonly readOnly: boolean;
}

/** The model functions the search needs (see `Model` for their contracts). */
export interface SearchModel<State, Input, Output> {
  init(): State;
  step(state: State, input: Input, output: Output | undefined): readonly [boolean, State];
  equal?(a: State, b: State): boolean;
  hash?(state: State): number;
}

/** A step budget shared by every part of one check; `steps` counts up. */
export interface SearchBudget {
  steps: number;
  readonly maxSteps: number;
  readonly now?: () => number;
  /** The `now()` value after which the search gives up. */
  readonly deadline?: number;
}

/** What the search found for one part. */
export type SearchOutcome<State> =
  | { readonly kind: 'linearizable' }
  | { readonly kind: 'out-of-budget'; readonly which: 'steps' | 'time' }
  | {
      readonly kind: 'not-linearizable';
      /** Local operation ids of the longest valid order found, in order. */
      readonly prefix: readonly number[];
      readonly stateAfterPrefix: State;
      /** The operation whose return was reached without it being placeable. */
      readonly blocker: number;
      /** The other operations open (called, not placed) at that point, in call order. */
      readonly pending: readonly number[];
    };

/** How often, in steps, the search consults the injected clock. */
const CLOCK_EVERY_STEPS = 1024;

/**
 * Orders the call and return events of the operations. Events are sorted by time; at
 * equal times calls come before returns. That tie rule treats an operation returning at
 * the same instant as another is invoked as concurrent with it, which is the permissive
 * reading: the checker never reports a violation that depends only on the order of two
 * events that carry the same timestamp. Remaining ties keep operation order, so the
 * result is deterministic.
 *
 * Returns, for each event, its operation id, encoded as `id` for a call and `~id` (a
 * negative number) for a return.
 */
export function orderEvents<Input, Output>(
  ops: readonly SearchOperation<Input, Output>[],
): Int32Array {
  const events: { time: number; isReturn: number; op: number }[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    events.push({ time: op.invokeMs, isReturn: 0, op: i });
    if (op.returnMs !== undefined) events.push({ time: op.returnMs, isReturn: 1, op: i });
  }
  events.sort((a, b) => a.time - b.time || a.isReturn - b.isReturn || a.op - b.op);
  const out = new Int32Array(events.length);
  for (let e = 0; e < events.length; e++) {
    const ev = events[e]!;
    out[e] = ev.isReturn === 1 ? ~ev.op : ev.op;
  }
  return out;
}

/**
 * A search over one part that can run in slices, so that the checker can share its
 * budget fairly between parts and stop at the first one that fails, whichever it is.
 */
export interface PartSearch<State> {
  /**
   * Runs at most `sliceSteps` more steps (also counted in `budget`). Returns the outcome,
   * or `undefined` when the slice ended first; calling again resumes where it stopped.
   */
  run(budget: SearchBudget, sliceSteps: number): SearchOutcome<State> | undefined;
}

/**
 * Prepares the search of whether one part's operations are linearizable with
 * respect to `model`. Deterministic: the same operations and slices give the same outcome.
 */
export function createPartSearch<State, Input, Output>(
  model: SearchModel<State, Input, Output>,
  ops: readonly SearchOperation<Input, Output>[],
): PartSearch<State> {
  const m = ops.length;
  const order = orderEvents(ops);
  const n = order.length;
  const HEAD = n;
  const NONE = -1;

  // The event list is a doubly linked list over arrays, so that removing an operation's
  // two events and putting them back (in reverse order) are constant-time pointer swaps.
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const eventOp = new Int32Array(n);
  const isCall = new Uint8Array(n);
  const returnEvent = new Int32Array(m).fill(NONE);
  for (let e = 0; e < n; e++) {
    const code = order[e]!;
    if (code >= 0) {
      eventOp[e] = code;
      isCall[e] = 1;
    } else {
      eventOp[e] = ~code;
      returnEvent[~code] = e;
    }
  }
  next[HEAD] = n > 0 ? 0 : NONE;
  prev[HEAD] = NONE;
  for (let e = 0; e < n; e++) {
    next[e] = e + 1 < n ? e + 1 : NONE;
    prev[e] = e === 0 ? HEAD : e - 1;
  }

  const inputs = ops.map((o) => o.input);
  const outputs = ops.map((o) => o.output);
  const readOnly = Uint8Array.from(ops, (o) => (o.readOnly ? 1 : 0));
  const returns = Uint8Array.from(ops, (o) => (o.returnMs === undefined ? 0 : 1));
  let returnsLeft = 0;
  for (let i = 0; i < m; i++) returnsLeft += returns[i]!;
  let unknownLeft = m - returnsLeft;

  const unlink = (e: number): void => {
    const p = prev[e]!;
    const q = next[e]!;
    next[p] = q;
    if (q !== NONE) prev[q] = p;
  };
  const relink = (e: number): void => {
    const p = prev[e]!;
    const q = next[e]!;
    next[p] = e;
    if (q !== NONE) prev[q] = e;
  };
  const lift = (call: number): void => {
    unlink(call);
    const ret = returnEvent[eventOp[call]!]!;
    if (ret !== NONE) unlink(ret);
  };
  const unlift = (call: number): void => {
    const ret = returnEvent[eventOp[call]!]!;
    if (ret !== NONE) relink(ret);
    relink(call);
  };

  const bits = new Bitset(m);
  const sameState = model.equal ?? Object.is;
  const internState = createStateInterner(model.equal, model.hash);
  const table = new PositionTable();
  /** Records the current position; returns false if it had been reached before. */
  const remember = (state: State): boolean => table.add(internState(state), bits);

  // The stack of placed operations: the call event, the state before it, and whether it
  // was a forced (read-only) placement whose alternatives need not be tried.
  const stackEvent = new Int32Array(m);
  const stackForced = new Uint8Array(m);
  const stackState: State[] = new Array<State>(m);
  let depth = 0;

  let state = model.init();
  remember(state);

  // The deepest position reached is what a failure reports. Copying the stack at every
  // new depth would cost the history's length at each placement, quadratic on a history
  // the search walks straight through; instead the copy is taken only when the search
  // leaves the deepest position (it backtracks from it), and only the part of the stack
  // that changed since the last copy is written: the first `bestValid` entries of
  // `bestStack` still equal the stack's.
  let bestDepth = -1;
  let atDeepest = false;
  const bestStack = new Int32Array(m);
  let bestValid = 0;
  let bestState = state;
  let bestBlocker = NONE;
  let bestPending: number[] = [];
  /** Notes a placement; the position is copied later if it stays the deepest. */
  const noteDepth = (): void => {
    if (depth > bestDepth) {
      bestDepth = depth;
      atDeepest = true;
    }
  };
  /** Copies the current position as the deepest one; called before leaving it. */
  const snapshot = (): void => {
    atDeepest = false;
    bestStack.set(stackEvent.subarray(bestValid, depth), bestValid);
    bestValid = depth;
    bestState = state;
    bestPending = [];
    bestBlocker = NONE;
    let e = next[HEAD]!;
    for (let guard = 0; e !== NONE && guard <= n; guard++) {
      if (isCall[e] === 0) {
        bestBlocker = eventOp[e]!;
        break;
      }
      bestPending.push(eventOp[e]!);
      e = next[e]!;
    }
    // The blocker's own call is among the open calls; it is reported on its own.
    bestPending = bestPending.filter((op) => op !== bestBlocker);
  };
  noteDepth();

  const place = (call: number, before: State, after: State, forced: boolean): void => {
    const op = eventOp[call]!;
    stackEvent[depth] = call;
    stackForced[depth] = forced ? 1 : 0;
    stackState[depth] = before;
    depth++;
    state = after;
    lift(call);
    returnsLeft -= returns[op]!;
    unknownLeft -= 1 - returns[op]!;
    noteDepth();
  };

  // The scan of a position makes two passes over its candidates: operations that
  // returned first, then those of unknown outcome. Both are always tried, so the search
  // stays complete; but a valid order usually needs few of the unknown operations, and
  // trying them last finds it sooner.
  let pass = 0;
  // Whether the current pass met a candidate of unknown outcome; without one the second
  // pass has nothing to try.
  let sawUnknown = false;

  /**
   * Undoes placements until one that has alternatives left; returns the event from which
   * to continue scanning, or NONE when the stack is empty (nothing is left to try).
   */
  const backtrack = (): number => {
    if (atDeepest) snapshot();
    for (let guard = 0; guard <= m; guard++) {
      if (depth === 0) return NONE;
      depth--;
      // The copy of the deepest position is valid only up to the shortest stack since.
      if (depth < bestValid) bestValid = depth;
      const call = stackEvent[depth]!;
      const op = eventOp[call]!;
      state = stackState[depth]!;
      // Let the old state be collected; the stack slot is overwritten on the next push.
      stackState[depth] = undefined as State;
      bits.delete(op);
      unlift(call);
      returnsLeft += returns[op]!;
      unknownLeft += 1 - returns[op]!;
      if (stackForced[depth] === 0) {
        // Resume the scan after this operation, in the pass that had tried it.
        pass = returns[op] === 1 ? 0 : 1;
        // The resumed scan has not seen the candidates before this one: assume the worst
        // unless no operation of unknown outcome is left at all.
        sawUnknown = unknownLeft > 0;
        return next[call]!;
      }
    }
    return NONE;
  };

  const failed = (): SearchOutcome<State> => ({
    kind: 'not-linearizable',
    prefix: Array.from(bestStack.subarray(0, bestDepth), (e) => eventOp[e]!),
    stateAfterPrefix: bestState,
    blocker: bestBlocker,
    pending: bestPending,
  });

  let e = next[HEAD]!;
  // True right after a placement: the new position gets one pass looking for a read-only
  // operation to force before the ordinary scan.
  let fresh = true;
  let done: SearchOutcome<State> | undefined;

  const run = (budget: SearchBudget, sliceSteps: number): SearchOutcome<State> | undefined => {
    if (done !== undefined) return done;
    done = advance(budget, sliceSteps);
    return done;
  };

  /** The search loop proper; the step budget and the slice bound it. */
  const advance = (budget: SearchBudget, sliceSteps: number): SearchOutcome<State> | undefined => {
    for (let slice = 0; slice < sliceSteps; slice++) {
      budget.steps++;
      if (budget.steps > budget.maxSteps) return { kind: 'out-of-budget', which: 'steps' };
      if (
        budget.now !== undefined &&
        budget.deadline !== undefined &&
        budget.steps % CLOCK_EVERY_STEPS === 0 &&
        budget.now() > budget.deadline
      ) {
        return { kind: 'out-of-budget', which: 'time' };
      }
      if (returnsLeft === 0) return { kind: 'linearizable' };

      if (fresh) {
        fresh = false;
        let forced = NONE;
        let forcedState = state;
        let f = next[HEAD]!;
        for (let guard = 0; f !== NONE && isCall[f] === 1 && guard <= n; guard++) {
          const op = eventOp[f]!;
          if (readOnly[op] === 1) {
            const [ok, after] = model.step(state, inputs[op]!, outputs[op]);
            if (ok) {
              forced = f;
              forcedState = after;
              break;
            }
          }
          f = next[f]!;
        }
        if (forced !== NONE) {
          bits.add(eventOp[forced]!);
          if (remember(forcedState)) {
            place(forced, state, forcedState, true);
            e = next[HEAD]!;
            pass = 0;
            sawUnknown = false;
            fresh = true;
          } else {
            // The position after the forced placement was explored before and failed, so
            // this position fails too.
            bits.delete(eventOp[forced]!);
            e = backtrack();
            if (e === NONE) return failed();
          }
          continue;
        }
      }

      if (e === NONE) {
        // Unreachable while some operation still has to return, since its return event is
        // ahead in the list; treat it as a dead end rather than trust that.
        e = backtrack();
        if (e === NONE) return failed();
        continue;
      }

      if (isCall[e] === 1) {
        const op = eventOp[e]!;
        // Read-only operations that fit were forced above; the rest cannot fit here. Each
        // pass tries only its own kind: completed operations first, unknown ones second.
        if (returns[op] === 0) sawUnknown = true;
        if (readOnly[op] === 0 && returns[op] === (pass === 0 ? 1 : 0)) {
          const [ok, after] = model.step(state, inputs[op]!, outputs[op]);
          // An operation of unknown outcome that would not change the state is better
          // left unplaced: leaving it out keeps it available for later, at no cost.
          if (ok && (returns[op] === 1 || !sameState(after, state))) {
            bits.add(op);
            if (remember(after)) {
              place(e, state, after, false);
              e = next[HEAD]!;
              pass = 0;
              sawUnknown = false;
              fresh = true;
              continue;
            }
            bits.delete(op);
          }
        }
        e = next[e]!;
      } else if (pass === 0 && sawUnknown) {
        // Every completed candidate was tried; now try the unknown ones.
        pass = 1;
        e = next[HEAD]!;
      } else {
        // An operation's return is reached while it is still unplaced: dead end.
        e = backtrack();
        if (e === NONE) return failed();
      }
    }
    return undefined;
  };

  return { run };
}
