/**
 * One run of a scenario as the page receives it: the run's description, then batches of
 * messages (from the trace, when the scenario records one) and metrics buckets (from the
 * simulator's own counters, always). Pure and synchronous apart from the simulation
 * itself, so the numbers a lesson shows are tested in Node; `sim-worker.ts` only paces it
 * and posts what it produces.
 *
 * The measurements never come from the trace: a scenario may run with its trace off (big
 * runs do, to run fast), or its trace may reach capacity part-way. Operations are counted
 * through `sim.onOperation`, the same records `sim.summary()` counts, and each bucket
 * carries the summary's running totals, so the figures on the page are the simulator's.
 */
import type { BuiltScenario, Scenario } from '../../scenarios/types.ts';
import type { FromWorker, MetricBucket, NodeSample, RunMeta } from './protocol.ts';
import { BIN_COUNT, chooseBucketMs, latencyBin, percentileOfSorted, sparseBins } from './scales.ts';
import { TraceBatcher, transferables } from '../../sim/index.ts';

/** A batch as posted to the page, without the run id the worker adds. */
export type FeedBatch = Omit<Extract<FromWorker, { type: 'batch' }>, 'type' | 'runId'>;

/** What the page needs to know about a run before its first batch. */
export function describeRun(scenario: Pick<Scenario, 'id' | 'title' | 'description' | 'params'>, built: BuiltScenario, seed: number): RunMeta {
  const nodes = [...built.sim.nodes];
  const index = new Map(nodes.map((n, i) => [n, i]));
  const grouped = new Set<number>();
  const groups: { name: string; nodes: number[] }[] = [];
  for (const [name, members] of Object.entries(built.groups ?? {})) {
    const ids = members.map((m) => index.get(m)).filter((i): i is number => i !== undefined && !grouped.has(i));
    for (const i of ids) grouped.add(i);
    if (ids.length > 0) groups.push({ name, nodes: ids });
  }
  const rest = nodes.map((_, i) => i).filter((i) => !grouped.has(i));
  if (rest.length > 0) groups.push({ name: groups.length === 0 ? 'nodes' : 'other', nodes: rest });
  return {
    scenarioId: scenario.id,
    title: scenario.title,
    description: scenario.description,
    params: scenario.params,
    seed,
    nodes,
    groups,
    durationMs: built.durationMs,
    bucketMs: bucketWidth(scenario.id, built),
    latencyScale: built.charts?.latencyScale ?? 'linear',
    slo: built.slo ?? {},
    traced: built.sim.trace.enabled,
    notes: built.nodeNotes !== undefined,
  };
}

/** The chart bucket a run is cut into: the scenario's own width when it names one, checked. */
function bucketWidth(scenarioId: string, built: BuiltScenario): number {
  const asked = built.charts?.bucketMs;
  if (asked === undefined) return chooseBucketMs(built.durationMs);
  // Between a thousandth of the run (finer than the default) and a twentieth (a chart of 20 points).
  if (!(asked >= built.durationMs / 4_000 && asked <= built.durationMs / 20)) {
    throw new RangeError(
      `scenario ${scenarioId} asks for chart buckets of ${asked} ms; a run of ${built.durationMs} ms takes buckets from ` +
        `${built.durationMs / 4_000} ms to ${built.durationMs / 20} ms`,
    );
  }
  return asked;
}

export class RunFeed {
  readonly meta: RunMeta;
  readonly built: BuiltScenario;
  readonly #batcher: TraceBatcher;
  /** Trace events already handed to the batcher. */
  #cursor = 0;
  /** Index of the next bucket to simulate. */
  #bucket = 0;
  #pendingBuckets: MetricBucket[] = [];
  // The bucket being filled, from the simulator's operation records.
  #ok = 0;
  #failed = 0;
  #unknown = 0;
  #latencies: number[] = [];

