/**
 * The registry on its own, with times chosen by hand: no network, no randomness.
 * Heartbeats are due every 1,000 ms in these tests.
 */
import { assert, describe, expect, it } from 'vitest';
import { createRegistry } from './registry.ts';

const INTERVAL = 1_000;
const FLEET = ['s1', 's2', 's3', 's4', 's5', 's6'];

/**
 * Six instances that register at t = 0 and then beat every interval, each at its own offset
 * (s1 on the second, s2 150 ms into it, … s6 at 750 ms), until `untilMs`. `arrival(id, sentAt)`
 * says when a heartbeat arrives (`sentAt` itself if on time), or `undefined` when it is lost.
 * A heartbeat whose renewal is refused registers again, as the harness's instances do.
 * `watch(registry, t)` runs every 10 ms, after the heartbeats that arrived by then.
 */
function runFleet(
  untilMs: number,
  arrival: (id: string, sentAt: number) => number | undefined,
  watch: (registry: ReturnType<typeof createRegistry>, at: number) => void,
): void {
  const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
  const due: { id: string; at: number }[] = [];
  FLEET.forEach((id, i) => {
    for (let sent = i * 150 + INTERVAL; sent <= untilMs; sent += INTERVAL) {
      const at = arrival(id, sent);
      if (at !== undefined) due.push({ id, at });
    }
  });
  due.sort((a, b) => a.at - b.at);
  FLEET.forEach((id) => registry.register(id, 0));
  let next = 0;
  for (let t = 0; t <= untilMs; t += 10) {
    for (; next < due.length && due[next]!.at <= t; next++) {
      const { id, at } = due[next]!;
      if (!registry.renew(id, at)) registry.register(id, at);
    }
    watch(registry, t);
  }
}

