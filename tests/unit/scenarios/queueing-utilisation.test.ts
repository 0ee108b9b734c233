import { describe, expect, it } from 'vitest';
import { QUEUE_CAPACITY, scenario, utilisation } from '../../../src/scenarios/queueing-utilisation.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';

async function run(ratePerS: number, workers: number, seed = 3) {
  const built = scenario.build({ ratePerS, workers }, seed);
  await built.sim.runUntil(built.durationMs);
  await built.sim.runUntilIdle();
  return { summary: built.sim.summary(), hash: built.sim.trace.hash };
}

describe('the queueing-utilisation scenario', () => {
  it('starts at 70% utilisation: one worker serving 100 requests a second, 70 arriving', () => {
    const p = defaultParams(scenario);
    expect(utilisation(Number(p.ratePerS), Number(p.workers))).toBeCloseTo(0.7);
  });

  it('gives the same run for the same seed and parameters', async () => {
    expect((await run(80, 1)).hash).toBe((await run(80, 1)).hash);
  });

  it('shows the queueing cliff: p99 grows slowly at low utilisation and steeply near 100%', async () => {
    const p99 = async (rate: number) => (await run(rate, 1)).summary.latency.p99Ms;
    const [at30, at50, at80, at95] = [await p99(30), await p99(50), await p99(80), await p99(95)];
    expect(at50).toBeGreaterThan(at30);
    expect(at80).toBeGreaterThan(at50);
    // From 80% to 95% the tail grows far more than from 30% to 50%.
    expect(at95 - at80).toBeGreaterThan(3 * (at50 - at30));
  });

  it('more workers take the same load far from the cliff', async () => {
    const one = await run(90, 1);
    const two = await run(90, 2);
    expect(two.summary.latency.p99Ms).toBeLessThan(one.summary.latency.p99Ms / 3);
  });

  it('sheds load past saturation: the bounded queue rejects rather than growing without end', async () => {
    const over = await run(150, 1);
    expect(over.summary.failed).toBeGreaterThan(0);
    expect(over.summary.nodes.find((n) => n.node === 'server')!.maxQueueDepth).toBeLessThanOrEqual(QUEUE_CAPACITY);
  });
});
