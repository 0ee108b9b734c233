/**
 * The M/M/c queue in closed form: what the tests check an answer against, besides the
 * simulated runs. Hidden from the learner, and the grader refuses it to the learner's files:
 * it is the exercise's answer. Times in milliseconds.
 */
import type { ServiceProfile } from './types.ts';

/** Erlang's C formula through the Erlang B recurrence: the chance that a request waits. */
function probabilityOfWaiting(workers: number, load: number): number {
  let erlangB = 1;
  for (let k = 1; k <= workers; k++) erlangB = (load * erlangB) / (k + load * erlangB);
  const utilisation = load / workers;
  return erlangB / (1 - utilisation + utilisation * erlangB);
}

/** P(response time > t): no wait with probability 1 − C, else an Exp(cμ − λ) wait, plus an Exp(μ) service. */
function probabilitySlowerThan(t: number, workers: number, ratePerS: number, meanServiceMs: number): number {
  const lambda = ratePerS / 1000;
  const mu = 1 / meanServiceMs;
  const wait = probabilityOfWaiting(workers, lambda / mu);
  const drain = workers * mu - lambda;
  const service = Math.exp(-mu * t);
  if (Math.abs(drain - mu) < 1e-12) return (1 - wait) * service + wait * (1 + mu * t) * service;
  return (1 - wait) * service + (wait * (drain * service - mu * Math.exp(-drain * t))) / (drain - mu);
}

/** The model's p99 response time with `workers` workers; Infinity when they cannot keep up. */
export function modelP99Ms(workers: number, ratePerS: number, meanServiceMs: number): number {
  if (!(workers >= 1) || (workers * 1000) / meanServiceMs <= ratePerS) return Infinity;
  let low = 0;
  let high = 1;
  while (probabilitySlowerThan(high, workers, ratePerS, meanServiceMs) > 0.01) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (probabilitySlowerThan(mid, workers, ratePerS, meanServiceMs) > 0.01) low = mid;
    else high = mid;
  }
  return high;
}

/** The least workers whose model p99 is within `p99TargetMs` at `ratePerS`. */
export function leastWorkers(profile: ServiceProfile): number {
  let workers = Math.max(1, Math.floor((profile.ratePerS * profile.meanServiceMs) / 1000) + 1);
  while (modelP99Ms(workers, profile.ratePerS, profile.meanServiceMs) > profile.p99TargetMs) workers++;
  return workers;
}
