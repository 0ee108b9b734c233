/**
 * The simulated cluster the tests run your registry and client cache in, together with the
 * balancer you wrote in the load-balancing lesson and the capacity plan from the
 * capacity-planning lesson. You do not need to change it (and changes here do not count),
 * but reading it shows exactly what is measured.
 *
 * - A `registry` node wraps your {@link Registry}: instances call it to register and renew,
 *   the client calls it to fetch the list.
 * - Six instances `s1`…`s6` register at start-up, then heartbeat every interval ±10%. A
 *   renewal answered with `false` makes them register again. The link between the instances
 *   and the registry loses `lossRate` of the messages (both directions).
 * - Each instance serves requests with a pool of workers sized by your `workersNeeded`
 *   (`../capacity-planning/capacity.ts`), for the busiest moment of the run: see
 *   {@link instanceProfile}.
 * - A client sends `ratePerS` requests per second (240) from t = 1 s. For each one it asks your
 *   {@link ClientCache} which instances are usable, hands them to your balancer
 *   (`../balancer-heterogeneous/balancer.ts`) as `BackendView`s, and sends the request to the
 *   one the balancer picks; each request times out after 100 ms. Every outcome goes to the
 *   balancer's `onResult`, and every failure to the cache's `reportFailure` as well. The
 *   client makes one attempt per request (`pick` is told it is attempt 1) and never asks the
 *   balancer's `retry`: what is measured here is how soon discovery stops offering a dead
 *   instance, and a retry would hide the requests sent to one.
 * - Instances crash (and most restart) on a fixed schedule.
 * - The instances sit in three zones, two in each ({@link ZONES}); the registry and the client
 *   sit in zone-a. A run may cut one zone off from the registry for a while
 *   ({@link RegistryCut}): every message between that zone's instances and the registry is
 *   lost, while the instances stay up and the client reaches them as before. See
 *   {@link ZONE_CUT_RUN}.
 * - Every 20 ms the harness calls `registry.lookup(now)` to see who is listed.
 *
 * Which heartbeats are lost depends on the seed alone. The link from the instances to the
 * registry is modelled here, from a random stream of each instance's own, rather than by the
 * simulator's network, whose one stream every message draws from; and the balancer gets a
 * stream of its own too. So the faults (crashes, lost and late heartbeats) are the same
 * whatever your balancer picks, and the registry's numbers depend only on your registry.
 */
import {
  OverloadedError,
  Random,
  Rejection,
  RpcTimeoutError,
  Simulation,
  constant,
  exponential,
  logNormal,
  sample,
  uniform,
  type NodeContext,
} from '@faultlines/sim';
import type { BackendView, Balancer, BalancerFactory, Outcome } from '../balancer-heterogeneous/types.ts';
import type { ServiceProfile } from '../capacity-planning/types.ts';
import type { ClientCache, CreateClientCache, CreateRegistry, Registry } from './types.ts';

/** One scheduled crash: `instance` goes down at `atMs` and, if given, restarts at `restartAtMs`. */
export interface Crash {
  readonly instance: string;
  readonly atMs: number;
  readonly restartAtMs?: number;
}

/** The components the run is built from: the two of this exercise and the two it uses. */
export interface Components {
  readonly createRegistry: CreateRegistry;
  readonly createClientCache: CreateClientCache;
  /** `createBalancer` from `../balancer-heterogeneous/balancer.ts`. */
  readonly createBalancer: BalancerFactory;
  /** `workersNeeded` from `../capacity-planning/capacity.ts`. */
  readonly workersNeeded: (profile: ServiceProfile) => number;
}

/**
 * Which zone each instance sits in: two instances in each of three zones. The registry and
 * the client sit in zone-a.
 */
export const ZONES: Readonly<Record<string, string>> = {
  s1: 'zone-a',
  s2: 'zone-a',
  s3: 'zone-b',
  s4: 'zone-b',
  s5: 'zone-c',
  s6: 'zone-c',
};

/**
 * A network partition between `zone` and the registry from `fromMs` until `untilMs`: every
 * heartbeat, registration and reply crossing it in that time is lost. The instances keep
 * running, and the client (in zone-a, like the registry) still reaches them.
 */
export interface RegistryCut {
  readonly zone: string;
  readonly fromMs: number;
  readonly untilMs: number;
}

