/**
 * An SLO over time: a run's operations sorted into buckets of time and into fault windows,
 * so that a report can say not only "99.95% available, p99 41 ms" but when the errors came,
 * how much of the error budget each fault spent, and how latency inside the faults compares
 * with latency outside them.
 *
 * The error budget is the share of operations the availability objective allows to fail:
 * with an objective of 99.9% over a day of 2,000,000 operations, 2,000 may fail. The report
 * follows it bucket by bucket (the burn-down), as an SRE team's dashboard does.
 *
 * Feed it every operation once, in any order (`record`), then read `report()`: plain data
 * that travels in a report file.
 */
import type { FaultWindow } from './faults.ts';
import { LatencyRecorder, type LatencySummary } from './metrics.ts';

/** One operation as the timeline counts it: a `FinishedOperation` with an optional name. */
export interface TimelineOperation {
  /** `ok`: succeeded within its deadline; `failed`: refused; `unknown`: no answer within its deadline. */
  readonly status: 'ok' | 'failed' | 'unknown';
  /** When it was issued, in milliseconds: what decides its bucket and its windows. */
  readonly invokeMs: number;
  /** When its answer came; `undefined` for `unknown`. */
  readonly returnMs: number | undefined;
  /** What a reader sees in the list of slowest operations: `put k17 from client-a3`. */
  readonly label?: string;
  /** A number the scenario can find the operation by again (its trace). */
  readonly id?: number;
}

/** What the timeline measures against. */
export interface SloTimelineOptions {
  /** Start of the measured span, in milliseconds. */
  readonly startMs: number;
  /** End of the measured span; operations invoked at or after it are not counted. */
  readonly endMs: number;
  /** Width of a bucket, in milliseconds (the last one may be shorter). */
  readonly bucketMs: number;
  /** The availability objective, in (0, 1): 0.999 for "three nines". */
  readonly objective: number;
  /**
   * The windows that count as fault time. Leave out a fault that lasts the whole run
   * (background loss): everything would be inside it.
   */
  readonly windows?: readonly FaultWindow[];
  /** How many of the slowest successful operations to keep. @default 10 */
  readonly slowest?: number;
}

/** Figures of one fault window. */
export interface WindowFigures extends FaultWindow {
  /** Operations invoked inside the window. */
  readonly operations: number;
  /** Of those, how many failed or got no answer. */
  readonly bad: number;
  /** `1 - bad / operations` (1 when none ran). */
  readonly availability: number;
  /** Share of the whole run's error budget these failures spent (can exceed 1). */
  readonly budgetSpent: number;
  /** Latencies of the window's successful operations. */
  readonly latency: LatencySummary;
}

/** One of the slowest successful operations. */
export interface SlowOperation {
  readonly id?: number;
  readonly label?: string;
  readonly invokeMs: number;
  readonly latencyMs: number;
  /** Labels of the fault windows it was invoked in. */
  readonly during: readonly string[];
}

/** What {@link SloTimeline.report} returns: plain data, the same in every host. */
export interface SloTimelineReport {
  readonly startMs: number;
  readonly endMs: number;
  readonly bucketMs: number;
  readonly objective: number;
  readonly operations: number;
  readonly ok: number;
  readonly failed: number;
  readonly unknown: number;
  /** `ok / operations` (1 when none ran). */
  readonly availability: number;
  readonly budget: {
    /** Failures the objective allows over the run: `(1 - objective) × operations`. */
    readonly allowed: number;
    /** Failures there were (`failed + unknown`). */
    readonly spent: number;
    /** `spent / allowed`: above 1, the objective was missed. */
    readonly spentShare: number;
    /** End of the first bucket after which nothing was left, or `null`. */
    readonly exhaustedAtMs: number | null;
  };
  /** One entry per bucket, each a column of equal length. */
  readonly buckets: {
    readonly startMs: readonly number[];
    readonly operations: readonly number[];
    readonly ok: readonly number[];
    /** Failed or unanswered. */
    readonly bad: readonly number[];
    /** Successful operations per second. */
    readonly okPerS: readonly number[];
    readonly p50Ms: readonly number[];
    readonly p99Ms: readonly number[];
    /** Share of the run's budget left at the end of the bucket (below 0 once overspent). */
    readonly budgetLeft: readonly number[];
  };
  readonly latency: {
    readonly all: LatencySummary;
    /** Operations invoked outside every window. */
    readonly outsideFaults: LatencySummary;
    /** Operations invoked inside at least one window. */
    readonly insideFaults: LatencySummary;
  };
  readonly windows: readonly WindowFigures[];
  /** The slowest successful operations, slowest first. */
  readonly slowest: readonly SlowOperation[];
}

