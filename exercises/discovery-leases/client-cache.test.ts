/**
 * The client cache on its own, with times chosen by hand. The cache refreshes every
 * 1,000 ms in these tests.
 */
import { describe, expect, it } from 'vitest';
import { createClientCache } from './client-cache.ts';

const REFRESH = 1_000;

function picks(cache: ReturnType<typeof createClientCache>, nowMs: number, count: number): (string | undefined)[] {
  return Array.from({ length: count }, () => cache.pick(nowMs));
}

describe('the client cache', () => {
  it('offers no instance before its first refresh', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    expect(cache.pick(0)).toBeUndefined();
  });

  it('asks for a refresh at first, and again once the refresh interval has passed', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    expect(cache.refreshDue(0), 'an empty cache needs a refresh').toBe(true);
    cache.update(['s1', 's2'], 0);
    expect(cache.refreshDue(500), 'half an interval after a refresh, none is due yet').toBe(false);
    expect(
      cache.refreshDue(REFRESH),
      `a refresh is due ${REFRESH} ms after the last one, but refreshDue said no: a cache that never ` +
        'refreshes keeps crashed instances forever and never learns of new ones.',
    ).toBe(true);
  });

  it('counts the refresh interval from the latest refresh, not from the start of the run', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2'], 0);
    cache.update(['s1', 's2'], 5_000);
    expect(
      cache.refreshDue(5_000 + REFRESH / 2),
      `the cache refreshed at t = 5,000 ms, yet refreshDue(${5_000 + REFRESH / 2}) said yes: compare the time ` +
        'elapsed since the last refresh (nowMs - lastRefreshMs) with the interval. A cache that asks on every ' +
        'request sends the registry a lookup per request, which is what a cache is there to avoid.',
    ).toBe(false);
    expect(cache.refreshDue(5_000 + REFRESH), `a refresh is due again ${REFRESH} ms after the one at t = 5,000 ms`).toBe(true);
  });

  it('spreads requests evenly over the instances it holds', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    const counts = new Map<string, number>();
    for (const id of picks(cache, 10, 600)) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
    for (const id of ['s1', 's2', 's3']) {
      const n = counts.get(id) ?? 0;
      expect(n, `${id} got ${n} of 600 picks; each of 3 instances should get about 200 (150–250)`).toBeGreaterThanOrEqual(150);
      expect(n, `${id} got ${n} of 600 picks; each of 3 instances should get about 200 (150–250)`).toBeLessThanOrEqual(250);
    }
  });

  it('stops picking an instance as soon as a request to it fails', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    const chosen = picks(cache, 101, 30);
    const toFailed = chosen.filter((id) => id === 's2').length;
    expect(
      toFailed,
      `${toFailed} of the next 30 picks went to s2 right after a request to it failed. Until the registry ` +
        'notices the crash, the client itself is the fastest detector: stop using an instance when it fails.',
    ).toBe(0);
  });

  it('does not send to a failed instance again just because the next refresh still lists it', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    // The registry has not expired s2's lease yet, so the next refresh still lists it.
    cache.update(['s1', 's2', 's3'], REFRESH);
    const chosen = picks(cache, REFRESH + 10, 30);
    const toFailed = chosen.filter((id) => id === 's2').length;
    expect(
      toFailed,
      `${toFailed} of 30 picks went to s2 one refresh after it failed, because the registry still listed it. ` +
        'The registry needs a few heartbeat intervals to expire a crashed instance; keep avoiding a failed ' +
        'instance for a while (longer than the lease) instead of trusting the next refresh.',
    ).toBe(0);
  });

  it('gives a failed instance another chance a minute later', () => {
    const cache = createClientCache({ refreshIntervalMs: REFRESH });
    cache.update(['s1', 's2', 's3'], 0);
    cache.reportFailure('s2', 100);
    cache.update(['s1', 's2', 's3'], 60_000);
    const chosen = picks(cache, 60_010, 30);
    expect(
      chosen.includes('s2'),
      's2 failed once a minute ago and the registry lists it again, yet it is never picked: an instance that ' +
        'restarted would get no traffic. Let the avoidance expire.',
    ).toBe(true);
  });
});
