/**
 * Live simulation for the capstone's "Design review": the capstone's store in miniature,
 * through a compressed day with a router crash and a zone cut off, and the error budget
 * those faults spend.
 *
 * - **Clients** (`users`, outside the zones): an open-loop day of gets and puts (four in
 *   five are reads) on Zipf-skewed keys, at most {@link PEAK_RATE_PER_S} at the evening
 *   peak, 2.5 times the night's rate. The client keeps a cache of the routers the registry
 *   lists (refreshed every {@link REFRESH_MS}) and sends each request to one of them at
 *   random, avoiding for {@link AVOID_MS} a router that timed out and has not answered
 *   since (as the client cache of the discovery module does). An attempt waits the attempt
 *   timeout (a parameter); a refusal is retried on another router, and so is a read that
 *   timed out if the parameter says so; a write that timed out may have happened and is
 *   never retried. At most {@link MAX_ATTEMPTS} attempts, within a 1 s deadline.
 * - **Registry** (`registry`, outside the zones): leases of {@link LEASE_MS}, renewed by
 *   each router's heartbeat every {@link HEARTBEAT_MS}.
 * - **Routers** (`router-a1` … `router-c2`, two per zone): each forwards a request to the
 *   replica of its own zone that the key hashes to, and waits {@link ROUTER_TIMEOUT_MS}.
 * - **One shard group**: the five replicas of the quorum module's store (`quorum/store.ts`),
 *   n1 and n2 in zone a, n3 and n4 in zone b, n5 in zone c, in CP mode with the R and W
 *   chosen. Each coordinates the requests its zone's routers send it.
 *
 * The faults are fixed, so that a change of parameter is the only difference between two
 * runs of a seed: `router-a1` crashes at {@link CRASH}'s `atMs` and restarts at its
 * `restartAtMs`; the chosen zone is cut off from the other two over
 * {@link CUT} (the clients and the registry reach every zone throughout).
 *
 * The client's note in the cluster view counts the failed requests against the error
 * budget of {@link AVAILABILITY_OBJECTIVE}; `stats()` gives the same per fault window.
 */
import {
  Random,
  Rejection,
  RpcTimeoutError,
  Simulation,
  SloTimeline,
  compressedDay,
  exponential,
  hash32,
  isDefiniteRefusal,
  uniform,
  type KvInput,
  type KvOutput,
  type NodeContext,
  type Operation,
  type SloTimelineReport,
  type Workload,
} from '../sim/index.ts';
import { leaseRegistry } from './discovery/lease-registry.ts';
import { CROSS_ZONE_MS, REPLICAS, SAME_ZONE_MS, ZONES, ZONE_REPLICAS, quorumReplica, type Stored, type Zone } from './quorum/store.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const DAY_MS = 12_000;
export const PEAK_RATE_PER_S = 300;
export const PEAK_TO_TROUGH = 2.5;
export const READ_SHARE = 0.8;
export const KEYS = 50;
export const AVAILABILITY_OBJECTIVE = 0.999;
/** The clients start once the routers have registered and the cache has filled. */
export const START_MS = 500;
export const LEASE_MS = 300;
export const HEARTBEAT_MS = 100;
export const REFRESH_MS = 250;
export const MAX_ATTEMPTS = 3;
/** How long the client stays away from a router that timed out: five refreshes, outlasting the lease, as the reference client cache does. */
export const AVOID_MS = 5 * REFRESH_MS;
export const DEADLINE_MS = 1_000;
export const ROUTER_TIMEOUT_MS = 200;
/** Between the clients and the zones, one way. */
export const TO_CLIENTS_MS = { min: 2, max: 6 } as const;

export const ROUTERS: Readonly<Record<Zone, readonly string[]>> = {
  a: ['router-a1', 'router-a2'],
  b: ['router-b1', 'router-b2'],
  c: ['router-c1', 'router-c2'],
};
const ALL_ROUTERS = ZONES.flatMap((z) => ROUTERS[z]);