export interface FailoverOptions {
  readonly seed: number;
  /** @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** @default 1000 */
  readonly refreshIntervalMs?: number;
  /** Share of messages lost between the instances and the registry. @default 0.1 */
  readonly lossRate?: number;
  /** Client requests per second. @default 240 */
  readonly ratePerS?: number;
  /** @default 60_000 */
  readonly durationMs?: number;
  /** @default six instances */
  readonly instances?: readonly string[];
  /** @default {@link DEFAULT_CRASHES} */
  readonly crashes?: readonly Crash[];
  /** Which zone each instance sits in. @default {@link ZONES} */
  readonly zones?: Readonly<Record<string, string>>;
  /** Zones cut off from the registry for a while. @default none */
  readonly registryCuts?: readonly RegistryCut[];
}

/** Five crashes at different points of the heartbeat cycle; four of them restart. */
export const DEFAULT_CRASHES: readonly Crash[] = [
  { instance: 's2', atMs: 8_000, restartAtMs: 20_000 },
  { instance: 's5', atMs: 15_430, restartAtMs: 30_000 },
  { instance: 's3', atMs: 27_710, restartAtMs: 40_000 },
  { instance: 's1', atMs: 41_260, restartAtMs: 50_000 },
  { instance: 's6', atMs: 52_890 },
];

/**
 * The correlated fault: zone-b is cut off from the registry for 15 s (five leases of three
 * heartbeats), at 480 requests a second, with no crash at all. Nothing is down, so the
 * capacity plan sizes each instance for a sixth of the load (80 requests a second); a
 * registry that lets zone-b's leases expire one by one hands the client four instances for
 * the load of six, 120 requests a second each.
 */
export const ZONE_CUT_RUN = {
  ratePerS: 480,
  durationMs: 30_000,
  crashes: [] as readonly Crash[],
  registryCuts: [{ zone: 'zone-b', fromMs: 8_000, untilMs: 23_000 }] as readonly RegistryCut[],
} as const;

/** Mean time an instance's worker spends on one request, in ms (exponentially distributed). */
export const SERVICE_MS = 10;

/**
 * The latency objective the instances are sized for: 99% of requests served within 60 ms,
 * six times the mean service time. The service time alone has a p99 of ln 100 × 10 ms ≈
 * 46 ms, and the client gives up after 100 ms: an instance with too few workers queues long
 * enough for the client to mistake it for a dead one.
 */
export const P99_TARGET_MS = 60;

/** The most instances of `instances` that are down at the same time in `crashes`. */
export function mostDownAtOnce(instances: readonly string[], crashes: readonly Crash[]): number {
  let most = 0;
  for (const crash of crashes) {
    // Down-counts only change at crash times, so checking each of them is enough.
    const t = crash.atMs;
    const down = crashes.filter(
      (c) => instances.includes(c.instance) && c.atMs <= t && (c.restartAtMs === undefined || t < c.restartAtMs),
    ).length;
    most = Math.max(most, down);
  }
  return most;
}

/**
 * What one instance's worker pool is sized for, with `workersNeeded`: the instance's share
 * of the client's requests at the busiest moment of the run, when the most instances are
 * down at once and the survivors split the load between them (with the default schedule,
 * two of six are down from t = 15.4 s to 20 s and from 27.7 s to 30 s, so four instances
 * carry 240 requests a second: 60 each). Arrivals at one instance are close to Poisson and
 * the service time is exponential, the model of the capacity-planning lesson.
 */
export function instanceProfile(
  ratePerS: number,
  instances: readonly string[],
  crashes: readonly Crash[],
): ServiceProfile {
  const survivors = Math.max(1, instances.length - mostDownAtOnce(instances, crashes));
  return { ratePerS: ratePerS / survivors, meanServiceMs: SERVICE_MS, p99TargetMs: P99_TARGET_MS };
}

export interface Detection {
  readonly instance: string;
  readonly crashAtMs: number;
  /** When lookups first stopped listing it, or `null` if they never did while it was down. */
  readonly removedAtMs: number | null;
}

export interface Recovery {
  readonly instance: string;
  readonly restartAtMs: number;
  /** When the cache's `usable` first listed it again after the restart, or `null`. */
  readonly offeredAtMs: number | null;
  /** When a client request to it first succeeded after the restart, or `null`. */
  readonly firstServedAtMs: number | null;
}

