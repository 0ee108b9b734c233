/**
 * The contract between a client-side load balancer and the code that sends requests.
 *
 * The sender owns the network: for every request it asks the balancer which backend to use
 * (`pick`), sends one attempt there, and reports how it went (`onResult`). When the attempt
 * fails, it asks the balancer whether to try again (`retry`), and if so sends one more
 * attempt of the same request to another backend, up to {@link MAX_ATTEMPTS_PER_REQUEST}
 * attempts in all. The balancer owns the policy: which backend, which backends to avoid for a
 * while, and which failures are worth another attempt. It never sends, sleeps or reads a
 * clock of its own, so the same object works in the tests here and in a bigger system: the
 * service-discovery exercise (`discovery-leases`) builds your balancer from this file and
 * hands it, for every request, the instances its client cache believes are live (that client
 * makes one attempt per request and never asks `retry`).
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
   * Chooses the backend for the next attempt.
   *
   * @param backends Every backend the client may use, never empty. The array and its
   *   objects are fresh for each call: read them, do not keep them. For a retry, the
   *   backends this request has already tried are left out (there is always another one).
   * @param now The client's clock, in milliseconds.
   * @param attempt Which attempt of its request this is: 1 for a new request, 2 and 3 for
   *   the retries `retry` allowed. So the calls with `attempt === 1` count the requests.
   * @returns The `name` of one of `backends`. Anything else fails the request.
   */
  pick(backends: readonly BackendView[], now: number, attempt: number): string;
  /**
   * Called once for every attempt the sender made, when it ends.
   *
   * @param backend The name `pick` returned for that attempt.
   * @param outcome How it ended.
   * @param now The client's clock, in milliseconds, when it ended.
   */
  onResult?(backend: string, outcome: Outcome, now: number): void;
  /**
   * Called after `onResult` for an attempt that failed, unless its request has already made
   * {@link MAX_ATTEMPTS_PER_REQUEST} attempts: return `true` to send the request again, at
   * once, to a backend `pick` chooses among the ones it has not tried yet. Without this
   * method, or when it returns anything but `true`, the failure is the request's.
   *
   * A retry rescues a request that failed by bad luck on one backend. But when every
   * backend is failing, each retry is one more attempt that fails too, sent at the moment
   * the service can least afford it: retry within a budget, so that attempts stay within
   * {@link MAX_RETRY_AMPLIFICATION} times the requests however long a failure lasts. And a
   * retry after a timeout starts only once the request has waited the whole timeout: it may
   * save the request, but its answer comes late, and late answers count in the p99.
   *
   * @param backend The name `pick` returned for the attempt that failed.
   * @param outcome How it ended (`ok` is `false`).
   * @param now The client's clock, in milliseconds.
   */
  retry?(backend: string, outcome: Outcome, now: number): boolean;
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

/**
 * The sender makes at most this many attempts of one request, the first included (as the
 * AWS SDKs' standard retry mode does by default): `retry` is not asked after the last one.
 */
export const MAX_ATTEMPTS_PER_REQUEST = 3;

/**
 * Retry amplification, attempts sent divided by requests, while every backend fails: at most
 * this much, counted over every request that arrives while the failure lasts, from its first
 * moment (so retries saved up before it count too). A budget of retries as a share of
 * requests keeps it there if the share leaves room for what was saved: 10% of requests (the
 * SRE book's per-client budget) with a few retries saved does, while a share of exactly 20%
 * reaches the bound before spending anything saved. Retrying every failure gives
 * {@link MAX_ATTEMPTS_PER_REQUEST}.
 */
export const MAX_RETRY_AMPLIFICATION = 1.2;
