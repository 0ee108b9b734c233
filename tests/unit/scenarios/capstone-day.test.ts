/**
 * The capstone-day scenario (the Design review's live simulation) builds, is deterministic
 * per seed, and shows what the lesson says of it over seeds 1 to 8: with the reference
 * client's settings the router's crash spends the budget and the cut of zone c costs
 * nothing; a 50 ms attempt timeout alone moves failures into the cut (a refusal from the
 * cut-off coordinator arrives after 50 ms); with timed-out reads retried it keeps the budget
 * on most seeds; 10 ms is below an honest answer and fails nearly everything. Quorums that
 * one zone's loss can break fail the cut; R = W = 3 keeps every key linearizable.
 */
import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel } from '../../../src/sim/checker/index.ts';
import { getScenario } from '../../../src/scenarios/index.ts';
import {
  AVAILABILITY_OBJECTIVE,
  AVOID_MS,
  CRASH,
  CUT,
  LEASE_MS,
  budgetNote,
  buildCapstoneDay,
  scenario,
  type CapstoneDayStats,
} from '../../../src/scenarios/capstone-day.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

async function run(overrides: ParamValues, seed: number, trace = false) {
  const built = buildCapstoneDay({ ...defaultParams(scenario), ...overrides }, seed, { trace });
  await built.sim.runUntil(built.durationMs);
  return { built, stats: built.stats(), errors: built.sim.errors };
}

const windowOf = (stats: CapstoneDayStats, kind: 'crash' | 'partition') => stats.timeline.windows.find((w) => w.kind === kind)!;
const bad = (stats: CapstoneDayStats): number => stats.timeline.failed + stats.timeline.unknown;

/** The figures of a setting over every seed. */
async function sweep(overrides: ParamValues) {
  const runs = [];
  for (const seed of SEEDS) runs.push(await run(overrides, seed));
  return runs;
}

describe('capstone-day: the scenario', () => {
  it('is registered, with the reference client’s settings as its defaults', () => {
    expect(getScenario('capstone-day')).toBe(scenario);
    expect(defaultParams(scenario)).toEqual({ quorum: '3-3', cutZone: 'c', attemptTimeoutMs: 250, retryTimedOutReads: false });
  });

  it('is deterministic per seed, and reading the client’s note while it runs changes nothing', async () => {
    const plain = await run({}, 3, true);
    const observed = buildCapstoneDay(defaultParams(scenario), 3, { trace: true });
    const notes: string[] = [];
    for (let t = 250; t <= observed.durationMs; t += 250) {
      await observed.sim.runUntil(t);
      notes.push(observed.nodeNotes!()['users']!);
    }
    await observed.sim.runUntil(observed.durationMs);
    expect(observed.sim.trace.hash).toBe(plain.built.sim.trace.hash);
    expect(observed.stats()).toEqual(plain.stats);
    expect(notes.at(-1)).toBe(budgetNote(plain.stats.timeline.operations, bad(plain.stats)));
    expect(plain.errors).toEqual([]);
  });

  it('writes the client’s note as failed requests and the budget they spent', () => {
    expect(budgetNote(2_429, 7)).toBe('7 failed · 288% of budget');
    expect(budgetNote(0, 0)).toBe('0 failed · 0% of budget');
    expect(budgetNote(1_000, 1)).toBe(`1 failed · ${Math.round(1 / (1_000 * (1 - AVAILABILITY_OBJECTIVE)) * 100)}% of budget`);
    expect(budgetNote(12_345, 1_234)).toBe('1,234 failed · 9996% of budget');
  });
});

