/**
 * Cuts a failed part down to a counterexample that explains itself: a handful of
 * operations that are not linearizable on their own, so that a reader who checks them by
 * hand, from the model's initial state, reaches the same contradiction.
 *
 * The operations the search had open when it failed are not enough on their own: a read
 * just before them that fixed the state, or the write of a value read among them, may lie
 * outside. So the set starts from the operation that could not be placed and grows
 * outwards in time, state-changing operations first and nearest first, until it fails;
 * then every operation that is not needed is taken out again, farthest first.
 *
 * Taking operations out of a history can create a violation the history did not have (a
 * read whose write was removed fails for a new reason). Each set kept must therefore pass
 * three tests, not only the first:
 *
 * 1. it is not linearizable;
 * 2. without the operation that could not be placed, it is: every other operation is
 *    explained by the set itself;
 * 3. that operation, allowed to take effect at any time, fits too: it fails for its
 *    timing, not for a value the set never produces.
 *
 * When no set passes all three (an operation that fits no order even without real time,
 * or another violation too close to separate), the third test is dropped, then the second.
 */
import { createPartSearch, type SearchBudget, type SearchModel, type SearchOperation } from './search.ts';

/** At most this many search steps go into cutting one counterexample down. */
export const SHRINK_MAX_STEPS = 4_000_000;

/** At most this many steps go into one check of a candidate set; a set that needs more is passed over. */
const CHECK_MAX_STEPS = 100_000;

type Verdict = 'yes' | 'no' | 'unsure';

/** Growing adds operations one at a time up to this many, then doubles what it adds. */
const ONE_AT_A_TIME = 16;

/** A set larger than this loses halves, quarters, ... before single operations. */
const ONE_BY_ONE_LIMIT = 16;

/** At most this many passes take single operations out. */
const MAX_ROUNDS = 4;

/**
 * Returns the local ids (into `ops`), sorted, of a small sub-history that is not
 * linearizable by itself and holds `blocker` and `keep`; or `undefined` when the step
 * budget ran out before one was found.
 *
 * @param blocker - the operation the search could not place.
 * @param window - the operations open around the failure; they say where it happened.
 * @param keep - operations never taken out (e.g. the write that set the state the
 *   failed operation contradicts, which makes the story easier to follow).
 */