export interface FailoverReport {
  readonly detections: readonly Detection[];
  readonly recoveries: readonly Recovery[];
  /** Workers per instance, from `workersNeeded(profile)`, and the profile it was given. */
  readonly workersPerInstance: number;
  readonly profile: ServiceProfile;
  /** Requests the client issued, whether or not they could be sent. */
  readonly issued: number;
  /** Requests the client sent to some instance. */
  readonly requests: number;
  /** Of those, sent to an instance that was down at the time. */
  readonly toDeadInstances: number;
  /** Requests the client could not send at all (its cache offered no instance). */
  readonly unrouted: number;
  /** Requests sent that got no answer in time: to dead instances, or too slow. */
  readonly failed: number;
  /** The 99th percentile latency of the requests that succeeded, in ms. */
  readonly p99Ms: number;
  /** A live instance dropped out of lookups: when and which. */
  readonly falseEvictions: readonly { readonly instance: string; readonly atMs: number }[];
  /** Heartbeats (renewals) sent, and how many were lost on the way to the registry. */
  readonly heartbeatsSent: number;
  readonly heartbeatsLost: number;
  /** What the client saw while a zone was cut off from the registry (all zeros if none was). */
  readonly duringCuts: CutStats;
  /** Errors thrown by your code inside the simulation, if any. */
  readonly errors: readonly string[];
}

/** The requests the client issued while some zone was cut off from the registry. */
export interface CutStats {
  readonly issued: number;
  /** Answered in time. */
  readonly answered: number;
  /** The 99th percentile latency of those answered, in ms. */
  readonly p99Ms: number;
  /** The fewest live instances the registry's lookups listed at once during the cuts. */
  readonly fewestListed: number;
}

const SAMPLE_EVERY_MS = 20;
const CLIENT_TIMEOUT_MS = 100;
const REGISTRY_TIMEOUT_MS = 300;
/** One way between an instance and the registry: 2 ms typically, 20 ms at the 99th percentile. */
const REGISTRY_LINK_LATENCY = logNormal({ p50Ms: 2, p99Ms: 20 });
/** Workers per instance are kept between 1 and this, whatever `workersNeeded` returns. */
const MAX_WORKERS = 64;

type RegistryRequest =
  | { readonly kind: 'register'; readonly id: string }
  | { readonly kind: 'renew'; readonly id: string }
  | { readonly kind: 'lookup' };

