import { assert, beforeAll, describe, inject, it } from 'vitest';
import { AVAILABILITY_OBJECTIVE } from './day.ts';
import { plan } from './plan.ts';
import { CUT_AVAILABILITY, MAX_PEAK_UTILISATION, P99_INSIDE_MS, P99_OUTSIDE_MS, dayReport, predictionRows } from './report.ts';
import { runDay, type DayRun } from './system.ts';

const seed = inject('seed');
let run: DayRun;

beforeAll(async () => {
  run = await runDay({ seed, plan });
  console.log(run.schedule);
}, 110_000);

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'never');

/** The rows of the component table that failed something, worst first, as lines. */
function blame(r: DayRun): string {
  const rows = [...r.components].filter((c) => c.failures > 0).sort((a, b) => b.failures - a.failures);
  return rows.length === 0 ? '' : ` Where: ${rows.map((c) => `${c.component} (${c.file}): ${c.summary}`).join('; ')}.`;
}

describe('a production day', () => {
  it('builds the store from your components and runs the whole day without an error in their code', ({ task }) => {
    // The day's report, for the results' report page and for `npm run grade -- --report`.
    (task.meta as { report?: unknown }).report = dayReport(run);
    assert(run.errors.length === 0, `Your components threw while the day ran: ${run.errors.slice(0, 3).join(' | ')}`);
    assert(
      run.neverListed.length === 0,
      `Your registry (../discovery-leases/registry.ts) never listed ${run.neverListed.length} of the ${run.routers.length} routers, though each registered and sent a heartbeat every 100 ms: ` +
        `${run.neverListed.slice(0, 4).join(', ')}${run.neverListed.length > 4 ? ', …' : ''}. The clients could only use the others.`,
    );
    assert(run.timeline.operations > 1_000, `Only ${run.timeline.operations} requests were made: the day did not run.`);
  });

  it(`meets ${pct(AVAILABILITY_OBJECTIVE, 1)} availability outside the zone cut`, () => {
    const t = run.timeline;
    const o = run.outsideCut;
    const spentBy = [...t.windows]
      .filter((w) => w.bad > 0)
      .sort((a, b) => b.budgetSpent - a.budgetSpent)
      .map((w) => `${w.label}: ${w.bad} failed (${pct(w.budgetSpent, 0)} of the day's budget)`);
    assert(
      o.availability >= AVAILABILITY_OBJECTIVE,
      `Outside the zone cut, ${pct(o.availability, 3)} of ${o.operations} requests succeeded (${o.bad} failed), below ${pct(AVAILABILITY_OBJECTIVE, 1)}. ` +
        `Over the whole day: ${pct(t.availability, 3)}, ${pct(t.budget.spentShare, 0)} of the error budget spent.` +
        (spentBy.length > 0 ? ` In the fault windows: ${spentBy.join('; ')}.` : '') +
        blame(run),
    );
  });

  it(`keeps ${pct(CUT_AVAILABILITY, 0)} of requests answered while a zone is cut off`, () => {
    const d = run.duringCut;
    assert(
      d.availability >= CUT_AVAILABILITY,
      `While zone ${run.day.cutZone} was cut off, ${pct(d.availability, 2)} of ${d.operations} requests succeeded (${d.bad} failed), below ${pct(CUT_AVAILABILITY, 0)}: ` +
        `the two zones that keep working hold a majority of every group, so the store can answer nearly everything there.` +
        blame(run),
    );
  });

  it(`keeps p99 under ${P99_OUTSIDE_MS} ms outside the faults and under ${P99_INSIDE_MS} ms inside them`, () => {
    const { outsideFaults, insideFaults } = run.timeline.latency;
    assert(
      outsideFaults.p99Ms <= P99_OUTSIDE_MS,
      `p99 outside the fault windows is ${ms(outsideFaults.p99Ms)}, above ${P99_OUTSIDE_MS} ms: the store is slow with nothing wrong.` + blame(run),
    );
    assert(
      insideFaults.p99Ms <= P99_INSIDE_MS,
      `p99 inside the fault windows is ${ms(insideFaults.p99Ms)}, above ${P99_INSIDE_MS} ms (outside: ${ms(outsideFaults.p99Ms)}): ` +
        `requests wait out timeouts where a fast refusal and a retry elsewhere would do.` + blame(run),
    );
  });

  it('loses no acknowledged write', () => {
    assert(
      run.ackedWritesLost === 0,
      `${run.ackedWritesLost} acknowledged writes were lost. ${run.lostExample ?? ''} A write is lost when it is acknowledged before it is stored: ` +
        `does your router (../sharding-router/router.ts) forward every put, unchanged, to its owner, and does your quorum replica ` +
        `(../quorum-store/replica.ts) acknowledge a put only once W replicas hold it?`,
    );
  });

  it('answers the hottest keys linearizably all day, the zone cut included', () => {
    const v = run.linearizability.verdict;
    assert(
      v === 'linearizable',
      v === 'unknown'
        ? `The checker could not decide within its budget whether the ${run.checkedOperations} operations on the hottest keys are linearizable.`
        : `The ${run.checkedOperations} operations on the hottest keys are not linearizable: a read saw a value older than one already written, or a value no write could have left there. ` +
            `With R = ${run.plan.quorum.r} and W = ${run.plan.quorum.w} of 5, does every read quorum meet every write quorum? ` +
            `And does your quorum replica (../quorum-store/replica.ts) wait for R answers before it answers a read, and for W before it acknowledges a write?`,
    );
  });

  it('runs as many routers as planned, and your capacity plan holds the peak', () => {
    if (run.plan.routersPerZone === 'capacity plan') {
      assert(run.routersPerZone === run.capacityPlanPerZone, `The plan asked for the capacity plan's ${run.capacityPlanPerZone} routers per zone; ${run.routersPerZone} ran.`);
    }
    assert(
      run.peakUtilisation <= MAX_PEAK_UTILISATION,
      `The busiest router was ${pct(run.peakUtilisation, 0)} busy at the peak with ${run.routersPerZone} per zone (your capacity plan: ${run.capacityPlanPerZone}): ` +
        `a queue that full makes the p99. Plan for the flash crowd and for a zone lost.`,
    );
  });

  it('measures what you predicted: the p99 at the peak, the writes lost and the recovery after the zone cut', () => {
    const off = predictionRows(run)
      .filter((p) => !p.ok)
      .map((p) => `${p.name}: ${p.predicted === null ? 'no number yet in plan.ts' : `you predicted ${p.predicted} ${p.unit}`}, the day measured ${p.measured === null ? 'no recovery before the cut healed' : `${p.measured} ${p.unit}`} (within ${p.tolerance} ${p.unit} counts)`);
    assert(off.length === 0, `Your predictions were off: ${off.join('; ')}.`);
  });
});
