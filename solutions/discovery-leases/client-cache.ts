import type { ClientCache, ClientCacheOptions } from './types.ts';

/**
 * How long to stay away from an instance after a request to it failed, in refresh
 * intervals. It must outlast the registry's lease (so the next refresh, which may still
 * list a crashed instance, does not bring it straight back), and be short enough that a
 * restarted instance gets traffic again soon.
 */
const QUARANTINE_REFRESHES = 5;

/**
 * A client-side cache of the registry: refreshed every `refreshIntervalMs`, offering the
 * instances of the latest refresh except any that failed recently. Which of them gets a
 * request is the balancer's business.
 */
export function createClientCache(options: ClientCacheOptions): ClientCache {
  const quarantineMs = QUARANTINE_REFRESHES * options.refreshIntervalMs;

  let instances: readonly string[] = [];
  let lastRefreshMs: number | undefined;
  /** Instance id -> until when we avoid it, in ms. */
  const avoidUntil = new Map<string, number>();

  function avoided(instanceId: string, nowMs: number): boolean {
    return nowMs < (avoidUntil.get(instanceId) ?? -Infinity);
  }

  return {
    refreshDue(nowMs) {
      return lastRefreshMs === undefined || nowMs - lastRefreshMs >= options.refreshIntervalMs;
    },

    update(fresh, nowMs) {
      instances = [...fresh];
      lastRefreshMs = nowMs;
    },

    usable(nowMs) {
      return instances.filter((id) => !avoided(id, nowMs));
    },

    reportFailure(instanceId, nowMs) {
      avoidUntil.set(instanceId, nowMs + quarantineMs);
    },
  };
}
