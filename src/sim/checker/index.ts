/**
 * Checkers for simulation runs: a linearizability checker for histories of a sequential
 * model (with key-value and register models), parsers for recorded histories, and
 * invariant helpers (one leader per term, no acknowledged write lost, replicas converge).
 */
export { checkLinearizability, DEFAULT_MAX_STEPS } from './check.ts';
export type {
  CheckOptions,
  CheckResult,
  CheckStats,
  Counterexample,
  CounterexampleOperation,
  CounterexampleRole,
  Model,
  HistoryPart,
} from './model.ts';
export { kvModel, registerModel, type KvModelOptions, type KvValue } from './kv.ts';
export { parseEtcdLog, parseKvEdn, type EtcdLogOptions } from './fixtures.ts';
export { Bitset } from './bitset.ts';
export {
  atMostOneLeaderPerTerm,
  noAcknowledgedWriteLost,
  replicasConverge,
  writesFromHistory,
  type Divergence,
  type FinalState,
  type InvariantResult,
  type LeaderConflict,
  type LeaderObservation,
  type LostWrite,
  type NodeId,
  type NoWriteLostInput,
  type ReplicaState,
  type WriteRecord,
} from './invariants.ts';
