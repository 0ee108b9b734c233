/**
 * Measurements of a run: latency percentiles, throughput, availability, per-node load, and
 * a service-level-objective (SLO) check that says which objectives a run met.
 */
// The pure-JS histogram classes, imported directly: the package's main entry also pulls in
// a WebAssembly build and a compression library that the simulator does not need, which
// would add about 110 KB to a browser bundle.
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';

/** Latencies are recorded in whole microseconds, since the histogram counts integers. */
const MICROS_PER_MS = 1000;

/** Latency percentiles of a set of operations, in milliseconds. */
export interface LatencySummary {
  /** How many latencies were recorded. */
  readonly count: number;
  /** Arithmetic mean, in milliseconds (0 when nothing was recorded). */
  readonly meanMs: number;
  /** Median, in milliseconds. */
  readonly p50Ms: number;
  /** 90th percentile, in milliseconds. */
  readonly p90Ms: number;
  /** 99th percentile, in milliseconds. */
  readonly p99Ms: number;
  /** 99.9th percentile, in milliseconds. */
  readonly p999Ms: number;
  /** Largest latency, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Records latencies into an HDR histogram: constant memory, percentiles accurate to three
 * significant digits (0.1%), fast enough to record every operation of a big run.
 *
 * @example
 * const latencies = new LatencyRecorder();
 * latencies.record(12.5);
 * latencies.summary().p99Ms; // => 12.5 (within 0.1%)
 */
export class LatencyRecorder {
  readonly #histogram;
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  constructor() {
    const Histogram = constructorFromBucketSize(32);
    this.#histogram = new Histogram(1, 2, 3);
    this.#histogram.autoResize = true;
  }

  /** Records one latency, in milliseconds (negative values count as 0). */
  record(latencyMs: number): void {
    const ms = latencyMs > 0 ? latencyMs : 0;
    this.#histogram.recordValue(Math.max(1, Math.round(ms * MICROS_PER_MS)));
    this.#count++;
    this.#sumMs += ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.#count;
  }