  constructor(scenario: Pick<Scenario, 'id' | 'title' | 'description' | 'params'>, built: BuiltScenario, seed: number) {
    this.built = built;
    this.meta = describeRun(scenario, built, seed);
    this.#batcher = new TraceBatcher(this.meta.nodes);
    built.sim.onOperation((op) => {
      if (op.status === 'ok') {
        this.#ok++;
        this.#latencies.push(op.returnMs! - op.invokeMs);
      } else if (op.status === 'failed') this.#failed++;
      else this.#unknown++;
    });
  }

  /** Virtual time simulated so far: every bucket before it is closed. */
  get simulatedMs(): number {
    return Math.min(this.#bucket * this.meta.bucketMs, this.meta.durationMs);
  }

  /** Whether the whole run has been simulated. */
  get done(): boolean {
    return this.#bucket * this.meta.bucketMs >= this.meta.durationMs;
  }

  /** Messages, endings, lane events and buckets waiting to be taken. */
  get waiting(): number {
    return this.#batcher.size + this.#pendingBuckets.length;
  }

  /** Simulates one more bucket of virtual time (nothing once the run is done). */
  async step(): Promise<void> {
    if (this.done) return;
    const { sim, durationMs } = this.built;
    const startMs = this.#bucket * this.meta.bucketMs;
    const endMs = Math.min(startMs + this.meta.bucketMs, durationMs);
    await sim.runUntil(endMs);
    const events = sim.trace.events;
    for (let i = this.#cursor; i < events.length; i++) this.#batcher.add(events[i]!);
    this.#cursor = events.length;
    this.#pendingBuckets.push(this.#closeBucket(startMs, endMs));
    this.#bucket++;
  }

  /** Everything produced since the last call, as one batch; `done` once the run is over. */
  take(): { readonly batch: FeedBatch; readonly transfer: ArrayBuffer[] } {
    const converted = this.#batcher.take();
    const batch: FeedBatch = {
      untilMs: this.simulatedMs,
      ...converted,
      buckets: this.#pendingBuckets,
      traceTruncated: this.built.sim.trace.truncated,
      done: this.done,
    };
    this.#pendingBuckets = [];
    return { batch, transfer: transferables(converted) };
  }

  #closeBucket(startMs: number, endMs: number): MetricBucket {
    const sorted = Float64Array.from(this.#latencies).sort();
    const dense = new Float64Array(BIN_COUNT);
    for (const ms of sorted) dense[latencyBin(ms)]!++;
    const { sim } = this.built;
    const notes = this.built.nodeNotes?.();
    const nodes: NodeSample[] = this.meta.nodes.map((name) => {
      const s = sim.node(name);
      const sample: NodeSample = { queueDepth: s.queueDepth, inService: s.inService, served: s.served, rejected: s.rejected, up: s.state === 'up', paused: s.paused };
      // Only a node with a note carries the field: most scenarios keep none, and every bucket is posted.
      const note = notes !== undefined && Object.hasOwn(notes, name) ? notes[name] : undefined;
      return note === undefined ? sample : { ...sample, note };
    });
    const total = sim.summary();
    const bucket: MetricBucket = {
      startMs,
      endMs,
      ok: this.#ok,
      failed: this.#failed,
      unknown: this.#unknown,
      p50Ms: percentileOfSorted(sorted, 50),
      p99Ms: percentileOfSorted(sorted, 99),
      totalOk: total.ok,
      totalFailed: total.failed,
      totalUnknown: total.unknown - total.open,
      totalOpen: total.open,
      totalP50Ms: total.latency.count > 0 ? total.latency.p50Ms : Number.NaN,
      totalP99Ms: total.latency.count > 0 ? total.latency.p99Ms : Number.NaN,
      bins: sparseBins(dense),
      nodes,
    };
    this.#ok = 0;
    this.#failed = 0;
    this.#unknown = 0;
    this.#latencies = [];
    return bucket;
  }
}
