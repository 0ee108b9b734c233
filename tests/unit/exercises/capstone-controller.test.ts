/**
 * The capstone's shard controller and rebalance: the map on the Raft log, read by every
 * router before it serves, and the shards that move to the fifth group at the peak, each
 * move committed through the log. Short days (4 simulated seconds at a tenth of the rate)
 * with the reference components; with a controller whose Raft never leads or answers with
 * the wrong value; and with a router that does not follow a "wrong owner" refusal. The
 * report must name the component at fault first.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Controller from '../../../exercises/capstone/controller.ts';
import type * as Day from '../../../exercises/capstone/day.ts';
import type * as Report from '../../../exercises/capstone/report.ts';
import type * as System from '../../../exercises/capstone/system.ts';
import type * as Shards from '../../../exercises/sharding-router/shards.ts';
import { courseRoot } from './helpers.ts';

// Exercises import the simulator by the name the grader gives it; the unit project has no such alias.
vi.mock('@faultlines/sim', () => import('../../../src/sim/index.ts'));

/**
 * The course's exercises in a temporary folder with every component's reference in place, as
 * for a learner who has passed nothing yet; the Raft server there runs the reference, or
 * breaks as `globalThis[MODE]` says: it never leads, or answers every get with a wrong value.
 */
const MODE = '__capstoneControllerMode';
type Mode = 'reference' | 'never leads' | 'wrong value' | 'one put';
const dir = mkdtempSync(join(tmpdir(), 'faultlines-capstone-controller-'));
cpSync(courseRoot.exercisesDir, dir, { recursive: true });
// The exercises' tsconfig extends the project's, which is not there.
rmSync(join(dir, 'tsconfig.json'));
const components = ['capacity-planning/capacity.ts', 'balancer-heterogeneous/balancer.ts', 'discovery-leases/registry.ts', 'discovery-leases/client-cache.ts', 'sharding-ring/ring.ts'];
for (const file of components) cpSync(join(courseRoot.solutionsDir, file), join(dir, file));
cpSync(join(courseRoot.solutionsDir, 'raft-log/server.ts'), join(dir, 'raft-log/reference-server.ts'));
writeFileSync(
  join(dir, 'raft-log/server.ts'),
  `import type { CreateRaftServer } from './types.ts';
import { createServer as reference } from './reference-server.ts';
export const createServer: CreateRaftServer = (config, env) => {
  const mode = (globalThis as Record<string, unknown>)['${MODE}'];
  if (mode === 'never leads') return { onMessage() {}, onClient: () => env.refuse(null) };
  const server = reference(config, env);
  if (mode !== 'wrong value' && mode !== 'one put') return server;
  let puts = 0;
  return {
    onMessage: (from, message) => server.onMessage(from, message),
    onClient: async (command) => {
      // 'one put': the operator's first put goes through, every later one is never answered.
      if (mode === 'one put' && command.kind === 'put' && ++puts > 1) return new Promise<never>(() => {});
      const value = await server.onClient(command);
      return mode === 'wrong value' && command.kind === 'get' ? 'a stale map' : value;
    },
  };
};
`,
);
cpSync(join(courseRoot.solutionsDir, 'sharding-router/router.ts'), join(dir, 'sharding-router/reference-router.ts'));
// The router: the reference, or (globalThis[ROUTER]) one that sends by its first map and passes any refusal on.
const ROUTER = '__capstoneRouterMode';
writeFileSync(
  join(dir, 'sharding-router/router.ts'),
  `import type { ShardMap, ShardRouter } from './types.ts';
import { createRouter as reference } from './reference-router.ts';
export function createRouter(map: ShardMap): ShardRouter {
  const router = reference(map);
  if ((globalThis as Record<string, unknown>)['${ROUTER}'] !== 'no redirects') return router;
  return {
    get epoch() { return router.epoch; },
    ownerOf: (key) => router.ownerOf(key),
    applyMap: (next) => router.applyMap(next),
    route: (op, send) => send(router.ownerOf(op.key), { epoch: router.epoch, op }),
  };
}
`,
);
cpSync(join(courseRoot.solutionsDir, 'quorum-store/replica.ts'), join(dir, 'quorum-store/reference-replica.ts'));
// The quorum replica: the reference, or one whose gets never answer from globalThis[HANG_FROM] ms on.
const HANG_FROM = '__capstoneReadsHangFrom';
writeFileSync(
  join(dir, 'quorum-store/replica.ts'),
  `import type { StoreConfig, StoreEnv, StoreReplica } from './types.ts';
import { createReplica as reference } from './reference-replica.ts';
export function createReplica(config: StoreConfig, env: StoreEnv): StoreReplica {
  const replica = reference(config, env);
  const from = (globalThis as Record<string, unknown>)['${HANG_FROM}'];
  if (typeof from !== 'number') return replica;
  return {
    onCall: (peer, message) => replica.onCall(peer, message),
    put: (key, value) => replica.put(key, value),
    get: (key) => (env.now() >= from ? new Promise<never>(() => {}) : replica.get(key)),
  };
}
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = <T>(file: string): Promise<T> => import(pathToFileURL(join(dir, 'capstone', file)).href) as Promise<T>;
const { CONTROLLERS, MAP_KEY, controllerZone, decodeMap, encodeMap } = await load<typeof Controller>('controller.ts');
const { GROUPS, ZONES } = await load<typeof Day>('day.ts');
const { advice } = await load<typeof Report>('report.ts');
const { WARM_UP_MS, runDay } = await load<typeof System>('system.ts');
const { SHARD_COUNT } = await load<typeof Shards>('../sharding-router/shards.ts');
const setMode = (mode: Mode, router: 'reference' | 'no redirects' = 'reference', readsHangFrom?: number) => {
  (globalThis as Record<string, unknown>)[MODE] = mode;
  (globalThis as Record<string, unknown>)[ROUTER] = router;
  (globalThis as Record<string, unknown>)[HANG_FROM] = readsHangFrom;
};

const plan = { quorum: { r: 3, w: 3 }, routersPerZone: 2, predictions: { p99AtPeakMs: 15, ackedWritesLost: 0, zoneCutRecoveryMs: 0 } } as const;
const shortDay = () => runDay({ seed: 11, plan, dayMs: 4_000, peakRatePerS: 2_000 });

describe("the capstone's shard controller", () => {
  it('puts two servers in zones a and b and one in c, so that a cut of any zone leaves three', () => {
    const counts = ZONES.map((zone) => CONTROLLERS.filter((c) => controllerZone(c) === zone).length);
    expect(counts).toEqual([2, 2, 1]);
    for (const count of counts) expect(CONTROLLERS.length - count).toBeGreaterThanOrEqual(3);
  });

  it('reads back only a whole map of the groups', () => {
    const map = { epoch: 1, owners: Array.from({ length: SHARD_COUNT }, (_, i) => GROUPS[i % GROUPS.length]!) };
    expect(decodeMap(encodeMap(map), GROUPS)).toEqual(map);
    expect(decodeMap(null, GROUPS)).toBe('no map yet');
    expect(decodeMap('a stale map', GROUPS)).toBe('not JSON: a stale map');
    expect(decodeMap(JSON.stringify({ epoch: 1, owners: ['g1'] }), GROUPS)).toMatch(/^not a shard map/);
    expect(decodeMap(encodeMap({ ...map, owners: map.owners.map(() => 'g9') }), GROUPS)).toMatch(/^not a shard map/);
  });

  it('holds the map on the Raft log: written before the clients start, read by every router before it serves', async () => {
    setMode('reference');
    const run = await shortDay();
    const stats = run.controller;
    expect(stats.leaders.length).toBeGreaterThanOrEqual(1);
    expect(stats.mapWrittenMs).not.toBeNull();
    expect(stats.mapWrittenMs!).toBeLessThan(WARM_UP_MS);
    expect(run.routersWithoutMap).toEqual([]);
    // Every router read it at its start, before the clients came; a restarted router read it again.
    const first = stats.reads.filter((r) => r.startMs === 0);
    expect(first.map((r) => r.router).sort()).toEqual([...run.routers].sort());
    for (const r of first) expect(r.tookMs).toBeLessThan(WARM_UP_MS);
    expect(stats.wrongAnswers).toEqual([]);
    const row = run.components.find((c) => c.component === 'shard controller')!;
    expect(row.exercises).toEqual(['raft-log']);
    expect(row.summary).toMatch(/^led by ctl-\d from 0:00\.\d \(term \d+\).*; the map written at 0:00\.\d; 6 routers had read it by 0:00\.\d/);
    expect(row.failures).toBe(0);
    expect(advice(run).filter((line) => line.startsWith('Shard controller'))).toEqual([]);
    // A 4-second day is mostly its faults: outside the cut it has under a second of clients,
    // and a router's crash falls in it (11 failures of 734 requests on seed 11).
    expect(run.outsideCut.availability).toBeGreaterThan(0.98);
    expect(run.events).toBeGreaterThan(0);
    expect(MAP_KEY).toBe('shard-map');
  }, 60_000);

  it('keeps every router out of the registry when no server leads, and the report names the controller first', async () => {
    setMode('never leads');
    const run = await shortDay();
    expect(run.controller.leaders).toEqual([]);
    expect(run.controller.mapWrittenMs).toBeNull();
    expect([...run.routersWithoutMap].sort()).toEqual([...run.routers].sort());
    expect(run.outsideCut.availability).toBe(0);
    expect(run.components.find((c) => c.component === 'shard controller')!.summary).toMatch(/^no leader all day; the map never written; .*; 6 routers without the map at the end$/);
    expect(advice(run)[0]).toBe(
      'Shard controller (raft-log/server.ts): 6 of the 6 routers never read the shard map from it (router-a1, router-a2, router-b1, …), so they never served. No server ever led: an election must end with a leader.',
    );
  }, 60_000);

  it('refuses a map the operator never wrote, and says which router read what', async () => {
    setMode('wrong value');
    const run = await shortDay();
    expect(run.controller.mapWrittenMs).not.toBeNull();
    expect(run.controller.wrongAnswers[0]).toMatch(/^router-\w+ read "a stale map" at 0:00\.\d \(not JSON: a stale map\)$/);
    expect(advice(run)[0]).toMatch(/^Shard controller \(raft-log\/server\.ts\): 6 of the 6 routers never read the shard map from it .*; it answered a get of the map with something the operator never wrote \(router-/);
  }, 60_000);
});

describe("the capstone's rebalance", () => {
  it('moves to g5 the shards your ring gives it, each committed through the controller with the next epoch, and loses nothing', async () => {
    setMode('reference');
    const run = await shortDay();
    const { planned, moves } = run.rebalance;
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((m) => m.to === 'g5')).toBe(true);
    expect(moves.map((m) => [m.shard, m.error])).toEqual(planned.map((m) => [m.shard, undefined]));
    expect(moves.map((m) => m.epoch)).toEqual(planned.map((_, i) => i + 2));
    expect(run.rebalance.startedMs).toBe(run.day.rebalance.atMs);
    expect(run.rebalance.endedMs).not.toBeNull();
    for (const m of moves) expect(m.endMs - m.startMs, `shard ${m.shard}`).toBeLessThan(200);
    // Requests for a moved shard that reached the old group were refused, and the routers followed.
    expect(run.redirects.refused).toBeGreaterThan(0);
    expect(run.redirects.failedRequests).toBe(0);
    expect(run.ackedWritesLost).toBe(0);
    expect(run.linearizability.verdict).toBe('linearizable');
    const row = run.components.find((c) => c.component === 'rebalance')!;
    expect(row.summary).toMatch(new RegExp(`^g5 joined; your ring moved ${planned.length} of 32 shards \\(${planned.length} to g5; an even share is 6\\.4\\); ${planned.length} moved from 0:03\\.\\d to 0:03\\.\\d, each shard paused`));
    expect(row.failures).toBe(0);
    expect(run.schedule).toContain('rebalance: g5 joins, and the shards your ring gives it move there');
  }, 60_000);

  it('fails the requests a router does not redirect, and the report names the router', async () => {
    setMode('reference', 'no redirects');
    const run = await shortDay();
    expect(run.redirects.failedRequests).toBeGreaterThan(0);
    expect(run.components.find((c) => c.component === 'rebalance')!.failures).toBe(run.redirects.failedRequests);
    expect(advice(run)[0]).toMatch(/^Router \(sharding-router\/router\.ts\): \d+ requests failed with a "wrong owner" refusal after the rebalance moved their shard\./);
  }, 60_000);

  it('gives a move up when the old group cannot be read, leaves the shard where it was, and commits no map', async () => {
    // Every read of every replica hangs from just before the rebalance.
    setMode('reference');
    const atMs = (await shortDay()).day.rebalance.atMs;
    setMode('reference', 'reference', atMs - 50);
    const run = await shortDay();
    const { moves } = run.rebalance;
    expect(moves.length).toBeGreaterThan(0);
    for (const m of moves) {
      expect(m.error, `shard ${m.shard}`).toMatch(/^(requests for the shard were still inside g\d after 1000 ms|could not read k\d+ on any replica of g\d in 5 tries)/);
      expect(m.epoch).toBeUndefined();
    }
    expect(run.components.find((c) => c.component === 'rebalance')!.summary).toContain(`${moves.length} gave up, first: shard ${moves[0]!.shard}`);
    expect(advice(run).some((line) => line.startsWith(`Shard groups (quorum-store/replica.ts): ${moves.length} of the rebalance's ${moves.length} moves gave up and left their shard where it was`))).toBe(true);
  }, 120_000);

  it('keeps a shard paused when the controller never acknowledges its new map, and the report names the controller', async () => {
    setMode('one put');
    const run = await shortDay();
    const first = run.rebalance.moves[0]!;
    expect(first.commitSentMs).toBeGreaterThan(first.startMs);
    expect(first.epoch).toBeUndefined();
    expect(run.rebalance.moves).toHaveLength(1);
    expect(run.rebalance.endedMs).toBeNull();
    expect(run.components.find((c) => c.component === 'rebalance')!.summary).toContain(`the controller never acknowledged the map that moves shard ${first.shard}`);
    expect(advice(run)[0]).toMatch(new RegExp(`^Shard controller \\(raft-log/server\\.ts\\): the rebalance's put of the map that moves shard ${first.shard} to g5, sent at 0:03\\.\\d, was never acknowledged, so the shard stayed paused to the end of the day\\.`));
  }, 60_000);
});
