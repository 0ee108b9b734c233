/**
 * The simulation worker: builds a scenario, runs it one metrics bucket at a time ahead of
 * what the page shows, and streams the trace and measurements back in batches. The
 * simulator is deterministic, so running ahead changes nothing about what is shown; the
 * page asks for more (`demand`) as its playhead moves, which bounds memory and work.
 */
import { getScenario } from '../../scenarios/index.ts';
import type { BuiltScenario } from '../../scenarios/types.ts';
import type { FromWorker, MetricBucket, NodeSample, RunMeta, ToWorker } from './protocol.ts';
import { BIN_COUNT, chooseBucketMs, latencyBin, percentileOfSorted, sparseBins } from './scales.ts';
import { TraceBatcher, transferables } from './trace-batch.ts';

/** Post a batch at least this often (real ms) while running, so the page sees progress. */
const POST_INTERVAL_MS = 40;
/** Or sooner, once this many messages and events are waiting: keeps each batch cheap to receive. */
const POST_SIZE = 4_000;
/** Yield to the worker's event loop this often (real ms), so a restart is heard promptly. */
const YIELD_INTERVAL_MS = 12;

interface Run {
  readonly runId: number;
  readonly built: BuiltScenario;
  readonly meta: RunMeta;
  readonly batcher: TraceBatcher;
  cursor: number;
  bucket: number;
  demandMs: number;
  looping: boolean;
  cancelled: boolean;
  /** Whether the final batch has been posted. */
  finished: boolean;
  // The bucket being filled.
  ok: number;
  failed: number;
  unknown: number;
  latencies: number[];
  pendingBuckets: MetricBucket[];
}

let current: Run | undefined;

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    if (current) current.cancelled = true;
    current = undefined;
    try {
      current = start(message.runId, message.scenarioId, message.params, message.seed);
    } catch (error) {
      post({ type: 'error', runId: message.runId, message: (error as Error).message });
      return;
    }
    post({ type: 'ready', runId: current.runId, meta: current.meta });
    return;
  }
  if (message.type === 'demand' && current && current.runId === message.runId) {
    current.demandMs = Math.max(current.demandMs, message.untilMs);
    if (!current.looping) void loop(current);
  }
});

function start(runId: number, scenarioId: string, params: Readonly<Record<string, number | string | boolean>>, seed: number): Run {
  const scenario = getScenario(scenarioId);
  const built = scenario.build(params, seed);
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
  const meta: RunMeta = {
    scenarioId,
    title: scenario.title,
    description: scenario.description,
    params: scenario.params,
    seed,
    nodes,
    groups,
    durationMs: built.durationMs,
    bucketMs: chooseBucketMs(built.durationMs),
    slo: built.slo ?? {},
  };
  const run: Run = {
    runId,
    built,
    meta,
    batcher: new TraceBatcher(nodes, (status, latencyMs) => {
      if (status === 'ok') {
        run.ok++;
        if (Number.isFinite(latencyMs)) run.latencies.push(latencyMs);
      } else if (status === 'failed') run.failed++;
      else run.unknown++;
    }),
    cursor: 0,
    bucket: 0,
    demandMs: 0,
    looping: false,
    cancelled: false,
    finished: false,
    ok: 0,
    failed: 0,
    unknown: 0,
    latencies: [],
    pendingBuckets: [],
  };
  return run;
}

async function loop(run: Run): Promise<void> {
  run.looping = true;
  const { sim, durationMs } = run.built;
  const { bucketMs } = run.meta;
  let lastPost = performance.now();
  let lastYield = lastPost;
  try {
    while (!run.cancelled) {
      const bucketEnd = Math.min((run.bucket + 1) * bucketMs, durationMs);
      const done = run.bucket * bucketMs >= durationMs;
      if (done || run.bucket * bucketMs >= run.demandMs) {
        // Post what is waiting; an idle run that was asked again has nothing to say.
        if (!run.finished && (done || run.batcher.size > 0 || run.pendingBuckets.length > 0)) flush(run, done);
        if (done) run.finished = true;
        break;
      }
      await sim.runUntil(bucketEnd);
      const events = sim.trace.events;
      for (let i = run.cursor; i < events.length; i++) run.batcher.add(events[i]!);
      run.cursor = events.length;
      run.pendingBuckets.push(closeBucket(run, run.bucket * bucketMs, bucketEnd));
      run.bucket++;
      const now = performance.now();
      if (now - lastPost > POST_INTERVAL_MS || run.batcher.size > POST_SIZE) {
        flush(run, false);
        lastPost = now;
      }
      if (now - lastYield > YIELD_INTERVAL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
  } catch (error) {
    if (!run.cancelled) post({ type: 'error', runId: run.runId, message: (error as Error).message });
  } finally {
    run.looping = false;
  }
}

function closeBucket(run: Run, startMs: number, endMs: number): MetricBucket {
  const sorted = Float64Array.from(run.latencies).sort();
  const dense = new Float64Array(BIN_COUNT);
  for (const ms of sorted) dense[latencyBin(ms)]!++;
  const { sim } = run.built;
  const nodes: NodeSample[] = run.meta.nodes.map((name) => {
    const s = sim.node(name);
    return { queueDepth: s.queueDepth, inService: s.inService, served: s.served, rejected: s.rejected, up: s.state === 'up', paused: s.paused };
  });
  const total = sim.summary().latency;
  const bucket: MetricBucket = {
    startMs,
    endMs,
    ok: run.ok,
    failed: run.failed,
    unknown: run.unknown,
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
    totalP50Ms: total.count > 0 ? total.p50Ms : Number.NaN,
    totalP99Ms: total.count > 0 ? total.p99Ms : Number.NaN,
    bins: sparseBins(dense),
    nodes,
  };
  run.ok = 0;
  run.failed = 0;
  run.unknown = 0;
  run.latencies = [];
  return bucket;
}

function flush(run: Run, done: boolean): void {
  const batch = run.batcher.take();
  const untilMs = Math.min(run.bucket * run.meta.bucketMs, run.built.durationMs);
  post(
    {
      type: 'batch',
      runId: run.runId,
      untilMs,
      ...batch,
      buckets: run.pendingBuckets,
      traceTruncated: run.built.sim.trace.truncated,
      done,
    },
    transferables(batch),
  );
  run.pendingBuckets = [];
}
