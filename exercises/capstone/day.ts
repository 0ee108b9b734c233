/**
 * The day your store goes through: its load and its faults, drawn from the seed. Read-only.
 *
 * A day of traffic is compressed into {@link DAY_MS} of simulated time: the load follows a
 * real day's curve (a trough at night, a peak 2.5 times higher in the evening, a flash crowd
 * on top), but the faults keep their real lengths and the network, disks and timeouts their
 * real speeds. So a zone cut of a few seconds is a much larger share of this day than of a
 * real one, and it spends the error budget faster: a design that keeps 99.9% here keeps it
 * on a real day with room to spare.
 */
import { Random, clockTime, constant, logNormal, type ScheduledFault } from '@faultlines/sim';

/**
 * The length of the compressed day, in milliseconds of simulated time: 15 seconds, the
 * shortest day in which every fault keeps its real length where {@link drawDay} puts it, the
 * zone cut healed before the rebalance begins and the slow disk recovered by the end, so
 * that a whole day is graded in under ten seconds.
 */
export const DAY_MS = 15_000;

/** Requests per second from all clients together at the day's busiest moment, before the flash crowd. */
export const PEAK_RATE_PER_S = 20_000;

/** The busiest moment, as a share of the day (the evening). */
export const PEAK_AT = 0.75;

/** How much busier the peak is than the night's trough. */
export const PEAK_TO_TROUGH = 2.5;

/**
 * Distinct keys; key `k0` is the hottest (Zipf, exponent {@link ZIPF_EXPONENT}). A small key
 * space keeps replicas that push everything they hold to each other (as the quorum store's
 * anti-entropy may) affordable at this rate.
 */
export const KEY_COUNT = 1_000;

/**
 * With 1,000 keys and exponent 1, key `k0` gets about 1 request in 7.5 (1 / H(1,000) ≈
 * 0.134) and the hottest 10 keys 39% of them: a product on sale, a celebrity's profile.
 */
export const ZIPF_EXPONENT = 1;

/** Share of requests that are reads; the others write a value never written before. */
export const READ_SHARE = 0.8;

/** The three zones; every shard group has replicas in all of them. */
export const ZONES = ['a', 'b', 'c'] as const;
export type Zone = (typeof ZONES)[number];

/** Shard groups, each five replicas of your quorum store. */
export const GROUPS = ['g1', 'g2', 'g3', 'g4'] as const;

/**
 * The group that joins at the peak: its five replicas run all day, but it owns no shard
 * until the rebalance moves to it the shards your ring gives it.
 */
export const JOINING_GROUP = 'g5';

/** Every group, the joining one last. */
export const ALL_GROUPS: readonly string[] = [...GROUPS, JOINING_GROUP];

/** The clients: three sites outside the zones, each with its own balancer and client cache. */
export const CLIENTS = ['users-1', 'users-2', 'users-3'] as const;

/** The availability objective of the day. */
export const AVAILABILITY_OBJECTIVE = 0.999;

/** How the day's faults were drawn, with the schedule to apply. */
export interface DayFaults {
  readonly seed: number;
  /** Every fault, rebalance included, in start order. */
  readonly faults: readonly ScheduledFault[];
  /** The zone that is cut off. */
  readonly cutZone: Zone;
  readonly cut: { readonly atMs: number; readonly untilMs: number };
  /** The router instance that crashes (by index among all routers, zone by zone). */
  readonly crashedRouterIndex: number;
  /** The replica whose disk turns slow, as group and replica number (1–5). */
  readonly slowReplica: { readonly group: string; readonly replica: number };
  /** The flash crowd: this many times the day's rate, from `atMs` for `durationMs`. */
  readonly flashCrowd: { readonly startMs: number; readonly durationMs: number; readonly multiplier: number };
  /** When {@link JOINING_GROUP} joins and the shards start to move, and when the window the report marks for it ends. */
  readonly rebalance: { readonly atMs: number; readonly untilMs: number };
}

/** The flash crowd brings this many times the day's rate for two seconds, near the peak. */
export const FLASH_CROWD_MULTIPLIER = 1.5;

