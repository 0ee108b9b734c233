import type { ServiceProfile } from './types.ts';

/**
 * How many workers does this service need so that 99% of requests finish within
 * `profile.p99TargetMs`, at `profile.ratePerS`?
 *
 * This first attempt uses Little's law: on average `rate × service time` requests are in
 * service, so that many workers are kept busy. Run the tests to see what that does to
 * the tail.
 */
export function workersNeeded(profile: ServiceProfile): number {
  const busyWorkers = (profile.ratePerS * profile.meanServiceMs) / 1000;
  return Math.ceil(busyWorkers);
}
