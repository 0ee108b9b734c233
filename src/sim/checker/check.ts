/**
 * The checker's entry point: validates a history, splits it into parts, runs the
 * search on each and turns a failure into a counterexample a person can read.
 */
import type { History, Operation } from '../history.ts';
import type {
  CheckOptions,
  CheckResult,
  Counterexample,
  CounterexampleOperation,
  Model,
  HistoryPart,
} from './model.ts';
import { createPartSearch, type PartSearch, type SearchBudget, type SearchOperation } from './search.ts';
import { shrinkFailure } from './shrink.ts';

/**
 * The step budget when the caller gives none: a few seconds of search in Node on a
 * laptop, and at most some hundreds of megabytes of remembered positions.
 */
export const DEFAULT_MAX_STEPS = 10_000_000;

/** How many steps a part searches before the next part takes its turn. */
const SLICE_STEPS = 20_000;

/**
 * Decides whether `history` is linearizable with respect to `model`: whether there is an
 * order of its operations, one at a time, that respects real time (an operation that
 * returned before another was invoked comes first) and in which every operation gives
 * the output it gave in the history.
 *
 * - Operations with status `'failed'` are dropped: the system said they did not happen.
 * - Operations with status `'unknown'` may take effect at any moment after their
 *   invocation, or never; the model is asked to accept any output for them.
 * - Events at the same time count as concurrent (calls are ordered before returns).
 *
 * The search is bounded by a step budget (and optionally a wall-clock budget through an
 * injected clock); when it runs out, the verdict is `'unknown'` rather than a guess.
 *
 * @example
 * ```ts
 * const result = checkLinearizability(kvModel(), history);
 * if (result.verdict === 'not-linearizable') console.log(result.counterexample.explanation);
 * ```
 */
export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): CheckResult<State, Input, Output> {
  for (let i = 0; i < history.length; i++) validateOperation(history[i]!, i);

  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const budget: SearchBudget =
    options.now !== undefined && options.timeBudgetMs !== undefined
      ? { steps: 0, maxSteps, now: options.now, deadline: options.now() + options.timeBudgetMs }
      : { steps: 0, maxSteps };

  const indexOf = new Map<Operation<Input, Output>, number>();
  for (let i = 0; i < history.length; i++) indexOf.set(history[i]!, i);

  const parts: readonly HistoryPart<Input, Output>[] = model.split
    ? model.split(history)
    : [{ label: `the ${model.name}`, operations: history }];

  interface Pending {
    readonly label: string;
    readonly indices: readonly number[];
    readonly ops: readonly SearchOperation<Input, Output>[];
    readonly search: PartSearch<State>;
  }
  let checked = 0;
  let open: Pending[] = [];
  for (const part of parts) {
    const indices: number[] = [];
    const ops: SearchOperation<Input, Output>[] = [];
    for (const op of part.operations) {
      const index = indexOf.get(op);
      if (index === undefined) {
        throw new Error(
          `The part "${part.label}" of model "${model.name}" holds an operation that is not in the history; ` +
            'its split function must return the very operation objects it was given.',
        );
      }
      const prepared = prepare(model, op);
      if (prepared === undefined) continue;
      indices.push(index);
      ops.push(prepared);
    }
    checked += ops.length;
    open.push({ label: part.label, indices, ops, search: createPartSearch(model, ops) });
  }

  // Parts take turns, a slice of steps each, like the parallel search of other
  // checkers but deterministic: one failing part is enough for the verdict, and it
  // may be a quick one behind a part whose search is long. The step budget bounds
  // the rounds, since every round spends at least one step per open part.
  for (let round = 0; open.length > 0 && round <= maxSteps; round++) {
    const still: Pending[] = [];
    for (const part of open) {
      const outcome = part.search.run(budget, SLICE_STEPS);
      if (outcome === undefined) {
        still.push(part);
      } else if (outcome.kind === 'not-linearizable') {
        const counterexample = buildCounterexample(model, history, part.label, part.indices, part.ops, outcome);
        return { verdict: 'not-linearizable', counterexample, stats: stats(budget, parts.length, checked) };
      } else if (outcome.kind === 'out-of-budget') {
        const reason =
          outcome.which === 'steps'
            ? `The search used its whole budget of ${maxSteps.toLocaleString('en-US')} steps without an answer ` +
              `(it was working on ${part.label}, ${part.ops.length} operations). Raise maxSteps or check a shorter history.`
            : `The search ran past its time budget of ${options.timeBudgetMs} ms without an answer ` +
              `(it was working on ${part.label}, ${part.ops.length} operations).`;
        return { verdict: 'unknown', reason, stats: stats(budget, parts.length, checked) };
      }
    }
    open = still;
  }
  if (open.length > 0) {
    // Only reachable if the rounds ran out before the budget did, which the bound above
    // rules out; answer honestly all the same.
    return { verdict: 'unknown', reason: 'The search stopped before every part was decided.', stats: stats(budget, parts.length, checked) };
  }
  return { verdict: 'linearizable', stats: stats(budget, parts.length, checked) };
}

