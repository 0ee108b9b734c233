/**
 * Helpers shared by the checker tests: short builders for hand-written histories, the
 * location of the recorded fixtures, and a brute-force linearizability oracle for tiny
 * histories to compare the real checker against.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { History, KvInput, KvOutput, Operation } from '../../../src/sim/history.ts';
import type { Model } from '../../../src/sim/checker/index.ts';

/** The repository root, found from this file so that CI may clone the repo anywhere. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The recorded linearizability fixtures (Jepsen and Porcupine histories; see their README). */
export const fixturesDir = path.resolve(repoRoot, 'tests', 'fixtures', 'linearizability');

type Op = Operation<KvInput, KvOutput>;

/** A completed `get` of `key` that returned `value`, open from `from` to `to` ms. */
export function get(client: number, key: string, value: string | null, from: number, to: number): Op {
  return { clientId: client, input: { kind: 'get', key }, invokeMs: from, returnMs: to, status: 'ok', output: { kind: 'get', value } };
}

/** A completed `put`. */
export function put(client: number, key: string, value: string, from: number, to: number): Op {
  return { clientId: client, input: { kind: 'put', key, value }, invokeMs: from, returnMs: to, status: 'ok', output: { kind: 'put' } };
}

/** A completed `append`. */
export function append(client: number, key: string, value: string, from: number, to: number): Op {
  return { clientId: client, input: { kind: 'append', key, value }, invokeMs: from, returnMs: to, status: 'ok', output: { kind: 'append' } };
}

/** A completed `cas` from `expected` to `value` that reported `swapped`. */
export function cas(
  client: number,
  key: string,
  expected: string | null,
  value: string,
  swapped: boolean,
  from: number,
  to: number,
): Op {
  return {
    clientId: client,
    input: { kind: 'cas', key, expected, value },
    invokeMs: from,
    returnMs: to,
    status: 'ok',
    output: { kind: 'cas', swapped },
  };
}

/** The same operation with an unknown outcome (a timeout): no return, no output. */
export function timedOut(op: Op): Op {
  return { clientId: op.clientId, input: op.input, invokeMs: op.invokeMs, status: 'unknown', error: 'timeout' };
}

/** The same operation, rejected by the store. */
export function rejected(op: Op): Op {
  return { clientId: op.clientId, input: op.input, invokeMs: op.invokeMs, returnMs: op.returnMs ?? op.invokeMs, status: 'failed', error: 'rejected' };
}

/**
 * Decides linearizability by trying every order, for histories of a handful of
 * operations: an independent, obviously correct answer to compare the checker with. It
 * follows the same rules: failed operations are ignored, unknown ones may be placed at
 * any point after their invocation or left out, events at equal times are concurrent.
 * The model's partition function is not applied: give it single-partition histories.
 */
export function bruteForceLinearizable<S, I, O>(model: Model<S, I, O>, history: History<I, O>): boolean {
  const ops = history.filter((o) => o.status !== 'failed');
  const placed = new Array<boolean>(ops.length).fill(false);
  const mustPlace = ops.filter((o) => o.status === 'ok').length;
  const visit = (state: S, count: number): boolean => {
    if (count === mustPlace) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const op = ops[i]!;
      // Real time: every completed operation that returned before this one was invoked
      // must already be placed.
      const blocked = ops.some(
        (p, j) => !placed[j] && j !== i && p.status === 'ok' && p.returnMs! < op.invokeMs,
      );
      if (blocked) continue;
      const [ok, next] = model.step(state, op.input, op.status === 'ok' ? op.output : undefined);
      if (!ok) continue;
      placed[i] = true;
      const found = visit(next, count + (op.status === 'ok' ? 1 : 0));
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return visit(model.init(), 0);
}
