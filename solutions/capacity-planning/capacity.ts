import type { ServiceProfile } from './types.ts';

/**
 * The probability that a request has to wait for a worker, in a system of `workers`
 * servers offered `load` Erlangs (Erlang's C formula). Computed with the Erlang B
 * recurrence, which stays accurate for large worker counts.
 */
function probabilityOfWaiting(workers: number, load: number): number {
  let erlangB = 1;
  for (let k = 1; k <= workers; k++) erlangB = (load * erlangB) / (k + load * erlangB);
  const utilisation = load / workers;
  return erlangB / (1 - utilisation + utilisation * erlangB);
}

/**
 * P(response time > t) in an M/M/c queue: the wait is 0 with probability 1 − C, else
 * exponential with rate cμ − λ; the service time is exponential with rate μ.
 */
function probabilitySlowerThan(t: number, workers: number, ratePerMs: number, serviceRatePerMs: number): number {
  const wait = probabilityOfWaiting(workers, ratePerMs / serviceRatePerMs);
  const drain = workers * serviceRatePerMs - ratePerMs;
  const serviceTail = Math.exp(-serviceRatePerMs * t);
  if (Math.abs(drain - serviceRatePerMs) < 1e-12) {
    return (1 - wait) * serviceTail + wait * (1 + serviceRatePerMs * t) * serviceTail;
  }
  const queuedTail = (drain * serviceTail - serviceRatePerMs * Math.exp(-drain * t)) / (drain - serviceRatePerMs);
  return (1 - wait) * serviceTail + wait * queuedTail;
}

/** The 99th percentile of response time, in ms, found by bisection on the tail probability. */
function p99Ms(workers: number, ratePerMs: number, serviceRatePerMs: number): number {
  let low = 0;
  let high = 1;
  while (probabilitySlowerThan(high, workers, ratePerMs, serviceRatePerMs) > 0.01) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (probabilitySlowerThan(mid, workers, ratePerMs, serviceRatePerMs) > 0.01) low = mid;
    else high = mid;
  }
  return high;
}

/**
 * How many workers hold the p99 target. Little's law gives the floor — the mean number
 * of busy workers, `rate × service time` — but at that many workers the queue never
 * drains. So start just above it and add workers until the M/M/c model says the 99th
 * percentile of response time is within the target.
 */
export function workersNeeded(profile: ServiceProfile): number {
  const ratePerMs = profile.ratePerS / 1000;
  const serviceRatePerMs = 1 / profile.meanServiceMs;
  let workers = Math.max(1, Math.floor(ratePerMs / serviceRatePerMs) + 1);
  while (p99Ms(workers, ratePerMs, serviceRatePerMs) > profile.p99TargetMs) workers++;
  return workers;
}

/**
 * Workers for each of `zones` zones, so that the p99 holds after one zone is lost. Each
 * zone queues on its own, so pooling across zones does not help: once a zone is gone, each
 * of the `zones − 1` left carries `rate / (zones − 1)` alone, and must be sized for that.
 * (With three zones, each is sized for half the rate where a third would do while all are
 * up: the price of surviving a zone at peak.)
 */
export function workersPerZone(profile: ServiceProfile, zones: number): number {
  return workersNeeded({ ...profile, ratePerS: profile.ratePerS / (zones - 1) });
}
