/**
 * The day's report: what the capstone's tests judge, as plain data a page draws (the SLO
 * report) and a file keeps. The tests read their bounds from here, so that the report and
 * the verdict can never disagree. Read-only.
 */
import { clockTime } from '@faultlines/sim';
import { AVAILABILITY_OBJECTIVE } from './day.ts';
import { isStuck } from './rebalance.ts';
import type { SystemPlan } from './types.ts';
import type { ComponentRow, DayRun, RequestTrace } from './system.ts';

/**
 * During the zone cut, at least this share of requests succeed. The cut is 15% of this
 * compressed day and a few thousandths of a real one (see day.ts), so it is judged on its
 * own: the 99.9% objective applies to the rest of the day.
 */
export const CUT_AVAILABILITY = 0.99;
/** p99 outside the fault windows: a few client round trips (2–6 ms each way) and two quorum rounds. */
export const P99_OUTSIDE_MS = 40;
/** p99 inside them: a retry after a refusal or an overloaded router, not after a timeout. */
export const P99_INSIDE_MS = 120;
/** A prediction of the peak's p99 within this share of what was measured. */
export const P99_TOLERANCE = 0.3;
/** A prediction of the recovery after the cut within this many milliseconds, or this share. */
export const RECOVERY_TOLERANCE_MS = 400;
export const RECOVERY_TOLERANCE = 0.5;
/** The busiest router may be at most this busy at the peak. */
export const MAX_PEAK_UTILISATION = 0.9;

/** The report's format and version: a reader refuses any other. */
export const DAY_REPORT_FORMAT = 'faultlines-day-report';
export const DAY_REPORT_VERSION = 1;

/** One bound the day is graded on: what it measured, against what, and the margin left. */
export interface BoundRow {
  readonly name: string;
  /** `at least` or `at most` the bound. */
  readonly sense: 'min' | 'max';
  readonly measured: number;
  readonly bound: number;
  readonly unit: '%' | 'ms' | 'writes' | 'share';
  readonly ok: boolean;
}

/** One of the learner's predictions against the day. */
export interface PredictionRow {
  readonly name: string;
  /** `null`: plan.ts gives no number for it yet (the starter's `NaN`). */
  readonly predicted: number | null;
  /** `null`: the day never measured it (no whole second at 99% before the cut healed). */
  readonly measured: number | null;
  /** How far off still counts, in the prediction's unit. */
  readonly tolerance: number;
  readonly unit: 'ms' | 'writes';
  readonly ok: boolean;
}

/** The report itself: every field plain data. */
export interface DayReport {
  readonly format: typeof DAY_REPORT_FORMAT;
  readonly version: typeof DAY_REPORT_VERSION;
  readonly seed: number;
  readonly dayMs: number;
  /** The schedule as printed: the seed, every fault and the flash crowd. */
  readonly schedule: string;
  readonly plan: SystemPlan;
  readonly objective: number;
  readonly operations: number;
  readonly availability: number;
  readonly budget: { readonly allowed: number; readonly spent: number; readonly spentShare: number; readonly exhaustedAtMs: number | null };
  /** The day in {@link DayReport.buckets}' columns: each column one value per bucket. */
  readonly buckets: {
    readonly startMs: readonly number[];
    readonly operations: readonly number[];
    readonly bad: readonly number[];
    readonly okPerS: readonly number[];
    readonly p50Ms: readonly number[];
    readonly p99Ms: readonly number[];
    readonly budgetLeft: readonly number[];
  };
  readonly bucketMs: number;
  readonly windows: readonly {
    readonly kind: string;
    readonly label: string;
    readonly startMs: number;
    readonly endMs: number;
    readonly operations: number;
    readonly bad: number;
    readonly budgetSpent: number;
    readonly p99Ms: number;
  }[];
  readonly bounds: readonly BoundRow[];
  readonly predictions: readonly PredictionRow[];
  readonly components: readonly ComponentRow[];
  readonly slowest: readonly RequestTrace[];
  /** What to change, most important first: each names the component and the file. */
  readonly advice: readonly string[];
  readonly figures: {
    readonly p99OutsideMs: number;
    readonly p99InsideMs: number;
    readonly p99AtPeakMs: number;
    readonly zoneCutRecoveryMs: number | null;
    readonly ackedWritesLost: number;
    readonly peakUtilisation: number;
    readonly routersPerZone: number;
    readonly capacityPlanPerZone: number;
    readonly checkedOperations: number;
    readonly linearizable: 'linearizable' | 'not-linearizable' | 'unknown';
  };
}

