import { describe, expect, it } from 'vitest';
import { pickOfTwo, runCluster, shardOf } from './service.ts';

describe('warm-up', () => {
  it('picks the less loaded of two backends', () => {
    const backends = [
      { name: 'a', outstanding: 3 },
      { name: 'b', outstanding: 1 },
    ];
    const rolls = [0, 0.9];
    expect(pickOfTwo(backends, () => rolls.shift() ?? 0)).toEqual({ name: 'b', outstanding: 1 });
  });

  it('spreads keys over shards', () => {
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 2_000; i++) counts[shardOf(`key-${i}`, 4)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(350);
  });

  for (const seed of [1, 2, 3]) {
    it(`serves a stream of requests through a crash and a partition (seed ${seed})`, async () => {
      const summary = await runCluster(seed, 500);
      expect(summary.operations).toBeGreaterThan(800);
      expect(summary.availability).toBeGreaterThan(0.5);
      expect(summary.p99Ms).toBeLessThan(100);
      expect(summary.perBackend.every((served) => served > 0)).toBe(true);
    });
  }
});
