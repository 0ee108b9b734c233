/**
 * The capstone's harness, part by part: where replicas sit, what the day draws from its seed,
 * how the network copies what replicas send, and how recovery after the cut is measured. The
 * whole day runs in the exercise's own tests (the validity and components suites).
 */
import { describe, expect, it, vi } from 'vitest';
import { CUT_MS, DAY_MS, GROUPS, ZONES, drawDay, type Zone } from '../../../exercises/capstone/day.ts';
import { advice, bounds, predictionRows } from '../../../exercises/capstone/report.ts';
import { frozenCopy, p99, recoveryAfter, replicaName, replicaZone, type DayRun } from '../../../exercises/capstone/system.ts';
import type { KvInput, KvOutput, Operation } from '../../../src/sim/index.ts';

// Exercises import the simulator by the name the grader gives it; the unit project has no such alias.
vi.mock('@faultlines/sim', () => import('../../../src/sim/index.ts'));

const replicas = [1, 2, 3, 4, 5];
const routers = ZONES.flatMap((z) => [1, 2, 3, 4].map((i) => `router-${z}${i}`));
const zoneNodes = (zone: Zone) => [...routers.filter((r) => r.startsWith(`router-${zone}`)), ...GROUPS.flatMap((g) => replicas.filter((r) => replicaZone(g, r) === zone).map((r) => replicaName(g, r)))];
const otherNodes = (zone: Zone) => ZONES.filter((z) => z !== zone).flatMap(zoneNodes);

describe("the capstone's store", () => {
  it('puts two, two and one of each group\'s five replicas in the three zones, so that any zone cut leaves a majority of three', () => {
    for (const group of GROUPS) {
      const counts = ZONES.map((zone) => replicas.filter((r) => replicaZone(group, r) === zone).length);
      expect([...counts].sort()).toEqual([1, 2, 2]);
      for (const zone of ZONES) expect(5 - counts[ZONES.indexOf(zone)]!, `${group} without zone ${zone}`).toBeGreaterThanOrEqual(3);
    }
    // Each group starts one zone further, so no zone holds the lone replica of every group.
    expect(new Set(GROUPS.map((g) => ZONES.find((z) => replicas.filter((r) => replicaZone(g, r) === z).length === 1))).size).toBe(3);
  });

  it('draws the same day from the same seed, every fault inside the day, and another day from another seed', () => {
    const day = (seed: number) => drawDay(seed, DAY_MS, routers, replicaName, zoneNodes, otherNodes);
    expect(JSON.stringify(day(7))).toBe(JSON.stringify(day(7)));
    expect(JSON.stringify(day(7))).not.toBe(JSON.stringify(day(8)));
    for (let seed = 1; seed <= 200; seed++) {
      const d = day(seed);
      for (const fault of d.faults) {
        expect(fault.atMs, `${seed}: ${fault.label}`).toBeGreaterThanOrEqual(0);
        expect(fault.untilMs ?? 0, `${seed}: ${fault.label}`).toBeLessThanOrEqual(DAY_MS);
      }
      expect(d.cut.untilMs - d.cut.atMs).toBe(CUT_MS);
      // The cut splits the zones' nodes in two; the registry and the clients are on neither side.
      const cut = d.faults.find((f) => f.kind === 'partition')!;
      expect(cut.kind === 'partition' && cut.groups.flat().sort()).toEqual([...routers, ...GROUPS.flatMap((g) => replicas.map((r) => replicaName(g, r)))].sort());
      expect(d.flashCrowd.startMs + d.flashCrowd.durationMs).toBeLessThanOrEqual(DAY_MS);
      // The shards move at the evening peak, once the cut has healed.
      expect(d.rebalance.atMs, `${seed}: the rebalance`).toBeGreaterThanOrEqual(d.cut.untilMs);
    }
  });
});

describe("the capstone's network copies", () => {
  it('copy plain data once, frozen, and pass a copy on again without copying it', () => {
    const message = { kind: 'write', key: 'k1', stored: { value: 'v', version: { t: 3, by: 'g1-2' } }, list: [1, [2, 3]] };
    const copy = frozenCopy(message, 'a message') as typeof message;
    expect(copy).toEqual(message);
    expect(copy).not.toBe(message);
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.stored.version) && Object.isFrozen(copy.list[1])).toBe(true);
    message.stored.version.t = 99;
    expect(copy.stored.version.t).toBe(3);
    expect(frozenCopy(copy, 'again')).toBe(copy);
    expect(frozenCopy({ inner: copy.stored }, 'a wrapper')).toEqual({ inner: copy.stored });
    expect((frozenCopy({ inner: copy.stored }, 'a wrapper') as { inner: unknown }).inner).toBe(copy.stored);
  });

  it('refuse what a network cannot carry, naming it', () => {
    expect(() => frozenCopy({ at: new Date(0) }, "g1-1's message to g1-2")).toThrow("g1-1's message to g1-2 is not plain data (class instances cannot cross a network)");
    expect(() => frozenCopy({ f: () => 1 }, 'an answer')).toThrow('an answer is not plain data (a function cannot cross a network)');
    expect(() => frozenCopy([Symbol('s')], 'a list')).toThrow('a symbol cannot cross a network');
  });
});

