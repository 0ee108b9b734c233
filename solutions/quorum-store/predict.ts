/**
 * The latency of the reference store, from its protocol: a coordinator counts its own
 * answer at once and waits for the fastest others, so a round that needs k answers lasts
 * the (k - 1)-th shortest round trip to another replica (none when k = 1).
 *
 * - CP read: one round for the versions (r answers), then one to write the newest back (w),
 *   unless a majority answered with the newest already (in a quiet store, whenever r is
 *   a majority: every replica holds every finished write).
 * - CP write: one round for the highest version (r), one to store the value (w).
 * - AP read: one round (r); AP write: one round (w).
 */
import type { LatencyPrediction, LatencySetting, LwwSetting } from './types.ts';

export function predictLatency(setting: LatencySetting): LatencyPrediction {
  const roundTrips = Object.values(setting.oneWayMs)
    .map((oneWay) => 2 * oneWay)
    .sort((a, b) => a - b);
  /** How long a round that needs `k` answers, the coordinator's own included, waits. */
  const round = (k: number): number => (k <= 1 ? 0 : roundTrips[k - 2]!);
  const client = 2 * setting.clientOneWayMs;
  const majority = Math.floor((roundTrips.length + 1) / 2) + 1;
  return setting.mode === 'cp'
    ? {
        readMs: client + round(setting.r) + (setting.r >= majority ? 0 : round(setting.w)),
        writeMs: client + round(setting.r) + round(setting.w),
      }
    : { readMs: client + round(setting.r), writeMs: client + round(setting.w) };
}

/**
 * In AP mode a write's version is its coordinator's clock when the write arrived, and a
 * replica keeps the higher version (then the higher name). So a write is thrown away when
 * an earlier write carries a higher stamp: its coordinator's clock ran far enough ahead.
 */
export function predictLwwLost(setting: LwwSetting): number[] {
  const lost: number[] = [];
  let best: { t: number; by: string } | undefined;
  setting.puts.forEach((put, i) => {
    const stamp = { t: put.receivedMs + (setting.clockOffsetMs[put.coordinator] ?? 0), by: put.coordinator };
    if (best !== undefined && (stamp.t < best.t || (stamp.t === best.t && stamp.by < best.by))) lost.push(i);
    else best = stamp;
  });
  return lost;
}
