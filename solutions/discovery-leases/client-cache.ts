import type { ClientCache, ClientCacheOptions } from './types.ts';

/**
 * How long to stay away from an instance after a request to it failed, in refresh
 * intervals. It must outlast the registry's lease (so the next refresh, which may still
 * list a crashed instance, does not bring it straight back), and be short enough that a
 * restarted instance gets traffic again soon.
 */
const QUARANTINE_REFRESHES = 5;

/**
 * A client-side cache of the registry: refreshed every `refreshIntervalMs`, round robin
 * over the instances it holds, skipping any that failed recently.
 */
export function createClientCache(options: ClientCacheOptions): ClientCache {
  const quarantineMs = QUARANTINE_REFRESHES * options.refreshIntervalMs;

  let instances: readonly string[] = [];
  let lastRefreshMs: number | undefined;
  /** Instance id -> until when we avoid it, in ms. */
  const avoidUntil = new Map<string, number>();
  let turn = 0;

  function usable(instanceId: string, nowMs: number): boolean {
    const until = avoidUntil.get(instanceId);
    if (until === undefined) return true;
    if (nowMs >= until) {
      avoidUntil.delete(instanceId);
      return true;
    }
    return false;
  }

  return {
    refreshDue(nowMs) {
      return lastRefreshMs === undefined || nowMs - lastRefreshMs >= options.refreshIntervalMs;
    },

    update(fresh, nowMs) {
      instances = [...fresh];
      lastRefreshMs = nowMs;
    },

    pick(nowMs) {
      const candidates = instances.filter((id) => usable(id, nowMs));
      if (candidates.length === 0) return undefined;
      const chosen = candidates[turn % candidates.length];
      turn++;
      return chosen;
    },

    reportFailure(instanceId, nowMs) {
      avoidUntil.set(instanceId, nowMs + quarantineMs);
    },
  };
}
