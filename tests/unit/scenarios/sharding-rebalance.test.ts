import { describe, expect, it } from 'vitest';
import { buildRebalance, scenario } from '../../../src/scenarios/sharding-rebalance.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 7;

async function run(overrides: ParamValues) {
  // The lesson's run records its messages; these tests read only the summary, which is the same without.
  const result = buildRebalance({ ...defaultParams(scenario), ...overrides }, SEED, { trace: false });
  await result.built.sim.runUntil(result.built.durationMs);
  return { summary: result.built.sim.summary(), misrouted: result.misrouted.length, moved: result.movedShards };
}

describe('scenario sharding-rebalance', () => {
  it('builds from its defaults, and the epoch-aware router loses nothing and misroutes at most one request per moved shard', async () => {
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.durationMs).toBeGreaterThan(0);
    const { summary, misrouted, moved } = await run({});
    expect(summary.availability).toBe(1);
    expect(misrouted).toBeLessThanOrEqual(moved);
  });

  it('a router that never retries loses the moved shards’ requests', async () => {
    const { summary } = await run({ router: 'stale' });
    expect(summary.availability).toBeLessThan(0.95);
  });

  it('a router that retries without learning loses nothing but misroutes hundreds of requests and raises p99', async () => {
    const epoch = await run({});
    const retry = await run({ router: 'retry' });
    expect(retry.summary.availability).toBe(1);
    expect(retry.misrouted).toBeGreaterThan(100);
    expect(retry.summary.latency.p99Ms).toBeGreaterThan(epoch.summary.latency.p99Ms);
  });
});
