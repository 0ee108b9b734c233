/**
 * The failover-fencing scenario is deterministic per seed, and its numbers move the way
 * the lesson "Failover" says: without fencing the cut-off leader acknowledges writes that
 * are thrown away when it rejoins; with epoch fencing no acknowledged write is lost; and
 * the time until the new leader takes writes grows with the detection timeout.
 */
import { describe, expect, it } from 'vitest';
import { atMostOneLeaderPerTerm, noAcknowledgedWriteLost, type WriteRecord } from '../../../src/sim/index.ts';
import { HEAL_AT_MS, PARTITION_AT_MS, buildFencing, scenario } from '../../../src/scenarios/failover-fencing.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 7;

async function run(overrides: ParamValues, seed = SEED, trace = false) {
  const r = buildFencing({ ...defaultParams(scenario), ...overrides }, seed, { trace });
  await r.built.sim.runUntil(r.built.durationMs);
  const history = [...r.clientsA.history, ...r.clientsBC.history];
  const writes: WriteRecord[] = history
    .filter((op) => op.status !== 'failed')
    .map((op) => ({
      key: op.input.key,
      value: op.input.value,
      invokeMs: op.invokeMs,
      ...(op.status === 'ok' ? { ackMs: op.returnMs! } : {}),
    }));
  return { r, stats: r.stats(), writes, trace: r.built.sim.trace, errors: r.built.sim.errors };
}

describe('the failover-fencing scenario', { timeout: 60_000 }, () => {
  it('builds through the Scenario interface without starting the run', () => {
    expect(scenario.id).toBe('failover-fencing');
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs).toBe(0);
    expect(scenario.params.map((p) => p.name)).toEqual(['fencing', 'detectionMs']);
  });

  it('gives the same trace and numbers for the same seed, and a different trace for another seed', async () => {
    for (const fencing of ['none', 'epoch']) {
      const a = await run({ fencing }, SEED, true);
      const b = await run({ fencing }, SEED, true);
      const c = await run({ fencing }, SEED + 1, true);
      expect(a.trace.count).toBeGreaterThan(0);
      expect(b.trace.hash).toBe(a.trace.hash);
      expect(c.trace.hash).not.toBe(a.trace.hash);
      expect(b.stats).toEqual(a.stats);
      expect(a.errors).toEqual([]);
    }
  });

  it('without fencing, the cut-off leader acknowledges writes that are lost when it rejoins', async () => {
    for (const seed of [SEED, 11, 23]) {
      const { stats, writes } = await run({ fencing: 'none' }, seed);
      expect(stats.zombieAcks).toBeGreaterThan(500);
      expect(stats.zombieLastAckMs!).toBeGreaterThan(HEAL_AT_MS - 100);
      // Every write it acknowledged while cut off, plus any acknowledged just before the cut
      // and still on its way to the followers (the asynchronous replication lag).
      expect(stats.lostAcknowledged).toBeGreaterThanOrEqual(stats.zombieAcks);
      expect(stats.lostAcknowledged).toBeLessThanOrEqual(stats.zombieAcks + 5);
      const lost = noAcknowledgedWriteLost({ writes, finalStates: stats.finalStates });
      expect(lost.ok).toBe(false);
      // Two leaders accepted writes at once, yet each epoch had one leader: the rule that
      // broke is that an older epoch could still acknowledge writes.
      expect(atMostOneLeaderPerTerm(stats.leaderAcks).ok).toBe(true);
      expect(stats.promotedAtMs!).toBeLessThan(stats.zombieLastAckMs!);
    }
  });

  it('with epoch fencing, the old leader acknowledges nothing after the partition and no acknowledged write is lost', async () => {
    for (const seed of [SEED, 11, 23]) {
      const { stats, writes } = await run({ fencing: 'epoch' }, seed);
      expect(stats.zombieAcks).toBe(0);
      expect(stats.lostAcknowledged).toBe(0);
      expect(noAcknowledgedWriteLost({ writes, finalStates: stats.finalStates })).toEqual({ ok: true });
      expect(atMostOneLeaderPerTerm(stats.leaderAcks)).toEqual({ ok: true });
      // It still threw away the writes it had taken but never acknowledged.
      expect(stats.discarded['n1']).toBeGreaterThan(0);
    }
  });

  it('promotes the follower with the longest log', async () => {
    const { stats } = await run({ fencing: 'epoch' });
    const best = Math.max(...Object.values(stats.positions));
    expect(stats.positions[stats.newLeader!]).toBe(best);
  });

  it('takes longer to get a new leader taking writes when the detection timeout is longer', async () => {
    const rto: number[] = [];
    for (const detectionMs of [1_000, 3_000, 8_000]) {
      const { stats } = await run({ fencing: 'epoch', detectionMs });
      expect(stats.detectedAtMs! - PARTITION_AT_MS).toBeLessThanOrEqual(detectionMs);
      rto.push(stats.rtoMs!);
    }
    expect(rto[1]! - rto[0]!).toBeGreaterThan(1_500);
    expect(rto[2]! - rto[1]!).toBeGreaterThan(4_500);
  });
});
