/**
 * Reference code shared by the replication lesson's simulations: a replication group of
 * three nodes in three zones, one leader that takes every write and ships its log, and two
 * followers that make what they receive durable, acknowledge it and apply it in order.
 *
 * - The leader appends a write to its log, makes it durable with a group commit (one fsync
 *   at a time covers every entry written before it started), and ships the durable log to
 *   each follower, one batch in flight per follower: a batch carries everything made durable
 *   since the previous one, and the next leaves when the follower has acknowledged.
 * - A follower appends the batch, fsyncs it (again one fsync at a time), acknowledges the
 *   durable position, and applies entries in log order on one thread, each taking
 *   0.2–0.4 ms, as the leader's own workers took to execute it.
 * - The ack mode decides when the leader answers the client: `async` after its own fsync;
 *   `semi-sync` once one follower has also acknowledged the entry; `sync` once both have.
 *
 * Lag is measured per entry as the time from the leader's acknowledgement to the moment a
 * follower applied it. A controller can fail the leader over to the follower holding the
 * longest log, as an operator's failover tool does; clients then write to the new leader.
 */
import { LatencyRecorder, Rejection, Simulation, uniform, type NodeContext, type Workload } from '../../sim/index.ts';
import type { KvInput, KvOutput, LatencySummary } from '../../sim/index.ts';
import type { BuiltScenario, ScenarioParam } from '../types.ts';

export type AckMode = 'async' | 'semi-sync' | 'sync';
export const ACK_MODES: readonly AckMode[] = ['async', 'semi-sync', 'sync'];

/** The group's nodes, each in its own zone; n1 leads first. */
export const NODES = ['n1', 'n2', 'n3'] as const;
export const ZONE_OF: Readonly<Record<string, string>> = { n1: 'zone A', n2: 'zone B', n3: 'zone C' };

/** One-way latency of every link (clients sit in zone A; each node is in its own zone): about 1 ms round trip. */
export const ONE_WAY_MS = { min: 0.4, max: 0.6 } as const;
/** fsync time of a healthy disk. */
export const FSYNC_MS = { min: 0.5, max: 1.5 } as const;
/** Time to apply one entry (execute the write), on the leader's workers or a follower's single applier. */
export const APPLY_MS = { min: 0.2, max: 0.4 } as const;
/** Lag samples from entries acknowledged before this time are left out: the group is still warming up. */
export const WARMUP_MS = 500;

interface Entry {
  readonly index: number;
  readonly key: string;
  readonly value: string;
}

interface AppendRequest {
  readonly kind: 'replicate';
  readonly entries: readonly Entry[];
}

interface AppendReply {
  /** The follower's log length after appending. */
  readonly last: number;
  /** How much of its log is durable. */
  readonly durable: number;
}

export interface GroupOptions {
  readonly seed: number;
  readonly trace?: boolean;
  readonly ackMode: AckMode;
  readonly ratePerS: number;
  /** fsync time of n3's disk, in ms (a healthy disk takes 0.5–1.5 ms). */
  readonly slowFsyncMs?: number;
  /** Clients stop writing at this time. */
  readonly stopMs: number;
  /** The leader crashes at this time; the controller promotes a follower `failoverAfterMs` later. */
  readonly crashAtMs?: number;
  readonly failoverAfterMs?: number;
}

/** What the live status of one node shows an operator: positions in its log. */
export interface NodePosition {
  /** Entries received (the log's length). */
  received: number;
  /** Entries made durable. */
  durable: number;
  /** Entries applied to the store. */
  applied: number;
}

export interface FollowerLag {
  readonly node: string;
  /** Time from the leader's acknowledgement of an entry to this follower applying it. */
  readonly lag: LatencySummary;
  /** Share of entries applied later than 1 ms after their acknowledgement: a client that reads its own write from this follower as soon as it is told the write succeeded (the ack and the read each travel about 0.5 ms) misses it. */
  readonly missedOwnWriteShare: number;
}