  /** The latency at a percentile in [0, 100], in milliseconds; 0 when nothing was recorded. */
  percentileMs(percentile: number): number {
    if (this.#count === 0) return 0;
    return this.#histogram.getValueAtPercentile(percentile) / MICROS_PER_MS;
  }

  /** Every percentile at once. `maxMs` and `meanMs` are exact; the others within 0.1%. */
  summary(): LatencySummary {
    return {
      count: this.#count,
      meanMs: this.#count === 0 ? 0 : this.#sumMs / this.#count,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.#maxMs,
    };
  }
}

/** Load on one node over the whole run. */
export interface NodeLoad {
  /** The node's name. */
  readonly node: string;
  /** Requests and messages its handlers processed (replies to its own RPCs excluded). */
  readonly served: number;
  /** Requests refused because its bounded queue was full. */
  readonly rejected: number;
  /** Deepest its waiting queue got (requests waiting, not those in service). */
  readonly maxQueueDepth: number;
}

/** A periodic snapshot of one node's queue, taken every `sampleIntervalMs`. */
export interface QueueSample {
  /** True simulation time of the sample, in milliseconds. */
  readonly tMs: number;
  /** The node's name. */
  readonly node: string;
  /** Requests waiting for a worker. */
  readonly queueDepth: number;
  /** Requests being served right now. */
  readonly inService: number;
  /** Requests served so far (cumulative). */
  readonly served: number;
}

/**
 * One operation as the summary counts it: told to `sim.onOperation` listeners the moment it
 * is counted, whether or not the trace is on.
 */
export interface FinishedOperation {
  /** `ok`: succeeded within its deadline; `failed`: refused; `unknown`: no answer within its deadline. */
  readonly status: 'ok' | 'failed' | 'unknown';
  /** When it was issued, in milliseconds. */
  readonly invokeMs: number;
  /** When its answer came, in milliseconds; `undefined` for `unknown` (there was none). */
  readonly returnMs: number | undefined;
  /** When it was counted, in milliseconds: `returnMs`, or the moment its deadline passed. */
  readonly countedAtMs: number;
}

/** Everything measured in a run; from `sim.summary()`. */
export interface MetricsSummary {
  /** Operations issued by workloads. */
  readonly operations: number;
  /** Operations that succeeded within their deadline. */
  readonly ok: number;
  /** Operations the system refused (it said they did not happen). */
  readonly failed: number;
  /** Operations with no answer within their deadline, or still open at the end. */
  readonly unknown: number;
  /** Of `unknown`, the operations still waiting for an answer (within their deadline) when the summary was taken. */
  readonly open: number;
  /** `ok / operations`: the fraction that succeeded within the deadline (1 when none ran). */
  readonly availability: number;
  /** Latencies of the successful operations. */
  readonly latency: LatencySummary;
  /** Successful operations per second of simulated time, between the first invoke and the last completion. */
  readonly throughputPerS: number;
  /** Messages sent by all nodes, including RPC replies and duplicates made by the network. */
  readonly messagesSent: number;
  /** Messages handed to a live node. */
  readonly messagesDelivered: number;
  /** Messages lost, cut by a partition, sent to a crashed node or rejected. */
  readonly messagesDropped: number;
  /** `messagesSent / operations` (0 when none ran). */
  readonly messagesPerOperation: number;
  /** Per-node load, in the order nodes were added. */
  readonly nodes: readonly NodeLoad[];
}

/**
 * Targets a run should meet. Give only the objectives you care about.
 *
 * @example
 * { p99LatencyMs: 150, availability: 0.999, ackedWritesLost: 0 }
 */
export interface SloObjectives {
  /** Highest acceptable median latency, in milliseconds. */
  readonly p50LatencyMs?: number;
  /** Highest acceptable 90th-percentile latency, in milliseconds. */
  readonly p90LatencyMs?: number;
  /** Highest acceptable 99th-percentile latency, in milliseconds. */
  readonly p99LatencyMs?: number;
  /** Highest acceptable 99.9th-percentile latency, in milliseconds. */
  readonly p999LatencyMs?: number;
  /** Highest acceptable single latency, in milliseconds. */
  readonly maxLatencyMs?: number;
  /** Lowest acceptable fraction of operations that succeed within their deadline, in [0, 1]. */
  readonly availability?: number;
  /** Lowest acceptable throughput, in successful operations per second. */
  readonly minThroughputPerS?: number;
  /**
   * Most acknowledged writes that may be lost (normally 0). The simulator cannot see this
   * itself: pass the count an invariant checker measured in `measured.ackedWritesLost`.
   */
  readonly ackedWritesLost?: number;
}

/** The verdict on one objective. */
export interface SloResult {
  /** Which objective. */
  readonly objective: keyof SloObjectives;
  /** The target as given. */
  readonly target: number;
  /** The measured value, or `undefined` when it was not measured (which fails). */
  readonly measured: number | undefined;
  /** Whether the objective was met. */
  readonly pass: boolean;
  /** A readable line such as `p99 latency 212.4 ms > 150 ms: FAIL`. */
  readonly description: string;
}

/** The verdict on all objectives. */
export interface SloReport {
  /** Whether every objective was met. */
  readonly pass: boolean;
  /** One result per objective given, in a fixed order. */
  readonly results: readonly SloResult[];
}

/** What {@link checkSlo} reads: a run's summary, plus figures measured by a checker. */
export type SloMeasurements = Pick<MetricsSummary, 'latency' | 'availability' | 'throughputPerS'> & {
  /** Acknowledged writes lost, as counted by an invariant checker. */
  readonly ackedWritesLost?: number;
};

interface ObjectiveSpec {
  readonly key: keyof SloObjectives;
  readonly label: string;
  readonly unit: string;
  /** `max`: measured must be at most the target; `min`: at least. */
  readonly bound: 'max' | 'min';
  readonly measure: (m: SloMeasurements) => number | undefined;
}

const OBJECTIVES: readonly ObjectiveSpec[] = [
  { key: 'p50LatencyMs', label: 'p50 latency', unit: ' ms', bound: 'max', measure: (m) => m.latency.p50Ms },
  { key: 'p90LatencyMs', label: 'p90 latency', unit: ' ms', bound: 'max', measure: (m) => m.latency.p90Ms },
  { key: 'p99LatencyMs', label: 'p99 latency', unit: ' ms', bound: 'max', measure: (m) => m.latency.p99Ms },
  { key: 'p999LatencyMs', label: 'p99.9 latency', unit: ' ms', bound: 'max', measure: (m) => m.latency.p999Ms },
  { key: 'maxLatencyMs', label: 'max latency', unit: ' ms', bound: 'max', measure: (m) => m.latency.maxMs },
  { key: 'availability', label: 'availability', unit: '', bound: 'min', measure: (m) => m.availability },
  { key: 'minThroughputPerS', label: 'throughput', unit: '/s', bound: 'min', measure: (m) => m.throughputPerS },
  { key: 'ackedWritesLost', label: 'acked writes lost', unit: '', bound: 'max', measure: (m) => m.ackedWritesLost },
];

/**
 * Checks a run against its objectives and says, per objective, what was measured and
 * whether it passed. An objective whose figure was not measured fails.
 *
 * @example
 * const report = checkSlo({ ...sim.summary(), ackedWritesLost: 0 }, { p99LatencyMs: 150, availability: 0.999 });
 * if (!report.pass) console.log(report.results.map((r) => r.description).join('\n'));
 */
export function checkSlo(measured: SloMeasurements, objectives: SloObjectives): SloReport {
  const results: SloResult[] = [];
  for (const spec of OBJECTIVES) {
    const target = objectives[spec.key];
    if (target === undefined) continue;
    const value = spec.measure(measured);
    const pass = value !== undefined && (spec.bound === 'max' ? value <= target : value >= target);
    const shown = value === undefined ? 'not measured' : `${round(value)}${spec.unit}`;
    const relation = value === undefined ? 'vs' : spec.bound === 'max' ? (pass ? '<=' : '>') : pass ? '>=' : '<';
    results.push({
      objective: spec.key,
      target,
      measured: value,
      pass,
      description: `${spec.label} ${shown} ${relation} ${target}${spec.unit}: ${pass ? 'PASS' : 'FAIL'}`,
    });
  }
  return { pass: results.every((r) => r.pass), results };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}
