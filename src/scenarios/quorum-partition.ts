/**
 * Live simulation for the "CAP and quorums" module: the quorum store of the exercise (five
 * replicas in three zones, clients in each zone, every replica a coordinator; see
 * `quorum/store.ts`). At t = 2 s zone a (n1, n2 and its clients) is cut off from zones b
 * and c; at t = 7 s the cut heals; the clients stop at 8.5 s and the run ends at 9 s.
 *
 * - CP (R = W = 3 of 5): zone a's replicas stop hearing from a majority and refuse their
 *   clients at once; zones b and c, a majority, carry on. The history stays linearizable.
 * - AP (R = W = 1, writes stamped with the coordinator's clock, last writer wins): every
 *   zone is answered, the two sides' replicas diverge during the cut and converge after the
 *   heal (anti-entropy), and some acknowledged writes are discarded by last-writer-wins
 *   (see `LwwDiscarded` in `quorum/store.ts` for the exact definition).
 *
 * The live view groups the nodes by zone; the numbers per zone, the divergence over time
 * and the discarded writes come from `stats()`.
 */
import { buildQuorumStore, ZONE_GROUPS, type Mode, type QuorumStore } from './quorum/store.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const CUT_FROM_MS = 2_000;
export const HEAL_AT_MS = 7_000;
export const STOP_MS = 8_500;
export const DURATION_MS = 9_000;
/** Reads and writes in equal parts, on 8 keys. */
export const READ_SHARE = 0.5;
export const KEYS = 8;
/** R and W of each mode. */
export const QUORUMS: Readonly<Record<Mode, { readonly r: number; readonly w: number }>> = { cp: { r: 3, w: 3 }, ap: { r: 1, w: 1 } };

export interface BuiltQuorumPartition extends BuiltScenario {
  readonly mode: Mode;
  readonly store: QuorumStore;
}

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildQuorumPartition(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltQuorumPartition {
  const mode: Mode = params['mode'] === 'ap' ? 'ap' : 'cp';
  const store = buildQuorumStore({
    seed,
    trace: options.trace ?? true,
    mode,
    ...QUORUMS[mode],
    ratePerZone: Number(params['ratePerZone'] ?? 100),
    readShare: READ_SHARE,
    keys: KEYS,
    stopMs: STOP_MS,
    cut: { fromMs: CUT_FROM_MS, toMs: HEAL_AT_MS },
    skewMs: Number(params['skewMs'] ?? 5),
    antiEntropyMs: Number(params['antiEntropyMs'] ?? 200),
  });
  return {
    sim: store.sim,
    durationMs: DURATION_MS,
    slo: { availability: 0.999 },
    groups: ZONE_GROUPS,
    mode,
    store,
  };
}

export const scenario: Scenario = {
  id: 'quorum-partition',
  title: 'A zone cut off: refuse or diverge',
  description:
    'Zone a (n1, n2 and its clients) is cut off from zones b and c from t = 2 s to t = 7 s. In CP mode its replicas ' +
    'refuse their clients while b and c carry on; in AP mode every zone is answered, the replicas disagree until the cut ' +
    'heals, and last-writer-wins discards some writes that clients were told had succeeded.',
  params: [
    {
      kind: 'select',
      name: 'mode',
      label: 'Mode',
      options: [
        { value: 'cp', label: 'CP: majority quorums (R = W = 3 of 5), refuse without a majority' },
        { value: 'ap', label: 'AP: answer locally (R = W = 1), last writer wins' },
      ],
      default: 'cp',
    },
    { kind: 'number', name: 'ratePerZone', label: 'Requests per second from each zone', min: 20, max: 400, step: 20, default: 100, unit: 'QPS' },
    { kind: 'number', name: 'antiEntropyMs', label: 'Anti-entropy interval', min: 100, max: 2_000, step: 100, default: 200, unit: 'ms' },
    { kind: 'number', name: 'skewMs', label: 'Clock skew of each replica, up to ±', min: 0, max: 20, step: 1, default: 5, unit: 'ms' },
  ],
  build: (params, seed) => buildQuorumPartition(params, seed),
};
