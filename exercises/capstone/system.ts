/**
 * The whole store, built from your components, through one compressed day. Read-only: read it
 * to see exactly what is measured.
 *
 * - **Clients** (`users-1` … `users-3`): three sites outside the zones, each sending an
 *   open-loop share of the day's load. Each has its own client cache
 *   (`../discovery-leases/client-cache.ts`), refreshed from the registry in the background,
 *   and its own balancer (`../balancer-heterogeneous/balancer.ts`), which picks a router
 *   among the instances the cache lists. An attempt waits {@link ATTEMPT_TIMEOUT_MS}; the
 *   balancer's `retry` may send a request again, to another router, at most
 *   {@link MAX_ATTEMPTS} attempts in all. Only a read, or a request the store refused for
 *   certain, is retried: a write that timed out may have happened.
 * - **The registry** (`registry`, your `../discovery-leases/registry.ts`): every router
 *   registers and sends a heartbeat every {@link HEARTBEAT_MS}. It sits outside the zones.
 * - **Routers** (`router-a1`, …): in each zone, as many as the plan says (by default your
 *   capacity plan, `../capacity-planning/capacity.ts`, for the {@link ROUTER_PROFILE} at the
 *   peak with the flash crowd on top, a zone lost). Each is one event-loop worker with a
 *   short queue and runs your shard router
 *   (`../sharding-router/router.ts`) with the shard map it reads from the shard controller
 *   when it starts (and again after a crash), before it registers. A router sends each
 *   request to a replica of the key's group in its own zone, which coordinates it.
 * - **The shard controller** (`ctl-1` … `ctl-5`, see `controller.ts`): five servers of your
 *   Raft log (`../raft-log/server.ts`) over the three zones, holding the shard map your ring
 *   (`../sharding-ring/ring.ts`) places on the groups. The `operator` writes it through the
 *   log before the day starts.
 * - **Shard groups** (`g1` … `g5`): five replicas each (`g1-1` … `g1-5`) of your quorum
 *   store (`../quorum-store/replica.ts`) in CP mode with the plan's R and W, two in one
 *   zone, two in the next and one in the third (each group starts one zone further). A
 *   replica makes what it stores durable before it answers: the host syncs its disk after
 *   every request in which your code wrote to its store. A group serves the shards its map
 *   gives it and refuses the others as "wrong owner" (`../sharding-router/shards.ts`);
 *   `g5` owns none until the rebalance at the peak moves to it the shards your ring gives
 *   it (see `rebalance.ts`).
 * - **Network**: within a zone 0.05–0.15 ms one way, between zones 0.4–1.0 ms, between the
 *   clients and the zones 2–6 ms.
 */
import {
  Random,
  Rejection,
  clockTime,
  SloTimeline,
  Simulation,
  applyFaults,
  checkLinearizability,
  describeFaults,
  exponential,
  faultWindows,
  hash32,
  isDefiniteRefusal,
  kvModel,
  noAcknowledgedWriteLost,
  uniform,
  writesFromHistory,
  compressedDay,
  type CheckResult,
  type KvInput,
  type KvOutput,
  type NodeContext,
  type Operation,
  type SloTimelineReport,
} from '@faultlines/sim';
import { createBalancer } from '../balancer-heterogeneous/balancer.ts';
import type { Balancer, BackendView, Outcome } from '../balancer-heterogeneous/types.ts';
import { workersPerZone } from '../capacity-planning/capacity.ts';
import type { ServiceProfile } from '../capacity-planning/types.ts';
import { createClientCache } from '../discovery-leases/client-cache.ts';
import { createRegistry } from '../discovery-leases/registry.ts';
import type { ClientCache, Registry } from '../discovery-leases/types.ts';
import { createReplica } from '../quorum-store/replica.ts';
import type { LocalStore, StoreConfig, StoreReplica, Stored } from '../quorum-store/types.ts';
import { createRing } from '../sharding-ring/ring.ts';
import { createRouter } from '../sharding-router/router.ts';
import { SHARD_COUNT, shardOf, wrongOwnerOf } from '../sharding-router/shards.ts';
import type { ForwardRequest, ShardMap, ShardReply, ShardRouter } from '../sharding-router/types.ts';
import {
  AVAILABILITY_OBJECTIVE,
  CLIENTS,
  DAY_MS,
  FLASH_CROWD_MULTIPLIER,
  GROUPS,
  ALL_GROUPS,
  JOINING_GROUP,
  HEALTHY_SYNC,
  KEY_COUNT,
  PEAK_AT,
  PEAK_RATE_PER_S,
  PEAK_TO_TROUGH,
  READ_SHARE,
  ZIPF_EXPONENT,
  ZONES,
  describeCrowd,
  drawDay,
  type DayFaults,
  type Zone,
} from './day.ts';
import type { SystemPlan } from './types.ts';
import {
  CONTROLLERS,
  MAP_KEY,
  CONTROLLER_RETRY_MS,
  addController,
  askController,
  controllerZone,
  decodeMap,
  encodeMap,
  freshControllerStats,
  type ControllerStats,
} from './controller.ts';
import { GroupGate, isStuck, plannedMoves, rebalance, type MoveRequest, type RebalanceStats } from './rebalance.ts';

/** A router's work per request: exponential, mean 0.2 ms; the router pool is sized for a p99 of 2 ms at the peak. */
export const ROUTER_PROFILE: Omit<ServiceProfile, 'ratePerS'> = { meanServiceMs: 0.2, p99TargetMs: 2 };
/** Requests waiting at a router beyond this many are refused at once (overloaded). */
export const ROUTER_QUEUE = 64;
/** How long a client waits for one attempt. */
export const ATTEMPT_TIMEOUT_MS = 250;
/** Attempts per request, the first included. */
export const MAX_ATTEMPTS = 3;
/** How long a client waits for a request in all before it counts it as unanswered. */
export const REQUEST_DEADLINE_MS = 1_000;
/** How long a router waits for the coordinating replica. */
export const ROUTER_TIMEOUT_MS = 200;
/** Routers' heartbeat period; each one jitters it by ±10%. */
export const HEARTBEAT_MS = 100;
/** How often a client cache may refresh from the registry. */
export const REFRESH_MS = 250;
/**
 * The keys whose whole day's history the linearizability checker reads: the second to the
 * fifth hottest, about 40,000 operations a day. The hottest, `k0`, has as many alone, more
 * than the checker decides within a grade's time on some days.
 */
