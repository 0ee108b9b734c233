import { assert, describe, it } from 'vitest';
import { workersNeeded } from './capacity.ts';
import {
  busyWorkers,
  explainMissedTarget,
  explainOverload,
  explainWaste,
  explainWasteUnchecked,
  measure,
  type Measurement,
} from './harness.ts';
import type { ServiceProfile } from './types.ts';

/** The seed of every simulated run (also in exercise.json), so a result can be reproduced. */
const seed = 1128;

type Service = ServiceProfile & { readonly name: string };

const services: readonly Service[] = [
  { name: 'a checkout API', ratePerS: 400, meanServiceMs: 20, p99TargetMs: 120 },
  { name: 'a cache front end', ratePerS: 1_000, meanServiceMs: 5, p99TargetMs: 30 },
  { name: 'a report generator', ratePerS: 50, meanServiceMs: 100, p99TargetMs: 600 },
  // A target about 5× the mean service time: a small error in the tail formula changes the answer.
  { name: 'an image-thumbnail service', ratePerS: 250, meanServiceMs: 50, p99TargetMs: 255 },
  // Light load and a tight target: a model that assumes every request waits buys far too many workers.
  { name: 'an internal admin API', ratePerS: 20, meanServiceMs: 10, p99TargetMs: 50 },
];

/** One simulated run per service and worker count, shared by the tests that need it. */
const runs = new Map<string, Promise<Measurement>>();
function measured(service: Service, workers: number): Promise<Measurement> {
  const key = `${service.name}/${workers}`;
  let run = runs.get(key);
  if (!run) runs.set(key, (run = measure(service, workers, seed)));
  return run;
}

describe('workersNeeded', () => {
  it('returns a whole number of workers, at least one', () => {
    for (const service of services) {
      const workers = workersNeeded(service);
      assert(
        Number.isInteger(workers) && workers >= 1,
        `${service.name}: workersNeeded returned ${workers}; a pool has a whole number of workers, at least one ` +
          '(round up: a fraction of a worker cannot be bought).',
      );
    }
  });

  it('leaves every worker some idle time, so the queue can drain', () => {
    for (const service of services) {
      const workers = workersNeeded(service);
      assert(workers > busyWorkers(service), `${service.name}: ${explainOverload(service, workers)}`);
    }
  });

  for (const service of services) {
    it(`holds the p99 target for ${service.name} at its busiest hour`, async () => {
      const result = await measured(service, workersNeeded(service));
      assert(result.p99Ms <= service.p99TargetMs, explainMissedTarget(service, result));
    });

    it(`does not buy more than one worker beyond what ${service.name} needs`, async () => {
      const workers = workersNeeded(service);
      // Waste means more workers than the target needs, so it can only be judged on an answer
      // that holds the target; an answer that does not has failed above, and fails here too.
      const own = await measured(service, workers);
      assert(own.p99Ms <= service.p99TargetMs, explainWasteUnchecked(service, own));
      const fewer = workers - 2;
      // Two fewer workers than that would be overloaded (100% busy or more): they cannot hold the
      // target, so the answer is within one worker of the least that can.
      if (fewer <= busyWorkers(service)) return;
      const result = await measured(service, fewer);
      assert(result.p99Ms > service.p99TargetMs, explainWaste(service, workers, result));
    });
  }
});
