/**
 * The commit path of a Raft log, for the lesson "The log": one leader, `n1`, for the whole
 * run, and two followers, `n2` and `n3`. The leader is fixed from the start, so there are
 * no elections, no terms beyond the first and no heartbeats: only what a client command
 * costs on its way to being committed (sections 5.3 and 5.4 of the Raft paper).
 *
 * - The leader queues each client command in memory. Whenever its disk is free it takes a
 *   batch from the queue (at most {@link MAX_BATCH} commands with batching on, one without),
 *   appends it to its log as one disk write, starts an fsync, and at the same time ships the
 *   new entries to the followers (a leader may write its own disk in parallel with
 *   replication: section 10.2.1 of Ongaro's thesis). So a batch holds the commands
 *   that arrived during the previous fsync.
 * - AppendEntries carries the index and term of the entry before the new ones, the entries
 *   (their index range: nothing in this run reads the commands themselves) and the leader's
 *   commit index. At most one batch of entries goes in a message.
 * - Pipelining on: the leader sends each batch to a follower as soon as it is appended,
 *   whatever is still in flight (up to {@link MAX_INFLIGHT} messages, etcd's setting, which
 *   this run never reaches). Off: stop and wait, one message in flight per follower; the
 *   next leaves when the follower has answered, carrying what it lacks, again at most one
 *   batch.
 * - A follower checks that the message follows on from its log, appends the entries,
 *   and makes them durable one fsync at a time: with batching on, one fsync covers every
 *   entry received before it started; off, each entry gets its own. After each fsync it
 *   answers with how much of its log is durable; that one answer acknowledges every message
 *   the fsync covered (the leader frees its in-flight messages up to that index, as etcd does).
 * - The leader commits an index once a majority, itself included, holds it durably, and only
 *   then answers the clients whose commands it holds.
 *
 * A disk runs one fsync at a time, whose length is drawn from ±10% around the fsync time.
 * Servers spend no time computing: only disks and links cost time, so the bounds are theirs.
 * Links deliver in order, as TCP does, 0.4–0.6 ms one way: a round trip of about 1 ms.
 * The cluster records what the servers did (entries synced, fsyncs, the last batch size,
 * commits over time) for the tests and the cluster view; the servers never read it.
 */
import { Rejection, Simulation, uniform, type KvInput, type KvOutput, type NodeContext, type Workload } from '../../sim/index.ts';

export const LEADER = 'n1';
export const SERVERS = ['n1', 'n2', 'n3'] as const;
export const FOLLOWERS = SERVERS.filter((s) => s !== LEADER);
export const MAJORITY = Math.floor(SERVERS.length / 2) + 1;
/** The leader's term: fixed, since there is no election. */
export const TERM = 1;
/**
 * Most entries in one batch (one leader fsync, one AppendEntries message) with batching on.
 * A cap keeps each message and each write bounded, so one busy moment cannot hold a follower's
 * link or disk for long; 50 is the batch the lesson's arithmetic uses. HashiCorp's Raft library
 * sends at most 64 entries per message by default (`MaxAppendEntries`), which would make the
 * bound at 2 ms 64 / 2 ms = 32,000 a second instead of 25,000.
 */
export const MAX_BATCH = 50;
/** Most AppendEntries messages in flight to one follower when pipelining: etcd's server sets 512 (`MaxInflightMsgs`). */
export const MAX_INFLIGHT = 512;
/** One-way latency of every link: about 1 ms round trip. */
export const ONE_WAY_MS = { min: 0.4, max: 0.6 } as const;
/** Each fsync takes the fsync time times a factor drawn from this range. */
export const FSYNC_JITTER = { min: 0.9, max: 1.1 } as const;

export type ThroughputMessage =
  | {
      readonly kind: 'append';
      readonly term: number;
      /** The index and term of the entry just before the new ones. */
      readonly prevIndex: number;
      readonly prevTerm: number;
      /** The new entries are `prevIndex + 1` … `prevIndex + entries`, all of term {@link TERM}. */
      readonly entries: number;
      readonly commit: number;
    }
  | {
      readonly kind: 'append-reply';
      readonly term: number;
      readonly success: boolean;
      /** How much of the follower's log is durable. */
      readonly synced: number;
      /** With a refusal: the length of the follower's log, so the leader resumes right after it. */
      readonly last?: number;
    };

