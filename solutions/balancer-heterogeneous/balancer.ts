/**
 * Reference solution: the power of two random choices over outstanding requests, with
 * outlier ejection after consecutive failures.
 *
 * - Load: pick two different backends at random and send to the one with fewer requests in
 *   flight. A slow backend holds its requests longer, so it shows more outstanding work
 *   and loses most comparisons; equal backends end up with equal shares.
 * - Failures: after EJECT_AFTER_CONSECUTIVE_FAILURES failures in a row, a backend is
 *   ejected for a while (longer each time it is ejected again, as Envoy does), then
 *   allowed back to prove itself.
 * - If every backend is ejected, choose among all of them rather than fail everything.
 * - Retries within a budget, a token bucket: each new request saves a tenth of a retry (the
 *   SRE book's 10% per client), a retry spends a whole one, and at most 10 are saved. A
 *   failure here and there is retried; when everything fails, retries add at most about 10%
 *   to the load instead of multiplying it. Timeouts are not retried: the user has already
 *   waited the whole timeout, and an answer after it would land in the p99.
 */
import { EJECT_AFTER_CONSECUTIVE_FAILURES, type BackendView, type Balancer, type BalancerOptions, type Outcome } from './types.ts';

/** First ejection lasts this long; the n-th lasts n times as long, up to the cap. */
const BASE_EJECTION_MS = 2_000;
const MAX_EJECTION_MS = 20_000;

/**
 * The retry budget in whole numbers (tenths add up to 0.9999999999999999, not 1): each new
 * request earns one credit, a retry costs ten, so retries are at most 10% of requests; and at
 * most a hundred credits, ten retries, are saved up.
 */
const CREDITS_PER_RETRY = 10;
const MAX_CREDITS = 100;

interface Health {
  /** Failures since the last success. */
  consecutiveFailures: number;
  /** How many times the backend has been ejected. */
  ejections: number;
  /** Not eligible before this time (client clock, ms). */
  ejectedUntil: number;
}

export function createBalancer(options: BalancerOptions): Balancer {
  const random = options.random;
  const health = new Map<string, Health>();
  let credits = 0;

  const healthOf = (name: string): Health => {
    let entry = health.get(name);
    if (entry === undefined) {
      entry = { consecutiveFailures: 0, ejections: 0, ejectedUntil: -Infinity };
      health.set(name, entry);
    }
    return entry;
  };

  /** The better of two different random backends from `pool` (non-empty). */
  const twoChoices = (pool: readonly BackendView[]): BackendView => {
    if (pool.length === 1) return pool[0]!;
    const i = random.int(pool.length);
    let j = random.int(pool.length - 1);
    if (j >= i) j++;
    const a = pool[i]!;
    const b = pool[j]!;
    return b.outstanding < a.outstanding ? b : a;
  };

  return {
    pick(backends, now, attempt) {
      if (attempt === 1) credits = Math.min(MAX_CREDITS, credits + 1);
      const eligible = backends.filter((backend) => healthOf(backend.name).ejectedUntil <= now);
      return twoChoices(eligible.length > 0 ? eligible : backends).name;
    },

    onResult(backend: string, outcome: Outcome, now: number) {
      const entry = healthOf(backend);
      if (outcome.ok) {
        entry.consecutiveFailures = 0;
        return;
      }
      entry.consecutiveFailures++;
      // Failures of requests sent before an ejection can arrive after it: do not eject twice.
      if (entry.consecutiveFailures >= EJECT_AFTER_CONSECUTIVE_FAILURES && entry.ejectedUntil <= now) {
        entry.ejections++;
        entry.ejectedUntil = now + Math.min(BASE_EJECTION_MS * entry.ejections, MAX_EJECTION_MS);
        entry.consecutiveFailures = 0;
      }
    },

    retry(_backend, outcome) {
      if (outcome.error === 'timeout' || credits < CREDITS_PER_RETRY) return false;
      credits -= CREDITS_PER_RETRY;
      return true;
    },
  };
}
