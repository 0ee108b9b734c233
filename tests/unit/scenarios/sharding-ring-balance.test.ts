import { describe, expect, it } from 'vitest';
import { buildRingBalance, scenario } from '../../../src/scenarios/sharding-ring-balance.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 7;

async function run(overrides: ParamValues) {
  // The lesson's run records its messages; these tests read only the summary, which is the same without.
  const built = buildRingBalance({ ...defaultParams(scenario), ...overrides }, SEED, { trace: false });
  await built.sim.runUntil(built.durationMs);
  const summary = built.sim.summary();
  const served = summary.nodes.filter((n) => n.node.startsWith('cache-')).map((n) => n.served);
  // Load spread over the eight original caches (the ninth joins part-way through).
  const original = served.slice(0, 8);
  const maxOverMean = Math.max(...original) / (original.reduce((a, b) => a + b, 0) / original.length);
  return { summary, maxOverMean };
}

describe('scenario sharding-ring-balance', () => {
  it('with the default ring, the ninth cache joins without hurting availability', async () => {
    const { summary } = await run({});
    expect(summary.availability, 'a ring moves only about a ninth of the keys').toBeGreaterThanOrEqual(0.999);
    expect(summary.latency.p99Ms).toBeLessThan(50);
  });

  it('with hash-mod-N the join floods the database: availability and p99 collapse', async () => {
    const ring = await run({});
    const mod = await run({ partitioner: 'mod' });
    expect(mod.summary.availability).toBeLessThan(0.9);
    expect(mod.summary.latency.p99Ms).toBeGreaterThan(10 * ring.summary.latency.p99Ms);
  });

  it('fewer virtual nodes spread the load less evenly', async () => {
    const one = await run({ vnodes: 1 });
    const hundred = await run({ vnodes: 100 });
    expect(one.maxOverMean).toBeGreaterThan(2);
    expect(hundred.maxOverMean).toBeLessThan(1.3);
  });
});