describe("the capstone's figures", () => {
  const op = (invokeMs: number, ok: boolean): Operation<KvInput, KvOutput> =>
    ({ status: ok ? 'ok' : 'failed', invokeMs, returnMs: invokeMs + 5, input: { kind: 'get', key: 'k1' }, clientId: 0, index: 0 }) as unknown as Operation<KvInput, KvOutput>;

  it('measure recovery as the start of the first whole second at 99%, or never', () => {
    // 1,000 requests a second; every tenth fails until 1.35 s after the cut at 10 s.
    const history = Array.from({ length: 6_000 }, (_, i) => op(8_000 + i, !(i >= 2_000 && i < 3_350 && i % 10 === 0)));
    expect(recoveryAfter(history, 10_000, 13_000)).toBe(1_300);
    const never = Array.from({ length: 6_000 }, (_, i) => op(8_000 + i, i % 50 !== 0));
    expect(recoveryAfter(never, 10_000, 13_000)).toBe(Infinity);
  });

  it('take the p99 by nearest rank', () => {
    expect(p99(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(99);
    expect(p99([5])).toBe(5);
    expect(p99([])).toBe(0);
  });
});

describe("the capstone's report", () => {
  /** A day where everything held, as far as the report reads it; each case breaks one thing. */
  const healthy = (): DayRun =>
    ({
      seed: 1,
      plan: { quorum: { r: 3, w: 3 }, routersPerZone: 'capacity plan', predictions: { p99AtPeakMs: 15, ackedWritesLost: 0, zoneCutRecoveryMs: 0 } },
      routers: Array.from({ length: 12 }, (_, i) => `router-${i}`),
      routersPerZone: 4,
      capacityPlanPerZone: 4,
      neverListed: [],
      attempts: { sent: 100_000, ok: 99_990, timeout: 5, refused: 5, overloaded: 0, retries: 10 },
      sentToDownRouter: 12,
      peakUtilisation: 0.75,
      ackedWritesLost: 0,
      linearizability: { verdict: 'linearizable' },
      outsideCut: { operations: 90_000, bad: 9, availability: 0.9999 },
      duringCut: { operations: 10_000, bad: 20, availability: 0.998 },
      timeline: { latency: { outsideFaults: { p99Ms: 14.5 }, insideFaults: { p99Ms: 15 } } },
      p99AtPeakMs: 15.2,
      zoneCutRecoveryMs: 0,
      controller: { mapWrittenMs: 210, leaders: [{ server: 'ctl-2', term: 1, atMs: 190 }], reads: [], failedTries: 40, wrongAnswers: [] },
      routersWithoutMap: [],
      rebalance: { planned: [{ shard: 3, from: 'g2', to: 'g5' }], moves: [{ shard: 3, from: 'g2', to: 'g5', startMs: 15_300, endMs: 15_320, keys: 30, epoch: 2 }], startedMs: 15_300, endedMs: 15_320 },
      redirects: { refused: 40, waited: 12, failedRequests: 0 },
      components: [
        { component: 'balancer', exercises: ['balancer-heterogeneous'], file: 'balancer-heterogeneous/balancer.ts', failures: 12, summary: '' },
        { component: 'client cache and registry', exercises: ['discovery-leases'], file: '', failures: 0, summary: '' },
        { component: 'routers', exercises: ['sharding-router'], file: '', failures: 0, summary: '' },
        { component: 'shard groups', exercises: ['quorum-store'], file: '', failures: 25, meanMs: 1.8, summary: 'R=3, W=3 of 5; 20 refusals' },
      ],
    }) as unknown as DayRun;

  it('has nothing to change when every bound and prediction held, and grades the bounds the tests grade', () => {
    const run = healthy();
    expect(advice(run)).toEqual([]);
    expect(bounds(run).every((b) => b.ok)).toBe(true);
    expect(predictionRows(run).map((p) => [p.name, p.ok])).toEqual([
      ['p99 at the peak', true],
      ['acknowledged writes lost (RPO)', true],
      ['recovery after the zone cut (RTO)', true],
    ]);
  });

  it('points at the component that failed: the controller, the registry, the capacity plan, the balancer, the quorums', () => {
    const first = (change: Partial<Record<keyof DayRun, unknown>>) => advice({ ...healthy(), ...change } as DayRun)[0] ?? '';
    const all = healthy().routers;
    expect(first({ routersWithoutMap: all, controller: { ...healthy().controller, leaders: [], mapWrittenMs: null } })).toBe(
      'Shard controller (raft-log/server.ts): 12 of the 12 routers never read the shard map from it (router-0, router-1, router-2, …), so they never served. No server ever led: an election must end with a leader.',
    );
    expect(first({ routersWithoutMap: ['router-3'], controller: { ...healthy().controller, mapWrittenMs: null } })).toMatch(/^Shard controller \(raft-log\/server\.ts\): 1 of the 12 routers never read the shard map from it \(router-3\), so they never served\. The operator's put of the map was never acknowledged\.$/);
    expect(first({ controller: { ...healthy().controller, wrongAnswers: ['router-a1 read "x" at 0:00.3 (not JSON: x)'] } })).toBe(
      'Shard controller (raft-log/server.ts): it answered a get of the map with something the operator never wrote (router-a1 read "x" at 0:00.3 (not JSON: x)). A get goes through the log and is answered once its entry is applied.',
    );
    expect(first({ redirects: { refused: 40, waited: 12, failedRequests: 230 } })).toMatch(/^Router \(sharding-router\/router\.ts\): 230 requests failed with a "wrong owner" refusal after the rebalance moved their shard\./);
    expect(first({ rebalance: { ...healthy().rebalance, moves: [{ shard: 3, from: 'g2', to: 'g5', startMs: 15_300, endMs: 16_300, keys: 0, error: 'requests for the shard were still inside g2 after 1000 ms' }] } })).toBe(
      "Shard groups (quorum-store/replica.ts): 1 of the rebalance's 1 moves gave up and left their shard where it was; the first, shard 3 from g2: requests for the shard were still inside g2 after 1000 ms.",
    );
    expect(first({ neverListed: ['router-1', 'router-2', 'router-3', 'router-4', 'router-5', 'router-6'] })).toMatch(/^Registry \(discovery-leases\/registry\.ts\): it never listed 6 of the 12 routers \(router-1, router-2, router-3, …\)/);
    expect(first({ routersPerZone: 2, peakUtilisation: 1.4, attempts: { ...healthy().attempts, overloaded: 4_000 } })).toMatch(/^Capacity \(capacity-planning\/capacity\.ts, plan\.ts\): 2 routers per zone ran \(your capacity plan: 4\); the busiest was 140% busy/);
    expect(first({ sentToDownRouter: 3_000 })).toMatch(/^Balancer \(balancer-heterogeneous\/balancer\.ts\): 3000 attempts went to a router that was down/);
    expect(first({ plan: { ...healthy().plan, quorum: { r: 2, w: 2 } }, ackedWritesLost: 7 })).toMatch(/^Quorums \(plan\.ts\): R = 2 and W = 2 of 5 do not overlap \(R \+ W = 4\), so a read can miss the last acknowledged write: 7 acknowledged writes were lost/);
    expect(first({ linearizability: { verdict: 'not-linearizable' } })).toMatch(/^Quorum replica \(quorum-store\/replica\.ts\): the hottest keys were not linearizable with R = 3 and W = 3/);
    expect(first({ p99AtPeakMs: 40 })).toBe('Prediction (plan.ts): p99 at the peak: you predicted 15 ms, the day measured 40 ms.');
    const unpredicted = { ...healthy(), plan: { ...healthy().plan, predictions: { p99AtPeakMs: NaN, ackedWritesLost: NaN, zoneCutRecoveryMs: NaN } } } as DayRun;
    expect(predictionRows(unpredicted).map((p) => [p.predicted, p.ok])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
    expect(JSON.parse(JSON.stringify(predictionRows(unpredicted)))[0].predicted).toBeNull();
    expect(advice(unpredicted)[0]).toBe('Prediction (plan.ts): p99 at the peak: not predicted yet, the day measured 15.2 ms.');
    expect(first({ zoneCutRecoveryMs: Infinity })).toBe('Prediction (plan.ts): recovery after the zone cut (RTO): you predicted 0 ms, the day measured no recovery before the heal.');
  });
});