export function shrinkFailure<State, Input, Output>(
  model: SearchModel<State, Input, Output>,
  ops: readonly SearchOperation<Input, Output>[],
  blocker: number,
  window: readonly number[],
  keep: readonly number[] = [],
  maxSteps: number = SHRINK_MAX_STEPS,
): number[] | undefined {
  let spent = 0;
  let outOfBudget = false;

  // The same set is often asked about more than once (each test repeats the one before,
  // and the fallbacks grow through the same sets), so answers are remembered.
  const answers = new Map<string, Verdict>();
  /**
   * Whether the operations `ids` (with `widen` stretched over all time) are linearizable:
   * `'unsure'` when their search needs more than {@link CHECK_MAX_STEPS}, which makes the
   * set one to pass over rather than spend the whole budget on.
   */
  const verdict = (ids: readonly number[], widen = -1): Verdict => {
    if (outOfBudget) return 'unsure';
    const key = `${widen}:${[...ids].sort((a, b) => a - b).join(',')}`;
    const known = answers.get(key);
    if (known !== undefined) return known;
    let from = Infinity;
    let to = -Infinity;
    if (widen >= 0) {
      for (const id of ids) {
        from = Math.min(from, ops[id]!.invokeMs);
        to = Math.max(to, ops[id]!.returnMs ?? ops[id]!.invokeMs);
      }
    }
    const sub = ids.map((id) => {
      const op = ops[id]!;
      if (id !== widen) return op;
      return { ...op, invokeMs: from - 1, returnMs: op.returnMs === undefined ? undefined : to + 1 };
    });
    const local: SearchBudget = { steps: 0, maxSteps: Math.min(CHECK_MAX_STEPS, maxSteps - spent) };
    const outcome = createPartSearch(model, sub).run(local, Number.MAX_SAFE_INTEGER);
    spent += local.steps;
    if (spent >= maxSteps) outOfBudget = true;
    const answer: Verdict =
      outcome === undefined || outcome.kind === 'out-of-budget' ? 'unsure' : outcome.kind === 'linearizable' ? 'yes' : 'no';
    answers.set(key, answer);
    return answer;
  };
  const without = (ids: readonly number[], id: number): number[] => ids.filter((x) => x !== id);

  // A search cut short proves nothing, so an unsure answer fails every test.
  type Test = (ids: readonly number[]) => boolean;
  const fails: Test = (ids) => verdict(ids) === 'no';
  const explained: Test = (ids) => fails(ids) && verdict(without(ids, blocker)) === 'yes';
  const timing: Test = (ids) => explained(ids) && verdict(ids, blocker) === 'yes';

  const windowStart = Math.min(...window.map((id) => ops[id]!.invokeMs));
  const windowEnd = ops[blocker]!.returnMs ?? Math.max(...window.map((id) => ops[id]!.invokeMs));
  // The operations never taken out; the fallbacks below try without `keep` too.
  let kept = new Set([blocker, ...keep]);
  // An operation of unknown outcome is open forever, but the longer before the window it
  // began, the less likely it is needed (and every one kept makes the searches longer).
  const distance = (id: number): number => {
    const op = ops[id]!;
    const end = op.returnMs ?? op.invokeMs;
    if (end < windowStart) return windowStart - end;
    if (op.invokeMs > windowEnd) return op.invokeMs - windowEnd;
    return 0;
  };
  // Operations invoked after the window's operations have all returned seldom explain the
  // failure, and may carry violations of their own that spoil the second test; they are
  // tried only if nothing closer will do. Reads come after every state-changing operation:
  // each one added is another value the set must explain.
  const horizon = Math.max(windowEnd, ...window.map((id) => ops[id]!.returnMs ?? -Infinity));
  const everything = ops
    .map((_, id) => id)
    .filter((id) => id !== blocker)
    .sort((a, b) => Number(ops[a]!.readOnly) - Number(ops[b]!.readOnly) || distance(a) - distance(b) || a - b);
  const near = everything.filter((id) => ops[id]!.invokeMs <= horizon);

  /** Grows from `core` through `others` until `test` holds; `undefined` if nothing does. */
  const grow = (test: Test, others: readonly number[]): number[] | undefined => {
    let taken = 0;
    for (let add = 1; ; add = taken < ONE_AT_A_TIME ? 1 : add * 2) {
      const ids = [...kept, ...others.slice(0, taken).filter((id) => !kept.has(id))];
      if (test(ids)) return ids;
      if (outOfBudget || taken >= others.length) return undefined;
      taken = Math.min(others.length, taken + add);
    }
  };

  /** Takes out what `test` does not need, farthest from the window first. */
  const shrink = (found: number[], test: Test): number[] => {
    let ids = [...found].sort((a, b) => distance(b) - distance(a) || b - a);
    /** One pass removing `chunk` operations at a time; whether it removed any. */
    const pass = (chunk: number): boolean => {
      let removedAny = false;
      for (let i = 0; i < ids.length && !outOfBudget; ) {
        const removed = ids.slice(i, i + chunk);
        if (removed.some((id) => kept.has(id))) {
          i += chunk;
          continue;
        }
        const rest = [...ids.slice(0, i), ...ids.slice(i + chunk)];
        if (test(rest)) {
          ids = rest;
          removedAny = true;
        } else {
          i += chunk;
        }
      }
      return removedAny;
    };
    // Large sets lose halves, quarters, ... first.
    for (let chunk = Math.floor(ids.length / 2); chunk > 1 && ids.length > ONE_BY_ONE_LIMIT; chunk = Math.floor(chunk / 2)) {
      pass(chunk);
    }
    // Then single operations, until none can go: taking one out can free another.
    for (let round = 0; round < MAX_ROUNDS && pass(1); round++);
    return ids;
  };

  // Each test, nearest operations first, then all of them; first keeping `keep`, then not,
  // since what set the state may need a long history of its own to be explained.
  const pinned = new Set([blocker, ...keep]);
  const alone = new Set([blocker]);
  const attempts: [Test, readonly number[], Set<number>][] = [
    [timing, near, pinned],
    [timing, near, alone],
    [explained, near, pinned],
    [explained, near, alone],
    [timing, everything, pinned],
    [explained, everything, pinned],
    [fails, near, pinned],
  ];
  for (const [test, others, pins] of attempts) {
    kept = pins;
    const found = grow(test, others);
    if (outOfBudget) return undefined;
    if (found === undefined) continue;
    const small = shrink(found, test);
    // The budget can run out halfway through; what was kept so far still passed the test.
    return small.sort((a, b) => a - b);
  }
  return undefined;
}
