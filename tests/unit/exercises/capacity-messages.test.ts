/**
 * The capacity-planning exercise explains a failure from the numbers measured: these check
 * the sentences at the edges a learner meets (one worker or many, a lightly loaded pool, one
 * near saturation, one overloaded), so that the advice fits what actually happened.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  count,
  explainMissedTarget,
  explainOverload,
  explainWaste,
  explainWasteUnchecked,
  type Measurement,
} from '../../../exercises/capacity-planning/harness.ts';
import type { ServiceProfile } from '../../../exercises/capacity-planning/types.ts';

// Exercises import the simulator by the name the grader gives it; the unit project has no such alias.
vi.mock('@faultlines/sim', () => import('../../../src/sim/index.ts'));

const admin: ServiceProfile = { ratePerS: 20, meanServiceMs: 10, p99TargetMs: 50 };
const thumbnails: ServiceProfile = { ratePerS: 250, meanServiceMs: 50, p99TargetMs: 255 };
const checkout: ServiceProfile = { ratePerS: 400, meanServiceMs: 20, p99TargetMs: 120 };

function run(profile: ServiceProfile, workers: number, p99Ms: number): Measurement {
  return { workers, requests: 10_000, p99Ms, utilisation: (profile.ratePerS * profile.meanServiceMs) / 1000 / workers };
}

describe('count', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(count(1, 'worker')).toBe('1 worker');
    expect(count(8, 'worker')).toBe('8 workers');
    expect(count(0.2, 'worker')).toBe('0.2 workers');
    expect(count(23_991, 'key')).toBe('23,991 keys');
  });
});

describe('explainMissedTarget', () => {
  it('with one lightly loaded worker, blames the service-time tail and the waits, not a queue near 100%', () => {
    const text = explainMissedTarget(admin, run(admin, 1, 56.2));
    expect(text).toContain('With 1 worker, p99 was 56.2 ms; the target is 50 ms.');
    expect(text).toContain('The worker is only 20% busy');
    expect(text).toContain('46.1 ms (ln 100 × the 10 ms mean)');
    expect(text).toContain('20% of them');
    expect(text).not.toMatch(/near 100%|close to 100%|1 workers/);
  });

  it('with several lightly loaded workers, says a request waits only when all of them are busy', () => {
    const text = explainMissedTarget(admin, run(admin, 2, 51));
    expect(text).toContain('With 2 workers');
    expect(text).toContain('Each worker is only 10% busy');
    expect(text).toContain('finds all 2 workers busy');
  });

  it('near saturation, explains queueing with the measured utilisation', () => {
    const text = explainMissedTarget(thumbnails, run(thumbnails, 13, 363));
    expect(text).toContain('With 13 workers, p99 was 363 ms; the target is 255 ms.');
    expect(text).toContain('Each worker is 96% busy: that close to 100%');
    expect(text).not.toContain('only');
  });

  it('at 70–90% busy, still explains queueing, without claiming the pool is near 100%', () => {
    const text = explainMissedTarget(thumbnails, run(thumbnails, 16, 300));
    expect(text).toContain('Each worker is 78% busy: at that load');
  });

  it('when the service time alone breaks the target, says no number of workers can hold it', () => {
    const tight: ServiceProfile = { ratePerS: 20, meanServiceMs: 10, p99TargetMs: 30 };
    expect(explainMissedTarget(tight, run(tight, 3, 47))).toContain('no number of workers can hold this target');
  });

  it('at 100% or more, says the queue grows without end and how much work arrives', () => {
    const text = explainMissedTarget(checkout, run(checkout, 8, 288.8));
    expect(text).toContain('400 requests/s × 20 ms keeps 8 workers busy on average, so each of 8 workers would be 100% busy.');
    expect(text).toContain('grows without end');
  });
});

describe('explainOverload', () => {
  it('names a single worker in the singular', () => {
    const heavy: ServiceProfile = { ratePerS: 100, meanServiceMs: 20, p99TargetMs: 200 };
    expect(explainOverload(heavy, 1)).toContain('keeps 2 workers busy on average, so a single worker would be 200% busy');
  });
});

describe('explainWaste and explainWasteUnchecked', () => {
  it('give the smaller pool that holds the target, in the right number', () => {
    expect(explainWaste(admin, 3, run(admin, 1, 45))).toMatch(/^1 worker already holds the target \(p99 45 ms ≤ 50 ms\), so 3 workers are more than needed/);
    expect(explainWaste(checkout, 14, run(checkout, 12, 80))).toMatch(/^12 workers already hold the target/);
  });

  it('say the waste check waits for an answer that holds the target, and what was measured', () => {
    expect(explainWasteUnchecked(admin, run(admin, 1, 56.2))).toBe(
      'Not checked yet: waste is only measured once the answer holds the target, and with 1 worker p99 was ' +
        '56.2 ms against 50 ms. Make the p99 test for this service pass first.',
    );
  });
});
