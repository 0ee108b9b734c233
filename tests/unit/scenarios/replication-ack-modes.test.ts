/**
 * The replication-ack-modes scenario builds, is deterministic per seed, and shows what the
 * lesson says: when the leader's zone goes dark, asynchronous acknowledgement loses writes
 * that clients were told had succeeded, semi-synchronous and synchronous lose none, and the
 * price is write latency: sync ≥ semi-sync ≥ async at p99.
 */
import { describe, expect, it } from 'vitest';
import { noAcknowledgedWriteLost, writesFromHistory } from '../../../src/sim/index.ts';
import { buildAckModes, scenario } from '../../../src/scenarios/replication-ack-modes.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

async function run(overrides: ParamValues, seed: number) {
  const built = buildAckModes({ ...defaultParams(scenario), ...overrides }, seed, { trace: false });
  await built.sim.runUntil(built.durationMs);
  const check = noAcknowledgedWriteLost({
    writes: writesFromHistory(built.group.load.history),
    finalStates: built.group.stores().map((s) => ({ source: `node ${s.node}`, values: s.values })),
  });
  return { summary: built.sim.summary(), stats: built.group.stats(), check, errors: built.sim.errors.length };
}

const SEEDS = [1, 2, 3];

// Each test runs up to three 5 s simulations; on a busy machine that takes longer than the default 5 s.
describe('the replication-ack-modes scenario', { timeout: 30_000 }, () => {
  it('builds through the Scenario interface without starting the run', () => {
    expect(scenario.id).toBe('replication-ack-modes');
    const built = scenario.build(defaultParams(scenario), 1);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
  });

  it('is deterministic per seed', async () => {
    const a = await run({ ackMode: 'async' }, 4);
    const b = await run({ ackMode: 'async' }, 4);
    expect(b.summary).toEqual(a.summary);
    expect(b.stats).toEqual(a.stats);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: async loses acknowledged writes at the crash, semi-sync and sync lose none, and sync p99 ≥ semi-sync p99 ≥ async p99`, async () => {
      const async = await run({ ackMode: 'async' }, seed);
      const semi = await run({ ackMode: 'semi-sync' }, seed);
      const sync = await run({ ackMode: 'sync' }, seed);
      for (const r of [async, semi, sync]) {
        expect(r.errors).toBe(0);
        expect(r.stats.promoted).toBe('n2');
      }
      expect(async.stats.lostAcknowledged).toBeGreaterThan(0);
      expect(async.check.ok, 'the invariant checker sees the loss too').toBe(false);
      expect(semi.stats.lostAcknowledged).toBe(0);
      expect(sync.stats.lostAcknowledged).toBe(0);
      expect(semi.check).toEqual({ ok: true });
      expect(sync.check).toEqual({ ok: true });
      expect(sync.summary.latency.p99Ms).toBeGreaterThanOrEqual(semi.summary.latency.p99Ms);
      expect(semi.summary.latency.p99Ms).toBeGreaterThanOrEqual(async.summary.latency.p99Ms);
      expect(sync.summary.latency.p50Ms).toBeGreaterThan(semi.summary.latency.p50Ms);
      expect(semi.summary.latency.p50Ms).toBeGreaterThan(async.summary.latency.p50Ms);
    });
  }
});