/** The `p`-th percentile (0–1) of `values`, nearest rank; 0 when there are none. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** Runs the failover scenario with the given components. */
export async function runFailover(components: Components, options: FailoverOptions): Promise<FailoverReport> {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000;
  const refreshIntervalMs = options.refreshIntervalMs ?? 1_000;
  const lossRate = options.lossRate ?? 0.1;
  const ratePerS = options.ratePerS ?? 240;
  const durationMs = options.durationMs ?? 60_000;
  const instances = options.instances ?? ['s1', 's2', 's3', 's4', 's5', 's6'];
  const crashes = options.crashes ?? DEFAULT_CRASHES;
  const zones = options.zones ?? ZONES;
  const registryCuts = options.registryCuts ?? [];
  /** Whether `zone` is cut off from the registry now. */
  const cutOff = (zone: string | undefined): boolean =>
    registryCuts.some((cut) => cut.zone === zone && cut.fromMs <= sim.nowMs && sim.nowMs < cut.untilMs);
  const duringCut = (atMs: number): boolean => registryCuts.some((cut) => cut.fromMs <= atMs && atMs < cut.untilMs);

  const sim = new Simulation({
    seed: options.seed,
    network: { latency: uniform(0.5, 2) },
    trace: { enabled: false },
  });
  // Independent streams derived from the seed, as the simulator derives its own (one per
  // node, one for the network): drawing from one never shifts another.
  const streams = new Random(options.seed);
  const errors: string[] = [];
  const registry: Registry = components.createRegistry({ heartbeatIntervalMs });
  let renewalsReceived = 0;

  // Size each instance's worker pool with the capacity plan.
  const profile = instanceProfile(ratePerS, instances, crashes);
  let workersPerInstance: number;
  try {
    const answer = components.workersNeeded(profile);
    if (!Number.isInteger(answer) || answer < 1) {
      errors.push(`your workersNeeded (../capacity-planning/capacity.ts) returned ${String(answer)}, not a whole number of workers`);
    }
    workersPerInstance = Number.isFinite(answer) ? Math.min(MAX_WORKERS, Math.max(1, Math.ceil(answer))) : 1;
  } catch (error) {
    errors.push(`your workersNeeded (../capacity-planning/capacity.ts) threw: ${String(error)}`);
    workersPerInstance = 1;
  }

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
    // This instance's link to the registry: loss and delay in both directions, drawn here
    // from a stream of its own (the simulator's link itself is instant and lossless).
    const link = streams.fork(`registry-link:${name}`);
    const zone = zones[name];
    sim.addNode(
      name,
      (ctx: NodeContext) => {
        /** One call to the registry over the lossy link: the reply, or `undefined` if lost. */
        async function callRegistry<T>(body: RegistryRequest): Promise<T | undefined> {
          const requestLost = link.next() < lossRate;
          const there = sample(REGISTRY_LINK_LATENCY, link);
          const replyLost = link.next() < lossRate;
          const back = sample(REGISTRY_LINK_LATENCY, link);
          if (requestLost || cutOff(zone)) {
            await ctx.sleep(REGISTRY_TIMEOUT_MS);
            return undefined;
          }
          await ctx.sleep(there);
          if (cutOff(zone)) {
            // The zone was cut off while the request was on its way.
            if (there < REGISTRY_TIMEOUT_MS) await ctx.sleep(REGISTRY_TIMEOUT_MS - there);
            return undefined;
          }
          const reply = await ctx.rpc<T>('registry', body, { timeoutMs: REGISTRY_TIMEOUT_MS });
          if (replyLost || cutOff(zone) || there + back > REGISTRY_TIMEOUT_MS) {
            // The registry handled it, but no answer came back in time.
            if (there < REGISTRY_TIMEOUT_MS) await ctx.sleep(REGISTRY_TIMEOUT_MS - there);
            return undefined;
          }
          await ctx.sleep(back);
          return reply;
        }
        async function register(): Promise<void> {
          while (ctx.alive) {
            if ((await callRegistry<{ ok: boolean }>({ kind: 'register', id: name })) !== undefined) return;
            // Lost on the way: try again.
          }
        }
        async function beat(): Promise<void> {
          heartbeatsSent++;
          const reply = await callRegistry<{ ok: boolean }>({ kind: 'renew', id: name });
          // No answer: the next heartbeat will try again.
          if (reply !== undefined && !reply.ok) await register();
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
      { capacity: { workers: workersPerInstance, serviceTime: exponential(SERVICE_MS) } },
    );
    sim.setLink(name, 'registry', { latency: constant(0) });
  }

  for (const crash of crashes) {
    sim.crash(crash.instance, { atMs: crash.atMs, ...(crash.restartAtMs !== undefined ? { restartAtMs: crash.restartAtMs } : {}) });
  }

  // Watch the registry: when does a crashed instance leave the lookups, and does a live one?
  const listed = new Set<string>();
  const removedAt = new Map<Crash, number>();
  const falseEvictions: { instance: string; atMs: number }[] = [];
  let fewestListed = Infinity;
  function sampleLookups(): void {
    const now = sim.nowMs;
    let current: Set<string>;
    try {
      current = new Set(registry.lookup(now));
    } catch (error) {
      errors.push(`lookup threw: ${String(error)}`);
      current = new Set();
    }
    let liveListed = 0;
    for (const name of instances) {
      const up = sim.node(name).state === 'up';
      if (up && listed.has(name) && !current.has(name)) falseEvictions.push({ instance: name, atMs: now });
      if (up && current.has(name)) liveListed++;
    }
    if (duringCut(now)) fewestListed = Math.min(fewestListed, liveListed);
    listed.clear();
    for (const name of current) listed.add(name);
    for (const crash of crashes) {
      if (removedAt.has(crash) || now < crash.atMs) continue;
      if (crash.restartAtMs !== undefined && now >= crash.restartAtMs) continue;
      if (!current.has(crash.instance)) removedAt.set(crash, now);
    }
    if (now + SAMPLE_EVERY_MS <= durationMs) sim.after(SAMPLE_EVERY_MS, sampleLookups);
  }
  sim.at(0, sampleLookups);

  // The client: refresh when the cache asks; the cache says which instances are usable, the
  // balancer picks one of them; send, and report the outcome to both.
  const cache: ClientCache = components.createClientCache({ refreshIntervalMs });
  const balancer: Balancer = components.createBalancer({ random: streams.fork('balancer') });
  const outstanding = new Map<string, number>(instances.map((name) => [name, 0]));
  let refreshing = false;
  let issued = 0;
  let requests = 0;
  let toDeadInstances = 0;
  let unrouted = 0;
  let failed = 0;
  const latencies: number[] = [];
  const cutLatencies: number[] = [];
  let cutIssued = 0;
  const offeredAt = new Map<Crash, number>();
  const firstServed = new Map<Crash, number>();
  const noteError = (error: string): void => {
    if (errors.length < 20) errors.push(error);
  };
  const tellBalancer = (target: string, outcome: Outcome): void => {
    try {
      balancer.onResult?.(target, outcome, sim.nowMs);
    } catch (error) {
      noteError(`your balancer (../balancer-heterogeneous/balancer.ts) threw in onResult: ${String(error)}`);
    }
  };

  sim.workload({
    name: 'client',
    arrivals: { kind: 'open', ratePerS },
    startMs: 1_000,
    stopMs: durationMs - 500,
    deadlineMs: CLIENT_TIMEOUT_MS * 2,
    mix: { get: 1 },
    issue: async (input, ctx) => {
      const now = sim.nowMs;
      issued++;
      const inCut = duringCut(now);
      if (inCut) cutIssued++;
      if (!refreshing && cache.refreshDue(now)) {
        refreshing = true;
        ctx
          .rpc<{ instances: string[] }>('registry', { kind: 'lookup' }, { timeoutMs: REGISTRY_TIMEOUT_MS })
          .then((reply) => cache.update(reply.instances, sim.nowMs))
          .catch((error: unknown) => noteError(`refresh failed: ${String(error)}`))
          .finally(() => {
            refreshing = false;
          });
      }
      const usable = cache.usable(now);
      if (!Array.isArray(usable) || usable.some((id) => !instances.includes(id))) {
        noteError(`usable returned ${JSON.stringify(usable)}, which is not a list of instances`);
        throw new Rejection('unknown instance');
      }
      for (const crash of crashes) {
        if (crash.restartAtMs !== undefined && now >= crash.restartAtMs && !offeredAt.has(crash) && usable.includes(crash.instance)) {
          offeredAt.set(crash, now);
        }
      }
      if (usable.length === 0) {
        unrouted++;
        throw new Rejection('the cache offered no instance');
      }
      const views: BackendView[] = usable.map((name) => ({ name, outstanding: outstanding.get(name)! }));
      let target: string;
      try {
        target = balancer.pick(views, now, 1);
      } catch (error) {
        noteError(`your balancer (../balancer-heterogeneous/balancer.ts) threw in pick: ${String(error)}`);
        throw new Rejection('the balancer threw');
      }
      if (!usable.includes(target)) {
        noteError(
          `your balancer (../balancer-heterogeneous/balancer.ts) picked ${JSON.stringify(target)}, which is not one of ` +
            `the instances it was offered (${usable.join(', ')}): the list changes as instances fail and come back`,
        );
        throw new Rejection('the balancer picked an instance it was not offered');
      }
      requests++;
      if (sim.node(target).state !== 'up') toDeadInstances++;
      outstanding.set(target, outstanding.get(target)! + 1);
      try {
        const reply = await ctx.rpc<{ kind: 'get'; value: string }>(target, input, { timeoutMs: CLIENT_TIMEOUT_MS });
        outstanding.set(target, outstanding.get(target)! - 1);
        latencies.push(sim.nowMs - now);
        if (inCut) cutLatencies.push(sim.nowMs - now);
        tellBalancer(target, { ok: true, latencyMs: sim.nowMs - now });
        for (const crash of crashes) {
          if (crash.instance === target && crash.restartAtMs !== undefined && sim.nowMs >= crash.restartAtMs && !firstServed.has(crash)) {
            firstServed.set(crash, sim.nowMs);
          }
        }
        return reply;
      } catch (error) {
        outstanding.set(target, outstanding.get(target)! - 1);
        failed++;
        const kind: Outcome['error'] =
          error instanceof RpcTimeoutError ? 'timeout' : error instanceof OverloadedError ? 'overloaded' : 'rejected';
        tellBalancer(target, { ok: false, latencyMs: sim.nowMs - now, error: kind });
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
      .map((crash) => ({
        instance: crash.instance,
        restartAtMs: crash.restartAtMs!,
        offeredAtMs: offeredAt.get(crash) ?? null,
        firstServedAtMs: firstServed.get(crash) ?? null,
      })),
    workersPerInstance,
    profile,
    issued,
    requests,
    toDeadInstances,
    unrouted,
    failed,
    p99Ms: percentile(latencies, 0.99),
    falseEvictions,
    heartbeatsSent,
    heartbeatsLost: heartbeatsSent - renewalsReceived,
    duringCuts: {
      issued: cutIssued,
      answered: cutLatencies.length,
      p99Ms: percentile(cutLatencies, 0.99),
      fewestListed: fewestListed === Infinity ? 0 : fewestListed,
    },
    errors,
  };
}
