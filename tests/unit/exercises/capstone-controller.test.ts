/**
 * The capstone's shard controller: the map on the Raft log, read by every router before it
 * serves. Short days (4 simulated seconds at a tenth of the rate) with the reference
 * components, and with a controller whose Raft never leads or answers with the wrong value:
 * the report must name the controller first.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Controller from '../../../exercises/capstone/controller.ts';
import type * as Day from '../../../exercises/capstone/day.ts';
import type * as Report from '../../../exercises/capstone/report.ts';
import type * as System from '../../../exercises/capstone/system.ts';
import { courseRoot } from './helpers.ts';

// Exercises import the simulator by the name the grader gives it; the unit project has no such alias.
vi.mock('@faultlines/sim', () => import('../../../src/sim/index.ts'));

/**
 * The course's exercises in a temporary folder with every component's reference in place, as
 * for a learner who has passed nothing yet; the Raft server there runs the reference, or
 * breaks as `globalThis[MODE]` says: it never leads, or answers every get with a wrong value.
 */
const MODE = '__capstoneControllerMode';
type Mode = 'reference' | 'never leads' | 'wrong value';
const dir = mkdtempSync(join(tmpdir(), 'faultlines-capstone-controller-'));
cpSync(courseRoot.exercisesDir, dir, { recursive: true });
// The exercises' tsconfig extends the project's, which is not there.
rmSync(join(dir, 'tsconfig.json'));
const components = ['capacity-planning/capacity.ts', 'balancer-heterogeneous/balancer.ts', 'discovery-leases/registry.ts', 'discovery-leases/client-cache.ts', 'sharding-ring/ring.ts', 'sharding-router/router.ts', 'quorum-store/replica.ts'];
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
  if (mode !== 'wrong value') return server;
  return {
    onMessage: (from, message) => server.onMessage(from, message),
    onClient: async (command) => {
      const value = await server.onClient(command);
      return command.kind === 'get' ? 'a stale map' : value;
    },
  };
};
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = <T>(file: string): Promise<T> => import(pathToFileURL(join(dir, 'capstone', file)).href) as Promise<T>;
const { CONTROLLERS, MAP_KEY, controllerZone, decodeMap, encodeMap } = await load<typeof Controller>('controller.ts');
const { GROUPS, ZONES } = await load<typeof Day>('day.ts');
const { advice } = await load<typeof Report>('report.ts');
const { WARM_UP_MS, runDay } = await load<typeof System>('system.ts');
const SHARD_COUNT = Number(/SHARD_COUNT = (\d+)/.exec(readFileSync(join(dir, 'sharding-router/shards.ts'), 'utf8'))![1]);
const setMode = (mode: Mode) => void ((globalThis as Record<string, unknown>)[MODE] = mode);

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
    expect(run.outsideCut.availability).toBeGreaterThan(0.99);
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