const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** The bounds the tests judge, measured. */
export function bounds(run: DayRun): BoundRow[] {
  const { outsideFaults, insideFaults } = run.timeline.latency;
  const rows: BoundRow[] = [
    { name: 'availability outside the zone cut', sense: 'min', measured: run.outsideCut.availability, bound: AVAILABILITY_OBJECTIVE, unit: '%', ok: run.outsideCut.availability >= AVAILABILITY_OBJECTIVE },
    { name: 'availability during the zone cut', sense: 'min', measured: run.duringCut.availability, bound: CUT_AVAILABILITY, unit: '%', ok: run.duringCut.availability >= CUT_AVAILABILITY },
    { name: 'p99 outside the fault windows', sense: 'max', measured: outsideFaults.p99Ms, bound: P99_OUTSIDE_MS, unit: 'ms', ok: outsideFaults.p99Ms <= P99_OUTSIDE_MS },
    { name: 'p99 inside the fault windows', sense: 'max', measured: insideFaults.p99Ms, bound: P99_INSIDE_MS, unit: 'ms', ok: insideFaults.p99Ms <= P99_INSIDE_MS },
    { name: 'acknowledged writes lost', sense: 'max', measured: run.ackedWritesLost, bound: 0, unit: 'writes', ok: run.ackedWritesLost === 0 },
    { name: 'busiest router at the peak', sense: 'max', measured: run.peakUtilisation, bound: MAX_PEAK_UTILISATION, unit: 'share', ok: run.peakUtilisation <= MAX_PEAK_UTILISATION },
  ];
  return rows.map((b) => ({ ...b, measured: round(b.measured, 6) }));
}

/** The learner's predictions against the day, with the tolerance each is judged with. */
export function predictionRows(run: DayRun): PredictionRow[] {
  const p = run.plan.predictions;
  const recovery = run.zoneCutRecoveryMs;
  const recoverySlack = Math.max(RECOVERY_TOLERANCE_MS, RECOVERY_TOLERANCE * recovery);
  // A prediction that is not a number (the starter's NaN) is one not made yet: it matches nothing.
  const given = (x: number): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return [
    { name: 'p99 at the peak', predicted: given(p.p99AtPeakMs), measured: round(run.p99AtPeakMs), tolerance: round(P99_TOLERANCE * run.p99AtPeakMs), unit: 'ms', ok: Math.abs(p.p99AtPeakMs - run.p99AtPeakMs) <= P99_TOLERANCE * run.p99AtPeakMs },
    { name: 'acknowledged writes lost (RPO)', predicted: given(p.ackedWritesLost), measured: run.ackedWritesLost, tolerance: 0, unit: 'writes', ok: p.ackedWritesLost === run.ackedWritesLost },
    // No recovery before the heal matches no prediction: a prediction is a number of milliseconds.
    { name: 'recovery after the zone cut (RTO)', predicted: given(p.zoneCutRecoveryMs), measured: Number.isFinite(recovery) ? recovery : null, tolerance: Number.isFinite(recovery) ? round(recoverySlack) : 0, unit: 'ms', ok: Number.isFinite(recovery) && Math.abs(p.zoneCutRecoveryMs - recovery) <= recoverySlack },
  ];
}

/**
 * What to change, from what the day measured: each line names the component whose code
 * caused the failures, and its file. Empty when every bound and prediction held.
 */
