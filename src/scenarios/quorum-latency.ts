/**
 * Live simulation for the "CAP and quorums" module: what waiting for a quorum costs. The
 * quorum store of the exercise (five replicas in three zones, clients in each zone; see
 * `quorum/store.ts`) with no partition. A read waits for R replicas (the coordinator
 * counts) and returns the highest version among them; a write is stamped with the
 * coordinator's clock, sent to every replica and acknowledged once W hold it. Links
 * between zones have a long tail (log-normal, p50 0.7 ms, p99 6 ms one way), so waiting
 * for the k-th answer out of four shows in p99: read p99 grows with R, write p99 with W.
 */
import { logNormal } from '../sim/index.ts';
import { buildQuorumStore, ZONE_GROUPS, type QuorumStore } from './quorum/store.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

/** One-way latency between zones. */
export const CROSS_ZONE = { p50Ms: 0.7, p99Ms: 6 } as const;
export const RATE_PER_ZONE = 200;
export const KEYS = 8;
export const SKEW_MS = 5;
export const ANTI_ENTROPY_MS = 200;
export const STOP_MS = 5_000;
export const DURATION_MS = 5_500;

export interface BuiltQuorumLatency extends BuiltScenario {
  readonly r: number;
  readonly w: number;
  readonly store: QuorumStore;
}

const clampCount = (x: unknown, fallback: number): number => {
  const n = Math.round(Number(x ?? fallback));
  return Number.isFinite(n) ? Math.min(5, Math.max(1, n)) : fallback;
};

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildQuorumLatency(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltQuorumLatency {
  const r = clampCount(params['r'], 3);
  const w = clampCount(params['w'], 3);
  const readPercent = Math.min(100, Math.max(0, Number(params['readPercent'] ?? 50)));
  const store = buildQuorumStore({
    seed,
    trace: options.trace ?? true,
    mode: 'ap',
    r,
    w,
    ratePerZone: RATE_PER_ZONE,
    readShare: readPercent / 100,
    keys: KEYS,
    stopMs: STOP_MS,
    skewMs: SKEW_MS,
    antiEntropyMs: ANTI_ENTROPY_MS,
    crossZone: logNormal(CROSS_ZONE),
  });
  return { sim: store.sim, durationMs: DURATION_MS, slo: { p99LatencyMs: 10 }, groups: ZONE_GROUPS, r, w, store };
}

const countOptions = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));

export const scenario: Scenario = {
  id: 'quorum-latency',
  title: 'What a quorum costs: p99 against R and W',
  description:
    'Five replicas in three zones, with a long tail on the links between zones. A read waits for R replicas, a write ' +
    'for W: watch p99 climb as R and W grow, because each request waits for the slowest answer it needs.',
  params: [
    { kind: 'select', name: 'r', label: 'R: replicas a read waits for', options: countOptions, default: '3' },
    { kind: 'select', name: 'w', label: 'W: replicas a write waits for', options: countOptions, default: '3' },
    { kind: 'number', name: 'readPercent', label: 'Share of reads', min: 0, max: 100, step: 10, default: 50, unit: '%' },
  ],
  build: (params, seed) => buildQuorumLatency(params, seed),
};
