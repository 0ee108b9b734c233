/**
 * Histories made to order for one register: concurrent clients reading, writing and
 * compare-and-setting, with every operation taking effect at a drawn instant inside its
 * interval. Applying the operations in the order of those instants gives each its output,
 * so the history is linearizable by construction; `staleReadAt` then breaks it in a known
 * place. The checker's benchmarks and property tests use them to reach lengths the
 * recorded fixtures do not.
 */
import type { History, KvInput, KvOutput, Operation } from '../history.ts';
import { Random, type Seed } from '../random.ts';

/** Options for {@link registerHistory}. */
export interface RegisterHistoryOptions {
  /** How many operations the history holds. */
  readonly operations: number;
  /** How many clients issue them, each one operation at a time. @default 8 */
  readonly clients?: number;
  readonly seed?: Seed;
  /** Share of operations that are writes. @default 0.3 */
  readonly writeShare?: number;
  /** Share of operations that are compare-and-sets. @default 0.1 */
  readonly casShare?: number;
  /**
   * Share of writes and compare-and-sets whose answer never arrives (status `'unknown'`);
   * half of them took effect, half did not. @default 0
   */
  readonly unknownShare?: number;
  /**
   * When set, the first read that takes effect at or after this position (counting every
   * operation in effect order) answers with an overwritten value instead of the current
   * one, as a replica that missed the latest writes would. The read gets a client of its
   * own and starts after the overwriting write returned (see `staleValue`), so no order
   * can excuse it and the history is not linearizable.
   */
  readonly staleReadAt?: number;
}

interface Draft {
  clientId: number;
  input: KvInput;
  invokeMs: number;
  returnMs: number;
  /** When the operation takes effect. */
  atMs: number;
  status: 'ok' | 'unknown';
  applied: boolean;
  output?: KvOutput;
}

/**
 * Builds a register history (key `'register'`, initially absent) to be checked with
 * `registerModel()`. Deterministic for a given seed.
 *
 * @example
 * ```ts
 * const history = registerHistory({ operations: 16_000, seed: 7 });
 * checkLinearizability(registerModel(), history).verdict; // 'linearizable'
 * ```
 */
export function registerHistory(options: RegisterHistoryOptions): History<KvInput, KvOutput> {
  const clients = options.clients ?? 8;
  const writeShare = options.writeShare ?? 0.3;
  const casShare = options.casShare ?? 0.1;
  const unknownShare = options.unknownShare ?? 0;
  const random = new Random(options.seed ?? 1);
  const key = 'register';

  // Each client issues operations back to back: 1–10 ms each, 0–2 ms apart.
  const clock = new Array<number>(clients).fill(0);
  const drafts: Draft[] = [];
  for (let i = 0; i < options.operations; i++) {
    const clientId = i % clients;
    const invokeMs = clock[clientId]! + random.next() * 2;
    const returnMs = invokeMs + 1 + random.next() * 9;
    clock[clientId] = returnMs;
    const roll = random.next();
    const kind = roll < writeShare ? 'put' : roll < writeShare + casShare ? 'cas' : 'get';
    const unknown = kind !== 'get' && random.next() < unknownShare;
    drafts.push({
      clientId,
      // Values and expectations are filled in once the effect order is known.
      input: kind === 'get' ? { kind, key } : kind === 'put' ? { kind, key, value: '' } : { kind, key, expected: null, value: '' },
      invokeMs,
      returnMs,
      atMs: invokeMs + random.next() * (returnMs - invokeMs),
      status: unknown ? 'unknown' : 'ok',
      applied: !unknown || random.next() < 0.5,
    });
  }

  const inEffectOrder = [...drafts].sort((a, b) => a.atMs - b.atMs);
  let value: string | null = null;
  /** Every change of the value so far, with the operation that made it. */
  const changes: { readonly value: string; readonly by: Draft }[] = [];
  const change = (next: string, by: Draft): void => {
    value = next;
    changes.push({ value: next, by });
  };
  let written = 0;
  let staleDone = false;
  for (let position = 0; position < inEffectOrder.length; position++) {
    const op = inEffectOrder[position]!;
    if (op.input.kind === 'get') {
      const stale = options.staleReadAt;
      const missed = !staleDone && stale !== undefined && position >= stale ? staleValue(changes) : undefined;
      if (missed !== undefined) {
        staleDone = true;
        // The read comes from a client of its own, which starts it after the write it
        // misses has returned.
        const shift = Math.max(0, missed.after + 0.5 - op.invokeMs);
        op.clientId = clients;
        op.invokeMs += shift;
        op.returnMs += shift;
        op.output = { kind: 'get', value: missed.value };
      } else {
        op.output = { kind: 'get', value };
      }
    } else if (op.input.kind === 'put') {
      const next = String(++written);
      op.input = { kind: 'put', key, value: next };
      op.output = { kind: 'put' };
      if (op.applied) change(next, op);
    } else {
      const next = String(++written);
      // Half of the swaps expect the current value, so that they succeed.
      const expected = random.next() < 0.5 ? value : String(Math.max(0, written - 3));
      const swapped = op.applied && expected === value;
      op.input = { kind: 'cas', key, expected, value: next };
      op.output = { kind: 'cas', swapped };
      if (swapped) change(next, op);
    }
  }

  drafts.sort((a, b) => a.invokeMs - b.invokeMs);
  return drafts.map((d): Operation<KvInput, KvOutput> =>
    d.status === 'ok'
      ? { clientId: d.clientId, input: d.input, invokeMs: d.invokeMs, returnMs: d.returnMs, status: 'ok', output: d.output! }
      : { clientId: d.clientId, input: d.input, invokeMs: d.invokeMs, status: 'unknown', error: 'timeout' },
  );
}

/**
 * A value that no order can make current any more, and when that became so: the latest
 * change made by an answered operation (`w`), and the value of the latest answered change
 * that returned before `w` began (or the initial absent value). Values are never written
 * twice and an answered operation cannot be left out, so once `w` has returned, reading
 * that value is a violation whatever order is chosen. `undefined` while no answered
 * operation has changed the value.
 */
function staleValue(changes: readonly { readonly value: string; readonly by: Draft }[]): { value: string | null; after: number } | undefined {
  let latest = -1;
  for (let i = changes.length - 1; i >= 0; i--) {
    if (changes[i]!.by.status === 'ok') {
      latest = i;
      break;
    }
  }
  if (latest < 0) return undefined;
  const w = changes[latest]!.by;
  for (let i = latest - 1; i >= 0; i--) {
    const { value, by } = changes[i]!;
    if (by.status === 'ok' && by.returnMs < w.invokeMs) return { value, after: w.returnMs };
  }
  return { value: null, after: w.returnMs };
}
