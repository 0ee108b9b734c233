/**
 * Invariant checks over what a simulation observed: at most one leader per term, no
 * acknowledged write lost, replicas converge. Each returns `{ ok: true }` or a failure
 * whose message explains the rule and what broke it, so that it can be shown to a
 * learner as it is.
 */
import type { History, KvInput, KvOutput } from '../history.ts';

/** The answer of an invariant check: fine, or a teaching message plus data to draw. */
export type InvariantResult<Details> =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** What went wrong and why the rule exists, in a few sentences. */
      readonly message: string;
      /** The observations behind the message, for a test diff or a drawing. */
      readonly details: Details;
    };

/** A node identifier as the simulator names nodes. */
export type NodeId = string | number;

// ---------------------------------------------------------------------------------------
// At most one leader per term
// ---------------------------------------------------------------------------------------

/** A moment at which a node believed it was the leader of a term. */
export interface LeaderObservation {
  /** The node that believed it led. */
  readonly nodeId: NodeId;
  /** The term it believed it led. */
  readonly term: number;
  /** Virtual time of the observation, in milliseconds. */
  readonly atMs: number;
}

/** The details of a term with more than one leader. */
export interface LeaderConflict {
  /** The term that had several leaders. */
  readonly term: number;
  /** Each node that led in that term, with the first time it was seen leading, earliest first. */
  readonly leaders: readonly { readonly nodeId: NodeId; readonly firstSeenMs: number }[];
  /** Every term that had more than one leader, in increasing order. */
  readonly termsWithConflicts: readonly number[];
}

/**
 * Checks that no term had two different leaders (the election safety property of Raft
 * and its relatives). Observations may come in any order and may repeat. When several
 * terms break the rule, the one reported is the one where the second leader appeared
 * earliest, since that is where the run first went wrong.
 *
 * @example
 * ```ts
 * atMostOneLeaderPerTerm([
 *   { nodeId: 'n1', term: 2, atMs: 100 },
 *   { nodeId: 'n3', term: 2, atMs: 140 },
 * ]); // { ok: false, message: 'Term 2 had two leaders: ...', details: ... }
 * ```
 */
export function atMostOneLeaderPerTerm(
  observations: readonly LeaderObservation[],
): InvariantResult<LeaderConflict> {
  const byTerm = new Map<number, Map<NodeId, number>>();
  for (const o of observations) {
    if (!Number.isFinite(o.term) || !Number.isFinite(o.atMs)) {
      throw new Error(`A leader observation needs a finite term and atMs, got ${JSON.stringify(o)}.`);
    }
    let leaders = byTerm.get(o.term);
    if (leaders === undefined) {
      leaders = new Map();
      byTerm.set(o.term, leaders);
    }
    const first = leaders.get(o.nodeId);
    if (first === undefined || o.atMs < first) leaders.set(o.nodeId, o.atMs);
  }

  let worst: { term: number; brokeAtMs: number } | undefined;
  const conflicts: number[] = [];
  for (const [term, leaders] of byTerm) {
    if (leaders.size < 2) continue;
    conflicts.push(term);
    const brokeAtMs = [...leaders.values()].sort((a, b) => a - b)[1]!;
    if (worst === undefined || brokeAtMs < worst.brokeAtMs || (brokeAtMs === worst.brokeAtMs && term < worst.term)) {
      worst = { term, brokeAtMs };
    }
  }
  if (worst === undefined) return { ok: true };

  const leaders = [...byTerm.get(worst.term)!]
    .map(([nodeId, firstSeenMs]) => ({ nodeId, firstSeenMs }))
    .sort((a, b) => a.firstSeenMs - b.firstSeenMs || String(a.nodeId).localeCompare(String(b.nodeId)));
  conflicts.sort((a, b) => a - b);
  const named = leaders.map((l) => `node ${l.nodeId} (from ${roundMs(l.firstSeenMs)} ms)`);
  const others = conflicts.length > 1 ? ` ${conflicts.length} terms broke this rule in all; this one broke it first.` : '';
  return {
    ok: false,
    message:
      `Term ${worst.term} had ${leaders.length === 2 ? 'two' : leaders.length} leaders: ${joinAnd(named)}. ` +
      'A term may have at most one leader: a candidate needs votes from a majority, each node votes at most ' +
      'once per term, and two majorities always share a node, so a second leader means a vote was given twice ' +
      `(perhaps forgotten across a restart) or a leader was declared without a majority.${others}`,
    details: { term: worst.term, leaders, termsWithConflicts: conflicts },
  };
}

