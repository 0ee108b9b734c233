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

/**
 * The service runs in `zones` availability zones. Each zone has its own pool of workers
 * with its own queue, and a balancer splits the requests evenly over the zones in service.
 * How many workers must each zone have so that the p99 target still holds at the busiest
 * hour after one whole zone is lost?
 *
 * This first attempt spreads the pool `workersNeeded` sizes over the zones.
 */
export function workersPerZone(profile: ServiceProfile, zones: number): number {
  return Math.ceil(workersNeeded(profile) / zones);
}
