/**
 * The live simulation of the load-balancing lessons: built with its default parameters it
 * runs, and its metrics move the way the lessons say when a parameter changes.
 */
import { describe, expect, it } from 'vitest';
import { defaultParams } from '../../../src/scenarios/types.ts';
import { buildPolicyRun, policyOptions, scenario } from '../../../src/scenarios/load-balancing-policies.ts';

const SEED = 42;

async function run(changes: Record<string, number | string | boolean> = {}) {
  // As the lesson builds it, but without the message trace: these tests read only the summary.
  const built = buildPolicyRun({ ...policyOptions({ ...defaultParams(scenario), ...changes }), seed: SEED });
  await built.sim.runUntil(built.durationMs);
  return built.sim.summary();
}

describe('the load-balancing-policies scenario', () => {
  it('declares two to four parameters, each with a default', () => {
    expect(scenario.id).toBe('load-balancing-policies');
    expect(scenario.params.length).toBeGreaterThanOrEqual(2);
    expect(scenario.params.length).toBeLessThanOrEqual(4);
    for (const param of scenario.params) expect(param.default).toBeDefined();
  });

  it('runs with its defaults and is deterministic for a seed', async () => {
    const a = await run();
    const b = await run();
    expect(a.operations).toBeGreaterThan(10_000);
    expect(b.latency.p99Ms).toBe(a.latency.p99Ms);
  });

  it('two random choices cut p99 latency by more than a third compared with round robin when one link is slow', async () => {
    const roundRobin = await run({ policy: 'round-robin' });
    const two = await run({ policy: 'two-choices' });
    expect(two.latency.p99Ms, `round robin ${roundRobin.latency.p99Ms} ms, two choices ${two.latency.p99Ms} ms`).toBeLessThan(
      roundRobin.latency.p99Ms * (2 / 3),
    );
  });

  it('a slower link raises round robin’s p99 latency', async () => {
    const mild = await run({ slowLinkMs: 4 });
    const bad = await run({ slowLinkMs: 20 });
    expect(bad.latency.p99Ms).toBeGreaterThan(mild.latency.p99Ms * 1.5);
  });

  it('near capacity, random assignment queues far more than two choices', async () => {
    const random = await run({ policy: 'random', slowLinkMs: 0, qps: 3400 });
    const two = await run({ policy: 'two-choices', slowLinkMs: 0, qps: 3400 });
    expect(random.latency.p99Ms).toBeGreaterThan(two.latency.p99Ms * 1.5);
  });

  it('a fast-failing backend raises errors under least outstanding, and ejection removes them', async () => {
    const roundRobin = await run({ policy: 'round-robin', slowLinkMs: 0, failing: true });
    const least = await run({ policy: 'least-outstanding', slowLinkMs: 0, failing: true });
    const ejecting = await run({ policy: 'two-choices-ejection', slowLinkMs: 0, failing: true });
    expect(1 - least.availability).toBeGreaterThan(1 - roundRobin.availability);
    expect(1 - ejecting.availability).toBeLessThan(0.01);
  });
});