function stats(budget: SearchBudget, parts: number, operations: number) {
  return { steps: Math.min(budget.steps, budget.maxSteps), parts, operations };
}

/**
 * Turns a history operation into what the search needs, or `undefined` when it
 * constrains nothing: a failed operation, or a read-only one whose outcome is unknown.
 */
function prepare<State, Input, Output>(
  model: Model<State, Input, Output>,
  op: Operation<Input, Output>,
): SearchOperation<Input, Output> | undefined {
  if (op.status === 'failed') return undefined;
  const output = op.status === 'ok' ? op.output : undefined;
  const readOnly = model.isReadOnly?.(op.input, output) ?? false;
  if (op.status === 'unknown' && readOnly) return undefined;
  return {
    input: op.input,
    output,
    invokeMs: op.invokeMs,
    returnMs: op.status === 'ok' ? op.returnMs : undefined,
    readOnly,
  };
}

/** Rejects records that cannot be checked, with a message that says which and why. */
function validateOperation(op: Operation<unknown, unknown>, index: number): void {
  const where = `Operation ${index} (client ${op.clientId})`;
  if (!Number.isFinite(op.invokeMs)) throw new Error(`${where} has no finite invokeMs.`);
  if (op.status === 'ok') {
    if (op.returnMs === undefined || !Number.isFinite(op.returnMs)) {
      throw new Error(`${where} has status 'ok' but no finite returnMs.`);
    }
    if (op.returnMs < op.invokeMs) {
      throw new Error(`${where} returns at ${op.returnMs} ms, before it was invoked at ${op.invokeMs} ms.`);
    }
    if (op.output === undefined) throw new Error(`${where} has status 'ok' but no output.`);
  } else if (op.status !== 'failed' && op.status !== 'unknown') {
    throw new Error(`${where} has an unrecognised status ${JSON.stringify(op.status)}.`);
  }
}

/** What the search reports about a failure (see `SearchOutcome`). */
interface Failure<State> {
  readonly prefix: readonly number[];
  readonly stateAfterPrefix: State;
  readonly blocker: number;
  readonly pending: readonly number[];
}

/**
 * Builds the counterexample for a failed part (see {@link Counterexample} for what
 * is kept and why): the operations around the failure, cut down by `shrinkFailure` to a
 * few that fail by themselves, and the search's account of them.
 */
