import { Random } from '@faultlines/sim';
import { assert, describe, inject, it } from 'vitest';
import { workersNeeded, workersPerZone } from './capacity.ts';
import {
  busyWorkers,
  count,
  explainMissedTarget,
  explainOverload,
  explainWaste,
  explainWasteUnchecked,
  explainZoneLoss,
  explainZoneWaste,
  explainZoneWasteUnchecked,
  measure,
  measureZoneLoss,
  ZONES,
  type Measurement,
  type Service,
  type ZoneLossMeasurement,
} from './harness.ts';
import { leastWorkers, modelP99Ms } from './model.ts';
import type { ServiceProfile } from './types.ts';

/**
 * The seed of every simulated run (also in exercise.json), so a result can be reproduced. It is
 * fixed, not the grade's seed: one run of 10,000 requests measures a p99 to within about 15%
 * (over 300 seeds, the least pools that hold these targets in the M/M/c model measured up to
 * 1.15 times the model's p99), so on some seeds a right answer would miss by chance. The
 * services checked against the queueing model at the end are drawn from the grade's seed.
 */
const seed = 1128;
const zones = ZONES.length;

const services: readonly Service[] = [
  { name: 'a checkout API', ratePerS: 400, meanServiceMs: 20, p99TargetMs: 120 },
  { name: 'a cache front end', ratePerS: 1_000, meanServiceMs: 5, p99TargetMs: 30 },
  { name: 'a report generator', ratePerS: 50, meanServiceMs: 100, p99TargetMs: 600 },
  // A target about 5× the mean service time: a small error in the tail formula changes the answer.
  { name: 'an image-thumbnail service', ratePerS: 250, meanServiceMs: 50, p99TargetMs: 255 },
  // Light load and a tight target: a model that assumes every request waits buys far too many workers.
  { name: 'an internal admin API', ratePerS: 20, meanServiceMs: 10, p99TargetMs: 50 },
];

/**
 * The services of the zone-loss runs: pools small enough that splitting one across zones costs
 * a worker. Over seeds 1–10 and 1128, the reference's zones measured a p99 of at most 0.85× the
 * target after the loss, and zones holding the whole service's pool split over the two left
 * (one worker short each) at least 1.22×.
 */
const zoneServices: readonly Service[] = [
  { name: 'a search API', ratePerS: 560, meanServiceMs: 5, p99TargetMs: 30 },
  { name: 'a PDF renderer', ratePerS: 48, meanServiceMs: 100, p99TargetMs: 600 },
  { name: 'a payments API', ratePerS: 44, meanServiceMs: 20, p99TargetMs: 120 },
];

/** One simulated run per service and worker count, shared by the tests that need it. */
const runs = new Map<string, Promise<Measurement>>();
function measured(service: Service, workers: number): Promise<Measurement> {
  const key = `${service.name}/${workers}`;
  let run = runs.get(key);
  if (!run) runs.set(key, (run = measure(service, workers, seed)));
  return run;
}

const zoneRuns = new Map<string, Promise<ZoneLossMeasurement>>();
function measuredZoneLoss(service: Service, perZone: number): Promise<ZoneLossMeasurement> {
  const key = `${service.name}/${perZone}`;
  let run = zoneRuns.get(key);
  if (!run) zoneRuns.set(key, (run = measureZoneLoss(service, perZone, seed)));
  return run;
}

const rate = (service: Service): string => `${service.ratePerS.toLocaleString('en-US')} requests/s`;

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
      assert(result.p99Ms <= service.p99TargetMs, `${service.name} at ${rate(service)}: ${explainMissedTarget(service, result)}`);
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
      assert(result.p99Ms > service.p99TargetMs, `${service.name} at ${rate(service)}: ${explainWaste(service, workers, result)}`);
    });
  }
});

describe(`workersPerZone: losing one of ${zones} availability zones at the busiest hour`, () => {
  it('returns a whole number of workers per zone, at least one', () => {
    for (const service of zoneServices) {
      const perZone = workersPerZone(service, zones);
      assert(
        Number.isInteger(perZone) && perZone >= 1,
        `${service.name}: workersPerZone returned ${perZone}; each zone needs a whole number of workers, at least one.`,
      );
    }
  });

  for (const service of zoneServices) {
    it(`holds the p99 target for ${service.name} after a zone is lost`, async () => {
      const result = await measuredZoneLoss(service, workersPerZone(service, zones));
      assert(result.p99Ms <= service.p99TargetMs, `${service.name} at ${rate(service)}: ${explainZoneLoss(service, zones, result)}`);
    });

    it(`does not buy more than one worker per zone beyond what ${service.name} needs`, async () => {
      const perZone = workersPerZone(service, zones);
      const own = await measuredZoneLoss(service, perZone);
      assert(own.p99Ms <= service.p99TargetMs, explainZoneWasteUnchecked(service, own));
      const fewer = perZone - 2;
      // The zones left would be overloaded with two fewer workers each: the answer is within one of the least.
      if (fewer * (zones - 1) <= busyWorkers(service)) return;
      const result = await measuredZoneLoss(service, fewer);
      assert(
        result.p99Ms > service.p99TargetMs,
        `${service.name} at ${rate(service)}: ${explainZoneWaste(service, zones, perZone, result)}`,
      );
    });
  }
});

/**
 * The simulated runs above measure a handful of services, the same on every run (one run's
 * p99 is too noisy near saturation for services drawn at random: see `seed` above). Here the
 * answers are checked on many services drawn from the grade's seed against the queueing model
 * the simulation follows (Poisson arrivals, exponential service times, one queue per pool):
 * nothing can be memorised, and no rule of thumb agrees with it everywhere. An answer is
 * accepted from the least pool that holds a target 2% looser to one worker more than the
 * least that holds a target 2% tighter, so a right formula computed another way passes.
 */