/** A time for a message: to 0.1 ms, as simulated times are drawn with more digits than anyone reads. */
function roundMs(ms: number): string {
  return ms.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

// ---------------------------------------------------------------------------------------
// No acknowledged write lost
// ---------------------------------------------------------------------------------------

/** A write to one key of a register-like store. */
export interface WriteRecord {
  /** The key written. */
  readonly key: string;
  /** The value written. Give writes unique values, so that a value names its write. */
  readonly value: string;
  /** Virtual time the client issued the write, in milliseconds. */
  readonly invokeMs: number;
  /**
   * Virtual time the client received the acknowledgement, in milliseconds. Absent when
   * the client never learned the outcome (a timeout): such a write may or may not have
   * taken effect. Leave out writes the store rejected.
   */
  readonly ackMs?: number;
}

/** The contents of a store at the end of a run, as one replica holds it or a final read saw it. */
export interface FinalState {
  /** Where the state comes from, for messages, e.g. `'node 2'` or `'final read'`. */
  readonly source: string;
  /** The value of each key; a key that is missing, or `null`, is absent. */
  readonly values: Readonly<Record<string, string | null>>;
}

/** Input to {@link noAcknowledgedWriteLost}. */
export interface NoWriteLostInput {
  /** Every write issued during the run that was acknowledged or whose outcome is unknown. */
  readonly writes: readonly WriteRecord[];
  /** One or more end states to check, e.g. every replica, or a final quorum read. */
  readonly finalStates: readonly FinalState[];
}

/** The details of a lost write. */
export interface LostWrite {
  /** The end state that lost it. */
  readonly source: string;
  /** The key. */
  readonly key: string;
  /** What that end state holds for the key (`null`: absent). */
  readonly finalValue: string | null;
  /** The newest acknowledged writes of the key: none was replaced by a later acknowledged write. */
  readonly latestAcknowledged: readonly WriteRecord[];
  /** The values the key may legally hold at the end, sorted. */
  readonly allowedValues: readonly string[];
  /** How many (end state, key) pairs lost a write in all. */
  readonly violations: number;
}

/**
 * Checks that every end state still reflects every acknowledged write.
 *
 * The semantics, per key, for a register-like store where each write replaces the value:
 * an acknowledged write may only be replaced by a write that could come after it. A
 * write W is *superseded* when another acknowledged write of the same key was issued
 * after W was acknowledged (real time forces it after W). A write whose outcome is
 * unknown is never superseded, since it may take effect at any moment after it was
 * issued. For each key with at least one acknowledged write, the final value must be the
 * value of a write that is not superseded; anything else (absent, a superseded value, a
 * value nobody wrote) means an acknowledged write was lost. Keys with no acknowledged
 * write are not checked. Give writes unique values: with repeated values the check can
 * only be more lenient, never wrong.
 *
 * @example
 * ```ts
 * noAcknowledgedWriteLost({
 *   writes: [{ key: 'x', value: 'a', invokeMs: 0, ackMs: 10 }],
 *   finalStates: [{ source: 'node 1', values: {} }],
 * }); // { ok: false, message: 'The acknowledged write put("x", "a") ... is lost ...' }
 * ```
 */
export function noAcknowledgedWriteLost(input: NoWriteLostInput): InvariantResult<LostWrite> {
  const byKey = new Map<string, WriteRecord[]>();
  for (const w of input.writes) {
    const list = byKey.get(w.key);
    if (list === undefined) byKey.set(w.key, [w]);
    else list.push(w);
  }
  const keys = [...byKey.keys()].sort();
  const rules = new Map<string, { latest: WriteRecord[]; allowed: Set<string>; superseded: Set<string> }>();
  for (const key of keys) {
    const writes = byKey.get(key)!;
    const acked = writes.filter((w) => w.ackMs !== undefined);
    if (acked.length === 0) continue;
    // The latest issue among the acknowledged writes, and the latest but that write's own:
    // a write is superseded when some other acknowledged write was issued after its
    // acknowledgement (one comparison each, not a scan of the others: a hot key of a long
    // run has thousands of writes).
    let latestIssue: WriteRecord = acked[0]!;
    let secondIssueMs = -Infinity;
    for (let i = 1; i < acked.length; i++) {
      const w = acked[i]!;
      if (w.invokeMs > latestIssue.invokeMs) {
        secondIssueMs = latestIssue.invokeMs;
        latestIssue = w;
      } else if (w.invokeMs > secondIssueMs) secondIssueMs = w.invokeMs;
    }
    const isSuperseded = (w: WriteRecord): boolean =>
      w.ackMs !== undefined && (w === latestIssue ? secondIssueMs : latestIssue.invokeMs) > w.ackMs;
    const allowed = new Set<string>();
    const superseded = new Set<string>();
    for (const w of writes) (isSuperseded(w) ? superseded : allowed).add(w.value);
    const latest = acked.filter((w) => !isSuperseded(w)).sort((a, b) => a.ackMs! - b.ackMs!);
    rules.set(key, { latest, allowed, superseded });
  }

  let first: Omit<LostWrite, 'violations'> | undefined;
  let violations = 0;
  for (const final of input.finalStates) {
    for (const [key, rule] of rules) {
      const value = final.values[key] ?? null;
      if (value !== null && rule.allowed.has(value)) continue;
      violations++;
      first ??= {
        source: final.source,
        key,
        finalValue: value,
        latestAcknowledged: rule.latest,
        allowedValues: [...rule.allowed].sort(),
      };
    }
  }
  if (first === undefined) return { ok: true };

  const rule = rules.get(first.key)!;
  const lost = first.latestAcknowledged[first.latestAcknowledged.length - 1]!;
  const held =
    first.finalValue === null
      ? `no value for ${JSON.stringify(first.key)}`
      : rule.superseded.has(first.finalValue)
        ? `${JSON.stringify(first.key)} = ${JSON.stringify(first.finalValue)}, a value that an acknowledged write had already replaced`
        : `${JSON.stringify(first.key)} = ${JSON.stringify(first.finalValue)}, a value no write of this run produced`;
  const more = violations > 1 ? ` (${violations} key and state pairs lost a write in all; this is the first.)` : '';
  return {
    ok: false,
    message:
      `The acknowledged write put(${JSON.stringify(lost.key)}, ${JSON.stringify(lost.value)}) ` +
      `(acknowledged at ${lost.ackMs} ms) is lost: ${first.source} ends with ${held}. ` +
      'Once a store acknowledges a write, it has promised to keep it until a newer write replaces it: ' +
      'a write acknowledged before it reached a majority, or kept only in memory, disappears when that node ' +
      `crashes or loses an election.${more}`,
    details: { ...first, violations },
  };
}

/**
 * Extracts the writes of a key-value history for {@link noAcknowledgedWriteLost}: `put`s,
 * and `cas`es that swapped, count as acknowledged when their status is `'ok'`; those of
 * unknown outcome (and every `cas` of unknown outcome) as unknown. Failed operations,
 * refused `cas`es, reads and appends are left out (an append does not replace a value, so
 * check append histories with the linearizability checker instead).
 */
export function writesFromHistory(history: History<KvInput, KvOutput>): WriteRecord[] {
  const out: WriteRecord[] = [];
  for (const op of history) {
    const input = op.input;
    if (input.kind !== 'put' && input.kind !== 'cas') continue;
    if (op.status === 'failed') continue;
    if (op.status === 'unknown') {
      out.push({ key: input.key, value: input.value, invokeMs: op.invokeMs });
      continue;
    }
    if (input.kind === 'cas' && !(op.output?.kind === 'cas' && op.output.swapped)) continue;
    out.push({ key: input.key, value: input.value, invokeMs: op.invokeMs, ackMs: op.returnMs ?? op.invokeMs });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Replicas converge
// ---------------------------------------------------------------------------------------

/** One replica's data at the end of a run. */
export interface ReplicaState {
  /** The replica, for messages. */
  readonly replicaId: NodeId;
  /** Its data by key; values are plain data (strings, numbers, arrays, plain objects). */
  readonly values: Readonly<Record<string, unknown>>;
}

/** The details of replicas that disagree. */
export interface Divergence {
  /** The first key (in sorted order) on which some replica differs from the first replica. */
  readonly key: string;
  /** What each replica holds for that key (`undefined`: the key is absent). */
  readonly values: readonly { readonly replicaId: NodeId; readonly value: unknown }[];
  /** Every key on which the replicas disagree, sorted. */
  readonly differingKeys: readonly string[];
}

/**
 * Checks that all replicas end with the same data: every key present on one is present
 * on all, with an equal value (compared structurally). Run it after faults have healed
 * and writes have stopped long enough for replication to catch up; before that,
 * differences are expected.
 */
export function replicasConverge(replicas: readonly ReplicaState[]): InvariantResult<Divergence> {
  if (replicas.length < 2) return { ok: true };
  const keys = new Set<string>();
  for (const r of replicas) for (const k of Object.keys(r.values)) keys.add(k);
  const sorted = [...keys].sort();
  const differing: string[] = [];
  for (const key of sorted) {
    const reference = valueAt(replicas[0]!, key);
    if (replicas.some((r) => !plainEqual(reference, valueAt(r, key), 0))) differing.push(key);
  }
  if (differing.length === 0) return { ok: true };

  const key = differing[0]!;
  const values = replicas.map((r) => ({ replicaId: r.replicaId, value: valueAt(r, key) }));
  const reference = values[0]!;
  const odd = values.find((v) => !plainEqual(reference.value, v.value, 0))!;
  const more = differing.length > 1 ? ` (${differing.length} keys differ in all)` : '';
  return {
    ok: false,
    message:
      `Replicas have not converged: on key ${JSON.stringify(key)}, replica ${reference.replicaId} has ` +
      `${show(reference.value)} but replica ${odd.replicaId} has ${show(odd.value)}${more}. Once faults heal ` +
      'and writes stop, every replica must end with the same data; a difference means an update never ' +
      'reached some replica, or replicas applied updates in different orders.',
    details: { key, values, differingKeys: differing },
  };
}

function valueAt(replica: ReplicaState, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(replica.values, key) ? replica.values[key] : undefined;
}

/** The deepest nesting {@link plainEqual} follows; deeper values compare as unequal. */
const MAX_DEPTH = 32;

/** Structural equality of plain data (primitives, arrays, plain objects), depth-bounded. */
function plainEqual(a: unknown, b: unknown, depth: number): boolean {
  if (Object.is(a, b)) return true;
  if (depth > MAX_DEPTH || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => plainEqual(x, b[i], depth + 1));
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => plainEqual(ra[k], rb[k], depth + 1));
}

function show(value: unknown): string {
  return value === undefined ? 'no value' : JSON.stringify(value);
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