interface WindowCount {
  readonly window: FaultWindow;
  operations: number;
  bad: number;
  readonly latency: LatencyRecorder;
}

/**
 * Sorts operations into buckets and fault windows as they finish.
 *
 * @example
 * const timeline = new SloTimeline({ startMs: 0, endMs: 60_000, bucketMs: 1_000, objective: 0.999, windows });
 * sim.onOperation((op) => timeline.record(op));
 * await sim.runUntilIdle();
 * const report = timeline.report(); // report.budget.spentShare, report.latency.insideFaults.p99Ms, …
 */
export class SloTimeline {
  readonly #options: SloTimelineOptions;
  readonly #bucketCount: number;
  readonly #operations: Int32Array;
  readonly #ok: Int32Array;
  readonly #bad: Int32Array;
  readonly #bucketLatency: LatencyRecorder[];
  readonly #all = new LatencyRecorder();
  readonly #outside = new LatencyRecorder();
  readonly #inside = new LatencyRecorder();
  readonly #windows: WindowCount[];
  /** The slowest kept so far, slowest first. */
  readonly #slowest: SlowOperation[] = [];
  readonly #keep: number;
  #failed = 0;
  #unknown = 0;

  constructor(options: SloTimelineOptions) {
    const { startMs, endMs, bucketMs, objective } = options;
    if (!(endMs > startMs) || !Number.isFinite(endMs) || !Number.isFinite(startMs)) {
      throw new RangeError(`endMs (${endMs}) must be a finite time after startMs (${startMs}).`);
    }
    if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0; got ${bucketMs}.`);
    if (!(objective > 0 && objective < 1)) throw new RangeError(`objective must be in (0, 1), such as 0.999; got ${objective}.`);
    this.#options = options;
    this.#bucketCount = Math.ceil((endMs - startMs) / bucketMs);
    if (this.#bucketCount > 100_000) throw new RangeError(`${this.#bucketCount} buckets is too many; use a wider bucketMs.`);
    this.#operations = new Int32Array(this.#bucketCount);
    this.#ok = new Int32Array(this.#bucketCount);
    this.#bad = new Int32Array(this.#bucketCount);
    this.#bucketLatency = Array.from({ length: this.#bucketCount }, () => new LatencyRecorder());
    this.#windows = (options.windows ?? []).map((window) => ({ window, operations: 0, bad: 0, latency: new LatencyRecorder() }));
    this.#keep = options.slowest ?? 10;
  }

  /** Counts one operation (once). Operations invoked outside `[startMs, endMs)` are ignored. */
  record(op: TimelineOperation): void {
    const { startMs, endMs, bucketMs } = this.#options;
    const t = op.invokeMs;
    if (!(t >= startMs && t < endMs)) return;
    const bucket = Math.min(this.#bucketCount - 1, Math.floor((t - startMs) / bucketMs));
    this.#operations[bucket]!++;
    const ok = op.status === 'ok';
    const latencyMs = ok && op.returnMs !== undefined ? op.returnMs - t : undefined;
    if (ok) this.#ok[bucket]!++;
    else {
      this.#bad[bucket]!++;
      if (op.status === 'failed') this.#failed++;
      else this.#unknown++;
    }
    let inside = false;
    for (const count of this.#windows) {
      if (t >= count.window.startMs && t < count.window.endMs) {
        inside = true;
        count.operations++;
        if (!ok) count.bad++;
        else if (latencyMs !== undefined) count.latency.record(latencyMs);
      }
    }
    if (latencyMs === undefined) return;
    this.#all.record(latencyMs);
    this.#bucketLatency[bucket]!.record(latencyMs);
    (inside ? this.#inside : this.#outside).record(latencyMs);
    this.#keepIfSlow(op, latencyMs);
  }

  #keepIfSlow(op: TimelineOperation, latencyMs: number): void {
    const slowest = this.#slowest;
    if (this.#keep === 0) return;
    const candidate = { latencyMs, invokeMs: op.invokeMs, id: op.id ?? 0 };
    if (slowest.length === this.#keep && !slowerThan(candidate, slowest[slowest.length - 1]!)) return;
    const during = this.#windows
      .filter((c) => op.invokeMs >= c.window.startMs && op.invokeMs < c.window.endMs)
      .map((c) => c.window.label);
    const entry: SlowOperation = {
      ...(op.id !== undefined ? { id: op.id } : {}),
      ...(op.label !== undefined ? { label: op.label } : {}),
      invokeMs: op.invokeMs,
      latencyMs,
      during,
    };
    let at = slowest.length;
    while (at > 0 && slowerThan(candidate, slowest[at - 1]!)) at--;
    slowest.splice(at, 0, entry);
    if (slowest.length > this.#keep) slowest.pop();
  }

  /** Everything measured, as plain data. */
  report(): SloTimelineReport {
    const { startMs, endMs, bucketMs, objective } = this.#options;
    let operations = 0;
    for (const n of this.#operations) operations += n;
    const ok = operations - this.#failed - this.#unknown;
    const spent = this.#failed + this.#unknown;
    const allowed = (1 - objective) * operations;
    const budgetLeft: number[] = [];
    let exhaustedAtMs: number | null = null;
    let cumulative = 0;
    for (let i = 0; i < this.#bucketCount; i++) {
      cumulative += this.#bad[i]!;
      // With no operations nothing is allowed and nothing spent: the whole budget is left.
      const left = allowed > 0 ? 1 - cumulative / allowed : 1;
      budgetLeft.push(left);
      if (exhaustedAtMs === null && left <= 0) exhaustedAtMs = Math.min(endMs, startMs + (i + 1) * bucketMs);
    }
    const widths = Array.from({ length: this.#bucketCount }, (_, i) => Math.min(endMs, startMs + (i + 1) * bucketMs) - (startMs + i * bucketMs));
    return {
      startMs,
      endMs,
      bucketMs,
      objective,
      operations,
      ok,
      failed: this.#failed,
      unknown: this.#unknown,
      availability: operations === 0 ? 1 : ok / operations,
      budget: { allowed, spent, spentShare: allowed > 0 ? spent / allowed : 0, exhaustedAtMs },
      buckets: {
        startMs: widths.map((_, i) => startMs + i * bucketMs),
        operations: [...this.#operations],
        ok: [...this.#ok],
        bad: [...this.#bad],
        okPerS: widths.map((w, i) => (this.#ok[i]! * 1000) / w),
        p50Ms: this.#bucketLatency.map((r) => r.percentileMs(50)),
        p99Ms: this.#bucketLatency.map((r) => r.percentileMs(99)),
        budgetLeft,
      },
      latency: { all: this.#all.summary(), outsideFaults: this.#outside.summary(), insideFaults: this.#inside.summary() },
      windows: this.#windows.map((c) => ({
        ...c.window,
        operations: c.operations,
        bad: c.bad,
        availability: c.operations === 0 ? 1 : 1 - c.bad / c.operations,
        budgetSpent: allowed > 0 ? c.bad / allowed : 0,
        latency: c.latency.summary(),
      })),
      slowest: this.#slowest.map((s) => ({ ...s, during: [...s.during] })),
    };
  }
}

/**
 * Whether `a` comes before `b` in the list of slowest: slower first, then the earlier, then
 * the smaller id, so that the list does not depend on the order operations were recorded in.
 */
function slowerThan(a: { latencyMs: number; invokeMs: number; id: number }, b: SlowOperation): boolean {
  if (a.latencyMs !== b.latencyMs) return a.latencyMs > b.latencyMs;
  if (a.invokeMs !== b.invokeMs) return a.invokeMs < b.invokeMs;
  return a.id < (b.id ?? 0);
}
