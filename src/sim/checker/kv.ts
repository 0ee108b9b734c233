/**
 * Sequential models for the stores the course builds: a key-value store (get, put,
 * append, compare-and-set) and a single register (read, write, compare-and-set).
 */
import type { History, KvInput, KvOutput, Operation } from '../history.ts';
import type { Model, HistoryPart } from './model.ts';

/**
 * The state the key-value model tracks: the value of one key, `null` when absent. One key
 * is enough because the model splits every history by key before checking, and keys do
 * not affect each other.
 */
export type KvValue = string | null;

/** Options for {@link kvModel} and {@link registerModel}. */
export interface KvModelOptions {
  /**
   * The value every key holds before any write: `null` for "absent" (a store that
   * answers `get` with `null` for a missing key), or e.g. `''` for a store that treats
   * missing keys as empty strings.
   *
   * @default null
   */
  readonly initialValue?: KvValue;
}

/**
 * The sequential specification of a key-value store with `get`, `put`, `append` and
 * `cas`, split by key so that each key is checked on its own (which is what makes long
 * histories with many keys fast to check).
 *
 * - `get` returns the current value (`null` if absent).
 * - `put` sets the value; `append` concatenates to it (an absent value counts as `''`).
 * - `cas` swaps to `value` exactly when the current value equals `expected` (`null`
 *   meaning absent) and reports whether it did.
 *
 * @example
 * ```ts
 * const result = checkLinearizability(kvModel(), history);
 * ```
 */
export function kvModel(options: KvModelOptions = {}): Model<KvValue, KvInput, KvOutput> {
  const initial = options.initialValue ?? null;
  return {
    name: 'key-value store',
    init: () => initial,
    step: kvStep,
    isReadOnly: kvIsReadOnly,
    split: splitByKey,
    describeOperation: (input, output) => describeKv(input, output),
    describeState: describeValue,
  };
}

/**
 * The sequential specification of one register with read (`get`), write (`put`) and
 * compare-and-set (`cas`), as in Jepsen's etcd tests. It is the key-value model without
 * the split by key: every operation is taken to address the same register, whatever key
 * it names, and messages speak of `read`, `write` and `cas`.
 */
export function registerModel(options: KvModelOptions = {}): Model<KvValue, KvInput, KvOutput> {
  const initial = options.initialValue ?? null;
  return {
    name: 'register',
    init: () => initial,
    step: kvStep,
    isReadOnly: kvIsReadOnly,
    describeOperation: (input, output) => describeRegister(input, output),
    describeState: describeValue,
  };
}

/** One step of the key-value specification on the value of the operation's key. */
function kvStep(state: KvValue, input: KvInput, output: KvOutput | undefined): readonly [boolean, KvValue] {
  switch (input.kind) {
    case 'get':
      if (output === undefined) return [true, state];
      return [output.kind === 'get' && output.value === state, state];
    case 'put':
      return [output === undefined || output.kind === 'put', input.value];
    case 'append':
      return [output === undefined || output.kind === 'append', (state ?? '') + input.value];
    case 'cas': {
      const matches = state === input.expected;
      if (output === undefined) return [true, matches ? input.value : state];
      if (output.kind !== 'cas') return [false, state];
      // A swap must have found the expected value; a refusal must not have.
      return output.swapped ? [matches, input.value] : [!matches, state];
    }
  }
}

/** Reads, and compare-and-sets that report no swap, never change the value. */
function kvIsReadOnly(input: KvInput, output: KvOutput | undefined): boolean {
  if (input.kind === 'get') return true;
  return input.kind === 'cas' && output !== undefined && output.kind === 'cas' && !output.swapped;
}

/** Splits a history by key, keys in order of first appearance. */
function splitByKey(history: History<KvInput, KvOutput>): HistoryPart<KvInput, KvOutput>[] {
  const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
  for (const op of history) {
    const list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, [op]);
    else list.push(op);
  }
  return [...byKey].map(([key, operations]) => ({ label: `key ${JSON.stringify(key)}`, operations }));
}

function describeValue(value: KvValue): string {
  return value === null ? 'absent' : JSON.stringify(value);
}

function describeKv(input: KvInput, output: KvOutput | undefined): string {
  const key = JSON.stringify(input.key);
  const unknown = ' (outcome unknown)';
  switch (input.kind) {
    case 'get':
      return output?.kind === 'get' ? `get(${key}) → ${describeValue(output.value)}` : `get(${key})${unknown}`;
    case 'put':
      return `put(${key}, ${JSON.stringify(input.value)})${output === undefined ? unknown : ''}`;
    case 'append':
      return `append(${key}, ${JSON.stringify(input.value)})${output === undefined ? unknown : ''}`;
    case 'cas':
      return `cas(${key}, ${describeValue(input.expected)} → ${JSON.stringify(input.value)})${casOutcome(output)}`;
  }
}

function describeRegister(input: KvInput, output: KvOutput | undefined): string {
  const unknown = ' (outcome unknown)';
  switch (input.kind) {
    case 'get':
      return output?.kind === 'get' ? `read() → ${describeValue(output.value)}` : `read()${unknown}`;
    case 'put':
      return `write(${JSON.stringify(input.value)})${output === undefined ? unknown : ''}`;
    case 'append':
      return `append(${JSON.stringify(input.value)})${output === undefined ? unknown : ''}`;
    case 'cas':
      return `cas(${describeValue(input.expected)} → ${JSON.stringify(input.value)})${casOutcome(output)}`;
  }
}

function casOutcome(output: KvOutput | undefined): string {
  if (output === undefined) return ' (outcome unknown)';
  return output.kind === 'cas' && output.swapped ? ' swapped' : ' refused';
}
