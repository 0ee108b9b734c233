import type { RpoSetting } from './types.ts';

/**
 * Acknowledged writes lost, on average, when the leader's zone goes dark at a random moment
 * in async mode and the follower with the longest log takes over.
 *
 * This leader ships each entry the moment it appends it, and acknowledges it once its own
 * sync is done; the client hears of it `clientOneWayMs` later. A write is lost when the
 * client has been told but no follower has received it yet. It reaches a follower
 * `oneWayMs` after the append, and the client `leaderSyncMs + clientOneWayMs` after it, so
 * each write is at risk for `oneWayMs - leaderSyncMs - clientOneWayMs` (or not at all, if
 * the follower is the quicker). Writes arrive at `writesPerS`, so by Little's law the
 * number at risk at any moment is the rate times that window.
 */
export function predictRpo(setting: RpoSetting): number {
  const windowMs = Math.max(0, setting.oneWayMs - setting.leaderSyncMs - setting.clientOneWayMs);
  return (setting.writesPerS * windowMs) / 1000;
}