export const HOT_KEYS: ReadonlySet<string> = new Set(['k1', 'k2', 'k3', 'k4']);
/**
 * The store runs this long before the clients start: the controller elects a leader (an
 * election timeout is 150–300 ms, and a split vote costs another), the operator writes the
 * map, routers read it and register, caches fill.
 */
export const WARM_UP_MS = 1_000;
/** Vnodes per group on the ring. */
export const RING_VNODES = 200;

const SAME_ZONE = uniform(0.05, 0.15);
const CROSS_ZONE = uniform(0.4, 1.0);
const TO_CLIENTS = uniform(2, 6);

/** The zone of each of a group's five replicas: two, two and one, starting one zone further per group. */
export function replicaZone(group: string, replica: number): Zone {
  const start = ALL_GROUPS.indexOf(group);
  const slot = [0, 0, 1, 1, 2][replica - 1]!;
  return ZONES[(start + slot) % ZONES.length]!;
}

export const replicaName = (group: string, replica: number): string => `${group}-${replica}`;

/** Which version of each component the run used: filled in by the grader's record, if any. */
export interface RunOptions {
  readonly seed: number;
  readonly plan: SystemPlan;
  /** Only for the tests' own probes: a shorter day at a lower rate. @default the day of day.ts */
  readonly dayMs?: number;
  readonly peakRatePerS?: number;
}

/** Where the requests' time went and what failed, component by component. */
export interface ComponentRow {
  readonly component: string;
  /** The exercises its code comes from. */
  readonly exercises: readonly string[];
  /** What its code is: the file the run built it from. */
  readonly file: string;
  /** One line: how it did. */
  readonly summary: string;
  /** Failures this component caused or could have avoided. */
  readonly failures: number;
  /** Mean time requests spent in it, where it has one, in milliseconds. */
  readonly meanMs?: number;
}

export interface DayRun {
  readonly seed: number;
  readonly plan: SystemPlan;
  readonly dayMs: number;
  /** The schedule as printed: the seed, every fault and the flash crowd. */
  readonly schedule: string;
  readonly day: DayFaults;
  readonly routers: readonly string[];
  readonly routersPerZone: number;
  /** What the capacity plan asked for per zone (whatever the plan chose). */
  readonly capacityPlanPerZone: number;
  readonly timeline: SloTimelineReport;
  /** p99 of the busiest minute-equivalent: the 1/24 of the day around the peak, outside faults. */
  readonly p99AtPeakMs: number;
  /** The requests made outside the zone cut, and those made during it: how many, how many failed. */
  readonly outsideCut: { readonly operations: number; readonly bad: number; readonly availability: number };
  readonly duringCut: { readonly operations: number; readonly bad: number; readonly availability: number };
  /** How long after the cut began the first whole second at 99% came, in milliseconds (Infinity: none before the heal). */
  readonly zoneCutRecoveryMs: number;
  readonly ackedWritesLost: number;
  readonly lostExample?: string;
  readonly linearizability: CheckResult<unknown, KvInput, KvOutput>;
  /** How many operations the checker read: those on {@link HOT_KEYS}, all day. */
  readonly checkedOperations: number;
  readonly components: readonly ComponentRow[];
  /** The shard controller: its leaders, when the map was written, the routers' reads of it. */
  readonly controller: ControllerStats;
  /** The rebalance at the peak: the moves your ring asked for, and how each went. */
  readonly rebalance: RebalanceStats;
  /** Requests the groups refused as "wrong owner" (each one a router's redirect), and requests that waited for a move. */
  readonly redirects: { readonly refused: number; readonly waited: number; readonly failedRequests: number };
  /** Routers whose latest start never read the map (so served nothing since). */
  readonly routersWithoutMap: readonly string[];
  /** Attempts by how they ended, over all clients. */
  readonly attempts: { readonly sent: number; readonly ok: number; readonly timeout: number; readonly refused: number; readonly overloaded: number; readonly retries: number };
  /** Routers the registry never listed, all day. */
  readonly neverListed: readonly string[];
  /** Attempts sent to a router that was down at that moment. */
  readonly sentToDownRouter: number;
  /** Busiest router's utilisation at the peak (served per second × mean service time). */
  readonly peakUtilisation: number;
  readonly errors: readonly string[];
  /** Each router's load over the day: requests served, refused as overloaded, deepest queue. */
  readonly routerLoad: readonly { readonly node: string; readonly served: number; readonly rejected: number; readonly maxQueueDepth: number }[];
  readonly events: number;
  readonly history: readonly Operation<KvInput, KvOutput>[];
  /** The {@link SLOWEST_KEPT} slowest requests of the day, slowest first, each with its attempts. */
  readonly slowestRequests: readonly RequestTrace[];
}

/** One attempt of a client's request, as the report's "Show trace" draws it. */
export interface AttemptTrace {
  readonly router: string;
  /** When the client sent it, in milliseconds of the day. */
  readonly sentMs: number;
  /** When it ended: the answer, the refusal or the client's timeout. */
  endMs: number;
  outcome: 'ok' | 'timeout' | 'refused' | 'overloaded' | 'pending';
  /** The refusal's words, for a refused attempt. */
  error?: string;
  /** The replica the router sent it to, and when that one's answer (or the router's timeout) came. */
  replica?: string;
  replicaSentMs?: number;
  replicaEndMs?: number;
}

/** One of the day's slowest requests: what it was, and every attempt it took. */
export interface RequestTrace {
  /** `get k17 from users-2`. */
  readonly label: string;
  readonly invokeMs: number;
  /** When the client's code gave up or had the answer. */
  readonly endMs: number;
  readonly ok: boolean;
  readonly attempts: readonly AttemptTrace[];
}

/** Requests kept with their attempts in {@link DayRun.slowestRequests}. */
export const SLOWEST_KEPT = 12;

/** The body a router sends to a replica, and the client's operation inside. */
interface ClientRequest {
  readonly client: ForwardRequest;
}

