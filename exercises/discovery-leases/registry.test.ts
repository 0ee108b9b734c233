/**
 * The registry on its own, with times chosen by hand: no network, no randomness.
 * Heartbeats are due every 1,000 ms in these tests.
 */
import { assert, describe, expect, it } from 'vitest';
import { createRegistry } from './registry.ts';

const INTERVAL = 1_000;

describe('the registry', () => {
  it('lists an instance as soon as it registers, and lists instances sorted by id', () => {
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    registry.register('s2', 0);
    registry.register('s1', 5);
    expect(registry.lookup(10), 'lookup should list both registered instances, sorted').toEqual(['s1', 's2']);
  });

  it('drops an instance from lookups within 3.5 heartbeat intervals of its last heartbeat', () => {
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    registry.register('s1', 0);
    registry.renew('s1', 1_000);
    registry.renew('s1', 2_000);
    // s1 crashes right after its heartbeat at t = 2,000 ms.
    const deadline = 2_000 + 3.5 * INTERVAL;
    const stillListed = registry.lookup(deadline).includes('s1');
    assert(
      !stillListed,
      `s1's last heartbeat arrived at t = 2,000 ms, yet lookup(${deadline}) still lists it. ` +
        'Without an expiry, a crashed instance is listed forever and keeps receiving traffic: ' +
        'give each lease a time to live that every renew extends, and leave expired leases out of lookup.',
    );
  });

  it('keeps an instance listed when one heartbeat is lost and the next one arrives 20% late', () => {
    // A registry that never expires a lease keeps everything listed, and proves nothing here.
    const probe = createRegistry({ heartbeatIntervalMs: INTERVAL });
    probe.register('s1', 0);
    assert(
      !probe.lookup(10 * INTERVAL).includes('s1'),
      'Not checked yet: this test checks that a lease is not too short, but your registry never expires one ' +
        '(s1 is still listed after ten silent heartbeat intervals), so keeping s1 listed proves nothing. Make the ' +
        'test on dropping an instance within 3.5 heartbeat intervals pass first.',
    );
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    registry.register('s1', 0);
    registry.renew('s1', 1_000);
    // The heartbeat due at t = 2,000 ms is lost; the next one is due at 3,000 ms but arrives
    // 200 ms late (timer jitter plus network delay).
    let missingAt: number | undefined;
    for (let t = 1_000; t < 3_200 && missingAt === undefined; t += 10) {
      if (!registry.lookup(t).includes('s1')) missingAt = t;
    }
    // Heartbeats every interval, none lost: a lease that renewals extend outlives them all.
    const onTime = createRegistry({ heartbeatIntervalMs: INTERVAL });
    onTime.register('s1', 0);
    for (let t = INTERVAL; t <= 10 * INTERVAL; t += INTERVAL) onTime.renew('s1', t);
    const renewalsExtend = onTime.lookup(10 * INTERVAL + 10).includes('s1');
    assert(
      missingAt === undefined,
      `s1 vanished from lookups at t = ${missingAt?.toLocaleString('en-US')} ms although it is alive: one heartbeat was lost ` +
        'and the next was 200 ms late. ' +
        (renewalsExtend
          ? 'A lease of 2 heartbeat intervals (or less) is that fragile; production registries allow about three (Eureka: 30 s heartbeats, 90 s leases).'
          : 'Renewals do not seem to extend the lease: an instance that registered at t = 0 and renewed every 1,000 ms, ' +
            'none lost, was not listed at t = 10,010 ms either. A successful renew must move the deadline to nowMs + ttl.'),
    );
    assert(
      registry.renew('s1', 3_200),
      'renew at t = 3,200 ms returned false: the late heartbeat should still find a live lease, 2,200 ms after the last one',
    );
    expect(registry.lookup(3_200)).toEqual(['s1']);
  });

  it('refuses to renew an expired lease, so that the instance registers again', () => {
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    registry.register('s1', 0);
    // Ten seconds of silence (a long pause or a partition), then a heartbeat.
    const renewed = registry.renew('s1', 10_000);
    assert(
      !renewed,
      'renew after ten silent heartbeat intervals returned true: an expired lease must not come back to ' +
        'life on its own. Return false, so the instance registers again (as an etcd keepalive on a lost lease fails).',
    );
    expect(registry.lookup(10_000), 'a refused renewal must not list the instance').toEqual([]);
    registry.register('s1', 10_050);
    expect(registry.lookup(10_060), 'after registering again the instance is listed').toEqual(['s1']);
  });

  it('refuses to renew an instance that never registered', () => {
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    assert(
      !registry.renew('ghost', 100),
      'renew for "ghost", which never registered, returned true; it should return false, so the instance registers first',
    );
    expect(registry.lookup(100)).toEqual([]);
  });

  it('removes an instance at once when it deregisters', () => {
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    registry.register('s1', 0);
    registry.register('s2', 0);
    registry.deregister('s1', 500);
    expect(registry.lookup(500)).toEqual(['s2']);
  });
});