export const CRASH = { router: 'router-a1', atMs: 2_500, restartAtMs: 5_000 } as const;
export const CUT = { fromMs: 6_500, toMs: 9_000 } as const;

/** The R and W a run can choose, as the select's values. */
export const QUORUM_CHOICES = {
  '3-3': { r: 3, w: 3 },
  '2-4': { r: 2, w: 4 },
  '1-5': { r: 1, w: 5 },
} as const;
export type QuorumChoice = keyof typeof QUORUM_CHOICES;

export interface CapstoneDayStats {
  /** The day's figures: availability, budget, fault windows (`router-a1 down`, `zone … cut off`). */
  readonly timeline: SloTimelineReport;
  /** Attempts sent to a router that was down at that moment. */
  readonly toDownRouter: number;
  /** Attempts that were retries (a second or third attempt of a request). */
  readonly retries: number;
}

export interface BuiltCapstoneDay extends BuiltScenario {
  readonly load: Workload<KvInput, KvOutput>;
  /** The clients' operations, in order of invocation. */
  history(): readonly Operation<KvInput, KvOutput>[];
  stats(): CapstoneDayStats;
}

const zoneOfNode = (node: string): Zone | undefined => ZONES.find((z) => ROUTERS[z].includes(node) || ZONE_REPLICAS[z].includes(node));

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildCapstoneDay(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltCapstoneDay {
  const asked = String(params['quorum']);
  const choice: QuorumChoice = asked in QUORUM_CHOICES ? (asked as QuorumChoice) : '3-3';
  const { r, w } = QUORUM_CHOICES[choice];
  const cutZone: Zone = params['cutZone'] === 'a' ? 'a' : 'c';
  const attemptMs = Number(params['attemptTimeoutMs'] ?? 250);
  const retryTimedOutReads = params['retryTimedOutReads'] === true;

  const sim = new Simulation({
    seed,
    trace: { enabled: options.trace ?? true },
    network: { latency: uniform(CROSS_ZONE_MS.min, CROSS_ZONE_MS.max) },
  });
  const sameZone = uniform(SAME_ZONE_MS.min, SAME_ZONE_MS.max);
  const toClients = uniform(TO_CLIENTS_MS.min, TO_CLIENTS_MS.max);

  // The shard group: the quorum module's replicas, in CP mode.
  REPLICAS.forEach((name, index) => {
    const data = new Map<string, Stored>();
    sim.addNode(name, (ctx) => quorumReplica(ctx, index, data, { mode: 'cp', r, w, antiEntropyMs: 200 }));
  });

  // The registry: a lease per router, extended by each renewal.
  const registry = leaseRegistry(LEASE_MS);
  sim.addNode('registry', () => ({
    onRequest({ body }: { body: { kind: 'register' | 'renew' | 'lookup'; id?: string } }) {
      const now = sim.nowMs;
      if (body.kind === 'lookup') return registry.lookup(now);
      if (body.kind === 'renew') return registry.renew(body.id!, now);
      registry.register(body.id!, now);
      return true;
    },
  }));

  for (const zone of ZONES) {
    for (const name of ROUTERS[zone]) {
      sim.addNode(
        name,
        (ctx: NodeContext) => {
          const local = ZONE_REPLICAS[zone];
          const register = async (): Promise<void> => {
            while (ctx.alive) {
              try {
                if (await ctx.rpc<boolean>('registry', { kind: 'register', id: name }, { timeoutMs: 100 })) return;
              } catch {
                // lost: try again
              }
            }
          };
          const beat = (): void => {
            ctx.setTimer(HEARTBEAT_MS, () => {
              beat();
              ctx.rpc<boolean>('registry', { kind: 'renew', id: name }, { timeoutMs: 100 }).then(
                (renewed) => (renewed ? undefined : register()),
                () => undefined,
              );
            });
          };
          return {
            async onStart() {
              beat();
              await register();
            },
            onRequest({ body }: { body: KvInput }) {
              return ctx.rpc<KvOutput>(local[hash32(body.key) % local.length]!, body, { timeoutMs: ROUTER_TIMEOUT_MS });
            },
          };
        },
        { capacity: { workers: 1, serviceTime: exponential(0.2), queueCapacity: 64, eventLoop: true } },
      );
      sim.setLink(name, 'registry', { latency: uniform(CROSS_ZONE_MS.min, CROSS_ZONE_MS.max) });
    }
  }
  const zoned = [...REPLICAS, ...ALL_ROUTERS];
  for (const a of zoned) for (const b of zoned) if (a < b && zoneOfNode(a) === zoneOfNode(b)) sim.setLink(a, b, { latency: sameZone });

  // The clients.
  let cached: readonly string[] = [];
  let refreshedMs = -Infinity;
  let refreshing: Promise<void> | undefined;
  /** Routers that timed out with no answer since, and until when the client avoids them. */
  const avoidUntil = new Map<string, number>();
  /** When each router last answered (a result or a refusal). */
  const lastAnswer = new Map<string, number>();
  let toDownRouter = 0;
  let retries = 0;
  // The router choice has its own stream: nothing it draws changes the load or the faults.
  const choose = new Random(seed).fork('router choice');
  const refresh = (ctx: NodeContext): Promise<void> | undefined => {
    if (refreshing !== undefined || sim.nowMs - refreshedMs < REFRESH_MS) return refreshing;
    refreshing = ctx.rpc<string[]>('registry', { kind: 'lookup' }, { timeoutMs: 100 }).then(
      (list) => {
        cached = list;
        refreshedMs = sim.nowMs;
        refreshing = undefined;
      },
      () => void (refreshing = undefined),
    );
    return refreshing;
  };
  const issue = async (op: KvInput, ctx: NodeContext): Promise<KvOutput> => {
    // A refresh runs in the background; only a client that never had a list waits for one.
    const fetching = refresh(ctx);
    if (refreshedMs === -Infinity && fetching !== undefined) await fetching;
    const tried = new Set<string>();
    let failure: unknown = new Rejection('no router is listed');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const now = sim.nowMs;
      const usable = cached.filter((router) => !tried.has(router) && !(now < (avoidUntil.get(router) ?? -Infinity)));
      if (usable.length === 0) break;
      const router = usable[Math.floor(choose.next() * usable.length)]!;
      tried.add(router);
      if (attempt > 1) retries++;
      if (sim.node(router).state !== 'up') toDownRouter++;
      try {
        const output = await ctx.rpc<KvOutput>(router, op, { timeoutMs: attemptMs });
        lastAnswer.set(router, sim.nowMs);
        return output;
      } catch (error) {
        failure = error;
        if (!(error instanceof RpcTimeoutError)) lastAnswer.set(router, sim.nowMs);
        // A router that has said nothing since this attempt was sent looks dead: stay away from it.
        else if ((lastAnswer.get(router) ?? -Infinity) <= now) avoidUntil.set(router, sim.nowMs + AVOID_MS);
        const retry = isDefiniteRefusal(error) || (op.kind === 'get' && retryTimedOutReads);
        if (!retry) break;
      }
    }
    throw failure;
  };
  const load = sim.workload<KvInput, KvOutput>({
    name: 'users',
    arrivals: { kind: 'open', ratePerS: compressedDay({ dayMs: DAY_MS, peakRatePerS: PEAK_RATE_PER_S, peakToTrough: PEAK_TO_TROUGH }) },
    keys: { count: KEYS, distribution: { zipfExponent: 1 } },
    mix: { get: READ_SHARE, put: 1 - READ_SHARE },
    issue,
    deadlineMs: DEADLINE_MS,
    startMs: START_MS,
    stopMs: DAY_MS,
  });
  for (const node of [...ALL_ROUTERS, 'registry']) sim.setLink('users', node, { latency: toClients });

  // The faults.
  sim.crash(CRASH.router, { atMs: CRASH.atMs, restartAtMs: CRASH.restartAtMs });
  const cutOff = [...ROUTERS[cutZone], ...ZONE_REPLICAS[cutZone]];
  const rest = zoned.filter((n) => !cutOff.includes(n));
  const cutLabel = `zone ${cutZone} cut off`;
  sim.partition([cutOff, rest], { atMs: CUT.fromMs, healAtMs: CUT.toMs, label: cutLabel });

  // The measurements: the day's SLO timeline, and a running count for the client's note.
  const timeline = new SloTimeline({
    startMs: 0,
    endMs: DAY_MS,
    bucketMs: 250,
    objective: AVAILABILITY_OBJECTIVE,
    windows: [
      { kind: 'crash', label: `${CRASH.router} down`, startMs: CRASH.atMs, endMs: CRASH.restartAtMs },
      { kind: 'partition', label: cutLabel, startMs: CUT.fromMs, endMs: CUT.toMs },
    ],
  });
  let finished = 0;
  let bad = 0;
  sim.onOperation((op) => {
    timeline.record(op);
    finished++;
    if (op.status !== 'ok') bad++;
  });

  return {
    sim,
    durationMs: DAY_MS + DEADLINE_MS + 500,
    slo: { availability: AVAILABILITY_OBJECTIVE },
    groups: {
      clients: ['users', 'registry'],
      ...Object.fromEntries(ZONES.map((z) => [`zone ${z}`, [...ROUTERS[z], ...ZONE_REPLICAS[z]]])),
    },
    nodeNotes: () => ({ users: budgetNote(finished, bad) }),
    charts: { bucketMs: 250 },
    load,
    history: () => load.history,
    stats: () => ({ timeline: timeline.report(), toDownRouter, retries }),
  };
}