/** Builds the store from your components and runs the day. */
export async function runDay(options: RunOptions): Promise<DayRun> {
  const { seed, plan } = options;
  const dayMs = options.dayMs ?? DAY_MS;
  const peakRatePerS = options.peakRatePerS ?? PEAK_RATE_PER_S;
  checkPlan(plan);
  // 6 quiet microtask turns after an event, not 32, as in the Raft log's cluster: the day
  // settles millions of promises, and no chain here runs deeper than a few turns (with 12
  // every figure of the day comes out the same, in a tenth more time).
  const sim = new Simulation({ seed, trace: { enabled: false }, network: { latency: CROSS_ZONE }, microtaskQuietTurns: 6 });
  const errors: string[] = [];
  const note = (where: string, error: unknown) => {
    if (errors.length < 50) errors.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  };

  // ---------------------------------------------------------------- sizing
  // The busiest the day gets: the peak with the flash crowd on top.
  const busiestRatePerS = peakRatePerS * FLASH_CROWD_MULTIPLIER;
  const capacityPlanPerZone = workersPerZone({ ratePerS: busiestRatePerS, ...ROUTER_PROFILE }, ZONES.length);
  if (!(Number.isInteger(capacityPlanPerZone) && capacityPlanPerZone >= 1 && capacityPlanPerZone <= 64)) {
    throw new Error(`Your capacity plan (workersPerZone) asked for ${capacityPlanPerZone} routers per zone for ${busiestRatePerS} requests/s at ${ROUTER_PROFILE.meanServiceMs} ms each; the run needs a whole number from 1 to 64.`);
  }
  const routersPerZone = plan.routersPerZone === 'capacity plan' ? capacityPlanPerZone : plan.routersPerZone;
  const routers: string[] = [];
  const zoneOf = new Map<string, Zone>();
  for (const zone of ZONES) {
    for (let i = 1; i <= routersPerZone; i++) {
      const name = `router-${zone}${i}`;
      routers.push(name);
      zoneOf.set(name, zone);
    }
  }
  for (const group of ALL_GROUPS) for (let r = 1; r <= 5; r++) zoneOf.set(replicaName(group, r), replicaZone(group, r));
  for (const name of CONTROLLERS) zoneOf.set(name, controllerZone(name));

  // ---------------------------------------------------------------- the shard map
  const ring = createRing({ vnodesPerNode: RING_VNODES });
  for (const group of GROUPS) ring.addNode(group);
  // Each shard is placed by its key `shard-00` … `shard-31`, as in the shard router's exercise.
  const owners = Array.from({ length: SHARD_COUNT }, (_, shard) => ring.ownerOf(`shard-${String(shard).padStart(2, '0')}`));
  const map: ShardMap = Object.freeze({ epoch: 1, owners: Object.freeze(owners) });
  for (const owner of map.owners) {
    if (!(GROUPS as readonly string[]).includes(owner)) throw new Error(`Your ring placed a shard on ${JSON.stringify(owner)}, which is not one of the groups ${GROUPS.join(', ')}.`);
  }
  // Where the shards go once the fifth group joins: the rebalance moves those that change owner.
  ring.addNode(JOINING_GROUP);
  const ownersAfter = Array.from({ length: SHARD_COUNT }, (_, shard) => ring.ownerOf(`shard-${String(shard).padStart(2, '0')}`));
  for (const owner of ownersAfter) {
    if (!ALL_GROUPS.includes(owner)) throw new Error(`Your ring placed a shard on ${JSON.stringify(owner)} once ${JOINING_GROUP} joined, which is not one of the groups ${ALL_GROUPS.join(', ')}.`);
  }
  const rebalanceStats: RebalanceStats = { planned: plannedMoves(owners, ownersAfter), moves: [], startedMs: null, endedMs: null };
  /** What each group serves: its map, and the shards paused for a move. */
  const gates = new Map(ALL_GROUPS.map((group) => [group, new GroupGate(group, map)]));

  // ---------------------------------------------------------------- the shard controller
  const controllerStats = freshControllerStats();
  addController(sim, controllerStats, frozenCopy, note);
  const mapText = encodeMap(map);
  /** Every map the operator has put: a router may read any of them, and nothing else. */
  const writtenMaps = new Set([mapText]);
  // The operator writes the map through the log before the day starts, and moves the shards at the peak.
  sim.addNode('operator', (ctx) => ({
    onStart() {
      void askController(ctx, { kind: 'put', key: MAP_KEY, value: mapText }, { leader: CONTROLLERS[0] }, controllerStats).then(() => {
        controllerStats.mapWrittenMs ??= sim.nowMs;
      });
      ctx.setTimer(day.rebalance.atMs, () => {
        void rebalance({
          ctx,
          gates,
          replicas: (group) => [1, 2, 3, 4, 5].map((r) => replicaName(group, r)),
          keysOf: (replica) => stores.get(replica)!.keys(),
          controller: controllerStats,
          map,
          stats: rebalanceStats,
          onCommit: (next) => writtenMaps.add(encodeMap(next)),
        }).catch((error: unknown) => note('rebalance', error));
      });
    },
  }));
  /** Routers whose latest start read the map. */
  const hasMap = new Set<string>();

  // ---------------------------------------------------------------- replicas
  const stores = new Map<string, Map<string, Stored>>();
  for (const group of ALL_GROUPS) {
    const gate = gates.get(group)!;
    const members = [1, 2, 3, 4, 5].map((r) => replicaName(group, r));
    for (const name of members) {
      const data = new Map<string, Stored>();
      stores.set(name, data);
      const config: StoreConfig = Object.freeze({ name, replicas: Object.freeze([...members]), r: plan.quorum.r, w: plan.quorum.w, mode: 'cp' });
      sim.addNode(
        name,
        (ctx) => {
          let replica: StoreReplica | undefined;
          /** Whether the code wrote to its store since the host last synced. */
          let dirty = false;
          const store: LocalStore = {
            // What the store holds is frozen, so a read can hand it out as it is.
            read: (key) => data.get(String(key)),
            write(key, stored) {
              if (typeof key !== 'string' || stored === null || typeof stored !== 'object' || typeof stored.value !== 'string') {
                throw new TypeError('store.write(key, { value, version }) needs a string key and a string value');
              }
              data.set(key, frozenCopy({ value: stored.value, version: stored.version }, () => `${name}: store.write's version`) as Stored);
              dirty = true;
            },
            keys: () => [...data.keys()],
          };
          /** The sync in flight, and one queued to start when it ends: a group commit. */
          let syncing: Promise<void> | undefined;
          let queued: Promise<void> | undefined;
          const startSync = (): Promise<void> => (syncing = ctx.disk.sync().then(() => void (syncing = undefined)));
          /**
           * Answers once what the code stored is on disk, at once if it stored nothing. A write
           * needs a sync that starts after it: the one in flight started earlier, so the writes
           * made meanwhile share the next one, as a database's group commit does.
           */
          function durable<T>(value: T): T | Promise<T> {
            if (!dirty) return value;
            dirty = false;
            if (syncing === undefined) return startSync().then(() => value);
            queued ??= syncing.then(() => {
              queued = undefined;
              return startSync();
            });
            return queued.then(() => value);
          }
          return {
            onStart() {
              replica = createReplica(config, {
                now: () => ctx.now(),
                call(to, message, timeoutMs) {
                  if (!members.includes(to) || to === name) {
                    return Promise.reject(new Error(`${name} cannot call ${JSON.stringify(to)}: the other replicas are ${members.filter((m) => m !== name).join(', ')}`));
                  }
                  const body = { store: frozenCopy(message, () => `${name}'s message to ${to}`) };
                  return ctx.rpc(to, body, { timeoutMs: Math.min(timeoutMs, 1_000) });
                },
                setTimer: (delayMs, callback) =>
                  ctx.setTimer(delayMs, () => {
                    try {
                      callback();
                    } catch (error) {
                      note(`${name} timer`, error);
                    }
                  }),
                cancelTimer: (id) => ctx.cancelTimer(id),
                store,
                refuse(reason: string): never {
                  throw new Rejection(String(reason));
                },
              });
            },
            onRequest(request) {
              if (replica === undefined) throw new Rejection(`${name} is starting`);
              const body = request.body as { readonly store: unknown } | ClientRequest | MoveRequest;
              if ('client' in body) return coordinate(body.client);
              if ('move' in body) return copyForMove(body.move);
              // Another replica's call: answered on the spot when the code answers synchronously.
              const what = () => `${name}'s answer to ${request.from}`;
              const answer = replica.onCall(request.from, body.store);
              if (typeof (answer as PromiseLike<unknown> | undefined)?.then === 'function') {
                return Promise.resolve(answer).then((a) => durable(frozenCopy(a, what)));
              }
              return durable(frozenCopy(answer, what));
            },
          };
          /** A client's request, which this replica coordinates (a function declaration: hoisted above the return). */
          async function coordinate(request: ForwardRequest): Promise<ShardReply> {
            const own = replica!;
            const { op, epoch } = request;
            if (op.kind !== 'put' && op.kind !== 'get') throw new Rejection('this store takes gets and puts');
            // The group's map decides: a shard it does not own is refused, one being moved waits.
            const shard = shardOf(op.key);
            for (let wait = gate.admit(shard, epoch); wait !== undefined; wait = gate.admit(shard, epoch)) await wait;
            try {
              const served = { servedBy: name, servedAtMs: sim.nowMs, epoch: Math.max(epoch, gate.map.epoch) };
              if (op.kind === 'put') {
                await own.put(op.key, op.value);
                return await durable({ kind: 'put', ...served } satisfies ShardReply);
              }
              const value = await own.get(op.key);
              return await durable({ kind: 'get', value: value ?? null, ...served } satisfies ShardReply);
            } finally {
              gate.leave(shard);
            }
          }
          /** The operator's read or write of a key for a move, through your quorum code (the group's map does not apply). */
          async function copyForMove(move: MoveRequest['move']): Promise<string | null> {
            const own = replica!;
            if ('read' in move) return (await own.get(move.read)) ?? null;
            await own.put(move.write, move.value);
            return durable(null);
          }
        },
        { disk: { syncLatency: HEALTHY_SYNC } },
      );
    }
  }

  // ---------------------------------------------------------------- registry
  let registry: Registry | undefined;
  /** Every router the registry has listed at least once. */
  const everListed = new Set<string>();
  sim.addNode('registry', () => {
    registry = createRegistry({ heartbeatIntervalMs: HEARTBEAT_MS });
    return {
      onRequest(request) {
        const body = request.body as { register?: string; renew?: string; lookup?: true };
        const now = sim.nowMs;
        if (body.register !== undefined) {
          registry!.register(body.register, now);
          return true;
        }
        if (body.renew !== undefined) return registry!.renew(body.renew, now) === true;
        const listed = registry!.lookup(now).filter((name) => routers.includes(name));
        for (const name of listed) everListed.add(name);
        return listed;
      },
    };
  });

  // ---------------------------------------------------------------- routers
  const served = new Map<string, number>();
  /** The attempt under way for each request a router is handling: the router notes which replica it used. */
  const inFlight = new Map<KvInput, AttemptTrace>();
  const peakStart = dayMs * PEAK_AT - dayMs / 48;
  const peakEnd = dayMs * PEAK_AT + dayMs / 48;
  const routerTime = { totalMs: 0, count: 0 };
  const groupTime = { totalMs: 0, count: 0, refusals: 0, timeouts: 0 };
  for (const name of routers) {
    const zone = zoneOf.get(name)!;
    /** Each group's replicas in this router's zone, in replica order. */
    const localReplicas = new Map(ALL_GROUPS.map((group) => [group, [1, 2, 3, 4, 5].filter((r) => replicaZone(group, r) === zone).map((r) => replicaName(group, r))]));
    sim.addNode(
      name,
      (ctx) => {
        let router: ShardRouter | undefined;
        const beat = () => {
          ctx.rpc<boolean>('registry', { renew: name }, { timeoutMs: HEARTBEAT_MS }).then(
            (live) => {
              if (live !== true) void ctx.rpc('registry', { register: name }, { timeoutMs: HEARTBEAT_MS }).catch(() => {});
            },
            () => {},
          );
          ctx.setTimer(HEARTBEAT_MS * (0.9 + 0.2 * ctx.random.next()), beat);
        };
        /** Sends a request to a replica of the group in this zone, chosen by key. */
        const send = async (group: string, request: ForwardRequest): Promise<ShardReply> => {
          const local = localReplicas.get(group);
          if (local === undefined || local.length === 0) throw new Rejection(`no group ${JSON.stringify(group)}`);
          const replica = local[hash32(request.op.key) % local.length]!;
          const start = sim.nowMs;
          // The client's attempt this is part of, if the router passed the request on as it came.
          const trace = inFlight.get(request.op);
          if (trace !== undefined) {
            trace.replica = replica;
            trace.replicaSentMs = start;
          }
          try {
            const reply = await ctx.rpc<ShardReply>(replica, { client: { epoch: request.epoch, op: request.op } } satisfies ClientRequest, { timeoutMs: ROUTER_TIMEOUT_MS });
            groupTime.totalMs += sim.nowMs - start;
            groupTime.count++;
            return reply;
          } catch (error) {
            // A "wrong owner" refusal is the router's to follow, not the group's failure.
            if (wrongOwnerOf(error) === undefined) {
              if (isDefiniteRefusal(error)) groupTime.refusals++;
              else groupTime.timeouts++;
            }
            throw error;
          } finally {
            if (trace !== undefined) trace.replicaEndMs = sim.nowMs;
          }
        };
        /** Reads the map from the controller until it has it, then builds the router and registers. */
        const start = async (): Promise<void> => {
          const began = sim.nowMs;
          hasMap.delete(name);
          const guess = { leader: CONTROLLERS.find((c) => controllerZone(c) === zone)! };
          for (;;) {
            const value = await askController(ctx, { kind: 'get', key: MAP_KEY }, guess, controllerStats);
            const read = decodeMap(value, ALL_GROUPS);
            if (typeof read !== 'string' && value !== null && writtenMaps.has(value)) {
              controllerStats.reads.push({ router: name, startMs: began, tookMs: sim.nowMs - began });
              hasMap.add(name);
              router = createRouter(read);
              void ctx.rpc('registry', { register: name }, { timeoutMs: HEARTBEAT_MS }).catch(() => {});
              ctx.setTimer(HEARTBEAT_MS * ctx.random.next(), beat);
              return;
            }
            // Before the operator's put is applied, a get finds no map; anything else is wrong.
            if (value !== null && controllerStats.wrongAnswers.length < 5) {
              controllerStats.wrongAnswers.push(`${name} read ${JSON.stringify(value.slice(0, 80))} at ${clockTime(sim.nowMs)}${typeof read === 'string' ? ` (${read})` : ', a map the operator never wrote'}`);
            }
            await new Promise<void>((resolve) => ctx.setTimer(CONTROLLER_RETRY_MS, resolve));
          }
        };
        return {
          onStart() {
            void start();
          },
          async onRequest(request) {
            if (router === undefined) throw new Rejection(`${name} is starting`);
            const now = sim.nowMs;
            if (now >= peakStart && now < peakEnd) served.set(name, (served.get(name) ?? 0) + 1);
            const reply = await router.route(request.body as KvInput, send);
            routerTime.totalMs += sim.nowMs - now;
            routerTime.count++;
            return reply.kind === 'get' ? { kind: 'get', value: reply.value } : { kind: reply.kind };
          },
        };
      },
      { capacity: { workers: 1, serviceTime: exponential(ROUTER_PROFILE.meanServiceMs), queueCapacity: ROUTER_QUEUE, eventLoop: true } },
    );
  }

  // ---------------------------------------------------------------- links
  const zoneNames = (zone: Zone) => [...zoneOf].filter(([, z]) => z === zone).map(([n]) => n);
  const allZoned = [...zoneOf.keys()];
  for (const a of allZoned) {
    for (const b of allZoned) if (a < b && zoneOf.get(a) === zoneOf.get(b)) sim.setLink(a, b, { latency: SAME_ZONE });
  }
  // Requests and answers between clients, routers and coordinators ride connections that
  // resend what is lost (TCP): background loss hits the replicas' traffic to each other.
  for (const router of routers) {
    for (const replica of stores.keys()) {
      const link = zoneOf.get(router) === zoneOf.get(replica) ? SAME_ZONE : CROSS_ZONE;
      sim.setLink(router, replica, { latency: link, dropProbability: 0 });
    }
    sim.setLink(router, 'registry', { latency: CROSS_ZONE, dropProbability: 0 });
    for (const server of CONTROLLERS) sim.setLink(router, server, { latency: zoneOf.get(router) === zoneOf.get(server) ? SAME_ZONE : CROSS_ZONE, dropProbability: 0 });
  }
  for (const server of CONTROLLERS) sim.setLink('operator', server, { latency: CROSS_ZONE, dropProbability: 0 });
  for (const replica of stores.keys()) sim.setLink('operator', replica, { latency: CROSS_ZONE, dropProbability: 0 });

  // ---------------------------------------------------------------- the day
  const day = drawDay(seed, dayMs, routers, replicaName, zoneNames, (zone) => allZoned.filter((n) => zoneOf.get(n) !== zone));
  const attempts = { sent: 0, ok: 0, timeout: 0, refused: 0, overloaded: 0, retries: 0 };
  let sentToDownRouter = 0;
  const slowestRequests: RequestTrace[] = [];
  const keepIfSlow = (trace: RequestTrace): void => {
    const took = trace.endMs - trace.invokeMs;
    const last = slowestRequests[slowestRequests.length - 1];
    if (slowestRequests.length >= SLOWEST_KEPT && took <= last!.endMs - last!.invokeMs) return;
    let at = slowestRequests.length;
    while (at > 0 && slowestRequests[at - 1]!.endMs - slowestRequests[at - 1]!.invokeMs < took) at--;
    slowestRequests.splice(at, 0, trace);
    if (slowestRequests.length > SLOWEST_KEPT) slowestRequests.pop();
  };
  const loads = CLIENTS.map((client) => {
    // The balancer's own stream, forked from the seed: nothing it draws changes the faults or the load.
    const balancer: Balancer = createBalancer({ random: new Random(seed).fork(`balancer ${client}`) });
    const cache: ClientCache = createClientCache({ refreshIntervalMs: REFRESH_MS });
    const outstanding = new Map<string, number>();
    /** When each router last answered this client at all (a success or a refusal). */
    const lastAnswer = new Map<string, number>();
    let refreshing: Promise<void> | undefined;
    let listed = false;
    const refresh = (ctx: NodeContext): Promise<void> | undefined => {
      if (refreshing !== undefined || !cache.refreshDue(sim.nowMs)) return refreshing;
      refreshing = ctx.rpc<string[]>('registry', { lookup: true }, { timeoutMs: 100 }).then(
        (list) => {
          refreshing = undefined;
          listed = true;
          cache.update(list, sim.nowMs);
        },
        () => void (refreshing = undefined),
      );
      return refreshing;
    };
    const issue = async (op: KvInput, ctx: NodeContext): Promise<KvOutput> => {
      const invokeMs = sim.nowMs;
      const log: AttemptTrace[] = [];
      let ok = false;
      try {
        const output = await attemptAll(op, ctx, log);
        ok = true;
        return output;
      } finally {
        keepIfSlow({ label: `${op.kind} ${op.key} from ${client}`, invokeMs, endMs: sim.nowMs, ok, attempts: log });
      }
    };
    const attemptAll = async (op: KvInput, ctx: NodeContext, log: AttemptTrace[]): Promise<KvOutput> => {
      // A refresh runs in the background; only a client that never had a list waits for one.
      const fetching = refresh(ctx);
      if (!listed && fetching !== undefined) await fetching;
      const tried = new Set<string>();
      let failure: unknown;
      for (let attempt = 1; ; attempt++) {
        const listed = cache.usable(sim.nowMs);
        const usable = tried.size === 0 ? listed : listed.filter((r) => !tried.has(r));
        if (usable.length === 0) {
          if (attempt > 1) throw failure;
          throw new Rejection('no router is listed as usable');
        }
        const views: BackendView[] = usable.map((name) => ({ name, outstanding: outstanding.get(name) ?? 0 }));
        const router = balancer.pick(views, sim.nowMs, attempt);
        if (!usable.includes(router)) throw new Rejection(`the balancer picked ${JSON.stringify(router)}, which is not among the routers it was offered`);
        tried.add(router);
        attempts.sent++;
        if (attempt > 1) attempts.retries++;
        if (sim.node(router).state === 'down') sentToDownRouter++;
        outstanding.set(router, (outstanding.get(router) ?? 0) + 1);
        const start = sim.nowMs;
        const trace: AttemptTrace = { router, sentMs: start, endMs: start, outcome: 'pending' };
        log.push(trace);
        inFlight.set(op, trace);
        let outcome: Outcome;
        try {
          const output = await ctx.rpc<KvOutput>(router, op, { timeoutMs: ATTEMPT_TIMEOUT_MS });
          inFlight.delete(op);
          trace.endMs = sim.nowMs;
          trace.outcome = 'ok';
          outstanding.set(router, outstanding.get(router)! - 1);
          lastAnswer.set(router, sim.nowMs);
          attempts.ok++;
          balancer.onResult?.(router, { ok: true, latencyMs: sim.nowMs - start }, sim.nowMs);
          return output;
        } catch (error) {
          inFlight.delete(op);
          outstanding.set(router, outstanding.get(router)! - 1);
          failure = error;
          const kind = classify(error);
          trace.endMs = sim.nowMs;
          trace.outcome = kind === 'timeout' ? 'timeout' : kind === 'overloaded' ? 'overloaded' : 'refused';
          if (kind === 'rejected') trace.error = error instanceof Error ? error.message : String(error);
          attempts[kind === 'timeout' ? 'timeout' : kind === 'overloaded' ? 'overloaded' : 'refused']++;
          outcome = { ok: false, latencyMs: sim.nowMs - start, error: kind };
          balancer.onResult?.(router, outcome, sim.nowMs);
          if (kind !== 'timeout') lastAnswer.set(router, sim.nowMs);
          // A lost message times out one attempt; a router that has said nothing since the
          // attempt was sent looks dead, and that is what the cache is told.
          else if ((lastAnswer.get(router) ?? -Infinity) <= start) cache.reportFailure(router, sim.nowMs);
        }
        const retryable = op.kind === 'get' || isDefiniteRefusal(failure);
        if (attempt >= MAX_ATTEMPTS || !retryable || balancer.retry?.(router, outcome, sim.nowMs) !== true) throw failure;
      }
    };
    const load = sim.workload<KvInput, KvOutput>({
      name: client,
      arrivals: {
        kind: 'open',
        ratePerS: compressedDay({
          dayMs,
          peakRatePerS: peakRatePerS / CLIENTS.length,
          peakToTrough: PEAK_TO_TROUGH,
          peakAt: PEAK_AT,
          flashCrowd: day.flashCrowd,
        }),
      },
      keys: { count: KEY_COUNT, distribution: { zipfExponent: ZIPF_EXPONENT } },
      mix: { get: READ_SHARE, put: 1 - READ_SHARE },
      issue,
      deadlineMs: REQUEST_DEADLINE_MS,
      // Routers register and caches fill before the first request.
      startMs: WARM_UP_MS,
      stopMs: dayMs,
    });
    for (const node of [...routers, 'registry']) sim.setLink(client, node, { latency: TO_CLIENTS, dropProbability: 0 });
    return load;
  });

  applyFaults(sim, day.faults);
  const windows = faultWindows(day.faults, dayMs).filter((w) => w.kind !== 'loss');
  const timeline = new SloTimeline({ startMs: 0, endMs: dayMs, bucketMs: dayMs / 80, objective: AVAILABILITY_OBJECTIVE, windows, slowest: 12 });
  sim.onOperation((op) => timeline.record(op));
  await sim.runUntil(dayMs + REQUEST_DEADLINE_MS + 500);

  // ---------------------------------------------------------------- after the day: read every key once
  const history = loads.flatMap((l) => l.history).sort((x, y) => x.invokeMs - y.invokeMs);
  const written = [...new Set(history.filter((op) => op.input.kind === 'put').map((op) => op.input.key))].sort();
  const finalValues: Record<string, string | null> = {};
  const finalRead = sim.workload<KvInput, KvOutput>({
    name: 'audit',
    arrivals: { kind: 'closed', clients: 8 },
    operation: (_random, index) => ({ kind: 'get', key: written[index]! }),
    target: (input) => routers.filter((r) => sim.node(r).state === 'up')[hash32(input.key) % routers.length] ?? routers[0]!,
    maxOperations: written.length,
    deadlineMs: REQUEST_DEADLINE_MS,
  });
  for (const node of routers) sim.setLink('audit', node, { latency: TO_CLIENTS });
  // Heartbeats never stop: run until the audit is over, at most a simulated minute.
  const auditEnd = sim.nowMs + 60_000;
  while ((finalRead.issued < written.length || finalRead.open > 0) && sim.nowMs < auditEnd) await sim.runFor(100);
  let unread = 0;
  for (const op of finalRead.history) {
    if (op.status === 'ok' && op.output?.kind === 'get') finalValues[op.input.key] = op.output.value;
    else unread++;
  }
  const lost = noAcknowledgedWriteLost({
    writes: writesFromHistory(history).filter((w) => w.key in finalValues),
    finalStates: [{ source: 'the final read of every key', values: finalValues }],
  });
  const lostCount = lost.ok ? 0 : (lost.details?.violations ?? 1);

  // ---------------------------------------------------------------- linearizability of the hottest keys, all day
  const checked = history.filter((op) => HOT_KEYS.has(op.input.key));
  const linearizability = checkLinearizability(kvModel(), checked, { maxSteps: 20_000_000 });

  // ---------------------------------------------------------------- figures
  const report = timeline.report();
  const peakOps = history.filter((op) => op.invokeMs >= peakStart && op.invokeMs < peakEnd && !windows.some((w) => op.invokeMs >= w.startMs && op.invokeMs < w.endMs));
  const p99AtPeakMs = p99(peakOps.filter((op) => op.status === 'ok').map((op) => op.returnMs! - op.invokeMs));
  const zoneCutRecoveryMs = recoveryAfter(history, day.cut.atMs, day.cut.untilMs);
  const inCut = (op: Operation<KvInput, KvOutput>) => op.invokeMs >= day.cut.atMs && op.invokeMs < day.cut.untilMs;
  const share = (ops: readonly Operation<KvInput, KvOutput>[]) => {
    const bad = ops.filter((op) => op.status !== 'ok').length;
    return { operations: ops.length, bad, availability: ops.length === 0 ? 1 : 1 - bad / ops.length };
  };
  const dayOps = history.filter((op) => op.invokeMs < dayMs);
  const outsideCut = share(dayOps.filter((op) => !inCut(op)));
  const duringCut = share(dayOps.filter(inCut));
  let busiest = 0;
  for (const count of served.values()) busiest = Math.max(busiest, count);
  const peakUtilisation = (busiest / ((peakEnd - peakStart) / 1000)) * (ROUTER_PROFILE.meanServiceMs / 1000);
  for (const e of sim.errors) note('handler', e);

  const failedOps = history.filter((op) => op.status !== 'ok');
  const gateTotals = { refused: 0, waited: 0 };
  for (const gate of gates.values()) {
    gateTotals.refused += gate.refused;
    gateTotals.waited += gate.waited;
  }
  /** Requests that failed with a "wrong owner" refusal: a router that did not follow it. */
  const wrongOwnerFailures = failedOps.filter((op) => /wrong owner:/.test(op.error ?? '')).length;
  const movesFailed = rebalanceStats.moves.filter((m) => m.error !== undefined).length;
  const noRouter = failedOps.filter((op) => /no router is listed/.test(op.error ?? '')).length;
  const components: ComponentRow[] = [
    {
      component: 'balancer',
      exercises: ['balancer-heterogeneous'],
      file: 'balancer-heterogeneous/balancer.ts',
      failures: sentToDownRouter,
      summary: `${attempts.sent} attempts for ${history.length} requests (${attempts.retries} retries, ${attempts.timeout} timed out, ${attempts.refused} refused, ${attempts.overloaded} overloaded); ${sentToDownRouter} sent to a router that was down`,
    },
    {
      component: 'client cache and registry',
      exercises: ['discovery-leases'],
      file: 'discovery-leases/client-cache.ts, registry.ts',
      failures: noRouter,
      summary: `${noRouter} requests found no usable router`,
    },
    {
      component: 'routers',
      exercises: ['sharding-router', 'sharding-ring', 'capacity-planning'],
      file: 'sharding-router/router.ts, sharding-ring/ring.ts',
      failures: attempts.overloaded,
      summary: `${routers.length} routers (${routersPerZone} per zone; your capacity plan: ${capacityPlanPerZone}); busiest at ${Math.round(peakUtilisation * 100)}% at the peak; ${attempts.overloaded} refused as overloaded`,
    },
    {
      component: 'shard controller',
      exercises: ['raft-log'],
      file: 'raft-log/server.ts',
      failures: routers.length - hasMap.size + controllerStats.wrongAnswers.length + rebalanceStats.moves.filter(isStuck).length,
      summary: controllerSummary(controllerStats, routers.length - hasMap.size),
    },
    {
      component: 'rebalance',
      exercises: ['sharding-ring', 'sharding-router'],
      file: 'sharding-ring/ring.ts, sharding-router/router.ts',
      failures: movesFailed + wrongOwnerFailures,
      summary: rebalanceSummary(rebalanceStats, gateTotals, wrongOwnerFailures),
    },
    {
      component: 'shard groups',
      exercises: ['quorum-store'],
      file: 'quorum-store/replica.ts',
      failures: groupTime.refusals + groupTime.timeouts,
      meanMs: groupTime.count === 0 ? 0 : groupTime.totalMs / groupTime.count,
      summary: `R=${plan.quorum.r}, W=${plan.quorum.w} of 5; ${groupTime.refusals} refusals and ${groupTime.timeouts} timeouts seen by routers; ${lostCount} acknowledged writes lost; ${unread} keys unread at the end`,
    },
  ];
  const scheduleText = [describeFaults(day.faults, seed, dayMs), describeCrowd(day)].join('\n');
  return {
    seed,
    plan,
    dayMs,
    schedule: scheduleText,
    day,
    routers,
    routersPerZone,
    capacityPlanPerZone,
    timeline: report,
    p99AtPeakMs,
    outsideCut,
    duringCut,
    zoneCutRecoveryMs,
    ackedWritesLost: lostCount,
    ...(lost.ok ? {} : { lostExample: lost.message }),
    linearizability,
    checkedOperations: checked.length,
    components,
    controller: controllerStats,
    rebalance: rebalanceStats,
    redirects: { refused: gateTotals.refused, waited: gateTotals.waited, failedRequests: wrongOwnerFailures },
    routersWithoutMap: routers.filter((r) => !hasMap.has(r)),
    attempts,
    neverListed: routers.filter((r) => !everListed.has(r)),
    sentToDownRouter,
    peakUtilisation,
    errors,
    routerLoad: sim.summary().nodes.filter((n) => routers.includes(n.node)),
    events: sim.eventsProcessed,
    history,
    slowestRequests,
  };
}