export interface ThroughputOptions {
  readonly seed: number;
  readonly trace?: boolean;
  /** Mean fsync time of every server's disk, in ms. */
  readonly fsyncMs: number;
  readonly batching: boolean;
  readonly pipelining: boolean;
  /** Closed-loop clients, each sending its next command as soon as the last one is answered. */
  readonly clients: number;
  /** No client sends after this time. */
  readonly stopMs: number;
  /** How long a client waits for its answer. */
  readonly deadlineMs: number;
}

/** What one server has done, as the cluster records it. */
export interface ServerRecord {
  /** Entries in its log. */
  appended: number;
  /** Entries its disk holds durably. */
  synced: number;
  /** fsyncs completed. */
  fsyncs: number;
  /** Entries made durable by its last fsync. */
  lastBatch: number;
  /** Its commit index (a follower learns it from the leader's messages). */
  commit: number;
}

export interface ThroughputCluster {
  readonly sim: Simulation;
  readonly load: Workload<KvInput, KvOutput>;
  /** Each server's record, live. */
  readonly servers: Readonly<Record<string, Readonly<ServerRecord>>>;
  /** The leader's commit index at time `atMs` (from the commits recorded so far). */
  committedAt(atMs: number): number;
  /** Entries committed per second between `fromMs` and `toMs`. */
  commitRate(fromMs: number, toMs: number): number;
  /** Mean entries per fsync over the leader's fsyncs so far. */
  meanLeaderBatch(): number;
  /** AppendEntries messages sent so far. */
  appendsSent(): number;
}

