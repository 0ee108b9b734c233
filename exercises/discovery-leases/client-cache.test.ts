/**
 * The client cache on its own, with times chosen by hand. The cache refreshes every
 * 1,000 ms in these tests. It only says which instances are usable; which one gets a
 * request is the balancer's choice, tested in the failover run.
 */
import { assert, describe, it } from 'vitest';
import { createClientCache } from './client-cache.ts';

const REFRESH = 1_000;

const list = (ids: readonly string[]): string => (ids.length === 0 ? 'nothing' : ids.join(', '));

describe('the client cache', () => {
  it('offers no instance before its first refresh', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    const offered = cache.usable(0);
    assert(
      Array.isArray(offered) && offered.length === 0,
      `usable(0) returned ${JSON.stringify(offered)} before the first refresh; with no instances known it should return []`,
    );
  });

  it('asks for a refresh at first, and again once the refresh interval has passed', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    assert(cache.refreshDue(0), 'refreshDue(0) said no, but an empty cache needs a refresh');
    cache.update(['s1', 's2'], 0);
    assert(!cache.refreshDue(500), 'refreshDue(500) said yes, half an interval after a refresh; none is due yet');
    assert(
      cache.refreshDue(REFRESH),
      `a refresh is due ${REFRESH} ms after the last one, but refreshDue said no: a cache that never ` +
        'refreshes keeps crashed instances forever and never learns of new ones.',
    );
  });

  it('counts the refresh interval from the latest refresh, not from the start of the run', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2'], 0);
    cache.update(['s1', 's2'], 5_000);
    assert(
      !cache.refreshDue(5_000 + REFRESH / 2),
      `the cache refreshed at t = 5,000 ms, yet refreshDue(${5_000 + REFRESH / 2}) said yes: compare the time ` +
        'elapsed since the last refresh (nowMs - lastRefreshMs) with the interval. A cache that asks on every ' +
        'request sends the registry a lookup per request, which is what a cache is there to avoid.',
    );
    assert(
      cache.refreshDue(5_000 + REFRESH),
      `refreshDue(${5_000 + REFRESH}) said no, but a refresh is due again ${REFRESH} ms after the one at t = 5,000 ms`,
    );
  });

  it('offers exactly the instances of the latest refresh, in the order the registry sent them', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    const first = cache.usable(10);
    assert(
      first.join() === 's1,s2,s3',
      `after a refresh listing s1, s2, s3, usable offered ${list(first)}; it should offer all three, in that order`,
    );
    // s1 dropped out of the registry (its lease expired) and s4 joined.
    cache.update(['s2', 's3', 's4'], REFRESH);
    const second = cache.usable(REFRESH + 10);
    assert(
      second.join() === 's2,s3,s4',
      `the next refresh listed s2, s3, s4, yet usable offered ${list(second)}; a refresh replaces the list: ` +
        'an instance the registry dropped is gone, and a new one is offered at once.',
    );
  });

  it('stops offering an instance as soon as a request to it fails, and keeps offering the others', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    const offered = cache.usable(101);
    assert(
      !offered.includes('s2'),
      `a request to s2 failed at t = 100 ms, and usable(101) still offered it (${list(offered)}). Until the registry ` +
        'notices the crash, the client itself is the fastest detector: stop offering an instance when it fails.',
    );
    assert(
      offered.join() === 's1,s3',
      `only s2 failed, yet usable(101) offered ${list(offered)}; s1 and s3 should still be offered, in that order`,
    );
  });

  it('does not offer a failed instance again just because the next refresh still lists it', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    // The registry has not expired s2's lease yet, so the next refreshes still list it.
    for (const at of [REFRESH, 2 * REFRESH, 3 * REFRESH]) {
      cache.update(['s1', 's2', 's3'], at);
      const offered = cache.usable(at + 10);
      assert(
        !offered.includes('s2'),
        `s2 failed at t = 100 ms and the refresh at t = ${at.toLocaleString('en-US')} ms still listed it, so usable ` +
          `offered it again (${list(offered)}). The registry needs a few heartbeat intervals (about 3 s here) to ` +
          'expire a crashed instance; keep avoiding a failed instance for longer than that instead of trusting the ' +
          'next refresh.',
      );
    }
  });

  it('offers a failed instance again a minute later', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    // A cache that never avoids a failed instance offers it a minute later too, and proves nothing here.
    const right = cache.usable(101);
    assert(
      !right.includes('s2'),
      'Not checked yet: this test checks that avoiding a failed instance ends, but your cache does not avoid it to ' +
        `begin with (usable offered ${list(right)} right after s2 failed). Make the test on stopping at a failure pass first.`,
    );
    cache.update(['s1', 's2', 's3'], 60_000);
    const offered = cache.usable(60_010);
    assert(
      offered.includes('s2'),
      `s2 failed once a minute ago and the registry lists it again, yet usable offers only ${list(offered)}: an ` +
        'instance that restarted would get no traffic. Let the avoidance expire.',
    );
  });

  it('does not bring back an instance the registry dropped when its avoidance ends', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    const right = cache.usable(101);
    assert(
      !right.includes('s2'),
      'Not checked yet: this test checks what happens when avoiding a failed instance ends, but your cache does not ' +
        `avoid it to begin with (usable offered ${list(right)} right after s2 failed). Make the test on stopping at a ` +
        'failure pass first.',
    );
    // s2 really crashed: the registry drops it, and it stays dropped.
    for (let at = REFRESH; at <= 60_000; at += REFRESH) cache.update(['s1', 's3'], at);
    const offered = cache.usable(60_010);
    assert(
      !offered.includes('s2'),
      `the registry has not listed s2 for a minute, yet usable offered it again (${list(offered)}) once its avoidance ` +
        'ended. Offer only instances of the latest refresh: the avoidance takes instances away, it never adds any.',
    );
  });
});