function buildCounterexample<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  label: string,
  indices: readonly number[],
  ops: readonly SearchOperation<Input, Output>[],
  outcome: Failure<State>,
): Counterexample<State, Input, Output> {
  const window = failureWindow(ops, outcome);
  const setter = lastStateChange(ops, outcome.prefix);
  const small = outcome.blocker >= 0 ? shrinkFailure(model, ops, outcome.blocker, window, setter < 0 ? [] : [setter]) : undefined;
  if (small !== undefined) {
    // Search the small set again, so that the roles, the valid order and the state shown
    // are those of the operations listed, which a reader can then follow by hand.
    const subOps = small.map((local) => ops[local]!);
    const again = createPartSearch(model, subOps).run({ steps: 0, maxSteps: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER);
    if (again?.kind === 'not-linearizable') {
      const toLocal = (sub: number): number => small[sub]!;
      return describeFailure(model, history, label, indices, ops, small, {
        prefix: again.prefix.map(toLocal),
        stateAfterPrefix: again.stateAfterPrefix,
        blocker: again.blocker >= 0 ? toLocal(again.blocker) : -1,
        pending: again.pending.map(toLocal),
      });
    }
  }
  return describeFailure(model, history, label, indices, ops, window, outcome);
}

/**
 * The operations around a failure: the one that could not be placed, those open with it,
 * those of the valid order whose interval overlaps the window from the earliest open
 * invocation to its return, and the last state-changing operation of that order, which
 * set the state it contradicts.
 */
function failureWindow<Input, Output>(ops: readonly SearchOperation<Input, Output>[], outcome: Failure<unknown>): number[] {
  const blocker = outcome.blocker;
  // Unknown operations may have been open since long before, so only those that had to
  // return set the window's start.
  let windowStart = Infinity;
  const windowEnd = blocker >= 0 ? (ops[blocker]!.returnMs ?? Infinity) : Infinity;
  for (const local of [blocker, ...outcome.pending]) {
    const op = ops[local];
    if (op !== undefined && op.returnMs !== undefined) windowStart = Math.min(windowStart, op.invokeMs);
  }
  const chosen = new Set<number>();
  if (blocker >= 0) chosen.add(blocker);
  for (const local of outcome.pending) chosen.add(local);
  for (const local of outcome.prefix) {
    const op = ops[local]!;
    const end = op.returnMs ?? Infinity;
    if (end >= windowStart && op.invokeMs <= windowEnd) chosen.add(local);
  }
  const setter = lastStateChange(ops, outcome.prefix);
  if (setter >= 0) chosen.add(setter);
  return [...chosen];
}

/** The last operation of `prefix` that can change the state, or -1. */
function lastStateChange(ops: readonly SearchOperation<unknown, unknown>[], prefix: readonly number[]): number {
  for (let p = prefix.length - 1; p >= 0; p--) {
    if (!ops[prefix[p]!]!.readOnly) return prefix[p]!;
  }
  return -1;
}

/** Turns the operations `shown` and the search's account of them into the counterexample. */
function describeFailure<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  label: string,
  indices: readonly number[],
  ops: readonly SearchOperation<Input, Output>[],
  shown: readonly number[],
  outcome: Failure<State>,
): Counterexample<State, Input, Output> {
  const describeOp = (local: number): string => {
    const op = ops[local]!;
    return model.describeOperation
      ? model.describeOperation(op.input, op.output)
      : `${JSON.stringify(op.input)} → ${op.output === undefined ? '?' : JSON.stringify(op.output)}`;
  };
  const describeState = (s: State): string => (model.describeState ? model.describeState(s) : JSON.stringify(s));

  const blocker = outcome.blocker;
  const pendingSet = new Set(outcome.pending);
  const prefixAt = new Map<number, number>();
  outcome.prefix.forEach((local, position) => prefixAt.set(local, position));

  const operations: CounterexampleOperation<Input, Output>[] = [...new Set(shown)]
    .sort((a, b) => ops[a]!.invokeMs - ops[b]!.invokeMs || indices[a]! - indices[b]!)
    .map((local) => {
      const at = prefixAt.get(local);
      const base = {
        index: indices[local]!,
        operation: history[indices[local]!]!,
        description: describeOp(local),
        role: local === blocker ? ('unplaceable' as const) : pendingSet.has(local) ? ('pending' as const) : ('linearized' as const),
      };
      return at === undefined ? base : { ...base, linearizedAt: at };
    });

  const stateText = describeState(outcome.stateAfterPrefix);
  const openCount = outcome.pending.length;
  const blockerOp = blocker >= 0 ? history[indices[blocker]!] : undefined;
  const placed = outcome.prefix.length;
  const listed = operations.length;
  const explanation =
    blockerOp === undefined
      ? `No operation of ${label} can be placed first, so no valid order exists.`
      : `${describeOp(blocker)} (client ${blockerOp.clientId}) cannot take effect: after the longest valid ` +
        `order found (${placed} of the ${listed} operations shown, on ${label}) the state is ${stateText}, ` +
        'which contradicts it, and ' +
        (openCount === 0
          ? 'no other order of the earlier operations gets further.'
          : `no order of the ${openCount} other operation${openCount === 1 ? '' : 's'} open at that moment gets further.`);

  return {
    part: label,
    operations,
    linearizedPrefix: outcome.prefix.map((local) => indices[local]!),
    stateAfterPrefix: outcome.stateAfterPrefix,
    unplaceable: blocker >= 0 ? [indices[blocker]!] : [],
    explanation,
  };
}
