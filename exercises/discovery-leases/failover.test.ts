/**
 * Your registry and client cache together, in the simulated cluster of `harness.ts`, with
 * the balancer you wrote in the load-balancing lesson choosing among the instances your cache
 * offers, and instances whose worker pools your capacity plan sized: six instances
 * heartbeating every second over a link that loses 10% of messages, five crashes (four
 * restart), and a client sending 240 requests per second for a minute. The whole run
 * happens once; each test reads one number from it.
 *
 * A second run makes the fault correlated: the six instances sit in three zones, two in each,
 * and zone-b is cut off from the registry for 15 s while its instances keep serving the
 * client, at 480 requests a second, with nothing down.
 */
import { assert, describe, inject, it } from 'vitest';
import { createBalancer } from '../balancer-heterogeneous/balancer.ts';
import { workersNeeded } from '../capacity-planning/capacity.ts';
import { createClientCache } from './client-cache.ts';
import { P99_TARGET_MS, ZONE_CUT_RUN, ZONES, runFailover, type FailoverReport } from './harness.ts';
import { createRegistry } from './registry.ts';

const HEARTBEAT_MS = 1_000;
const LOSS_RATE = 0.1;

let run: Promise<FailoverReport> | undefined;
function report(): Promise<FailoverReport> {
  run ??= runFailover(
    { createRegistry, createClientCache, createBalancer, workersNeeded },
    { seed: inject('seed'), heartbeatIntervalMs: HEARTBEAT_MS, refreshIntervalMs: 1_000, lossRate: LOSS_RATE },
  );
  return run;
}

let zoneRun: Promise<FailoverReport> | undefined;
function zoneCutReport(): Promise<FailoverReport> {
  zoneRun ??= runFailover(
    { createRegistry, createClientCache, createBalancer, workersNeeded },
    { seed: inject('seed'), heartbeatIntervalMs: HEARTBEAT_MS, refreshIntervalMs: 1_000, lossRate: LOSS_RATE, ...ZONE_CUT_RUN },
  );
  return zoneRun;
}

