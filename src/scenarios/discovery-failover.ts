/**
 * Live simulation for the service-discovery lesson: a registry with leases, six instances
 * that heartbeat to it over a lossy link, and a client that routes from a cache refreshed
 * from the registry. Instances crash (most restart) on a fixed schedule.
 *
 * The client here trusts its cache completely (it does not eject an instance whose request
 * failed), so every second a crashed instance stays in the registry or in the cache costs
 * requests: the failed-request share shows detection + propagation directly. The exercise
 * `discovery-leases` adds ejection on the client side, and there the cache only says which
 * instances are usable: the balancer from the load-balancing lesson picks among them.
 */
import { Rejection, Simulation, exponential, logNormal, uniform, type NodeContext } from '../sim/index.ts';
import { leaseRegistry } from './discovery/lease-registry.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const INSTANCES = ['s1', 's2', 's3', 's4', 's5', 's6'] as const;

/** Crash times chosen at different points of the heartbeat cycle; all but the last restart. */
export const CRASHES: readonly { instance: string; atMs: number; restartAtMs?: number }[] = [
  { instance: 's2', atMs: 8_000, restartAtMs: 20_000 },
  { instance: 's5', atMs: 15_430, restartAtMs: 30_000 },
  { instance: 's3', atMs: 27_710, restartAtMs: 40_000 },
  { instance: 's1', atMs: 41_260, restartAtMs: 50_000 },
  { instance: 's6', atMs: 52_890 },
];

const DURATION_MS = 60_000;
const RATE_PER_S = 200;
const REQUEST_TIMEOUT_MS = 100;
const SAMPLE_EVERY_MS = 20;

/** What the scenario measures besides the simulator's own summary. */
export interface FailoverStats {
  /** Per crash: ms from the crash until lookups stopped listing the instance (`null`: never, while it was down). */
  readonly detectionMs: readonly (number | null)[];
  /** Times a live instance dropped out of lookups because its heartbeats were lost. */
  readonly falseEvictions: number;
  /** Requests the client sent, and how many of them went to an instance that was down. */
  readonly requests: number;
  readonly toDeadInstances: number;
}

export interface BuiltFailover extends BuiltScenario {
  /** The measurements so far (complete once the run reaches `durationMs`). */
  stats(): FailoverStats;
}

