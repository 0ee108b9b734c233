/**
 * Live simulation for the lesson "The replicated log": a leader in zone A ships its log to
 * followers in zones B and C while clients write at the rate the reader sets; n3's disk
 * takes as long to fsync as the reader sets. The group is the reference code in
 * `./replication/log-group.ts`, acknowledging asynchronously. What to watch: each
 * follower's lag (time from the leader's acknowledgement of a write to the follower
 * applying it), which grows with the write rate and with n3's slow fsync, while the
 * clients' write latency hardly moves.
 */
import { buildGroup, NODES, type BuiltGroupScenario, SLOW_FSYNC_PARAM } from './replication/log-group.ts';
import type { ParamValues, Scenario } from './types.ts';

export const STOP_MS = 6_000;
const DURATION_MS = 6_500;


/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildLag(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltGroupScenario {
  const group = buildGroup({
    seed,
    trace: options.trace ?? true,
    ackMode: 'async',
    ratePerS: Number(params['ratePerS'] ?? 2_000),
    slowFsyncMs: Number(params['slowFsyncMs'] ?? 10),
    stopMs: STOP_MS,
  });
  return {
    sim: group.sim,
    durationMs: DURATION_MS,
    slo: { p99LatencyMs: 5, availability: 0.999 },
    groups: { clients: ['clients'], group: [...NODES] },
    group,
  };
}

export const scenario: Scenario = {
  id: 'replication-lag',
  title: 'Replication lag under load and a slow disk',
  description:
    'A leader (n1, zone A) ships its log to followers n2 (zone B) and n3 (zone C), acknowledging writes asynchronously. ' +
    'Raise the write rate, or slow n3’s fsync: the clients’ write latency barely changes, but the followers fall behind, ' +
    'and a read sent to a follower returns older data.',
  params: [
    { kind: 'number', name: 'ratePerS', label: 'Writes per second', min: 500, max: 4_000, step: 250, default: 2_000, unit: 'QPS' },
    SLOW_FSYNC_PARAM,
  ],
  build: (params, seed) => buildLag(params, seed),
};
