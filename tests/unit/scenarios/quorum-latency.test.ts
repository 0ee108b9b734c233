/**
 * The quorum-latency scenario builds, is deterministic per seed, and shows what the lesson
 * says: with a long tail on the links between zones, p99 of reads grows with R and p99 of
 * writes with W, because a request waits for the slowest of the answers it needs. It also
 * prints the p99 of reads and of writes for every (R, W), for the lesson to quote.
 */
import { describe, expect, it } from 'vitest';
import { getScenario } from '../../../src/scenarios/index.ts';
import { buildQuorumLatency, scenario } from '../../../src/scenarios/quorum-latency.ts';
import { REPLICAS } from '../../../src/scenarios/quorum/store.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 1;

async function run(overrides: ParamValues, seed = SEED) {
  const built = buildQuorumLatency({ ...defaultParams(scenario), ...overrides }, seed, { trace: false });
  await built.sim.runUntil(built.durationMs);
  return { stats: built.store.stats(), summary: built.sim.summary(), errors: built.sim.errors.length };
}

describe('the quorum-latency scenario', { timeout: 60_000 }, () => {
  it('is registered and builds through the Scenario interface without starting the run', () => {
    expect(getScenario('quorum-latency')).toBe(scenario);
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
  });

  it('is deterministic per seed', async () => {
    const a = await run({ r: '2', w: '4' }, 3);
    const b = await run({ r: '2', w: '4' }, 3);
    expect(b.summary).toEqual(a.summary);
    expect(b.stats).toEqual(a.stats);
  });

  it('p99 of reads and of writes strictly increases from (R=1, W=1) to (3, 3) to (5, 5)', async () => {
    const runs = [];
    for (const n of [1, 3, 5]) runs.push(await run({ r: String(n), w: String(n) }));
    for (const r of runs) {
      expect(r.errors).toBe(0);
      expect(r.summary.availability).toBe(1);
    }
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.stats.reads.p99Ms).toBeGreaterThan(runs[i - 1]!.stats.reads.p99Ms);
      expect(runs[i]!.stats.writes.p99Ms).toBeGreaterThan(runs[i - 1]!.stats.writes.p99Ms);
    }
  });

  it('prints p99 per (R, W); with R + W > 5 no read is stale', async () => {
    const rows: string[] = [];
    const cells: Record<string, { read: number; write: number; stale: number; reads: number }> = {};
    for (let r = 1; r <= 5; r++) {
      for (let w = 1; w <= 5; w++) {
        const { stats, errors } = await run({ r: String(r), w: String(w) });
        expect(errors).toBe(0);
        cells[`${r},${w}`] = { read: stats.reads.p99Ms, write: stats.writes.p99Ms, stale: stats.staleReads, reads: stats.okReads };
        if (r + w > REPLICAS.length) expect(stats.staleReads, `R=${r}, W=${w}`).toBe(0);
      }
    }
    const f = (x: number) => x.toFixed(2).padStart(6);
    rows.push(`quorum-latency, seed ${SEED}, defaults otherwise: p99 read / p99 write in ms (stale reads of successful reads)`);
    rows.push(`       ${[1, 2, 3, 4, 5].map((w) => `W=${w}`.padEnd(26)).join('')}`);
    for (let r = 1; r <= 5; r++) {
      const line = [1, 2, 3, 4, 5].map((w) => {
        const c = cells[`${r},${w}`]!;
        return `${f(c.read)} / ${f(c.write)} (${String(c.stale).padStart(3)})`.padEnd(26);
      });
      rows.push(`R=${r}    ${line.join('')}`);
    }
    console.log(rows.join('\n'));
    // Read p99 follows R, write p99 follows W.
    for (let n = 2; n <= 5; n++) {
      expect(cells[`${n},3`]!.read).toBeGreaterThan(cells[`${n - 1},3`]!.read);
      expect(cells[`3,${n}`]!.write).toBeGreaterThan(cells[`3,${n - 1}`]!.write);
    }
  });
});
