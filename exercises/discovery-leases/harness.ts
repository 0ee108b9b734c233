/**
 * The simulated cluster the tests run your registry and client cache in. You do not need
 * to change it (and changes here do not count), but reading it shows exactly what is
 * measured.
 *
 * - A `registry` node wraps your {@link Registry}: instances call it to register and renew,
 *   the client calls it to fetch the list.
 * - Six instances `s1`…`s6` register at start-up, then heartbeat every interval ±10%. A
 *   renewal answered with `false` makes them register again. The links between the
 *   instances and the registry lose `lossRate` of the messages (both directions).
 * - A client sends `ratePerS` requests per second from t = 1 s, routed by your
 *   {@link ClientCache}; each request times out after 100 ms.
 * - Instances crash (and most restart) on a fixed schedule.
 * - Every 20 ms the harness calls `registry.lookup(now)` to see who is listed.
 */
import { Rejection, Simulation, exponential, logNormal, uniform, type NodeContext } from '@faultlines/sim';
import type { ClientCache, CreateClientCache, CreateRegistry, Registry } from './types.ts';

/** One scheduled crash: `instance` goes down at `atMs` and, if given, restarts at `restartAtMs`. */
export interface Crash {
  readonly instance: string;
  readonly atMs: number;
  readonly restartAtMs?: number;
}

export interface FailoverOptions {
  readonly seed: number;
  /** @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** @default 1000 */
  readonly refreshIntervalMs?: number;
  /** Share of messages lost between the instances and the registry. @default 0.1 */
  readonly lossRate?: number;
  /** Client requests per second. @default 200 */
  readonly ratePerS?: number;
  /** @default 60_000 */
  readonly durationMs?: number;
  /** @default six instances */
  readonly instances?: readonly string[];
  /** @default {@link DEFAULT_CRASHES} */
  readonly crashes?: readonly Crash[];
}

/** Five crashes at different points of the heartbeat cycle; four of them restart. */
export const DEFAULT_CRASHES: readonly Crash[] = [
  { instance: 's2', atMs: 8_000, restartAtMs: 20_000 },
  { instance: 's5', atMs: 15_430, restartAtMs: 30_000 },
  { instance: 's3', atMs: 27_710, restartAtMs: 40_000 },
  { instance: 's1', atMs: 41_260, restartAtMs: 50_000 },
  { instance: 's6', atMs: 52_890 },
];

export interface Detection {
  readonly instance: string;
  readonly crashAtMs: number;
  /** When lookups first stopped listing it, or `null` if they never did while it was down. */
  readonly removedAtMs: number | null;
}

export interface Recovery {
  readonly instance: string;
  readonly restartAtMs: number;
  /** When a client request to it first succeeded after the restart, or `null`. */
  readonly firstServedAtMs: number | null;
}

export interface FailoverReport {
  readonly detections: readonly Detection[];
  readonly recoveries: readonly Recovery[];
  /** Requests the client sent to some instance. */
  readonly requests: number;
  /** Of those, sent to an instance that was down at the time. */
  readonly toDeadInstances: number;
  /** Requests the client could not send at all (its cache offered no instance). */
  readonly unrouted: number;
  /** A live instance dropped out of lookups: when and which. */
  readonly falseEvictions: readonly { readonly instance: string; readonly atMs: number }[];
  /** Heartbeats (renewals) sent, and how many the network lost on the way. */
  readonly heartbeatsSent: number;
  readonly heartbeatsLost: number;
  /** Errors thrown by your code inside the simulation, if any. */
  readonly errors: readonly string[];
}

const SAMPLE_EVERY_MS = 20;
const CLIENT_TIMEOUT_MS = 100;
const REGISTRY_TIMEOUT_MS = 300;

type RegistryRequest =
  | { readonly kind: 'register'; readonly id: string }
  | { readonly kind: 'renew'; readonly id: string }
  | { readonly kind: 'lookup' };

