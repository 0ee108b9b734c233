import { assert, describe, inject, it } from 'vitest';
import { workersNeeded } from './capacity.ts';
import {
  busyWorkers,
  drawServices,
  SERVICE_NAMES,
  explainMissedTarget,
  explainOverload,
  explainWaste,
  explainWasteUnchecked,
  measure,
  type Measurement,
  type Service,
} from './harness.ts';

/**
 * The seed of every simulated run, and of the services sized: each run of the page uses the
 * exercise's seed (also in exercise.json), so a result can be reproduced; a grade for the
 * record draws another, and with it other services.
 */
const seed = inject('seed');

let drawn: Promise<Service[]> | undefined;
/** The services of this run, drawn once per test file (the draw runs a few simulations). */
const services = (): Promise<Service[]> => (drawn ??= drawServices(seed));

/** One simulated run per service and worker count, shared by the tests that need it. */
const runs = new Map<string, Promise<Measurement>>();
function measured(service: Service, workers: number): Promise<Measurement> {
  const key = `${service.name}/${workers}`;
  let run = runs.get(key);
  if (!run) runs.set(key, (run = measure(service, workers, seed)));
  return run;
}

describe('workersNeeded', () => {
  it('returns a whole number of workers, at least one', async () => {
    for (const service of await services()) {
      const workers = workersNeeded(service);
      assert(
        Number.isInteger(workers) && workers >= 1,
        `${service.name}: workersNeeded returned ${workers}; a pool has a whole number of workers, at least one ` +
          '(round up: a fraction of a worker cannot be bought).',
      );
    }
  });

  it('leaves every worker some idle time, so the queue can drain', async () => {
    for (const service of await services()) {
      const workers = workersNeeded(service);
      assert(workers > busyWorkers(service), `${service.name}: ${explainOverload(service, workers)}`);
    }
  });

  SERVICE_NAMES.forEach((name, i) => {
    it(`holds the p99 target for ${name} at its busiest hour`, async () => {
      const service = (await services())[i]!;
      const result = await measured(service, workersNeeded(service));
      assert(result.p99Ms <= service.p99TargetMs, explainMissedTarget(service, result));
    });

    it(`does not buy more than one worker beyond what ${name} needs`, async () => {
      const service = (await services())[i]!;
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
  });
});