const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ms`;
const count = (n: number): string => n.toLocaleString('en-US');
const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;

/** "once", "twice", "3 times". */
const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/**
 * A registry that never drops anyone evicts no live instance and never has a restarted one to
 * bring back: the tests about those check nothing until crashed instances leave the lookups.
 */
function assertSomeCrashDetected(report: FailoverReport, what: string): void {
  const removed = report.detections.filter((d) => d.removedAtMs !== null).length;
  assert(
    removed > 0,
    `Not checked yet: ${what}, and your registry removed none of the ${report.detections.length} crashed instances ` +
      'from lookups. Make the test on removing crashed instances pass first.',
  );
}

describe('failover in the simulated cluster', () => {
  it('raises no errors inside the simulation', async () => {
    const errors = [...(await report()).errors, ...(await zoneCutReport()).errors];
    assert(
      errors.length === 0,
      `your code threw or returned something unusable ${times(errors.length)} while the cluster ran: ${errors.slice(0, 3).join('; ')}`,
    );
  });

  // Seeds 1–200, reference registry: at most 3,420 ms (seed 2; 3,290 ms on seed 44, at most
  // 3,010 ms on the other 198: a crash just after a heartbeat, then the 3 s lease and one 20 ms
  // sample), and at most 3,420 ms with both alternative registries; the same with every
  // balancer and capacity plan, since the faults do not depend on them. On seed 2, s1's lease
  // runs out while s2's, lapsed after three lost heartbeats in a row, is still silent, so the
  // registry holds s1 as part of a correlated silence until s2 is heard from again. The
  // registry that expires every lease on its own (the previous reference) takes at most
  // 3,010 ms; a 4-interval lease up to 4,010 ms.
  it('removes every crashed instance from lookups within 3.5 heartbeat intervals', async () => {
    const { detections } = await report();
    const bound = 3.5 * HEARTBEAT_MS;
    for (const d of detections) {
      const took = d.removedAtMs === null ? Infinity : d.removedAtMs - d.crashAtMs;
      assert(
        took <= bound,
        d.removedAtMs === null
          ? `${d.instance} crashed at t = ${ms(d.crashAtMs)} and lookups still listed it until it restarted (or the run ended); ` +
              `the bound is ${ms(bound)}. Leases that never expire keep dead instances in the registry forever.`
          : `${d.instance} crashed at t = ${ms(d.crashAtMs)} and left the lookups ${ms(took)} later; the bound is ${ms(bound)}. ` +
              'The lease is too long: every extra interval is time the registry hands out a dead address.',
      );
    }
  });

  // Seeds 1–200 with the reference cache: at most 0.094% with the reference balancer, 0.065%
  // with least-outstanding (tests/fixtures/components) and 0.106% with power-of-two over a
  // latency average. The starter sends 0.52–0.58%; a cache that never avoids a failed instance
  // 0.23–0.39% with the reference balancer, but only 0.09–0.20% with the power-of-two one
  // (balancers that count outstanding requests already shy away from a dead instance), so
  // the cache's own tests check the avoidance directly.
  it('sends fewer than 0.2% of requests to instances that are down', async () => {
    const { requests, toDeadInstances, detections } = await report();
    const share = requests === 0 ? 1 : toDeadInstances / requests;
    const perCrash = toDeadInstances / detections.length;
    assert(
      requests > 12_000,
      `the client sent ${count(requests)} requests in a minute at 240 a second (more than 12,000 expected): ` +
        'does usable offer the instances once the cache has been updated?',
    );
    const cause =
      share > 0.005
        ? 'Above 0.5%, the client keeps offering a dead instance until the registry drops it, or for ever: refresh, ' +
          'and stop offering an instance whose request failed.'
        : 'Below 0.5% but above the bound, the client stops at a failure but forgets it too soon: each refresh brings ' +
          'a failed instance back while the registry still lists it, costing a few more timeouts every second.';
    assert(
      share < 0.002,
      `${count(toDeadInstances)} of ${count(requests)} requests (${percent(share)}, about ${perCrash.toFixed(0)} per ` +
        `crash) went to instances that were down; the bound is 0.2%. ${cause}`,
    );
  });

  // Seeds 1–200, reference registry: 0–4 (0: 74 seeds, 1: 76, 2: 38, 3: 10, 4: 2; seed 11 has 3),
  // the same whatever the balancer and capacity plan, since the heartbeats do not depend on
  // them; the expiry-queue alternative 0–2. Expiring every lease on its own (the previous
  // reference) evicts 0–4 too (0: 51, 1: 79, 2: 45, 3: 16, 4: 9): holding a healthy instance
  // whose lease lapses beside a crashed one's spares a few. A 2-interval lease evicts 6–23, a
  // 2.5-interval one 0–7.
  it('evicts at most five live instances over a minute of 10% heartbeat loss', async () => {
    const measured = await report();
    assertSomeCrashDetected(measured, 'a registry that never drops anyone evicts no live instance either');
    const { falseEvictions, heartbeatsLost, heartbeatsSent } = measured;
    const list = falseEvictions.slice(0, 5).map((e) => `${e.instance} at ${ms(e.atMs)}`).join(', ');
    assert(
      falseEvictions.length <= 5,
      `a healthy instance vanished from lookups ${times(falseEvictions.length)} (${list}); the bound is 5 times. ` +
        `${heartbeatsLost} of ${heartbeatsSent} heartbeats were lost, about ${Math.round(LOSS_RATE * 100)}%: a lease that ` +
        'expires after one or two missed heartbeats turns ordinary packet loss into outages. Tolerate about three.',
    );
  });

  // Seeds 1–200, reference cache: at most 1,385 ms (the next refresh after the instance registers
  // again), with every balancer. Avoiding a failed instance for 30 s instead takes 15.6 s or more.
  it('offers a restarted instance to the balancer again within 3 seconds', async () => {
    const measured = await report();
    assertSomeCrashDetected(measured, 'an instance that never leaves the lookups is offered again at once after a restart');
    const { recoveries } = measured;
    const bound = 3_000;
    for (const r of recoveries) {
      const took = r.offeredAtMs === null ? Infinity : r.offeredAtMs - r.restartAtMs;
      assert(
        took <= bound,
        r.offeredAtMs === null
          ? `${r.instance} restarted at t = ${ms(r.restartAtMs)} and the cache never offered it again; the bound is ${ms(bound)}. ` +
              'Does the cache refresh, and does it forgive a failed instance after a while?'
          : `${r.instance} restarted at t = ${ms(r.restartAtMs)} and the cache offered it again ${ms(took)} later; the bound is ` +
              `${ms(bound)}. Avoiding a failed instance for too long wastes capacity once it is back.`,
      );
    }
  });

  // Seeds 1–200, reference cache: at least 99.87% with the reference balancer, 99.88% with
  // least-outstanding, 99.86% with power-of-two over a latency average (and the same with both
  // alternative capacity plans, which size 2 workers as the reference does). The starter answers
  // 99.36–99.44%; a cache that never avoids a failed instance 99.56–99.73% (reference balancer);
  // one that never forgives a failure 25–91%.
  it('answers at least 99.7% of the requests the client issues', async () => {
    const measured = await report();
    assertSomeCrashDetected(
      measured,
      'while crashed instances stay listed for ever, what share is answered depends on the balancer ejecting them, not on discovery',
    );
    const { issued, failed, unrouted, toDeadInstances } = measured;
    const answered = issued === 0 ? 0 : (issued - failed - unrouted) / issued;
    assert(
      answered >= 0.997,
      `${percent(answered)} of ${count(issued)} requests were answered; the bound is 99.7%. ${count(failed)} got no answer ` +
        `in time (${count(toDeadInstances)} of them sent to instances that were down) and ${count(unrouted)} were not sent ` +
        'because the cache offered no instance. ' +
        (unrouted > failed
          ? 'An empty usable list fails every request: does the cache offer the instances once the first refresh has arrived?'
          : 'Most failures are timeouts: stop offering an instance as soon as a request to it fails.'),
    );
  });

  // Seeds 1–200: at most 50.8 ms with the reference components (2 workers per instance), 51.0 ms
  // with least-outstanding and 51.4 ms with power-of-two over a latency average. With 1 worker
  // per instance (the broken square-root staffing of tests/fixtures/components) 58.8–98.1 ms,
  // above the bound on 197 of 200 seeds (90 ms on seed 11); a cache that never forgives a
  // failed instance leaves fewer instances to carry the load, 48–67 ms.
  it(`keeps the p99 of answered requests within the ${P99_TARGET_MS} ms the instances were sized for`, async () => {
    const { p99Ms, workersPerInstance, profile } = await report();
    const workers = workersPerInstance === 1 ? '1 worker' : `${workersPerInstance} workers`;
    assert(
      p99Ms <= P99_TARGET_MS,
      `the p99 of answered requests was ${ms(p99Ms)}; the bound is ${ms(P99_TARGET_MS)}, the target each instance was ` +
        `sized for. Your capacity plan (../capacity-planning/capacity.ts) gave each instance ${workers} for ` +
        `${profile.ratePerS} requests a second of ${profile.meanServiceMs} ms work, its share when two of the six are ` +
        'down. If that is too few for this profile, the plan is at fault even if it passed its own exercise (with one ' +
        `worker, the p99 is ln 100 / (μ − λ), ${ms(Math.log(100) / (1 / profile.meanServiceMs - profile.ratePerS / 1000))} ` +
        'here). Otherwise fewer instances than planned carried the load: is the cache avoiding healthy instances, or ' +
        'keeping restarted ones out too long?',
    );
  });
});

describe('zone-b cut off from the registry for 15 s', () => {
  const cut = ZONE_CUT_RUN.registryCuts[0]!;
  const zoneB = Object.keys(ZONES).filter((name) => ZONES[name] === cut.zone);
  /** Until when an eviction still counts as the cut's: its last lease time, after the heal. */
  const countUntil = cut.untilMs + 3 * HEARTBEAT_MS;

  /** What the client saw during the cut, in words, for the messages. */
  async function duringTheCut(): Promise<string> {
    const { duringCuts, workersPerInstance, profile } = await zoneCutReport();
    const answered = duringCuts.issued === 0 ? 0 : duringCuts.answered / duringCuts.issued;
    const workers = workersPerInstance === 1 ? '1 worker' : `${workersPerInstance} workers`;
    const fewest = Math.max(1, duringCuts.fewestListed);
    return (
      `Each instance has ${workers}, planned for ${profile.ratePerS} requests a second, a sixth of the ` +
      `${ZONE_CUT_RUN.ratePerS}. While the cut lasted the lookups listed as few as ${duringCuts.fewestListed} of the six ` +
      `live instances (about ${Math.round(ZONE_CUT_RUN.ratePerS / fewest)} requests a second each); ` +
      `${percent(answered)} of the ${count(duringCuts.issued)} requests issued were answered, with a p99 of ${ms(duringCuts.p99Ms)}. ` +
      'Above their planned load, one slow answer is enough for the cache to avoid one more instance, and the rest then ' +
      'overload in turn.'
    );
  }

  // Seeds 1–200: exactly 1 every time with the reference registry and both alternative ones
  // (the first of zone-b's leases to run out is expired like a crashed instance's; the other,
  // lapsing within a lease time while the first is still silent, is kept until the heal). A
  // registry that expires leases one by one (tests/fixtures/components, bug-evicts-whole-zone)
  // evicts both on every seed. The load it leaves is not graded, as it depends on luck: with
  // that registry, 34 of the 200 seeds answered only 29–99% of the cut's requests (one slow
  // answer, one more instance avoided, the rest overloaded), the other 166 at least 99.9%; with
  // the reference, at least 99.96% on every seed.
  it(`evicts at most one of ${zoneB.join(' and ')} while ${cut.zone} is cut off from the registry`, async () => {
    assertSomeCrashDetected(await report(), 'a registry that never drops anyone keeps a cut-off zone listed too');
    const { falseEvictions } = await zoneCutReport();
    const evicted = falseEvictions.filter((e) => zoneB.includes(e.instance) && e.atMs >= cut.fromMs && e.atMs < countUntil);
    const instances = new Set(evicted.map((e) => e.instance));
    const list = evicted.slice(0, 4).map((e) => `${e.instance} at ${ms(e.atMs)}`).join(', ');
    assert(
      instances.size <= 1,
      `${cut.zone} (${zoneB.join(', ')}) was cut off from the registry from t = ${ms(cut.fromMs)} to ${ms(cut.untilMs)}, ` +
        `alive and serving the client all along, and both its instances dropped out of the lookups (${list}); the bound ` +
        `is one. ${await duringTheCut()} To the registry a zone cut off and a zone that died look the same: every lease ` +
        'of the zone lapses within about one heartbeat interval. The first lapse looks like any crash, but when a second ' +
        'lease runs out while the first instance is still silent, stop expiring and keep listing; the clients catch a zone ' +
        'that really died through their own failed requests.',
    );
  });
});
