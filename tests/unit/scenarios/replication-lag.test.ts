/**
 * The replication-lag scenario builds, is deterministic per seed, and its lag moves the way
 * the lesson says: it grows with the write rate, and n3's slow disk raises n3's lag (not
 * n2's), while the clients' write latency stays put (asynchronous acknowledgement).
 */
import { describe, expect, it } from 'vitest';
import { buildLag, scenario } from '../../../src/scenarios/replication-lag.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 1;

const runs = new Map<string, ReturnType<typeof runOnce>>();
function run(overrides: ParamValues = {}, seed = SEED) {
  const key = JSON.stringify({ ...defaultParams(scenario), ...overrides, seed });
  if (!runs.has(key)) runs.set(key, runOnce(overrides, seed));
  return runs.get(key)!;
}

async function runOnce(overrides: ParamValues, seed: number) {
  const built = buildLag({ ...defaultParams(scenario), ...overrides }, seed, { trace: false });
  await built.sim.runUntil(built.durationMs);
  const stats = built.group.stats();
  const lag = (node: string) => stats.followers.find((f) => f.node === node)!.lag;
  return { summary: built.sim.summary(), n2: lag('n2'), n3: lag('n3'), errors: built.sim.errors.length };
}

// Each test runs up to three 6 s simulations; on a busy machine that takes longer than the default 5 s.
describe('the replication-lag scenario', { timeout: 30_000 }, () => {
  it('builds through the Scenario interface without starting the run, and runs without node errors', async () => {
    expect(scenario.id).toBe('replication-lag');
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    const r = await run();
    expect(r.errors).toBe(0);
    expect(r.summary.availability).toBe(1);
    expect(r.n2.count).toBeGreaterThan(5_000);
  });

  it('is deterministic per seed, and another seed gives another run', async () => {
    const a = await runOnce({}, 5);
    const b = await runOnce({}, 5);
    const c = await runOnce({}, 6);
    expect(b).toEqual(a);
    expect(c.n2.p99Ms === a.n2.p99Ms && c.summary.latency.p99Ms === a.summary.latency.p99Ms && c.n3.meanMs === a.n3.meanMs).toBe(false);
  });

  it('lag grows with the write rate, and without bound once the follower cannot apply as fast as the leader writes', async () => {
    const low = await run({ ratePerS: 1_000 });
    const mid = await run({ ratePerS: 3_000 });
    const over = await run({ ratePerS: 4_000 });
    expect(mid.n2.p50Ms).toBeGreaterThan(low.n2.p50Ms);
    expect(mid.n2.p99Ms).toBeGreaterThan(1.5 * low.n2.p99Ms);
    expect(over.n2.p50Ms).toBeGreaterThan(100);
  });

  it("n3's slow disk raises n3's lag, not n2's, and not the clients' write latency", async () => {
    const fast = await run({ slowFsyncMs: 1 });
    const slow = await run({ slowFsyncMs: 20 });
    expect(slow.n3.p50Ms).toBeGreaterThan(fast.n3.p50Ms + 15);
    expect(Math.abs(slow.n2.p50Ms - fast.n2.p50Ms)).toBeLessThan(0.5);
    expect(slow.summary.latency.p99Ms).toBeLessThan(5);
  });
});