export function buildThroughputCluster(options: ThroughputOptions): ThroughputCluster {
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: options.trace ?? true },
    network: { latency: uniform(ONE_WAY_MS.min, ONE_WAY_MS.max), fifo: true },
  });
  const batchCap = options.batching ? MAX_BATCH : 1;
  const inflightCap = options.pipelining ? MAX_INFLIGHT : 1;
  const servers: Record<string, ServerRecord> = Object.fromEntries(
    SERVERS.map((s) => [s, { appended: 0, synced: 0, fsyncs: 0, lastBatch: 0, commit: 0 }]),
  );
  /** The leader's commits: at `times[i]` the commit index became `indexes[i]`. */
  const commitTimes: number[] = [0];
  const commitIndexes: number[] = [0];
  let leaderFsyncs = 0;
  let leaderSyncedEntries = 0;
  let appends = 0;

  const fsync = uniform(options.fsyncMs * FSYNC_JITTER.min, options.fsyncMs * FSYNC_JITTER.max);

  sim.addNode(LEADER, (ctx) => leader(ctx), { disk: { syncLatency: fsync } });
  for (const name of FOLLOWERS) sim.addNode(name, (ctx) => follower(ctx), { disk: { syncLatency: fsync } });

  function leader(ctx: NodeContext) {
    const me = servers[LEADER]!;
    /** Commands not yet in the log, each with the answer its client waits for. */
    const queued: (() => void)[] = [];
    /** Answers for the entries in the log that are not yet committed, in log order from `waitingFrom`. */
    const waiting: (() => void)[] = [];
    let waitingFrom = 1;
    let syncing = false;
    const nextIndex = new Map<string, number>(FOLLOWERS.map((f) => [f, 1]));
    const matchIndex = new Map<string, number>(FOLLOWERS.map((f) => [f, 0]));
    /** The last index of each message in flight to a follower, oldest first. */
    const inflight = new Map<string, number[]>(FOLLOWERS.map((f) => [f, []]));

    /** Takes the next batch from the queue into the log, syncs it, and ships it. */
    function appendBatch(): void {
      if (syncing || queued.length === 0) return;
      const count = Math.min(batchCap, queued.length);
      const first = me.appended + 1;
      for (const answer of queued.splice(0, count)) waiting.push(answer);
      me.appended += count;
      ctx.disk.write(`log/${first}`, { first, last: me.appended, term: TERM });
      syncing = true;
      const upTo = me.appended;
      void ctx.disk.sync().then(() => {
        syncing = false;
        me.synced = upTo;
        me.fsyncs++;
        me.lastBatch = count;
        leaderFsyncs++;
        leaderSyncedEntries += count;
        advanceCommit();
        appendBatch();
      });
      for (const f of FOLLOWERS) replicate(f);
    }

    /** Sends `follower` what it lacks, one batch per message, while the in-flight limit allows. */
    function replicate(follower: string): void {
      let next = nextIndex.get(follower)!;
      const inFlight = inflight.get(follower)!;
      while (next <= me.appended && inFlight.length < inflightCap) {
        const entries = Math.min(batchCap, me.appended - next + 1);
        const prevIndex = next - 1;
        ctx.send(follower, {
          kind: 'append',
          term: TERM,
          prevIndex,
          prevTerm: prevIndex === 0 ? 0 : TERM,
          entries,
          commit: me.commit,
        } satisfies ThroughputMessage);
        appends++;
        next += entries;
        inFlight.push(next - 1);
      }
      nextIndex.set(follower, next);
    }

    /** Commits the highest index a majority (the leader included) holds durably, and answers its clients. */
    function advanceCommit(): void {
      const durable = [me.synced, ...FOLLOWERS.map((f) => matchIndex.get(f)!)].sort((a, b) => b - a);
      const majority = durable[MAJORITY - 1]!;
      if (majority <= me.commit) return;
      me.commit = majority;
      commitTimes.push(sim.nowMs);
      commitIndexes.push(majority);
      const answered = majority - waitingFrom + 1;
      const answers = waiting.splice(0, answered);
      waitingFrom = majority + 1;
      for (const answer of answers) answer();
    }

    return {
      onMessage(message: { from: string; body: ThroughputMessage }) {
        const m = message.body;
        if (m.kind !== 'append-reply') return;
        const from = message.from;
        const inFlight = inflight.get(from)!;
        if (m.success) {
          matchIndex.set(from, Math.max(matchIndex.get(from)!, m.synced));
          // One answer per fsync acknowledges every message it made durable, as etcd frees its inflights.
          while (inFlight.length > 0 && inFlight[0]! <= m.synced) inFlight.shift();
        } else {
          inFlight.length = 0;
          nextIndex.set(from, (m.last ?? m.synced) + 1);
        }
        advanceCommit();
        replicate(from);
      },
      onRequest(request: { body: KvInput }) {
        if (request.body.kind !== 'put') throw new Rejection('this log takes writes only');
        return new Promise<KvOutput>((resolve) => {
          queued.push(() => resolve({ kind: 'put' }));
          appendBatch();
        });
      },
    };
  }

  function follower(ctx: NodeContext) {
    const me = servers[ctx.name]!;
    let syncing = false;

    /** One fsync at a time: with batching, of everything received; without, of the next entry. */
    function flush(): void {
      if (syncing || me.synced >= me.appended) return;
      const upTo = options.batching ? me.appended : me.synced + 1;
      ctx.disk.write(`log/${me.synced + 1}`, { first: me.synced + 1, last: upTo, term: TERM });
      syncing = true;
      void ctx.disk.sync().then(() => {
        syncing = false;
        me.lastBatch = upTo - me.synced;
        me.synced = upTo;
        me.fsyncs++;
        ctx.send(LEADER, { kind: 'append-reply', term: TERM, success: true, synced: upTo } satisfies ThroughputMessage);
        flush();
      });
    }

    return {
      onMessage(message: { from: string; body: ThroughputMessage }) {
        const m = message.body;
        if (m.kind !== 'append') return;
        me.commit = Math.max(me.commit, Math.min(m.commit, m.prevIndex + m.entries));
        // The consistency check: the entry before the new ones must be the last this log holds.
        // Links keep order and nothing fails, so it always passes here; a refusal names the log's end.
        if (m.prevIndex !== me.appended) {
          ctx.send(LEADER, { kind: 'append-reply', term: TERM, success: false, synced: me.synced, last: me.appended } satisfies ThroughputMessage);
          return;
        }
        me.appended += m.entries;
        flush();
      },
    };
  }

  const load = sim.workload<KvInput, KvOutput>({
    name: 'clients',
    target: LEADER,
    arrivals: { kind: 'closed', clients: options.clients },
    keys: { count: 1_000 },
    mix: { put: 1 },
    deadlineMs: options.deadlineMs,
    stopMs: options.stopMs,
  });

  function committedAt(atMs: number): number {
    // The last commit at or before atMs: binary search over the increasing times.
    let lo = 0;
    let hi = commitTimes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (commitTimes[mid]! <= atMs) lo = mid;
      else hi = mid - 1;
    }
    return commitIndexes[lo]!;
  }

  return {
    sim,
    load,
    servers,
    committedAt,
    commitRate: (fromMs, toMs) => ((committedAt(toMs) - committedAt(fromMs)) * 1_000) / (toMs - fromMs),
    meanLeaderBatch: () => (leaderFsyncs === 0 ? 0 : leaderSyncedEntries / leaderFsyncs),
    appendsSent: () => appends,
  };
}