/** Builds the scenario; `trace: false` turns the trace off for fast runs in tests. */
export function buildFailover(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltFailover {
  const ttlMs = Number(params['ttlMs']);
  const heartbeatMs = Number(params['heartbeatMs']);
  const lossRate = Number(params['lossPercent']) / 100;
  const refreshMs = Number(params['refreshMs']);

  const sim = new Simulation({ seed, network: { latency: uniform(0.5, 2) }, trace: { enabled: options.trace ?? true } });
  const registry = leaseRegistry(ttlMs);

  sim.addNode('registry', () => ({
    onRequest({ body }: { body: { kind: 'register' | 'renew' | 'lookup'; id?: string } }) {
      const now = sim.nowMs;
      if (body.kind === 'register') {
        registry.register(body.id!, now);
        return { ok: true };
      }
      if (body.kind === 'renew') return { ok: registry.renew(body.id!, now) };
      return { instances: registry.lookup(now) };
    },
  }));

  for (const name of INSTANCES) {
    sim.addNode(
      name,
      (ctx: NodeContext) => {
        async function register(): Promise<void> {
          while (ctx.alive) {
            try {
              await ctx.rpc('registry', { kind: 'register', id: name }, { timeoutMs: 300 });
              return;
            } catch {
              // lost: retry
            }
          }
        }
        function schedule(): void {
          ctx.setTimer(heartbeatMs * ctx.random.uniform(0.9, 1.1), () => {
            schedule();
            ctx.rpc<{ ok: boolean }>('registry', { kind: 'renew', id: name }, { timeoutMs: 300 }).then(
              (reply) => (reply.ok ? undefined : register()),
              () => undefined,
            );
          });
        }
        return {
          async onStart() {
            schedule();
            await register();
          },
          onRequest: () => ({ kind: 'get', value: name }),
        };
      },
      { capacity: { workers: 8, serviceTime: exponential(2) } },
    );
    sim.setLink(name, 'registry', { dropProbability: lossRate, latency: logNormal({ p50Ms: 2, p99Ms: 20 }) });
  }
  for (const crash of CRASHES) {
    sim.crash(crash.instance, { atMs: crash.atMs, ...(crash.restartAtMs !== undefined ? { restartAtMs: crash.restartAtMs } : {}) });
  }

  // Measure: sample the registry every 20 ms.
  const detected = new Map<number, number>();
  const listed = new Set<string>();
  let falseEvictions = 0;
  function sample(): void {
    const now = sim.nowMs;
    const current = new Set(registry.lookup(now));
    for (const name of INSTANCES) {
      if (sim.node(name).state === 'up' && listed.has(name) && !current.has(name)) falseEvictions++;
    }
    listed.clear();
    for (const name of current) listed.add(name);
    CRASHES.forEach((crash, i) => {
      if (detected.has(i) || now < crash.atMs) return;
      if (crash.restartAtMs !== undefined && now >= crash.restartAtMs) return;
      if (!current.has(crash.instance)) detected.set(i, now - crash.atMs);
    });
    if (now + SAMPLE_EVERY_MS <= DURATION_MS) sim.after(SAMPLE_EVERY_MS, sample);
  }
  sim.at(0, sample);

  // The client: a cache refreshed every refreshMs, round robin over it, no ejection.
  let cached: string[] = [];
  let lastRefresh = -Infinity;
  let refreshing = false;
  let turn = 0;
  let requests = 0;
  let toDeadInstances = 0;
  sim.workload({
    name: 'client',
    arrivals: { kind: 'open', ratePerS: RATE_PER_S },
    startMs: 1_000,
    stopMs: DURATION_MS - 500,
    deadlineMs: REQUEST_TIMEOUT_MS,
    mix: { get: 1 },
    issue: (input, ctx) => {
      const now = sim.nowMs;
      if (!refreshing && now - lastRefresh >= refreshMs) {
        refreshing = true;
        ctx.rpc<{ instances: string[] }>('registry', { kind: 'lookup' }, { timeoutMs: 300 }).then(
          (reply) => {
            cached = reply.instances;
            lastRefresh = sim.nowMs;
            refreshing = false;
          },
          () => {
            refreshing = false;
          },
        );
      }
      if (cached.length === 0) return Promise.reject(new Rejection('no instance known'));
      const target = cached[turn++ % cached.length]!;
      requests++;
      if (sim.node(target).state !== 'up') toDeadInstances++;
      return ctx.rpc(target, input, { timeoutMs: REQUEST_TIMEOUT_MS });
    },
  });

  return {
    sim,
    durationMs: DURATION_MS + 1_000,
    slo: { availability: 0.99 },
    groups: { clients: ['client'], registry: ['registry'], instances: [...INSTANCES] },
    stats: () => ({
      detectionMs: CRASHES.map((_, i) => detected.get(i) ?? null),
      falseEvictions,
      requests,
      toDeadInstances,
    }),
  };
}

export const scenario: Scenario = {
  id: 'discovery-failover',
  title: 'Leases, heartbeats and a stale client cache',
  description:
    'Six instances heartbeat to a registry over a lossy link while instances crash and restart. Watch the failed requests: ' +
    'a longer lease or a slower cache refresh keeps dead instances in rotation longer; a lease that is too short for the ' +
    'loss rate evicts healthy instances instead.',
  params: [
    { kind: 'number', name: 'ttlMs', label: 'Lease time to live', min: 500, max: 15_000, step: 500, default: 3_000, unit: 'ms' },
    { kind: 'number', name: 'heartbeatMs', label: 'Heartbeat interval', min: 250, max: 5_000, step: 250, default: 1_000, unit: 'ms' },
    { kind: 'number', name: 'lossPercent', label: 'Heartbeats lost', min: 0, max: 40, step: 5, default: 10, unit: '%' },
    { kind: 'number', name: 'refreshMs', label: 'Client cache refresh', min: 250, max: 10_000, step: 250, default: 1_000, unit: 'ms' },
  ],
  build: (params, seed) => buildFailover(params, seed),
};