/** A registry that never expires a lease keeps everything listed: the tests that need expiry say so. */
function assertExpires(what: string): void {
  const probe = createRegistry({ heartbeatIntervalMs: INTERVAL });
  probe.register('s1', 0);
  assert(
    !probe.lookup(10 * INTERVAL).includes('s1'),
    `Not checked yet: ${what}, but your registry never expires a lease (s1 is still listed after ten silent ` +
      'heartbeat intervals), so keeping it listed proves nothing. Make the test on dropping an instance within ' +
      '3.5 heartbeat intervals pass first.',
  );
}

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

  it('lists the same instances whether it is asked every 10 ms or once, long after two leases ran out', () => {
    assertExpires('this test checks which of two silent instances a registry asked rarely keeps');
    // s2's lease runs out 400 ms before s1's, then neither is heard from again.
    const calls = (registry: ReturnType<typeof createRegistry>): void => {
      registry.register('s1', 0);
      registry.register('s2', 100);
      registry.renew('s1', 500);
    };
    const often = createRegistry({ heartbeatIntervalMs: INTERVAL });
    calls(often);
    for (let t = 510; t < 10_000; t += 10) often.lookup(t);
    const rarely = createRegistry({ heartbeatIntervalMs: INTERVAL });
    calls(rarely);
    const watched = often.lookup(10_000);
    const unwatched = rarely.lookup(10_000);
    assert(
      unwatched.join() === watched.join(),
      `after the same calls, a registry asked every 10 ms lists ${watched.join(', ') || 'nothing'} at t = 10,000 ms, and ` +
        `one asked only then lists ${unwatched.join(', ') || 'nothing'}. A lookup must not change the answer by being ` +
        'asked more or less often: settle the leases that ran out since the last call in the order they ran out ' +
        '(earliest first), as a registry watching all along would have. Here s2 lapsed first, alone, like a crash; s1 ' +
        'lapsed while s2 was still silent.',
    );
  });

  it('no longer counts an instance as silent once it registers again or deregisters', () => {
    for (const comeback of ['registers again', 'deregisters'] as const) {
      const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
      for (const id of ['s1', 's2', 's3']) registry.register(id, 0);
      // s1 crashes after its heartbeat at 1,000 ms, s2 after its heartbeat at 3,500 ms; s3 beats every second.
      const beats: [string, number][] = [['s1', 1_000], ['s2', 1_500], ['s2', 2_500], ['s2', 3_500]];
      for (let t = 1_000; t <= 6_000; t += 1_000) beats.push(['s3', t]);
      beats.sort((a, b) => a[1] - b[1]);
      for (const [id, t] of beats.filter(([, t]) => t <= 5_000)) registry.renew(id, t);
      assert(
        !registry.lookup(5_000).includes('s1'),
        `Not checked yet: this test checks what follows a silence, but your registry still lists s1 at t = 5,000 ms, ` +
          '4,000 ms after its last heartbeat. Make the test on dropping an instance within 3.5 heartbeat intervals pass first.',
      );
      // s1 restarts and registers, or shuts down cleanly, at 6,000 ms.
      if (comeback === 'registers again') registry.register('s1', 6_000);
      else registry.deregister('s1', 6_000);
      for (const [id, t] of beats.filter(([, t]) => t > 5_000)) registry.renew(id, t);
      const bound = 3_500 + 3.5 * INTERVAL;
      assert(
        !registry.lookup(bound).includes('s2'),
        `s2 crashed after its heartbeat at t = 3,500 ms and is still listed at t = ${bound.toLocaleString('en-US')} ms, ` +
          `3.5 intervals later. Its lease ran out within a lease time of s1's, but s1 ${comeback} at t = 6,000 ms, before ` +
          "s2's lease ran out: an instance that registers or deregisters is no longer silent, so nothing was silent with s2 " +
          'and it is a lone crash. Forget an instance\'s silence whenever you hear from it.',
      );
    }
  });

  it('forgets an instance that deregisters, even when its lease had run out unnoticed', () => {
    assertExpires('this test checks that an instance that deregistered does not hold others');
    const registry = createRegistry({ heartbeatIntervalMs: INTERVAL });
    for (const id of ['s1', 's2', 's3']) registry.register(id, 0);
    registry.renew('s2', 2_000);
    registry.renew('s3', 2_000);
    // Nobody calls the registry between 2,000 and 3,500 ms, so s1's lease runs out unnoticed;
    // then s1 shuts down cleanly. s2 crashed after its heartbeat at 2,000 ms; s3 beats on.
    registry.deregister('s1', 3_500);
    for (const t of [3_600, 4_600, 5_400]) registry.renew('s3', t);
    const bound = 2_000 + 3.5 * INTERVAL;
    const listed = registry.lookup(bound);
    assert(
      !listed.includes('s2'),
      `s2 crashed after its heartbeat at t = 2,000 ms and is still listed at t = ${bound.toLocaleString('en-US')} ms, ` +
        "3.5 intervals later. Its lease ran out within a lease time of s1's, but s1 deregistered at t = 3,500 ms: an " +
        'instance that has left is gone, not silent, and must not make a lone crash look correlated. If deregister ' +
        "first settles the leases that ran out, it records s1's lapse as a silence: forget that afterwards, or remove " +
        'the instance without settling.',
    );
  });

  it('drops at most one of two instances that fall silent together, through the silence and just after it', () => {
    assertExpires('this test checks that a zone cut off from the registry stays listed');
    // s3 and s4 (zone-b) are cut off from the registry from t = 10,000 to 25,000 ms, alive: every
    // heartbeat they send in that time is lost. s3 is heard from at 25,300 ms; s4's first
    // heartbeat after the heal (25,450 ms) is lost too, and its next one arrives at 26,450 ms.
    const cutOff = (id: string, sent: number): boolean =>
      (id === 's3' || id === 's4') && ((sent >= 10_000 && sent < 25_000) || (id === 's4' && sent === 25_450));
    const dropped = new Map<string, number>();
    runFleet(
      28_000,
      (id, sent) => (cutOff(id, sent) ? undefined : sent),
      (registry, at) => {
        const listed = registry.lookup(at);
        for (const id of ['s3', 's4']) if (!listed.includes(id) && !dropped.has(id)) dropped.set(id, at);
      },
    );
    const list = [...dropped].map(([id, at]) => `${id} at t = ${at.toLocaleString('en-US')} ms`).join(' and ');
    assert(
      dropped.size <= 1,
      `s3 and s4 fell silent together at t = 10,000 ms, alive but cut off from the registry, and both left the lookups (${list}). ` +
        ([...dropped.values()].some((at) => at >= 25_000)
          ? 'One of them went after the silence had ended: when one instance of a silent group is heard from again, the ' +
            'others are most likely back too, and need a moment (a lost heartbeat or two) to renew.'
          : 'When a lease runs out while an instance whose lease ran out just before is still silent, two silences at once ' +
            'are more likely the network than two crashes: keep listing it.'),
    );
  });

  it('still drops a crashed instance within 3.5 heartbeat intervals when another instance is briefly silent', () => {
    assertExpires('this test checks that holding silent instances does not keep a crashed one listed');
    // s3 crashes right after its heartbeat at t = 20,300 ms. s2 loses the heartbeats it sends at
    // 21,150 and 22,150 ms, so its lease runs out at 23,150 ms, just before s3's; its next one,
    // sent at 23,150 ms, arrives 300 ms late.
    const bound = 20_300 + 3.5 * INTERVAL;
    let lastListed: number | undefined;
    runFleet(
      24_000,
      (id, sent) => {
        if (id === 's3' && sent > 20_300) return undefined;
        if (id === 's2' && (sent === 21_150 || sent === 22_150)) return undefined;
        return id === 's2' && sent === 23_150 ? sent + 300 : sent;
      },
      (registry, at) => {
        if (at >= 20_300 && registry.lookup(at).includes('s3')) lastListed = at;
      },
    );
    assert(
      lastListed === undefined || lastListed < bound,
      `s3 crashed after its heartbeat at t = 20,300 ms and was still listed at t = ${lastListed?.toLocaleString('en-US')} ms; ` +
        `the bound is ${bound.toLocaleString('en-US')} ms. Its lease ran out while s2, alive but with two heartbeats lost, was ` +
        'silent too: holding s3 then is fair, but once s2 is heard from again (at t = 23,450 ms) nothing else is silent ' +
        'with s3, and it must go.',
    );
  });
});
