/**
 * A replica group: one leader takes the writes, appends them to its log and ships the log
 * to its followers, which append the same entries in the same order. This is the store's
 * shard group: each group that the ring places shards on (g1, g2, …) is three replicas, one
 * per zone, built from your `createReplica`.
 *
 * A replica is a plain object. The node that hosts it (see `group.ts`) gives it a
 * {@link ReplicaEnv}: a clock, a one-way `send` to the other replicas over the simulated
 * network, timers, and its {@link Log} on the node's simulated disk. What the messages
 * between replicas say is up to you.
 */

/** When the leader may acknowledge a write to the client. */
export type AckMode =
  /** As soon as the write is durable on the leader's own disk. Followers catch up later. */
  | 'async'
  /**
   * Once the write is durable on the leader and on at least one follower; if no follower
   * confirms within `semiSyncTimeoutMs`, acknowledge anyway (the group degrades to async
   * rather than stall), as MySQL's semi-synchronous replication does.
   */
  | 'semi-sync'
  /** Once the write is durable on the leader and on every follower. */
  | 'sync';

/** One write in the log. Indexes start at 1 and have no gaps. */
export interface Entry {
  readonly index: number;
  readonly key: string;
  readonly value: string;
}

/**
 * A replica's log, kept on its node's disk. An appended entry can be read at once but
 * survives a crash only once a `sync()` started after the append has finished (an fsync).
 * After a crash the log holds exactly its durable entries.
 */
export interface Log {
  /** Index of the last entry appended, durable or not (0 when the log is empty). */
  readonly lastIndex: number;
  /** Index of the last entry that would survive a crash now. */
  readonly durableIndex: number;
  /**
   * Appends one entry. Its `index` must be `lastIndex + 1`: a log has no gaps, so a
   * follower that receives entry 7 before entry 6 must hold on to 7 (or ask for it
   * again) until 6 is in. Throws otherwise. The log keeps a copy of the entry.
   */
  append(entry: Entry): void;
  /** The entry at `index`, or `undefined` if there is none. */
  entry(index: number): Entry | undefined;
  /** Entries from index `from` to `lastIndex`, at most `max` of them (default: all). */
  slice(from: number, max?: number): Entry[];
  /**
   * Makes every entry appended so far durable. Takes the disk's sync latency in simulated
   * time; several syncs may be under way at once. Resolves with the new `durableIndex`.
   */
  sync(): Promise<number>;
}

/** What a replica can do: all of it goes through the simulator. */
export interface ReplicaEnv {
  /** This replica's name, e.g. `r1`. */
  readonly name: string;
  /** This replica's clock, in milliseconds. */
  now(): number;
  /**
   * Sends a one-way message to another replica, whose `onMessage` receives it after the
   * network's latency. Messages can be reordered; while a link is cut they are lost.
   * Send plain data (it is copied on the way, as a real network would serialise it).
   */
  send(to: string, message: unknown): void;
  /** Calls `callback` after `delayMs`. Returns an id for `cancelTimer`. */
  setTimer(delayMs: number, callback: () => void): number;
  /** Cancels a timer; cancelling a fired or unknown one does nothing. */
  cancelTimer(id: number): void;
  /** This replica's log. After a restart it holds what was durable before the crash. */
  readonly log: Log;
}

/** The group a replica belongs to, the same for every replica in it. */
export interface GroupConfig {
  /** The replica that takes writes. */
  readonly leader: string;
  /** The others, which apply the leader's log. */
  readonly followers: readonly string[];
  readonly ackMode: AckMode;
  /** In semi-sync mode, how long a write waits for a follower before it is acknowledged anyway. */
  readonly semiSyncTimeoutMs: number;
}

/** One replica of the group: the leader or a follower, by `config.leader`. */
export interface Replica {
  /**
   * Called on the leader for each client write. Give it the next index, append it to the
   * log, and resolve once the write may be acknowledged under `config.ackMode` (durable
   * where the mode says). Rejecting fails the client's write.
   */
  write(key: string, value: string): Promise<void>;
  /** A message another replica sent with `env.send`. */
  onMessage(from: string, message: unknown): void;
}

/**
 * Builds a replica. Called when the node starts and again after it restarts from a crash:
 * memory starts empty then, and `env.log` holds what was durable.
 */
export type CreateReplica = (config: GroupConfig, env: ReplicaEnv) => Replica;

/**
 * A replica group's setting, for predicting what a leader crash loses in async mode. Every
 * figure is constant in the runs that check your prediction (no jitter).
 */
export interface RpoSetting {
  /** Client writes per second, arriving at random (a Poisson process). */
  readonly writesPerS: number;
  /** One-way network latency between the leader and each follower, in milliseconds. */
  readonly oneWayMs: number;
  /** How long a sync (fsync) takes on the leader's disk, in milliseconds. */
  readonly leaderSyncMs: number;
  /** How long a sync takes on each follower's disk, in milliseconds. */
  readonly followerSyncMs: number;
  /** One-way network latency between the clients and the leader (same zone), in milliseconds. */
  readonly clientOneWayMs: number;
}