/**
 * The client's note: failed requests so far and the share of the error budget of the requests
 * finished so far that they spent, e.g. `7 failed · 288% of budget` (figures first, so that a narrow
 * column that cuts the note short still shows them; the status line counts the requests).
 */
export function budgetNote(finished: number, bad: number): string {
  const allowed = finished * (1 - AVAILABILITY_OBJECTIVE);
  const spent = allowed > 0 ? Math.round((bad / allowed) * 100) : 0;
  return `${bad.toLocaleString('en-US')} failed · ${spent}% of budget`;
}

export const scenario: Scenario = {
  id: 'capstone-day',
  title: 'A day in miniature: where the error budget goes',
  description:
    'Six routers in three zones in front of one group of five quorum replicas, through a 12-second day: router-a1 crashes ' +
    'at 2.5 s and restarts at 5 s, and a zone is cut off from 6.5 s to 9 s. Watch the client’s note count the failures ' +
    'against the budget of 99.9%, and which fault spends it.',
  params: [
    {
      kind: 'select',
      name: 'quorum',
      label: 'Quorum sizes',
      options: [
        { value: '3-3', label: 'R = 3, W = 3' },
        { value: '2-4', label: 'R = 2, W = 4' },
        { value: '1-5', label: 'R = 1, W = 5' },
      ],
      default: '3-3',
    },
    {
      kind: 'select',
      name: 'cutZone',
      label: 'Zone cut off',
      options: [
        { value: 'c', label: 'Zone c (one replica, n5)' },
        { value: 'a', label: 'Zone a (two replicas, n1 and n2)' },
      ],
      default: 'c',
    },
    { kind: 'number', name: 'attemptTimeoutMs', label: 'Client attempt timeout', min: 10, max: 500, step: 10, default: 250, unit: 'ms' },
    { kind: 'boolean', name: 'retryTimedOutReads', label: 'Retry a read that timed out on another router', default: false },
  ],
  build: (params, seed) => buildCapstoneDay(params, seed),
};
