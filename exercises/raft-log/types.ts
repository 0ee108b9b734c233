/**
 * Log replication as Raft does it (Ongaro and Ousterhout, USENIX ATC 2014, §5.3–5.4), with a
 * key-value store on top. Five servers, `n1` … `n5`, each running your
 * {@link CreateRaftServer}. The election is the one you built in "Leader election", with one
 * more rule; what is new is the log.
 *
 * - Clients send {@link Command}s to the server they believe leads. The leader appends each
 *   to its log in its current term and sends new entries to the followers in
 *   {@link Append} messages (an empty `Append` is a heartbeat).
 * - A follower takes an `Append` only if its log holds an entry at `prevIndex` of term
 *   `prevTerm`; it then removes any entries after `prevIndex` that conflict with the new
 *   ones, appends what it lacks, makes it durable (`disk.sync()`), and only then answers
 *   that its log matches up to the last new entry.
 * - An entry is **committed** once it is durable on a majority. A leader counts copies only of
 *   entries of its own term: earlier ones are committed with them (§5.4.2, Figure 8).
 * - Every server applies committed entries in order with `env.apply(index)`, which runs
 *   the entry on the server's copy of the store and returns a get's value.
 * - A server grants its vote only to a candidate whose log is at least as up to date as its
 *   own: a higher last term, or the same last term and at least as many entries (§5.4.1).
 *
 * The harness (`cluster.ts`) reads every message on its way and every server's disk from
 * outside; that is how it knows what was committed, by whom, and when.
 */

/** What a client asks of the store. A `noop` is yours to use, e.g. at the start of a term. */
export type Command =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'noop' };

/** One entry of the log: a command, and the term of the leader that appended it. */
export interface Entry {
  readonly term: number;
  readonly command: Command;
}

/** A candidate asks for a vote, with where its log ends. */
export interface RequestVote {
  readonly type: 'requestVote';
  readonly term: number;
  /** Index of the candidate's last entry (0 when its log is empty). */
  readonly lastIndex: number;
  /** Term of that entry (0 when its log is empty). */
  readonly lastTerm: number;
}

export interface Vote {
  readonly type: 'vote';
  readonly term: number;
  readonly granted: boolean;
}

/** From the leader of `term`: entries after `prevIndex`, and how far the leader has committed. */
export interface Append {
  readonly type: 'append';
  readonly term: number;
  /** The index just before the first of `entries`. */
  readonly prevIndex: number;
  /** The term of the leader's entry at `prevIndex` (0 when `prevIndex` is 0). */
  readonly prevTerm: number;
  /** Possibly none: a heartbeat. */
  readonly entries: readonly Entry[];
  /** The leader's commit index. */
  readonly commitIndex: number;
  /**
   * Optional, and not for this exercise: leave it unset. The lease layer of the optional
   * exercise "Reads from a lease" numbers its Appends here; the harness passes it on as is.
   */
  readonly seq?: number;
}

/** A follower's answer to an {@link Append}. */
export interface AppendReply {
  readonly type: 'appendReply';
  readonly term: number;
  readonly success: boolean;
  /**
   * On success, the index up to which the follower's log now matches the leader's and is
   * durable (`prevIndex + entries.length`). On failure, a hint: the follower's last index.
   */
  readonly index: number;
  /** Optional, and not for this exercise: the lease layer of "Reads from a lease" echoes an Append's `seq` here. */
  readonly seq?: number;
}

export type RaftMessage = RequestVote | Vote | Append | AppendReply;

/** A server's log, on its disk. Indexes start at 1. Writes are visible at once and durable after `disk.sync()`. */
export interface RaftLog {
  /** Index of the last entry (0 when empty). */
  readonly lastIndex: number;
  /** The entry at `index`, or `undefined` outside 1…lastIndex. */
  entry(index: number): Entry | undefined;
  /** The term of the entry at `index`: 0 for index 0, `undefined` beyond the log. */
  termAt(index: number): number | undefined;
  /** The entries from `from` to `to`, both included (clipped to the log). */
  slice(from: number, to: number): Entry[];
  /** Appends `entries` after the last one. */
  append(entries: readonly Entry[]): void;
  /** Removes every entry after `index`. */
  truncateAfter(index: number): void;
}

/** A server's disk: its term, its vote and its log. */
export interface RaftDisk {
  /** The latest term this server has seen (0 at first). */
  readonly term: number;
  /** Who it voted for in `term`, or `null`. */
  readonly votedFor: string | null;
  /** Records a new term and vote. Durable after `sync()`. */
  setTerm(term: number, votedFor: string | null): void;
  readonly log: RaftLog;
  /**
   * Makes every write made so far durable, and resolves when it is. Each call is one
   * fsync of `syncMs` milliseconds, and the disk does one at a time: a call waits for the
   * ones before it. Write many entries, then sync once.
   */
  sync(): Promise<void>;
}

/** The cluster's settings, the same for every server. */
export interface RaftConfig {
  /** This server's name. */
  readonly name: string;
  /** Every server, this one included. */
  readonly servers: readonly string[];
  readonly heartbeatEveryMs: number;
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
}

/** What a server can do: all of it goes through the simulator. */
export interface RaftEnv {
  now(): number;
  /** Sends a message to another server; it may be lost, duplicated, delayed or reordered. */
  send(to: string, message: RaftMessage): void;
  setTimer(delayMs: number, callback: () => void): number;
  cancelTimer(id: number): void;
  /** A number drawn uniformly from [0, 1), from this server's own random stream. */
  random(): number;
  /** What survives a crash. After a restart, everything else is gone: apply again from index 1. */
  readonly disk: RaftDisk;
  /**
   * Applies the committed entry at `index` to this server's copy of the store and returns
   * what it gives: a get's value (`null` for a key never written), or `null` for a put or a
   * noop. Call it for 1, 2, 3… in order, each once per start, and only for committed entries.
   */
  apply(index: number): string | null;
  /**
   * What this server's copy of the store holds for `key`, as applied so far (`null` for a key
   * never written). Not for this exercise: answering a get from it skips the log, which is
   * safe only while no other server can have committed a newer put (the lease layer of
   * "Reads from a lease" uses it; see "Reads, leases and clocks" in the lesson).
   */
  read(key: string): string | null;
  /**
   * Refuses a client's command: the client is told, for certain, that it did not take
   * effect, and tries `leader` next if you name one. Refuse only a command you have not
   * appended. A command whose fate you cannot know (you appended it, then lost leadership)
   * should be left to time out, or be answered if its entry is committed after all.
   */
  refuse(leader: string | null): never;
}

export interface RaftServer {
  onMessage(from: string, message: RaftMessage): void;
  /** A client's command. Resolves with what `env.apply` returned for its entry, once applied. */
  onClient(command: Command): Promise<string | null>;
}

/** Builds a server when its node starts, and again after every restart. */
export type CreateRaftServer = (config: RaftConfig, env: RaftEnv) => RaftServer;
