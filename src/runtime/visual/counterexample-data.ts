/**
 * What the linearizability counterexample view draws: one lane per client, one bar per
 * operation from invocation to response, coloured by the part it plays in the failure.
 * Pure, so the geometry and the words are tested in Node.
 *
 * Built against `Counterexample` from src/sim/checker (model.ts): operations with their
 * history index, the operation itself (clientId, invokeMs, returnMs?, status), a
 * description, a role ('linearized' | 'pending' | 'unplaceable') and, for linearized
 * ones, their position in the longest valid order found.
 */
import type { Counterexample, CounterexampleRole } from '../../sim/index.ts';

export interface CxBar {
  readonly index: number;
  readonly client: number;
  /** Lane position, top to bottom. */
  readonly lane: number;
  readonly startMs: number;
  /** The response time, or the end of the picture for an operation that never returned. */
  readonly endMs: number;
  /** The operation never returned (its outcome is unknown). */
  readonly open: boolean;
  readonly role: CounterexampleRole;
  readonly description: string;
  /** 1-based position in the valid order found, for linearized operations. */
  readonly order?: number;
}

export interface CxModel {
  readonly part: string;
  readonly clients: readonly number[];
  readonly bars: readonly CxBar[];
  readonly startMs: number;
  readonly endMs: number;
  readonly explanation: string;
  readonly stateAfterPrefix: string;
}

/** What each role means, for the legend and the table. */
export const ROLE_TEXT: Readonly<Record<CounterexampleRole, string>> = {
  linearized: 'placed in the longest valid order found',
  pending: 'open at the point of failure, not placed',
  unplaceable: 'cannot take effect in any order that respects real time',
};

export function counterexampleModel(cx: Counterexample<unknown, unknown, unknown>, describeState: (s: unknown) => string = defaultState): CxModel {
  const ops = cx.operations;
  const clients = [...new Set(ops.map((o) => o.operation.clientId))].sort((a, b) => a - b);
  const lane = new Map(clients.map((c, i) => [c, i]));
  let startMs = Infinity;
  let lastMs = -Infinity;
  for (const o of ops) {
    startMs = Math.min(startMs, o.operation.invokeMs);
    lastMs = Math.max(lastMs, o.operation.returnMs ?? o.operation.invokeMs);
  }
  if (!Number.isFinite(startMs)) {
    startMs = 0;
    lastMs = 1;
  }
  // Open operations run off the right edge: a margin of a tenth of the span shows that.
  const endMs = lastMs + Math.max(1, (lastMs - startMs) * 0.1);
  const bars = ops.map(
    (o): CxBar => ({
      index: o.index,
      client: o.operation.clientId,
      lane: lane.get(o.operation.clientId)!,
      startMs: o.operation.invokeMs,
      endMs: o.operation.returnMs ?? endMs,
      open: o.operation.returnMs === undefined,
      role: o.role,
      description: o.description,
      ...(o.linearizedAt !== undefined ? { order: o.linearizedAt + 1 } : {}),
    }),
  );
  return { part: cx.part, clients, bars, startMs, endMs, explanation: cx.explanation, stateAfterPrefix: describeState(cx.stateAfterPrefix) };
}

function defaultState(state: unknown): string {
  if (state === null || state === undefined) return 'absent';
  return typeof state === 'string' ? JSON.stringify(state) : JSON.stringify(state) ?? String(state);
}

/** A sentence per role count, e.g. "2 operations could not be placed". */
export function roleCounts(model: CxModel): Record<CounterexampleRole, number> {
  const counts: Record<CounterexampleRole, number> = { linearized: 0, pending: 0, unplaceable: 0 };
  for (const b of model.bars) counts[b.role]++;
  return counts;
}
