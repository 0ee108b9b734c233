/**
 * The contract between a client-side load balancer and the code that sends requests.
 *
 * The sender owns the network: for every request it asks the balancer which backend to use
 * (`pick`), sends one attempt there, and reports how it went (`onResult`). The balancer owns
 * the policy: which backend, and which backends to avoid for a while. It never sends, sleeps
 * or reads a clock of its own, so the same object works in the tests here and in a bigger
 * system: the service-discovery exercise (`discovery-leases`) builds your balancer from this
 * file and hands it, for every request, the instances its client cache believes are live.
 *
 * This file is read-only.
 */
import type { Random } from '@faultlines/sim';

/**
 * What the sender tells the balancer about one backend at the moment of a pick: only what a
 * real client knows without asking anyone.
 */
export interface BackendView {
  /** The backend's name, as the sender addresses it (for example `"api-2"`). */
  readonly name: string;
  /**
   * Requests this balancer's sender has sent to the backend that have not finished yet
   * (no reply, no error, no timeout so far). It counts only this client's requests: other
   * clients of the same backend are invisible, as they are to Envoy or gRPC.
   */
  readonly outstanding: number;
}

/** How one attempt ended, as reported to {@link Balancer.onResult}. */
export interface Outcome {
  /** `true` if the backend answered successfully. */
  readonly ok: boolean;
  /** Time from sending the attempt to its outcome, in milliseconds (the timeout, for a timeout). */
  readonly latencyMs: number;
  /**
   * Why it failed, when it did: the backend refused it (`'rejected'`), its queue was full
   * (`'overloaded'`), or no answer came before the sender's timeout (`'timeout'`).
   */
  readonly error?: 'rejected' | 'overloaded' | 'timeout';
}

/**
 * A client-side load balancer. One instance serves one client; the sender calls it once per
 * request, synchronously, so keep `pick` cheap (no loops over history, no sorting big arrays).
 */
export interface Balancer {
  /**
   * Chooses the backend for the next request.
   *
   * @param backends Every backend the client may use, never empty. The array and its
   *   objects are fresh for each call: read them, do not keep them.
   * @param now The client's clock, in milliseconds.
   * @returns The `name` of one of `backends`. Anything else fails the request.
   */
  pick(backends: readonly BackendView[], now: number): string;
  /**
   * Called once for every attempt the sender made, when it ends.
   *
   * @param backend The name `pick` returned for that attempt.
   * @param outcome How it ended.
   * @param now The client's clock, in milliseconds, when it ended.
   */
  onResult?(backend: string, outcome: Outcome, now: number): void;
}

/** What a balancer is built with. */
export interface BalancerOptions {
  /**
   * A seeded random generator (`random.next()` is uniform in [0, 1), `random.int(n)` in
   * [0, n)). Use it instead of `Math.random()`, so that every run repeats exactly.
   */
  readonly random: Random;
}

/** Builds a balancer; `balancer.ts` exports one called `createBalancer`. */
export type BalancerFactory = (options: BalancerOptions) => Balancer;

/**
 * Outlier ejection, the part of the contract the tests check directly (the defaults of
 * Envoy's consecutive-5xx detector, scaled to a short run): after this many failed
 * attempts in a row on one backend, with no success in between, the balancer must stop
 * picking it.
 */
export const EJECT_AFTER_CONSECUTIVE_FAILURES = 5;

/**
 * An ejected backend must not be picked for at least this long after the failure that
 * ejected it, in milliseconds, as long as some other backend is not ejected.
 */
export const MIN_EJECTION_MS = 1_000;

/**
 * …and must be picked again (to find out whether it has recovered) no later than this long
 * after its first ejection, in milliseconds. If every backend is ejected, the balancer must
 * still return one of them: failing some requests beats failing all of them.
 */
export const MAX_FIRST_EJECTION_MS = 30_000;