export function advice(run: DayRun, rows: readonly BoundRow[] = bounds(run), predicted: readonly PredictionRow[] = predictionRows(run)): string[] {
  const out: string[] = [];
  const row = (name: string) => run.components.find((c) => c.component === name)!;
  // A router without the map serves nothing, so the controller comes first.
  const { routersWithoutMap, controller } = run;
  if (routersWithoutMap.length > 0 || controller.wrongAnswers.length > 0) {
    const what = [
      routersWithoutMap.length > 0 ? `${routersWithoutMap.length} of the ${run.routers.length} routers never read the shard map from it (${routersWithoutMap.slice(0, 3).join(', ')}${routersWithoutMap.length > 3 ? ', …' : ''}), so they never served` : '',
      controller.wrongAnswers.length > 0 ? `it answered a get of the map with something the operator never wrote (${controller.wrongAnswers[0]})` : '',
    ].filter((x) => x !== '');
    out.push(
      `Shard controller (raft-log/server.ts): ${what.join('; ')}. ${controller.leaders.length === 0 ? 'No server ever led: an election must end with a leader.' : controller.mapWrittenMs === null ? "The operator's put of the map was never acknowledged." : 'A get goes through the log and is answered once its entry is applied.'}`,
    );
  }
  if (run.neverListed.length > 0) {
    out.push(`Registry (discovery-leases/registry.ts): it never listed ${run.neverListed.length} of the ${run.routers.length} routers (${run.neverListed.slice(0, 3).join(', ')}${run.neverListed.length > 3 ? ', …' : ''}), though each one registered and renewed every 100 ms.`);
  }
  if (run.redirects.failedRequests > 0) {
    out.push(
      `Router (sharding-router/router.ts): ${run.redirects.failedRequests} requests failed with a "wrong owner" refusal after the rebalance moved their shard. The refusal names the shard's owner now and carries the newer map: learn the map, and send the request there, once.`,
    );
  }
  const stuck = run.rebalance.moves.find(isStuck);
  if (stuck !== undefined) {
    out.push(
      `Shard controller (raft-log/server.ts): the rebalance's put of the map that moves shard ${stuck.shard} to ${stuck.to}, sent at ${clockTime(stuck.commitSentMs!)}, was never acknowledged, so the shard stayed paused to the end of the day. A leader must commit a client's put once a majority holds it, and a new leader must be elected when the old one is gone.`,
    );
  }
  const gaveUp = run.rebalance.moves.filter((m) => m.error !== undefined);
  if (gaveUp.length > 0) {
    out.push(`Shard groups (quorum-store/replica.ts): ${gaveUp.length} of the rebalance's ${run.rebalance.moves.length} moves gave up and left their shard where it was; the first, shard ${gaveUp[0]!.shard} from ${gaveUp[0]!.from}: ${gaveUp[0]!.error}.`);
  }
  const noRouter = row('client cache and registry').failures;
  if (noRouter > 0) out.push(`Client cache and registry (discovery-leases): ${noRouter} requests found no usable router. A cache must keep serving its last list, less the instances it heard have failed.`);
  if (run.attempts.overloaded > 0 || run.peakUtilisation > MAX_PEAK_UTILISATION) {
    out.push(
      `Capacity (capacity-planning/capacity.ts, plan.ts): ${run.routersPerZone} routers per zone ran (your capacity plan: ${run.capacityPlanPerZone}); the busiest was ${Math.round(run.peakUtilisation * 100)}% busy at the peak and ${run.attempts.overloaded} attempts were refused as overloaded. Size the pool for the peak with the flash crowd, with one zone lost.`,
    );
  }
  const down = run.sentToDownRouter;
  if (down > 0 && down >= 0.01 * run.attempts.sent) {
    out.push(`Balancer (balancer-heterogeneous/balancer.ts): ${down} attempts went to a router that was down. A balancer that learns from failures stops picking a dead instance after a few.`);
  }
  const lost = run.ackedWritesLost;
  const linearizable = run.linearizability.verdict === 'linearizable';
  if (lost > 0 || !linearizable) {
    const { r, w } = run.plan.quorum;
    out.push(
      r + w <= 5
        ? `Quorums (plan.ts): R = ${r} and W = ${w} of 5 do not overlap (R + W = ${r + w}), so a read can miss the last acknowledged write${lost > 0 ? `: ${lost} acknowledged writes were lost` : ''}.`
        : `Quorum replica (quorum-store/replica.ts): ${lost > 0 ? `${lost} acknowledged writes were lost` : 'the hottest keys were not linearizable'} with R = ${r} and W = ${w}. A put is acknowledged only once W replicas hold it, a read answers only after R replicas did.`,
    );
  }
  const groups = row('shard groups');
  const outside = rows.find((b) => b.name === 'availability outside the zone cut')!;
  const during = rows.find((b) => b.name === 'availability during the zone cut')!;
  if ((!outside.ok || !during.ok) && groups.failures > 0 && out.length === 0) {
    out.push(`Shard groups (quorum-store/replica.ts, plan.ts): ${groups.summary}. The two zones that keep working hold a majority of every group; a replica there should answer.`);
  }
  const inside = rows.find((b) => b.name === 'p99 inside the fault windows')!;
  if (!inside.ok) out.push(`Latency in the faults: p99 ${inside.measured.toFixed(1)} ms inside the fault windows. Requests wait out timeouts where a fast refusal and a retry elsewhere would do: see the slowest requests below.`);
  const outsideP99 = rows.find((b) => b.name === 'p99 outside the fault windows')!;
  if (!outsideP99.ok) {
    const routerMs = row('routers').meanMs ?? 0;
    const groupMs = groups.meanMs ?? 0;
    out.push(`Latency with nothing wrong: p99 ${outsideP99.measured.toFixed(1)} ms outside the fault windows; a request spends ${routerMs.toFixed(2)} ms in a router and ${groupMs.toFixed(2)} ms in its shard group on average.`);
  }
  for (const p of predicted) {
    if (!p.ok) out.push(`Prediction (plan.ts): ${p.name}: ${p.predicted === null ? 'not predicted yet' : `you predicted ${p.predicted} ${p.unit}`}, the day measured ${p.measured === null ? 'no recovery before the heal' : `${p.measured} ${p.unit}`}.`);
  }
  return out;
}

