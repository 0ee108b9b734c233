/**
 * What a quorum costs when nothing goes wrong: predict how long a read and a write take in
 * your store, in a setting where every latency is fixed (see `LatencySetting` in types.ts).
 * The tests run your replicas in four such settings and compare.
 *
 * This first version counts only the trip between the client and its coordinator, as if
 * the coordinator never waited for another replica.
 */
import type { LatencyPrediction, LatencySetting } from './types.ts';

export function predictLatency(setting: LatencySetting): LatencyPrediction {
  const clientRoundTrip = 2 * setting.clientOneWayMs;
  return { readMs: clientRoundTrip, writeMs: clientRoundTrip };
}