/** How long the zone is cut off. */
export const CUT_MS = 3_000;
/** How long the crashed router stays down before it restarts. */
export const ROUTER_DOWN_MS = 5_000;
/** How long the slow disk stays slow. */
export const SLOW_DISK_MS = 3_000;
/** Background loss, all day: one message in a thousand. */
export const BACKGROUND_LOSS = 0.001;
/** The window the report marks for the rebalance: the moves take a fraction of it. */
export const REBALANCE_WINDOW_MS = 1_000;

/**
 * The faults and flash crowd of a day of `dayMs`, drawn from `seed` with a stream of their
 * own: nothing your code draws can change them. The other arguments name the nodes.
 */
export function drawDay(seed: number, dayMs: number, routerNames: readonly string[], replicaName: (group: string, replica: number) => string, zoneNodes: (zone: Zone) => readonly string[], otherNodes: (zone: Zone) => readonly string[]): DayFaults {
  const random = new Random(seed).fork('capstone day');
  const cutZone = ZONES[random.int(ZONES.length)]!;
  // The cut comes in the busy afternoon, the router crash and the slow disk elsewhere in the day.
  const cutAt = Math.round(dayMs * (0.4 + 0.12 * random.next()));
  const cut = { atMs: cutAt, untilMs: cutAt + CUT_MS };
  const crashedRouterIndex = random.int(routerNames.length);
  const crashAt = Math.round(dayMs * (0.1 + 0.25 * random.next()));
  const slowGroup = GROUPS[random.int(GROUPS.length)]!;
  const slowNumber = 1 + random.int(5);
  const slowAt = Math.round(dayMs * (0.78 + 0.02 * random.next()));
  const crowdAt = Math.round(dayMs * (0.68 + 0.1 * random.next()));
  const flashCrowd = { startMs: crowdAt, durationMs: 2_000, multiplier: FLASH_CROWD_MULTIPLIER };
  // The rebalance comes at the evening peak, after the zone cut has healed (in a day of
  // DAY_MS, the cut ends by 0.72 of it).
  const rebalanceAt = Math.round(dayMs * (0.74 + 0.04 * random.next()));
  const rebalance = { atMs: rebalanceAt, untilMs: rebalanceAt + REBALANCE_WINDOW_MS };
  const router = routerNames[crashedRouterIndex]!;
  const replica = replicaName(slowGroup, slowNumber);
  const faults: ScheduledFault[] = [
    { kind: 'loss', label: `background loss: ${BACKGROUND_LOSS * 100}% of messages`, atMs: 0, untilMs: dayMs, dropProbability: BACKGROUND_LOSS },
    { kind: 'partition', label: `zone ${cutZone} cut off from the other zones`, atMs: cut.atMs, untilMs: cut.untilMs, groups: [zoneNodes(cutZone), otherNodes(cutZone)] },
    { kind: 'crash', label: `${router} crashes`, atMs: crashAt, untilMs: crashAt + ROUTER_DOWN_MS, node: router },
    {
      kind: 'slow-disk',
      label: `${replica}'s disk syncs slowly (p50 20 ms, p99 200 ms)`,
      atMs: slowAt,
      untilMs: slowAt + SLOW_DISK_MS,
      node: replica,
      syncLatency: logNormal({ p50Ms: 20, p99Ms: 200 }),
    },
    { kind: 'event', label: `rebalance: ${JOINING_GROUP} joins, and the shards your ring gives it move there`, atMs: rebalance.atMs, untilMs: rebalance.untilMs },
  ];
  faults.sort((x, y) => x.atMs - y.atMs);
  return { seed, faults, cutZone, cut, crashedRouterIndex, slowReplica: { group: slowGroup, replica: slowNumber }, flashCrowd, rebalance };
}

/** A disk in good health: every sync about a tenth of a millisecond (an SSD with a write cache). */
export const HEALTHY_SYNC = constant(0.1);

/** The flash crowd as a line of the schedule. */
export function describeCrowd(day: DayFaults): string {
  const c = day.flashCrowd;
  return `  ${clockTime(c.startMs)}–${clockTime(c.startMs + c.durationMs)}  flash crowd: ${c.multiplier}× the day's rate (load)`;
}