describe('capstone-day: what the lesson says of it', () => {
  it('with the reference client: the crash spends the budget, the cut of zone c costs nothing, and the rest of the day fails almost nothing', async () => {
    let crashFailures = 0;
    for (const { stats } of await sweep({})) {
      const crash = windowOf(stats, 'crash');
      const cut = windowOf(stats, 'partition');
      expect(cut.bad).toBe(0);
      expect(crash.bad).toBeGreaterThan(0);
      // Every failure is a request sent to the crashed router, and at most one was sent just before its window.
      expect(bad(stats)).toBeLessThanOrEqual(crash.bad + 1);
      expect(crash.bad).toBe(stats.toDownRouter);
      crashFailures += crash.bad;
      expect(stats.timeline.latency.outsideFaults.p99Ms).toBeLessThan(20);
    }
    // Summed over the seeds, the crash alone spends more than the days' budgets.
    expect(crashFailures).toBeGreaterThan(SEEDS.length * 2.4);
  });

  it('learns a router is gone only from a timeout: the crash costs the requests sent before the first one came back', async () => {
    // The lease and the cache would take LEASE_MS plus a refresh; the first timeout comes back sooner and the client avoids the router for AVOID_MS.
    expect(AVOID_MS).toBeGreaterThan(LEASE_MS);
    const { stats } = await run({}, 4);
    expect(stats.toDownRouter).toBe(7);
    const short = await run({ attemptTimeoutMs: 50 }, 4);
    expect(short.stats.toDownRouter).toBeLessThan(stats.toDownRouter);
  });

  it('a 50 ms attempt timeout alone moves failures into the cut: the cut-off coordinator refuses only after its 50 ms calls time out', async () => {
    let cutFailures = 0;
    let total = 0;
    let reference = 0;
    const runs = await sweep({ attemptTimeoutMs: 50 });
    const referenceRuns = await sweep({});
    runs.forEach(({ stats }, i) => {
      cutFailures += windowOf(stats, 'partition').bad;
      total += bad(stats);
      reference += bad(referenceRuns[i]!.stats);
    });
    expect(cutFailures).toBeGreaterThanOrEqual(SEEDS.length * 2);
    expect(total).toBeGreaterThan(reference);
  });

  it('with timed-out reads retried as well, the day keeps its budget on most seeds', async () => {
    const runs = await sweep({ attemptTimeoutMs: 50, retryTimedOutReads: true });
    const kept = runs.filter(({ stats }) => stats.timeline.budget.spentShare <= 1).length;
    expect(kept).toBeGreaterThanOrEqual(6);
    const seed4 = runs[SEEDS.indexOf(4)]!.stats;
    expect(bad(seed4)).toBe(0);
  });

  it('a 10 ms attempt timeout is shorter than an honest answer: the client avoids every router and nearly everything fails', async () => {
    const { stats } = await run({ attemptTimeoutMs: 10, retryTimedOutReads: true }, 4);
    expect(stats.timeline.availability).toBeLessThan(0.1);
    expect(stats.timeline.failed).toBeGreaterThan(stats.timeline.unknown);
  });

  it('quorum sizes: R = 2, W = 4 fails the cut of a two-replica zone, not of zone c; R = 1, W = 5 fails any cut; R = W = 3 neither', async () => {
    const share = (stats: CapstoneDayStats) => windowOf(stats, 'partition').bad / windowOf(stats, 'partition').operations;
    expect(share((await run({ quorum: '2-4', cutZone: 'a' }, 4)).stats)).toBeGreaterThan(0.9);
    expect(share((await run({ quorum: '2-4', cutZone: 'c' }, 4)).stats)).toBe(0);
    expect(share((await run({ quorum: '1-5', cutZone: 'c' }, 4)).stats)).toBeGreaterThan(0.9);
    expect(share((await run({ quorum: '3-3', cutZone: 'a' }, 4)).stats)).toBe(0);
  });

  it('with R = W = 3 the history of every key is linearizable through the crash and the cut', async () => {
    const { built } = await run({}, 4);
    const keys = new Set(built.history().map((op) => op.input.key));
    expect(keys.size).toBeGreaterThan(20);
    expect(checkLinearizability(kvModel(), [...built.history()]).verdict).toBe('linearizable');
  });

  it('keeps the faults where the description says', () => {
    expect(scenario.description).toContain(`${CRASH.router} crashes at ${CRASH.atMs / 1000} s and restarts at ${CRASH.restartAtMs / 1000} s`);
    expect(scenario.description).toContain(`from ${CUT.fromMs / 1000} s to ${CUT.toMs / 1000} s`);
  });
});
