/**
 * The client cache on its own, with times chosen by hand. The cache refreshes every
 * 1,000 ms in these tests.
 */
import { assert, describe, it } from 'vitest';
import { createClientCache } from './client-cache.ts';

const REFRESH = 1_000;

function picks(cache: ReturnType<typeof createClientCache>, nowMs: number, count: number): (string | undefined)[] {
  return Array.from({ length: count }, () => cache.pick(nowMs));
}

describe('the client cache', () => {
  it('offers no instance before its first refresh', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    const picked = cache.pick(0);
    assert(picked === undefined, `pick returned ${JSON.stringify(picked)} before the first refresh; with no instances known it should return undefined`);
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

  it('spreads requests evenly over the instances it holds', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    const counts = new Map<string, number>();
    for (const id of picks(cache, 10, 600)) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
    for (const id of ['s1', 's2', 's3']) {
      const n = counts.get(id) ?? 0;
      assert(n >= 150 && n <= 250, `${id} got ${n} of 600 picks; each of 3 instances should get about 200 (150–250)`);
    }
  });

  it('stops picking an instance as soon as a request to it fails', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    const chosen = picks(cache, 101, 30);
    const toFailed = chosen.filter((id) => id === 's2').length;
    assert(
      toFailed === 0,
      `${toFailed} of the next 30 picks went to s2 right after a request to it failed; none should. Until the registry ` +
        'notices the crash, the client itself is the fastest detector: stop using an instance when it fails.',
    );
  });

  it('does not send to a failed instance again just because the next refresh still lists it', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    // The registry has not expired s2's lease yet, so the next refresh still lists it.
    cache.update(['s1', 's2', 's3'], REFRESH);
    const chosen = picks(cache, REFRESH + 10, 30);
    const toFailed = chosen.filter((id) => id === 's2').length;
    assert(
      toFailed === 0,
      `${toFailed} of 30 picks went to s2 one refresh after it failed, because the registry still listed it; none should. ` +
        'The registry needs a few heartbeat intervals to expire a crashed instance; keep avoiding a failed ' +
        'instance for a while (longer than the lease) instead of trusting the next refresh.',
    );
  });

  it('gives a failed instance another chance a minute later', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    // A cache that never avoids a failed instance picks it a minute later too, and proves nothing here.
    const avoided = picks(cache, 101, 30).filter((id) => id === 's2').length;
    assert(
      avoided === 0,
      `Not checked yet: this test checks that avoiding a failed instance ends, but your cache does not avoid it to begin ` +
        `with (${avoided} of 30 picks went to s2 right after it failed). Make the test on stopping at a failure pass first.`,
    );
    cache.update(['s1', 's2', 's3'], 60_000);
    const chosen = picks(cache, 60_010, 30);
    assert(
      chosen.includes('s2'),
      's2 failed once a minute ago and the registry lists it again, yet it is never picked: an instance that ' +
        'restarted would get no traffic. Let the avoidance expire.',
    );
  });
});
