import type { ClientCache, ClientCacheOptions } from './types.ts';

/**
 * A client's cache of the registry's instance list.
 *
 * Right now it fetches the list once and never again, and it keeps sending requests to an
 * instance even after requests to it have failed.
 *
 * Your job:
 *   1. Refresh every `options.refreshIntervalMs`, so that instances the registry has
 *      dropped (or newly added) reach the cache.
 *   2. When a request to an instance fails, stop picking it right away, and do not let the
 *      next refresh bring it straight back: the registry may still list it for a few
 *      seconds after it crashed. Give it a chance again later (it may restart).
 *   3. Keep spreading requests over all usable instances.
 */
export function createClientCache(options: ClientCacheOptions): ClientCache {
  void options; // TODO: use options.refreshIntervalMs.

  let instances: readonly string[] = [];
  let lastRefreshMs: number | undefined;
  let turn = 0;

  return {
    refreshDue() {
      // TODO: refresh again once refreshIntervalMs has passed since the last update.
      return lastRefreshMs === undefined;
    },

    update(fresh, nowMs) {
      instances = [...fresh];
      lastRefreshMs = nowMs;
    },

    pick() {
      if (instances.length === 0) return undefined;
      const chosen = instances[turn % instances.length];
      turn++;
      return chosen;
    },

    reportFailure() {
      // TODO: stop sending to an instance that just failed.
    },
  };
}