/** The report of a day, ready to save or draw. */
export function dayReport(run: DayRun): DayReport {
  const t = run.timeline;
  const rows = bounds(run);
  const predicted = predictionRows(run);
  const b = t.buckets;
  const clean = (xs: readonly number[]) => xs.map((x) => round(x));
  return {
    format: DAY_REPORT_FORMAT,
    version: DAY_REPORT_VERSION,
    seed: run.seed,
    dayMs: run.dayMs,
    schedule: run.schedule,
    plan: run.plan,
    objective: t.objective,
    operations: t.operations,
    availability: round(t.availability, 6),
    budget: { ...t.budget, spentShare: round(t.budget.spentShare, 4) },
    bucketMs: t.bucketMs,
    buckets: { startMs: clean(b.startMs), operations: [...b.operations], bad: [...b.bad], okPerS: clean(b.okPerS), p50Ms: clean(b.p50Ms), p99Ms: clean(b.p99Ms), budgetLeft: clean(b.budgetLeft) },
    windows: t.windows.map((w) => ({ kind: w.kind, label: w.label, startMs: w.startMs, endMs: w.endMs, operations: w.operations, bad: w.bad, budgetSpent: round(w.budgetSpent, 4), p99Ms: round(w.latency.p99Ms) })),
    bounds: rows,
    predictions: predicted,
    components: run.components.map((c) => ({ ...c, ...(c.meanMs === undefined ? {} : { meanMs: round(c.meanMs) }) })),
    slowest: run.slowestRequests.map((r) => ({ ...r, attempts: r.attempts.map((a) => ({ ...a })) })),
    advice: advice(run, rows, predicted),
    figures: {
      p99OutsideMs: round(t.latency.outsideFaults.p99Ms),
      p99InsideMs: round(t.latency.insideFaults.p99Ms),
      p99AtPeakMs: round(run.p99AtPeakMs),
      zoneCutRecoveryMs: Number.isFinite(run.zoneCutRecoveryMs) ? run.zoneCutRecoveryMs : null,
      ackedWritesLost: run.ackedWritesLost,
      peakUtilisation: round(run.peakUtilisation, 4),
      routersPerZone: run.routersPerZone,
      capacityPlanPerZone: run.capacityPlanPerZone,
      checkedOperations: run.checkedOperations,
      linearizable: run.linearizability.verdict,
    },
  };
}
