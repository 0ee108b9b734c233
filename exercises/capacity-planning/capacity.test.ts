import { describe, expect, it } from 'vitest';
import { workersNeeded } from './capacity.ts';
import { measure } from './harness.ts';
import type { ServiceProfile } from './types.ts';

/** The seed of every simulated run (also in exercise.json), so a result can be reproduced. */
const seed = 1128;

const services: readonly (ServiceProfile & { readonly name: string })[] = [
  { name: 'a checkout API', ratePerS: 400, meanServiceMs: 20, p99TargetMs: 120 },
  { name: 'a cache front end', ratePerS: 1_000, meanServiceMs: 5, p99TargetMs: 30 },
  { name: 'a report generator', ratePerS: 50, meanServiceMs: 100, p99TargetMs: 600 },
  // A target about 5× the mean service time: a small error in the tail formula changes the answer.
  { name: 'an image-thumbnail service', ratePerS: 250, meanServiceMs: 50, p99TargetMs: 255 },
  // Light load and a tight target: a model that assumes every request waits buys far too many workers.
  { name: 'an internal admin API', ratePerS: 20, meanServiceMs: 10, p99TargetMs: 50 },
];

describe('workersNeeded', () => {
  it('returns a whole number of workers, at least one', () => {
    for (const service of services) {
      const workers = workersNeeded(service);
      expect(Number.isInteger(workers), `${service.name}: ${workers} is not a whole number`).toBe(true);
      expect(workers).toBeGreaterThanOrEqual(1);
    }
  });

  it('leaves every worker some idle time, so the queue can drain', () => {
    for (const service of services) {
      const workers = workersNeeded(service);
      const busy = (service.ratePerS * service.meanServiceMs) / 1000;
      expect(
        workers,
        `${service.name}: ${busy} workers' worth of work arrives every second, and ${workers} worker(s) would be ` +
          `${Math.round((busy / workers) * 100)}% busy — at 100% or more the queue grows without end`,
      ).toBeGreaterThan(busy);
    }
  });

  for (const service of services) {
    it(`holds the p99 target for ${service.name} at its busiest hour`, async () => {
      const workers = workersNeeded(service);
      const result = await measure(service, workers, seed);
      expect(
        result.p99Ms,
        `with ${workers} workers, p99 was ${result.p99Ms.toFixed(1)} ms; the target is ${service.p99TargetMs} ms. ` +
          `Each worker is ${Math.round(result.utilisation * 100)}% busy — near 100%, requests queue behind each other ` +
          'and the tail explodes long before the average moves.',
      ).toBeLessThanOrEqual(service.p99TargetMs);
    });

    it(`does not buy more than one worker beyond what ${service.name} needs`, async () => {
      const workers = workersNeeded(service);
      const fewer = workers - 2;
      const busy = (service.ratePerS * service.meanServiceMs) / 1000;
      if (fewer <= busy) return; // Two fewer would be overloaded: nothing to waste.
      const result = await measure(service, fewer, seed);
      expect(
        result.p99Ms,
        `${fewer} workers already hold the target (p99 ${result.p99Ms.toFixed(1)} ms ≤ ${service.p99TargetMs} ms), ` +
          `so ${workers} is more than needed — capacity costs money. A model that over-provisions often assumes every ` +
          'request waits: only a fraction C of them does (Erlang C), and a waiting one waits Exp(cμ − λ).',
      ).toBeGreaterThan(service.p99TargetMs);
    });
  }
});