const MODEL_SERVICES = 300;

/**
 * Services drawn over wide ranges: 2–3,000 requests/s, 1–300 ms, a target 5–8 × the mean
 * (the service time's own p99 is 4.6 × the mean), at most 60 busy workers. On such services
 * Little's law rounded up plus one worker is off by more than the one worker allowed for
 * about 4.5% of them, so over 300 it fails on every seed but about one in 10⁶.
 */
function drawnServices(label: string): ServiceProfile[] {
  const random = new Random(inject('seed')).fork(label);
  const logUniform = (low: number, high: number): number => Math.exp(Math.log(low) + random.next() * (Math.log(high) - Math.log(low)));
  const drawn: ServiceProfile[] = [];
  while (drawn.length < MODEL_SERVICES) {
    const ratePerS = Math.round(logUniform(2, 3_000));
    const meanServiceMs = Math.round(logUniform(1, 300) * 10) / 10;
    if ((ratePerS * meanServiceMs) / 1000 > 60) continue;
    const p99TargetMs = Math.round(meanServiceMs * (5 + random.next() * 3));
    drawn.push({ ratePerS, meanServiceMs, p99TargetMs });
  }
  return drawn;
}

/** The answers the model accepts for a profile (see above). */
function accepted(profile: ServiceProfile): { least: number; low: number; high: number } {
  return {
    least: leastWorkers(profile),
    low: leastWorkers({ ...profile, p99TargetMs: profile.p99TargetMs * 1.02 }),
    high: leastWorkers({ ...profile, p99TargetMs: profile.p99TargetMs * 0.98 }) + 1,
  };
}

const describeService = (p: ServiceProfile): string =>
  `${p.ratePerS.toLocaleString('en-US')} requests/s × ${p.meanServiceMs} ms with a ${p.p99TargetMs} ms p99 target`;

/** What the model says of `workers` workers at `ratePerS`: its p99, or that they cannot keep up. */
function modelSays(workers: number, ratePerS: number, meanServiceMs: number): string {
  const p99 = modelP99Ms(workers, ratePerS, meanServiceMs);
  const busy = (ratePerS * meanServiceMs) / 1000;
  return Number.isFinite(p99)
    ? `a p99 of ${p99.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`
    : `no p99 at all: ${busy.toLocaleString('en-US', { maximumFractionDigits: 2 })} workers are busy on average, and the queue grows without end`;
}

/** Why the model disagrees with an answer of `answer` workers (per zone, when `unit` says so) where `least` is right. */
function disagreement(answer: number, least: number, ratePerS: number, meanServiceMs: number, unit = ''): string {
  if (!Number.isInteger(answer) || answer < 1) return `A pool has a whole number of workers, at least one; the model's answer is ${count(least, 'worker')}${unit}.`;
  if (answer < least) {
    return (
      `In the M/M/c model the simulation follows, ${count(answer, 'worker')}${unit} ${answer === 1 ? 'gives' : 'give'} ${modelSays(answer, ratePerS, meanServiceMs)}, ` +
      `and the least pool that holds the target has ${count(least, 'worker')}${unit} (${modelSays(least, ratePerS, meanServiceMs)}).`
    );
  }
  return (
    `In the M/M/c model the simulation follows, ${count(least, 'worker')}${unit} already ${least === 1 ? 'holds' : 'hold'} the target ` +
    `(${modelSays(least, ratePerS, meanServiceMs)}), so ${count(answer, 'worker')}${unit} buy ${answer - least} more than needed.`
  );
}

describe(`against the M/M/c model, on ${MODEL_SERVICES} services drawn from the seed`, () => {
  it('workersNeeded agrees with the model within one worker', () => {
    const wrong = drawnServices('capacity-model-pools').flatMap((profile) => {
      const answer = workersNeeded(profile);
      const { least, low, high } = accepted(profile);
      return Number.isInteger(answer) && answer >= low && answer <= high ? [] : [{ profile, answer, least }];
    });
    const first = wrong[0];
    assert(
      first === undefined,
      first === undefined
        ? ''
        : `${wrong.length} of ${MODEL_SERVICES} services drawn from the seed got a pool the model disagrees with. The first: ` +
            `${describeService(first.profile)}, workersNeeded returned ${first.answer}. ` +
            disagreement(first.answer, first.least, first.profile.ratePerS, first.profile.meanServiceMs),
    );
  });

  it('workersPerZone agrees with the model within one worker, for 2 to 5 zones', () => {
    const random = new Random(inject('seed')).fork('capacity-model-zone-counts');
    const wrong = drawnServices('capacity-model-zones').flatMap((profile) => {
      const zoneCount = 2 + random.int(4);
      const carried = { ...profile, ratePerS: profile.ratePerS / (zoneCount - 1) };
      const answer = workersPerZone(profile, zoneCount);
      const { least, low, high } = accepted(carried);
      return Number.isInteger(answer) && answer >= low && answer <= high ? [] : [{ profile, zoneCount, carried, answer, least }];
    });
    const first = wrong[0];
    assert(
      first === undefined,
      first === undefined
        ? ''
        : `${wrong.length} of ${MODEL_SERVICES} services drawn from the seed got a zone plan the model disagrees with. The first: ` +
            `${describeService(first.profile)} in ${first.zoneCount} zones, workersPerZone returned ${first.answer}. Once a zone is lost, each of the ` +
            `${first.zoneCount - 1} left takes ${first.carried.ratePerS.toLocaleString('en-US', { maximumFractionDigits: 1 })} requests/s in a queue of its own. ` +
            disagreement(first.answer, first.least, first.carried.ratePerS, first.profile.meanServiceMs, ' per zone'),
    );
  });
});
