import type { Registry, RegistryOptions } from './types.ts';

/**
 * A service registry with leases.
 *
 * Right now an instance that registers stays listed forever: nothing ever expires. A
 * crashed instance keeps its place in every lookup, and clients keep sending it traffic.
 *
 * Your job: give every registration a lease with a time to live (TTL) that each heartbeat
 * (`renew`) extends. An instance whose lease has run out must disappear from `lookup`, and
 * a `renew` for it must return `false` so that it registers again.
 *
 * Pick the TTL as a multiple of `options.heartbeatIntervalMs`. The tests check both sides:
 * a crashed instance must vanish from lookups within 3.5 heartbeat intervals, and healthy
 * instances must survive a lossy link (one lost heartbeat, then a late one, is normal).
 *
 * Then make it survive a correlated fault. The six instances sit in three zones of two, and
 * one run cuts zone-b off from the registry for 15 s while its instances keep serving the
 * client: their heartbeats are lost, all of them, together. A registry that expires each
 * silent lease on its own drops a third of the fleet, and the client piles its traffic onto
 * the four instances left. Notice when leases lapse together, and keep listing them (as
 * Eureka's self-preservation does) while still expiring a single crashed instance in time.
 */
export function createRegistry(options: RegistryOptions): Registry {
  void options; // TODO: use options.heartbeatIntervalMs to choose a TTL.

  /** Instance id -> when we last heard from it, in ms. */
  const lastHeard = new Map<string, number>();

  return {
    register(instanceId, nowMs) {
      lastHeard.set(instanceId, nowMs);
    },

    renew(instanceId, nowMs) {
      // TODO: refuse (return false) when the lease has expired or was never granted.
      lastHeard.set(instanceId, nowMs);
      return true;
    },

    deregister(instanceId) {
      lastHeard.delete(instanceId);
    },

    lookup() {
      // TODO: list only the instances whose lease is still live.
      return [...lastHeard.keys()].sort();
    },
  };
}
