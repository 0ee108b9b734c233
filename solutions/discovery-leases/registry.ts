import type { Registry, RegistryOptions } from './types.ts';

/**
 * How many heartbeat intervals a lease lasts. Three is the usual choice (Eureka: 30 s
 * renewals, 90 s leases; etcd's client renews at a third of the TTL): one lost heartbeat
 * followed by a late one still lands inside the lease, while a crashed instance is gone
 * within three intervals.
 */
const LEASE_INTERVALS = 3;

/**
 * How large a share of the fleet may fall silent together before the registry stops
 * believing it: beyond it, the silence is more likely the network's (a zone cut off from the
 * registry) than that many deaths at once. Never fewer than two instances, so that one crash
 * on its own is always expired.
 */
const CORRELATED_SHARE = 0.25;

/**
 * A service registry with leases: each registration lives for `ttlMs` after the last
 * heartbeat that reached us, and an expired lease is gone (the instance must register again).
 *
 * It holds back when silence is correlated, in the spirit of Eureka's self-preservation.
 * Leases that run out within one lease time of each other, while the instances whose leases
 * ran out earlier are still silent, are one event: when that event would take a quarter of
 * the fleet (two instances of six), the leases still held are kept, however overdue, until
 * the silence ends. The first lease of a zone cut off from the registry runs out like any
 * crashed instance's (nothing yet tells them apart), but the zone's other leases stay, and
 * get a fresh lease time when the first comes back. A zone that really died stays listed
 * too: the clients stop using it through their own failed requests. One crash on its own is
 * expired as before.
 */
export function createRegistry(options: RegistryOptions): Registry {
  const ttlMs = LEASE_INTERVALS * options.heartbeatIntervalMs;

  /** Instance id -> when its lease runs out, in ms. A kept lease's deadline may be past. */
  const expiresAt = new Map<string, number>();
  /** Instances whose lease expired and that have not been heard from since -> when it ran out. */
  const silentSince = new Map<string, number>();

  /**
   * Expires the leases that have run out by `nowMs`, earliest first, except those that lapse
   * as part of a correlated silence: within one lease time of enough others whose instances
   * are still silent (expired and not heard from since, or kept overdue).
   */
  function expire(nowMs: number): void {
    const overdue = [...expiresAt].filter(([, deadline]) => deadline <= nowMs).sort((a, b) => a[1] - b[1]);
    const correlated = Math.max(2, Math.ceil(CORRELATED_SHARE * (expiresAt.size + silentSince.size)));
    /** When the leases of the silent instances ran out: those expired before, then each overdue one seen so far. */
    const silent = [...silentSince.values()];
    for (const [instanceId, deadline] of overdue) {
      const together = 1 + silent.filter((lapse) => Math.abs(lapse - deadline) < ttlMs).length;
      silent.push(deadline);
      if (together >= correlated) continue;
      expiresAt.delete(instanceId);
      silentSince.set(instanceId, deadline);
    }
  }

  /**
   * Heard from `instanceId`: its silence, if any, is over, and the network that silenced it
   * has probably healed for the rest of its event too. Every lease kept for more than a lease
   * time past its deadline, having lapsed within a lease time of this instance's, gets a fresh
   * lease time to renew in, as etcd restarts every lease's countdown when a new leader takes
   * over. A lease kept for less than that gets nothing: a crashed instance's lease that was
   * kept only because it lapsed beside a lost heartbeat or two goes at once. (An instance whose
   * lease is live counts as lapsing at its deadline, which is in the future: no lease kept that
   * long lapsed within a lease time of it.) After a brief silence of its own (its lease lapsed
   * less than a lease time ago), nothing changes: over many seeds of the zone-cut run, letting
   * such an instance refresh the others dropped both instances of the cut zone on one seed.
   */
  function heard(instanceId: string, nowMs: number): void {
    const lapse = silentSince.get(instanceId) ?? expiresAt.get(instanceId) ?? nowMs;
    silentSince.delete(instanceId);
    if (lapse > nowMs - ttlMs) return;
    for (const [other, deadline] of expiresAt) {
      if (other !== instanceId && deadline < nowMs - ttlMs && Math.abs(deadline - lapse) < ttlMs) {
        expiresAt.set(other, nowMs + ttlMs);
      }
    }
  }

  // Leases that ran out are settled by renew and lookup. register and deregister leave them to
  // the next call, which settles them in the order they ran out, with the same outcome: all
  // they change is this instance, which must not be settled first (a deregistered instance
  // whose lease had just run out would be recorded as silent after it left).
  return {
    register(instanceId, nowMs) {
      heard(instanceId, nowMs);
      expiresAt.set(instanceId, nowMs + ttlMs);
    },

    renew(instanceId, nowMs) {
      heard(instanceId, nowMs);
      expire(nowMs);
      if (!expiresAt.has(instanceId)) return false;
      expiresAt.set(instanceId, nowMs + ttlMs);
      return true;
    },

    deregister(instanceId, nowMs) {
      heard(instanceId, nowMs);
      expiresAt.delete(instanceId);
    },

    lookup(nowMs) {
      expire(nowMs);
      return [...expiresAt.keys()].sort();
    },
  };
}
