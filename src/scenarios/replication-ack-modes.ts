/**
 * Live simulation for the lesson "The replicated log": the same group as `replication-lag`
 * (leader n1 in zone A, followers n2 and n3 in zones B and C, n3 with a slow disk), with the
 * ack mode the reader picks. At t = 3 s the leader crashes; 500 ms later a failover tool
 * promotes the follower with the longest log, and clients write to it. What to watch:
 * write latency for each mode, and the acknowledged writes that the new leader does not
 * have (only asynchronous acknowledgement loses any).
 */
import { ACK_MODES, buildGroup, NODES, type AckMode, type BuiltGroupScenario, SLOW_FSYNC_PARAM } from './replication/log-group.ts';
import type { ParamValues, Scenario } from './types.ts';

export const CRASH_AT_MS = 3_000;
export const FAILOVER_AFTER_MS = 500;
export const STOP_MS = 5_000;
const DURATION_MS = 5_500;


/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildAckModes(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltGroupScenario {
  const mode = String(params['ackMode']);
  const group = buildGroup({
    seed,
    trace: options.trace ?? true,
    ackMode: (ACK_MODES as readonly string[]).includes(mode) ? (mode as AckMode) : 'async',
    ratePerS: Number(params['ratePerS'] ?? 2_000),
    slowFsyncMs: Number(params['slowFsyncMs'] ?? 10),
    stopMs: STOP_MS,
    crashAtMs: CRASH_AT_MS,
    failoverAfterMs: FAILOVER_AFTER_MS,
  });
  return {
    sim: group.sim,
    durationMs: DURATION_MS,
    slo: { p99LatencyMs: 10, availability: 0.99 },
    groups: { clients: ['clients'], group: [...NODES], failover: ['controller'] },
    group,
  };
}

export const scenario: Scenario = {
  id: 'replication-ack-modes',
  title: 'When to acknowledge a write: async, semi-sync, sync',
  description:
    'The leader n1 crashes at t = 3 s and the follower with the longest log takes over 500 ms later. Compare the write ' +
    'latency of each ack mode, and count the writes that were acknowledged to clients but are missing from the new leader.',
  params: [
    {
      kind: 'select',
      name: 'ackMode',
      label: 'Acknowledge a write',
      options: [
        { value: 'async', label: 'Asynchronous: after the leader’s fsync' },
        { value: 'semi-sync', label: 'Semi-synchronous: once one follower also has it durably' },
        { value: 'sync', label: 'Synchronous: once every follower has it durably' },
      ],
      default: 'async',
    },
    { kind: 'number', name: 'ratePerS', label: 'Writes per second', min: 500, max: 3_000, step: 250, default: 2_000, unit: 'QPS' },
    SLOW_FSYNC_PARAM,
  ],
  build: (params, seed) => buildAckModes(params, seed),
};