/**
 * A frozen copy of plain data (what a network carries: numbers, strings, booleans, null,
 * arrays and plain objects), made once so that neither side can change what the other holds.
 * Anything else is refused, naming `what`.
 */
export function frozenCopy(value: unknown, what: string | (() => string)): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`${typeof what === 'string' ? what : what()} is not plain data (a ${typeof value} cannot cross a network)`);
    }
    return value;
  }
  if (FrozenCopyMark.marks(value)) return value;
  let copy: object;
  if (Array.isArray(value)) copy = value.map((item) => frozenCopy(item, what));
  else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${typeof what === 'string' ? what : what()} is not plain data (class instances cannot cross a network)`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key], what);
    copy = out;
  }
  new FrozenCopyMark(copy);
  return Object.freeze(copy);
}

/** A base class whose constructor returns the object it is given, so a subclass can stamp its private field on any object. */
class Stamp {
  constructor(object: object) {
    return object;
  }
}

/**
 * Marks the copies {@link frozenCopy} made, so that one passed on again needs no new copy:
 * `new FrozenCopyMark(copy)` gives `copy` a private field, which no code outside this class
 * can see, read or forge. (A set of the copies would hold millions of entries by the
 * evening; a symbol-keyed property set with `Object.defineProperty` made copying twice as slow.)
 */
class FrozenCopyMark extends Stamp {
  readonly #mark = true;
  static marks(value: object): boolean {
    return #mark in value;
  }
}

function checkPlan(plan: SystemPlan): void {
  const { r, w } = plan.quorum ?? {};
  if (!(Number.isInteger(r) && r! >= 1 && r! <= 5 && Number.isInteger(w) && w! >= 1 && w! <= 5)) {
    throw new Error(`plan.quorum needs whole numbers r and w from 1 to 5 (five replicas per group); got r = ${r}, w = ${w}.`);
  }
  const n = plan.routersPerZone;
  if (n !== 'capacity plan' && !(Number.isInteger(n) && n >= 1 && n <= 64)) {
    throw new Error(`plan.routersPerZone is a whole number from 1 to 64, or 'capacity plan'; got ${JSON.stringify(n)}.`);
  }
}

/** The rebalance's line of the component table. */
function rebalanceSummary(stats: RebalanceStats, gates: { refused: number; waited: number }, wrongOwnerFailures: number): string {
  const { planned, moves } = stats;
  const toJoining = planned.filter((m) => m.to === JOINING_GROUP).length;
  const ideal = (SHARD_COUNT / ALL_GROUPS.length).toFixed(1);
  const parts = [`${JOINING_GROUP} joined; your ring moved ${planned.length} of ${SHARD_COUNT} shards (${toJoining} to ${JOINING_GROUP}${planned.length > toJoining ? `, ${planned.length - toJoining} between the other groups` : ''}; an even share is ${ideal})`];
  if (stats.startedMs === null) parts.push('the rebalance never started');
  else {
    const done = moves.filter((m) => m.error === undefined);
    const paused = done.map((m) => m.endMs - m.startMs);
    parts.push(
      `${done.length} moved from ${clockTime(stats.startedMs)} to ${stats.endedMs === null ? 'the end of the run (unfinished)' : clockTime(stats.endedMs)}${paused.length > 0 ? `, each shard paused ${Math.min(...paused).toFixed(1)}–${Math.max(...paused).toFixed(1)} ms` : ''}`,
    );
    const failed = moves.filter((m) => m.error !== undefined);
    if (failed.length > 0) parts.push(`${failed.length} gave up, first: shard ${failed[0]!.shard} (${failed[0]!.error})`);
    const stuck = moves.find(isStuck);
    if (stuck !== undefined) parts.push(`the controller never acknowledged the map that moves shard ${stuck.shard}, sent at ${clockTime(stuck.commitSentMs!)}: the shard stayed paused`);
  }
  parts.push(`${gates.waited} requests waited for a move; routers were refused as "wrong owner" ${gates.refused} times`);
  if (wrongOwnerFailures > 0) parts.push(`${wrongOwnerFailures} requests failed with that refusal`);
  return parts.join('; ');
}

/** The controller's line of the component table. */
function controllerSummary(stats: ControllerStats, withoutMap: number): string {
  const leaders = stats.leaders;
  const led = leaders.slice(0, 3).map((l) => `${l.server} from ${clockTime(l.atMs)} (term ${l.term})`);
  const parts = [
    leaders.length === 0 ? 'no leader all day' : `led by ${led.join(', then ')}${leaders.length > 3 ? `, and ${leaders.length - 3} more` : ''}`,
    stats.mapWrittenMs === null ? 'the map never written' : `the map written at ${clockTime(stats.mapWrittenMs)}`,
  ];
  const first = stats.reads.filter((r) => r.startMs === 0);
  if (first.length > 0) parts.push(`${first.length} routers had read it by ${clockTime(Math.max(...first.map((r) => r.tookMs)))}`);
  for (const r of stats.reads.filter((r) => r.startMs > 0).slice(0, 3)) parts.push(`${r.router}, restarted at ${clockTime(r.startMs)}, read it in ${r.tookMs.toFixed(1)} ms`);
  parts.push(`${stats.failedTries} tries timed out or refused`);
  if (withoutMap > 0) parts.push(`${withoutMap} routers without the map at the end`);
  if (stats.wrongAnswers.length > 0) parts.push(`${stats.wrongAnswers.length} wrong answers, first: ${stats.wrongAnswers[0]}`);
  return parts.join('; ');
}

function classify(error: unknown): 'timeout' | 'overloaded' | 'rejected' {
  const name = error instanceof Error ? error.name : '';
  if (name === 'OverloadedError') return 'overloaded';
  if (isDefiniteRefusal(error)) return 'rejected';
  return 'timeout';
}

/** The p99 of `values` by nearest rank; 0 when empty. */
export function p99(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
}

/** The share of a second's requests that must succeed for the store to count as recovered. */
export const RECOVERED_SHARE = 0.99;

/**
 * How long after `fromMs` the first second (a window of 1,000 ms, sliding by 100 ms) in
 * which at least {@link RECOVERED_SHARE} of requests succeeded starts, in milliseconds;
 * `Infinity` if none starts before `untilMs`.
 */
export function recoveryAfter(history: readonly Operation<KvInput, KvOutput>[], fromMs: number, untilMs: number): number {
  const near = history.filter((op) => op.invokeMs >= fromMs && op.invokeMs < untilMs + 1_000);
  for (let start = fromMs; start < untilMs; start += 100) {
    let all = 0;
    let ok = 0;
    for (const op of near) {
      if (op.invokeMs < start || op.invokeMs >= start + 1_000) continue;
      all++;
      if (op.status === 'ok') ok++;
    }
    if (all > 0 && ok / all >= RECOVERED_SHARE) return start - fromMs;
  }
  return Infinity;
}
