import type { Registry, RegistryOptions } from './types.ts';

/**
 * How many heartbeat intervals a lease lasts. Three is the usual choice (Eureka: 30 s
 * renewals, 90 s leases; etcd's client renews at a third of the TTL): one lost heartbeat
 * followed by a late one still lands inside the lease, while a crashed instance is gone
 * within three intervals.
 */
const LEASE_INTERVALS = 3;

/**
 * A service registry with leases: each registration lives for `ttlMs` after the last
 * heartbeat that reached us, and an expired lease is gone for good (the instance must
 * register again).
 */
export function createRegistry(options: RegistryOptions): Registry {
  const ttlMs = LEASE_INTERVALS * options.heartbeatIntervalMs;

  /** Instance id -> when its lease runs out, in ms. */
  const expiresAt = new Map<string, number>();

  function isLive(instanceId: string, nowMs: number): boolean {
    const deadline = expiresAt.get(instanceId);
    if (deadline === undefined) return false;
    if (nowMs < deadline) return true;
    expiresAt.delete(instanceId); // expired: forget it, so a late renew cannot revive it
    return false;
  }

  return {
    register(instanceId, nowMs) {
      expiresAt.set(instanceId, nowMs + ttlMs);
    },

    renew(instanceId, nowMs) {
      if (!isLive(instanceId, nowMs)) return false;
      expiresAt.set(instanceId, nowMs + ttlMs);
      return true;
    },

    deregister(instanceId) {
      expiresAt.delete(instanceId);
    },

    lookup(nowMs) {
      const live: string[] = [];
      for (const instanceId of [...expiresAt.keys()]) {
        if (isLive(instanceId, nowMs)) live.push(instanceId);
      }
      return live.sort();
    },
  };
}