export interface GroupStats {
  readonly followers: readonly FollowerLag[];
  /** Acknowledged writes that the new leader's log does not hold (0 without a failover). */
  readonly lostAcknowledged: number;
  /** How long before the crash the oldest lost write was acknowledged: how far the promoted follower trailed (0 when none was lost). */
  readonly lostWindowMs: number;
  /** The follower promoted at the failover. */
  readonly promoted?: string;
  /** Positions of each node at the end of the run. */
  readonly positions: Readonly<Record<string, NodePosition>>;
}

/** The control both lessons' simulations give the reader over n3's disk. */
export const SLOW_FSYNC_PARAM: ScenarioParam = {
  kind: 'number',
  name: 'slowFsyncMs',
  label: 'fsync time of n3’s disk',
  min: 1,
  max: 50,
  step: 1,
  default: 10,
  unit: 'ms',
};

/** A built scenario that also hands tests and the lesson the group it runs. */
export interface BuiltGroupScenario extends BuiltScenario {
  readonly group: ReplicationGroup;
}

export interface ReplicationGroup {
  readonly sim: Simulation;
  readonly load: Workload<KvInput, KvOutput>;
  /** The final contents of each live node's store, for the invariant checkers. */
  stores(): { readonly node: string; readonly values: Readonly<Record<string, string>> }[];
  stats(): GroupStats;
}

