/**
 * The capstone's harness, part by part: where replicas sit, what the day draws from its seed,
 * how the network copies what replicas send, and how recovery after the cut is measured. The
 * whole day runs in the exercise's own tests (the validity and components suites).
 */
import { describe, expect, it, vi } from 'vitest';
import { CUT_MS, DAY_MS, GROUPS, ZONES, drawDay, type Zone } from '../../../exercises/capstone/day.ts';
import { frozenCopy, p99, recoveryAfter, replicaName, replicaZone } from '../../../exercises/capstone/system.ts';
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
