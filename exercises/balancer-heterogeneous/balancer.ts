/**
 * Your client-side load balancer.
 *
 * The tests run it in front of five backends (see harness.ts): three healthy, one behind a
 * slow, long-tailed link, and one that fails most of what it is sent while still looking
 * alive. They measure the p99 latency and the error rate your balancer achieves, and
 * compare them with round robin in the same seeded run.
 *
 * This starter is round robin: every backend gets the same share, whatever happens to
 * it. Make it send less work to backends that are slow (each view carries
 * `outstanding`), and stop sending to backends that keep failing (see the ejection
 * contract in types.ts), without piling everything onto one healthy backend.
 *
 * The backends sit in three zones (harness.ts). One run takes a zone's backends off the network
 * for 3 s: nothing refuses, requests sent there just go unanswered until the client's timeout.
 *
 * It never retries either, so every failed attempt is a failed request. Two more runs test
 * `retry`: one where a retry on another backend rescues a request that failed by bad luck,
 * and one where every backend fails and retries only add load (the budget in types.ts).
 */
import type { Balancer, BalancerOptions } from './types.ts';

export function createBalancer(options: BalancerOptions): Balancer {
  void options; // options.random: a seeded generator, for any random choice you make
  let next = 0;
  return {
    pick(backends) {
      const backend = backends[next % backends.length]!;
      next++;
      return backend.name;
    },
    onResult() {
      // Round robin learns nothing from outcomes.
    },
    retry() {
      // Never: the failure is the request's.
      return false;
    },
  };
}