export function buildGroup(options: GroupOptions): ReplicationGroup {
  const { ackMode } = options;
  const tracing = options.trace ?? true;
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: tracing },
    network: { latency: uniform(ONE_WAY_MS.min, ONE_WAY_MS.max) },
  });
  let leader: string = NODES[0];
  /** The group as the failover tool configures it: the crashed leader is removed when a follower is promoted. */
  let members: readonly string[] = NODES;
  let promoted: string | undefined;
  const positions = new Map<string, NodePosition>(NODES.map((n) => [n, { received: 0, durable: 0, applied: 0 }]));
  const stores = new Map<string, Map<string, string>>();
  const logs = new Map<string, Entry[]>();
  /** When the first leader acknowledged each write (by its unique value), and when each follower applied it. */
  const ackedAt = new Map<string, number>();
  const appliedAt = new Map<string, Map<string, number>>(NODES.map((n) => [n, new Map()]));

  for (const name of NODES) {
    const slow = name === 'n3' && options.slowFsyncMs !== undefined;
    const fsync = slow ? uniform(options.slowFsyncMs! * 0.8, options.slowFsyncMs! * 1.2) : uniform(FSYNC_MS.min, FSYNC_MS.max);
    sim.addNode(name, (ctx) => replica(ctx), { disk: { syncLatency: fsync } });
  }

  function replica(ctx: NodeContext) {
    const name = ctx.name;
    const log: Entry[] = [];
    logs.set(name, log);
    const store = new Map<string, string>();
    stores.set(name, store);
    const position = positions.get(name)!;
    let leading = name === leader;
    let syncing = false;
    let applying = false;
    const flushWaiters: { index: number; resolve: () => void }[] = [];
    // Leader side: per follower, how much of our log it holds and has made durable.
    const known = new Map<string, number>();
    const durableAt = new Map<string, number>();
    const inFlight = new Set<string>();
    const commitWaiters: { index: number; resolve: () => void }[] = [];

    function append(entry: Entry): void {
      log.push(entry);
      ctx.disk.write(`log/${entry.index}`, entry);
      position.received = log.length;
    }

    /** Group commit: one fsync at a time, covering everything appended before it started. */
    function flush(): void {
      if (syncing || position.durable >= log.length) return;
      syncing = true;
      const upTo = log.length;
      void ctx.disk.sync().then(() => {
        syncing = false;
        position.durable = upTo;
        release(flushWaiters, upTo);
        if (leading) {
          releaseCommits();
          for (const f of followers()) ship(f);
        } else applyNext();
        flush();
      });
    }

    function durable(index: number): Promise<void> {
      if (position.durable >= index) return Promise.resolve();
      return new Promise((resolve) => flushWaiters.push({ index, resolve }));
    }

    /** A follower's single applier: entries in log order, each taking 0.2–0.4 ms. */
    function applyNext(): void {
      if (applying || position.applied >= position.durable) return;
      applying = true;
      ctx.setTimer(ctx.random.uniform(APPLY_MS.min, APPLY_MS.max), () => {
        applying = false;
        // A promoted follower has applied its whole log at once.
        if (leading) return;
        const entry = log[position.applied]!;
        store.set(entry.key, entry.value);
        position.applied++;
        if (promoted === undefined) appliedAt.get(name)!.set(entry.value, sim.nowMs);
        applyNext();
      });
    }

    function followers(): readonly string[] {
      return members.filter((n) => n !== name);
    }

    /** Followers that must hold an entry durably before the client hears it succeeded. */
    function needed(): number {
      const count = followers().length;
      return ackMode === 'async' ? 0 : ackMode === 'semi-sync' ? Math.min(1, count) : count;
    }

    function replicatedTo(index: number): number {
      let count = 0;
      for (const f of followers()) if ((durableAt.get(f) ?? 0) >= index) count++;
      return count;
    }

    function releaseCommits(): void {
      for (let i = 0; i < commitWaiters.length; ) {
        const w = commitWaiters[i]!;
        if (position.durable >= w.index && replicatedTo(w.index) >= needed()) {
          commitWaiters.splice(i, 1);
          w.resolve();
        } else i++;
      }
    }

    /** Ships the durable part of the log that `follower` lacks, one batch in flight at a time. */
    function ship(follower: string): void {
      const from = known.get(follower) ?? 0;
      if (!leading || inFlight.has(follower) || from >= position.durable) return;
      inFlight.add(follower);
      const request: AppendRequest = { kind: 'replicate', entries: log.slice(from, position.durable) };
      ctx.rpc<AppendReply>(follower, request, { timeoutMs: 200 }).then(
        (reply) => {
          inFlight.delete(follower);
          known.set(follower, reply.last);
          durableAt.set(follower, Math.max(durableAt.get(follower) ?? 0, reply.durable));
          releaseCommits();
          ship(follower);
        },
        () => {
          inFlight.delete(follower);
          ctx.setTimer(50, () => ship(follower));
        },
      );
    }

    /** Every 500 ms a follower writes its positions and its lag so far into the trace, for the live view. */
    function report(): void {
      ctx.setTimer(500, () => {
        // Without a trace the line goes nowhere; the timer still runs, so both runs are the same.
        if (leading) return;
        if (!tracing) return report();
        const { lag } = followerLag(name, sim.nowMs);
        const lagSoFar = lag.count === 0 ? '' : `; lag so far p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms`;
        ctx.log(`received ${position.received}, durable ${position.durable}, applied ${position.applied}${lagSoFar}`);
        report();
      });
    }

    return {
      onStart() {
        report();
      },
      onMessage(message: { body: { kind: string } }) {
        if (message.body.kind !== 'promote' || leading) return;
        leading = true;
        leader = name;
        members = NODES.filter((n) => n !== NODES[0]);
        // Entries received from the old leader but not yet applied are ours now: apply them.
        for (let i = position.applied; i < log.length; i++) store.set(log[i]!.key, log[i]!.value);
        position.applied = log.length;
        for (const f of followers()) ship(f);
      },
      async onRequest(request: { body: KvInput | AppendRequest }) {
        const body = request.body;
        if (body.kind === 'replicate') {
          for (const entry of body.entries) if (entry.index === log.length + 1) append(entry);
          const last = log.length;
          flush();
          await durable(last);
          return { last, durable: position.durable } satisfies AppendReply;
        }
        if (!leading) throw new Rejection(`${name} is not the leader`);
        if (body.kind !== 'put') throw new Rejection('this group takes writes only');
        // The leader executes the write on one of its workers, then logs it.
        await ctx.sleep(ctx.random.uniform(APPLY_MS.min, APPLY_MS.max));
        const entry: Entry = { index: log.length + 1, key: body.key, value: body.value };
        append(entry);
        flush();
        await new Promise<void>((resolve) => {
          commitWaiters.push({ index: entry.index, resolve });
          releaseCommits();
        });
        store.set(entry.key, entry.value);
        position.applied = Math.max(position.applied, entry.index);
        if (promoted === undefined) ackedAt.set(entry.value, sim.nowMs);
        return { kind: 'put' } satisfies KvOutput;
      },
    };
  }

  if (options.crashAtMs !== undefined) {
    // Zone A goes dark: the leader dies, and so do the messages it had on the wire.
    sim.isolate(NODES[0], { atMs: options.crashAtMs });
    sim.crash(NODES[0], { atMs: options.crashAtMs });
    // The failover tool: after detecting the crash, promote the follower with the longest log.
    sim.addNode('controller', (ctx) => ({
      onStart() {
        ctx.setTimer(options.crashAtMs! + (options.failoverAfterMs ?? 500), () => {
          const candidates = NODES.filter((n) => n !== NODES[0]);
          const best = candidates.reduce((a, b) => (positions.get(b)!.received > positions.get(a)!.received ? b : a));
          promoted = best;
          ctx.send(best, { kind: 'promote' });
        });
      },
    }));
  }

  const load = sim.workload<KvInput, KvOutput>({
    name: 'clients',
    target: () => leader,
    arrivals: { kind: 'open', ratePerS: options.ratePerS },
    keys: { count: 100_000 },
    mix: { put: 1 },
    deadlineMs: 300,
    stopMs: options.stopMs,
  });

  /** A follower's lag over the writes acknowledged so far (after the warm-up). */
  function followerLag(node: string, nowMs: number): FollowerLag {
    const applied = appliedAt.get(node)!;
    const recorder = new LatencyRecorder();
    let missed = 0;
    for (const [value, acked] of ackedAt) {
      if (acked < WARMUP_MS) continue;
      // An entry the follower applied before the leader acknowledged it trails by nothing;
      // one it has not applied yet trails by all the time since its acknowledgement.
      const lag = Math.max(0, (applied.get(value) ?? nowMs) - acked);
      recorder.record(lag);
      if (lag > 1) missed++;
    }
    return { node, lag: recorder.summary(), missedOwnWriteShare: recorder.count === 0 ? 0 : missed / recorder.count };
  }

  return {
    sim,
    load,
    stores: () =>
      NODES.filter((n) => sim.node(n).state === 'up').map((n) => ({ node: n, values: Object.fromEntries(stores.get(n) ?? []) })),
    stats(): GroupStats {
      const endMs = sim.nowMs;
      let lostAcknowledged = 0;
      let oldestLostMs = Infinity;
      if (promoted !== undefined) {
        const held = new Set(logs.get(promoted)!.map((e) => e.value));
        for (const [value, acked] of ackedAt) {
          if (held.has(value)) continue;
          lostAcknowledged++;
          oldestLostMs = Math.min(oldestLostMs, acked);
        }
      }
      return {
        followers: NODES.filter((n) => n !== NODES[0]).map((n) => followerLag(n, endMs)),
        lostAcknowledged,
        lostWindowMs: lostAcknowledged === 0 ? 0 : options.crashAtMs! - oldestLostMs,
        ...(promoted !== undefined ? { promoted } : {}),
        positions: Object.fromEntries([...positions].map(([n, p]) => [n, { ...p }])),
      };
    },
  };
}

function release(waiters: { index: number; resolve: () => void }[], upTo: number): void {
  for (let i = 0; i < waiters.length; ) {
    if (waiters[i]!.index <= upTo) waiters.splice(i, 1)[0]!.resolve();
    else i++;
  }
}
