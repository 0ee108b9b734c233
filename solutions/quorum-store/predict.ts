/**
 * The latency of the reference store, from its protocol: a coordinator counts its own
 * answer at once and waits for the fastest others, so a round that needs k answers lasts
 * the (k - 1)-th shortest round trip to another replica (none when k = 1).
 *
 * - CP read: one round for the versions (r answers), one to write the newest back (w).
 * - CP write: one round for the highest version (r), one to store the value (w).
 * - AP read: one round (r); AP write: one round (w).
 */
import type { LatencyPrediction, LatencySetting } from './types.ts';

export function predictLatency(setting: LatencySetting): LatencyPrediction {
  const roundTrips = Object.values(setting.oneWayMs)
    .map((oneWay) => 2 * oneWay)
    .sort((a, b) => a - b);
  /** How long a round that needs `k` answers, the coordinator's own included, waits. */
  const round = (k: number): number => (k <= 1 ? 0 : roundTrips[k - 2]!);
  const client = 2 * setting.clientOneWayMs;
  return setting.mode === 'cp'
    ? { readMs: client + round(setting.r) + round(setting.w), writeMs: client + round(setting.r) + round(setting.w) }
    : { readMs: client + round(setting.r), writeMs: client + round(setting.w) };
}
