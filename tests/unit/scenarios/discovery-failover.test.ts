/**
 * The discovery-failover scenario builds, runs with its default parameters, and its metrics
 * move the way the lesson says: a longer lease or a slower cache refresh sends more
 * requests to dead instances; a lease too short for the loss rate evicts live instances.
 */
import { describe, expect, it } from 'vitest';
import { buildFailover, scenario } from '../../../src/scenarios/discovery-failover.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 11;

const runs = new Map<string, ReturnType<typeof runOnce>>();
function run(overrides: ParamValues = {}) {
  const key = JSON.stringify({ ...defaultParams(scenario), ...overrides });
  if (!runs.has(key)) runs.set(key, runOnce(overrides));
  return runs.get(key)!;
}

async function runOnce(overrides: ParamValues) {
  const built = buildFailover({ ...defaultParams(scenario), ...overrides }, SEED, { trace: false });
  await built.sim.runUntil(built.durationMs);
  return { ...built.stats(), summary: built.sim.summary() };
}

describe('the discovery-failover scenario', () => {
  it('builds with its default parameters through the Scenario interface and runs a minute of traffic', async () => {
    expect(scenario.id).toBe('discovery-failover');
    expect(scenario.params.length).toBeGreaterThanOrEqual(2);
    expect(scenario.params.length).toBeLessThanOrEqual(4);
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    const stats = await run();
    expect(stats.requests).toBeGreaterThan(10_000);
    expect(stats.detectionMs.every((d) => d !== null && d <= 3_100), `detections ${stats.detectionMs.join(', ')} ms`).toBe(true);
  });

  it('sends more requests to dead instances when the lease is longer', async () => {
    const short = await run({ ttlMs: 3_000 });
    const long = await run({ ttlMs: 10_000 });
    expect(long.toDeadInstances).toBeGreaterThan(2 * short.toDeadInstances);
    expect(long.summary.availability).toBeLessThan(short.summary.availability);
  });

  it('sends more requests to dead instances when the client refreshes its cache less often', async () => {
    const fast = await run({ refreshMs: 1_000 });
    const slow = await run({ refreshMs: 10_000 });
    expect(slow.toDeadInstances).toBeGreaterThan(1.5 * fast.toDeadInstances);
  });

  it('evicts live instances when the lease allows only one or two missed heartbeats', async () => {
    const three = await run({ ttlMs: 3_000, lossPercent: 10 });
    const oneAndAHalf = await run({ ttlMs: 1_500, lossPercent: 10 });
    expect(oneAndAHalf.falseEvictions).toBeGreaterThan(5 * Math.max(1, three.falseEvictions));
  });
});
