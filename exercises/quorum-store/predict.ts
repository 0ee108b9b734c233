/**
 * What a quorum costs when nothing goes wrong: predict how long a read and a write take in
 * your store, in a setting where every latency is fixed (see `LatencySetting` in types.ts).
 * The tests run your replicas in four such settings and compare.
 *
 * And what last-writer-wins costs: which of a run of writes, each acknowledged before the
 * next, your store throws away (see `LwwSetting`).
 *
 * This first version counts only the trip between the client and its coordinator, as if
 * the coordinator never waited for another replica, and assumes clocks agree, so that no
 * write is lost.
 */
import type { LatencyPrediction, LatencySetting, LwwSetting } from './types.ts';

export function predictLatency(setting: LatencySetting): LatencyPrediction {
  const clientRoundTrip = 2 * setting.clientOneWayMs;
  return { readMs: clientRoundTrip, writeMs: clientRoundTrip };
}

/** The positions (in `setting.puts`, from 0) of the writes your store discards, in AP mode. */
export function predictLwwLost(setting: LwwSetting): number[] {
  void setting;
  return [];
}