/** Runs the failover scenario with the given registry and cache factories. */
export async function runFailover(
  createRegistry: CreateRegistry,
  createClientCache: CreateClientCache,
  options: FailoverOptions,
): Promise<FailoverReport> {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000;
  const refreshIntervalMs = options.refreshIntervalMs ?? 1_000;
  const lossRate = options.lossRate ?? 0.1;
  const ratePerS = options.ratePerS ?? 200;
  const durationMs = options.durationMs ?? 60_000;
  const instances = options.instances ?? ['s1', 's2', 's3', 's4', 's5', 's6'];
  const crashes = options.crashes ?? DEFAULT_CRASHES;

  const sim = new Simulation({
    seed: options.seed,
    network: { latency: uniform(0.5, 2) },
    trace: { enabled: false },
  });
  const errors: string[] = [];
  const registry: Registry = createRegistry({ heartbeatIntervalMs });
  let renewalsReceived = 0;

  sim.addNode('registry', () => ({
    onRequest({ body }: { body: RegistryRequest }) {
      const now = sim.nowMs;
      if (body.kind === 'register') {
        registry.register(body.id, now);
        return { ok: true };
      }
      if (body.kind === 'renew') {
        renewalsReceived++;
        return { ok: registry.renew(body.id, now) === true };
      }
      return { instances: [...registry.lookup(now)] };
    },
  }));

  let heartbeatsSent = 0;
  for (const name of instances) {
    sim.addNode(
      name,
      (ctx: NodeContext) => {
        async function register(): Promise<void> {
          while (ctx.alive) {
            try {
              await ctx.rpc('registry', { kind: 'register', id: name }, { timeoutMs: REGISTRY_TIMEOUT_MS });
              return;
            } catch {
              // Lost on the way: try again.
            }
          }
        }
        async function beat(): Promise<void> {
          heartbeatsSent++;
          try {
            const reply = await ctx.rpc<{ ok: boolean }>('registry', { kind: 'renew', id: name }, { timeoutMs: REGISTRY_TIMEOUT_MS });
            if (!reply.ok) await register();
          } catch {
            // No answer: the next heartbeat will try again.
          }
        }
        function schedule(): void {
          ctx.setTimer(heartbeatIntervalMs * ctx.random.uniform(0.9, 1.1), () => {
            schedule();
            void beat();
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

  for (const crash of crashes) {
    sim.crash(crash.instance, { atMs: crash.atMs, ...(crash.restartAtMs !== undefined ? { restartAtMs: crash.restartAtMs } : {}) });
  }

  // Watch the registry: when does a crashed instance leave the lookups, and does a live one?
  const listed = new Set<string>();
  const removedAt = new Map<Crash, number>();
  const falseEvictions: { instance: string; atMs: number }[] = [];
  function sample(): void {
    const now = sim.nowMs;
    let current: Set<string>;
    try {
      current = new Set(registry.lookup(now));
    } catch (error) {
      errors.push(`lookup threw: ${String(error)}`);
      current = new Set();
    }
    for (const name of instances) {
      const up = sim.node(name).state === 'up';
      if (up && listed.has(name) && !current.has(name)) falseEvictions.push({ instance: name, atMs: now });
    }
    listed.clear();
    for (const name of current) listed.add(name);
    for (const crash of crashes) {
      if (removedAt.has(crash) || now < crash.atMs) continue;
      if (crash.restartAtMs !== undefined && now >= crash.restartAtMs) continue;
      if (!current.has(crash.instance)) removedAt.set(crash, now);
    }
    if (now + SAMPLE_EVERY_MS <= durationMs) sim.after(SAMPLE_EVERY_MS, sample);
  }
  sim.at(0, sample);

  // The client: refresh when the cache asks, pick, send, report failures.
  const cache: ClientCache = createClientCache({ refreshIntervalMs });
  let refreshing = false;
  let requests = 0;
  let toDeadInstances = 0;
  let unrouted = 0;
  const firstServed = new Map<Crash, number>();
  sim.workload({
    name: 'client',
    arrivals: { kind: 'open', ratePerS },
    startMs: 1_000,
    stopMs: durationMs - 500,
    deadlineMs: CLIENT_TIMEOUT_MS * 2,
    mix: { get: 1 },
    issue: async (input, ctx) => {
      const now = sim.nowMs;
      if (!refreshing && cache.refreshDue(now)) {
        refreshing = true;
        ctx
          .rpc<{ instances: string[] }>('registry', { kind: 'lookup' }, { timeoutMs: REGISTRY_TIMEOUT_MS })
          .then((reply) => cache.update(reply.instances, sim.nowMs))
          .catch((error: unknown) => errors.push(`refresh failed: ${String(error)}`))
          .finally(() => {
            refreshing = false;
          });
      }
      const target = cache.pick(now);
      if (target === undefined) {
        unrouted++;
        throw new Rejection('the cache offered no instance');
      }
      if (!instances.includes(target)) {
        errors.push(`pick returned "${String(target)}", which is not an instance`);
        throw new Rejection('unknown instance');
      }
      requests++;
      if (sim.node(target).state !== 'up') toDeadInstances++;
      try {
        const reply = await ctx.rpc<{ kind: 'get'; value: string }>(target, input, { timeoutMs: CLIENT_TIMEOUT_MS });
        for (const crash of crashes) {
          if (crash.instance === target && crash.restartAtMs !== undefined && sim.nowMs >= crash.restartAtMs && !firstServed.has(crash)) {
            firstServed.set(crash, sim.nowMs);
          }
        }
        return reply;
      } catch (error) {
        cache.reportFailure(target, sim.nowMs);
        throw error;
      }
    },
  });

  await sim.runUntil(durationMs + 1_000);

  for (const error of sim.errors) errors.push(error.message);
  return {
    detections: crashes.map((crash) => ({ instance: crash.instance, crashAtMs: crash.atMs, removedAtMs: removedAt.get(crash) ?? null })),
    recoveries: crashes
      .filter((crash) => crash.restartAtMs !== undefined)
      .map((crash) => ({ instance: crash.instance, restartAtMs: crash.restartAtMs!, firstServedAtMs: firstServed.get(crash) ?? null })),
    requests,
    toDeadInstances,
    unrouted,
    falseEvictions,
    heartbeatsSent,
    heartbeatsLost: heartbeatsSent - renewalsReceived,
    errors,
  };
}
