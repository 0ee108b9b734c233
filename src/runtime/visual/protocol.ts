/**
 * What the simulation worker and the page say to each other. Messages (the bulk of a
 * trace) travel as columns of typed arrays whose buffers are transferred, not copied:
 * structured-cloning thousands of small objects per batch would cost the page's main
 * thread more than drawing them.
 */
import type { ScenarioParam } from '../../scenarios/types.ts';
import type { CutEvent, EndColumns, LaneEvent, MessageColumns, SloObjectives } from '../../sim/index.ts';

/**
 * The trace travels in the simulator's columns (`src/sim/trace-columns.ts`); they are
 * re-exported here so the page's side reads its whole protocol from one place.
 */
export { BODY_CHARS, KINDS, OUTCOMES } from '../../sim/index.ts';
export type { CutEvent, EndColumns, Kind, LaneEvent, MessageColumns, Outcome } from '../../sim/index.ts';

/** Per-node state at the end of a bucket. */
export interface NodeSample {
  readonly queueDepth: number;
  readonly inService: number;
  readonly served: number;
  readonly rejected: number;
  readonly up: boolean;
  readonly paused: boolean;
  /**
   * The scenario's line of state for the node (`BuiltScenario.nodeNotes`), e.g. "leader ·
   * term 3". Absent when the scenario keeps no notes or has none for this node, so runs
   * without notes send nothing more than before.
   */
  readonly note?: string;
}

/** Measurements over one bucket of virtual time, `[startMs, endMs)`. */
export interface MetricBucket {
  readonly startMs: number;
  readonly endMs: number;
  /**
   * Operations the simulator counted in the bucket, by outcome (`sim.onOperation`); an
   * `unknown` one is counted when its deadline passes.
   */
  readonly ok: number;
  readonly failed: number;
  readonly unknown: number;
  /** Latency percentiles of the bucket's successful operations (NaN when there were none). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * The simulator's summary (`sim.summary()`) at `endMs`: operations that succeeded, were
   * refused, or passed their deadline without an answer, and operations still waiting
   * (which the summary also counts as unknown).
   */
  readonly totalOk: number;
  readonly totalFailed: number;
  readonly totalUnknown: number;
  readonly totalOpen: number;
  /** The summary's latency percentiles of every successful operation up to `endMs` (NaN before the first). */
  readonly totalP50Ms: number;
  readonly totalP99Ms: number;
  /** Sparse latency histogram of the bucket: pairs of [bin index, count]. */
  readonly bins: readonly number[];
  /** One sample per node, in `RunMeta.nodes` order. */
  readonly nodes: readonly NodeSample[];
}

/** What the page learns about a run before its first batch. */
export interface RunMeta {
  readonly scenarioId: string;
  readonly title: string;
  readonly description: string;
  readonly params: readonly ScenarioParam[];
  readonly seed: number;
  readonly nodes: readonly string[];
  /** Group name → node indices; every node is in exactly one group. */
  readonly groups: readonly { readonly name: string; readonly nodes: readonly number[] }[];
  readonly durationMs: number;
  readonly bucketMs: number;
  /** The latency chart's axis: linear unless the scenario asks for a log axis. */
  readonly latencyScale?: 'linear' | 'log';
  readonly slo: SloObjectives;
  /**
   * Whether the scenario records a message trace. Without one there are no messages to
   * draw (the views say so); the measurements come from the simulator either way.
   */
  readonly traced: boolean;
  /** Whether the scenario keeps a line of state per node, so the views make room for it. */
  readonly notes?: boolean;
}

export type ToWorker =
  | { readonly type: 'start'; readonly runId: number; readonly scenarioId: string; readonly params: Readonly<Record<string, number | string | boolean>>; readonly seed: number }
  /** Run the simulation at least up to this virtual time. */
  | { readonly type: 'demand'; readonly runId: number; readonly untilMs: number };

export type FromWorker =
  | { readonly type: 'ready'; readonly runId: number; readonly meta: RunMeta }
  | {
      readonly type: 'batch';
      readonly runId: number;
      /** The simulation has run up to here: everything before it is in this or earlier batches. */
      readonly untilMs: number;
      readonly messages: MessageColumns;
      readonly ends: EndColumns;
      readonly lanes: readonly LaneEvent[];
      readonly cuts: readonly CutEvent[];
      readonly buckets: readonly MetricBucket[];
      /** Whether the trace hit its capacity, so later messages are missing from the views. */
      readonly traceTruncated: boolean;
      readonly done: boolean;
    }
  | { readonly type: 'error'; readonly runId: number; readonly message: string };
