import type { ClientCache, ClientCacheOptions } from './types.ts';

/**
 * A client's cache of the registry's instance list. It decides which instances are usable;
 * your balancer from the load-balancing lesson decides which of those gets each request.
 *
 * Right now it fetches the list once and never again, and it keeps offering an instance
 * even after requests to it have failed.
 *
 * Your job:
 *   1. Refresh every `options.refreshIntervalMs`, so that instances the registry has
 *      dropped (or newly added) reach the cache.
 *   2. When a request to an instance fails, stop offering it right away, and do not let the
 *      next refresh bring it straight back: the registry may still list it for a few
 *      seconds after it crashed. Offer it again later (it may restart).
 */
export function createClientCache(options: ClientCacheOptions): ClientCache {
  void options; // TODO: use options.refreshIntervalMs.

  let instances: readonly string[] = [];
  let lastRefreshMs: number | undefined;

  return {
    refreshDue() {
      // TODO: refresh again once refreshIntervalMs has passed since the last update.
      return lastRefreshMs === undefined;
    },

    update(fresh, nowMs) {
      instances = [...fresh];
      lastRefreshMs = nowMs;
    },

    usable() {
      // TODO: leave out the instances that failed recently.
      return [...instances];
    },

    reportFailure() {
      // TODO: stop offering an instance that just failed.
    },
  };
}
