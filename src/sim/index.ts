/**
 * Fault Lines' deterministic cluster simulator.
 *
 * Build a {@link Simulation} from a seed, add nodes (message handlers with timers, a clock
 * and a disk), shape the network, schedule faults, start a workload, run, then read the
 * trace, the history and the summary. The same seed gives the same run, byte for byte, in
 * Node, in a Web Worker and in the browser.
 *
 * @example
 * import { Simulation, exponential, uniform } from '../sim/index.ts';
 *
 * const sim = new Simulation({ seed: 1, network: { latency: uniform(1, 2) } });
 * sim.addNode('echo', () => ({ onRequest: (request) => request.body }), {
 *   capacity: { workers: 1, serviceTime: exponential(2) },
 * });
 * sim.workload({ target: 'echo', arrivals: { kind: 'open', ratePerS: 100 }, stopMs: 5_000 });
 * await sim.runUntilIdle();
 * sim.summary().latency.p99Ms;
 */
export { Simulation } from './simulation.ts';
export type { FaultTiming, Partition, PartitionTiming, SetLinkOptions } from './simulation.ts';
export type { SimulationOptions } from './engine.ts';
export type { LinkOptions, NetworkOptions } from './network.ts';
export type {
  CapacityOptions,
  ClockOptions,
  DiskOptions,
  Message,
  NodeContext,
  NodeDisk,
  NodeFactory,
  NodeHandlers,
  NodeOptions,
  NodeStatus,
  RpcOptions,
  SendOptions,
} from './node.ts';
export { NodeHandlerError, OverloadedError, Rejection, RemoteError, RpcTimeoutError, isDefiniteRefusal } from './errors.ts';
export { Random, hash32, hashString } from './random.ts';
export type { Seed } from './random.ts';
export { constant, exponential, logNormal, meanOf, mixture, normal, sample, samplerFor, uniform } from './distributions.ts';
export type {
  ConstantDistribution,
  Distribution,
  ExponentialDistribution,
  LogNormalDistribution,
  MixtureComponent,
  MixtureDistribution,
  NormalDistribution,
  Sampler,
  UniformDistribution,
} from './distributions.ts';
export { KeyChooser, Workload, burst, compressedDay, ramp } from './workload.ts';
export type { Arrivals, KeySpace, OperationMix, RateProfile, WorkloadOptions } from './workload.ts';
export { applyFaults, clockTime, describeFaults, faultWindows } from './faults.ts';
export type { CrashFault, FaultWindow, LossFault, PartitionFault, ScenarioEvent, ScheduledFault, SlowDiskFault } from './faults.ts';
export { SloTimeline } from './slo-timeline.ts';
export type { SloTimelineOptions, SloTimelineReport, SlowOperation, TimelineOperation, WindowFigures } from './slo-timeline.ts';
export { LatencyRecorder, checkSlo } from './metrics.ts';
export type {
  FinishedOperation,
  LatencySummary,
  MetricsSummary,
  NodeLoad,
  QueueSample,
  SloMeasurements,
  SloObjectives,
  SloReport,
  SloResult,
} from './metrics.ts';
export { Trace, traceEventToJson, traceHash } from './trace.ts';
export type { DropReason, MessageKind, TraceEvent, TraceEventType, TraceOptions } from './trace.ts';
export { BODY_CHARS, KINDS, OUTCOMES } from './trace-columns.ts';
export type { CutEvent, EndColumns, Kind, LaneEvent, MessageColumns, Outcome } from './trace-columns.ts';
export { TraceBatcher, describeBody, transferables } from './trace-batch.ts';
export type { ConvertedBatch } from './trace-batch.ts';
export type { History, KvInput, KvOutput, Operation } from './history.ts';
export {
  checkLinearizability,
  DEFAULT_MAX_STEPS,
  kvModel,
  registerModel,
  atMostOneLeaderPerTerm,
  noAcknowledgedWriteLost,
  replicasConverge,
  writesFromHistory,
} from './checker/index.ts';
export type {
  CheckOptions,
  CheckResult,
  CheckStats,
  Counterexample,
  CounterexampleOperation,
  CounterexampleRole,
  Model,
  HistoryPart,
  KvModelOptions,
  KvValue,
  Divergence,
  FinalState,
  InvariantResult,
  LeaderConflict,
  LeaderObservation,
  LostWrite,
  NoWriteLostInput,
  ReplicaState,
  WriteRecord,
} from './checker/index.ts';
