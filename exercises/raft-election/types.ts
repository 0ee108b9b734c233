/**
 * Leader election as Raft does it (Ongaro and Ousterhout, USENIX ATC 2014, §5.2). Five
 * servers, `n1` … `n5`, each running your {@link CreateElectionNode}. Time is divided into
 * **terms**, numbered 1, 2, 3…; a term begins with an election and has at most one leader.
 *
 * - A **follower** that hears nothing from a leader for an election timeout (a random time
 *   in `electionTimeoutMs`) becomes a **candidate**: it moves to the next term, votes for
 *   itself and asks every other server for its vote ({@link RequestVote}).
 * - A server grants at most one vote per term, to the first candidate that asks in that term,
 *   and remembers it on disk before answering: a server that forgot its vote in a crash could
 *   vote twice, and elect two leaders in one term.
 * - A candidate with the votes of a majority (itself included) is the **leader** of the term.
 *   It sends a {@link Heartbeat} to every other server at once and every `heartbeatEveryMs`
 *   after that, so that none of them stands for election.
 * - A server that sees a message with a higher term than its own moves to that term and
 *   becomes a follower, whatever it was. A message with a lower term is stale.
 *
 * The servers exchange only the messages below, as one-way messages: the network may lose,
 * duplicate, delay or reorder any of them, and there is no reply other than the one a server
 * sends itself. The harness (`cluster.ts`) reads them on their way, which is how it knows who
 * led which term: **a server leads a term when it sends a heartbeat of that term.**
 */

/** A candidate asks for a vote in `term`. */
export interface RequestVote {
  readonly type: 'requestVote';
  readonly term: number;
}

/** The answer to a {@link RequestVote}: whether the sender votes for the candidate in `term`. */
export interface Vote {
  readonly type: 'vote';
  readonly term: number;
  readonly granted: boolean;
}

/** Sent by the leader of `term` to every other server, at once and then every `heartbeatEveryMs`. */
export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly term: number;
}

/** The answer to a {@link Heartbeat}: the follower's term, so that a deposed leader learns of a newer one. */
export interface HeartbeatReply {
  readonly type: 'heartbeatReply';
  readonly term: number;
}

/**
 * Pre-vote (Ongaro's thesis, §9.6), if you want it: before it moves to a new term, a server
 * asks whether the others would vote for it in `term`. A pre-vote changes nobody's term or
 * vote, so it is not a vote: the harness does not count it as one.
 */
export interface PreVote {
  readonly type: 'preVote';
  readonly term: number;
}

/** The answer to a {@link PreVote}. */
export interface PreVoteReply {
  readonly type: 'preVoteReply';
  readonly term: number;
  readonly granted: boolean;
}

export type ElectionMessage = RequestVote | Vote | Heartbeat | HeartbeatReply | PreVote | PreVoteReply;

/** What a server must keep through a crash: Raft's `currentTerm` and `votedFor`. */
export interface SavedState {
  /** The latest term this server has seen. */
  readonly term: number;
  /** The server it voted for in `term` (itself, when it stood), or `null` if it has not voted in `term`. */
  readonly votedFor: string | null;
}

/** The settings of the cluster, the same for every server. */
export interface ElectionConfig {
  /** This server's name, e.g. `n3`. */
  readonly name: string;
  /** Every server, this one included: `n1` … `n5`. */
  readonly servers: readonly string[];
  /** How often a leader sends heartbeats, in milliseconds. */
  readonly heartbeatEveryMs: number;
  /**
   * The range from which each election timeout is drawn, in milliseconds. Stand for
   * election only after hearing nothing from a leader (and granting no vote) for at least
   * `min`; the tests measure both ends.
   */
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
}

/** What a server can do: all of it goes through the simulator. */
export interface ElectionEnv {
  /** This server's clock, in milliseconds. */
  now(): number;
  /** Sends a message to another server. It may be lost, duplicated, delayed or overtaken by a later one. */
  send(to: string, message: ElectionMessage): void;
  /** Calls `callback` after `delayMs`. Returns an id for `cancelTimer`. Timers vanish in a crash. */
  setTimer(delayMs: number, callback: () => void): number;
  /** Cancels a timer; cancelling a fired or unknown one does nothing. */
  cancelTimer(id: number): void;
  /** A number drawn uniformly from [0, 1), from this server's own random stream. */
  random(): number;
  /**
   * What this server last saved before it (re)started, or `undefined` if it never saved.
   * Memory does not survive a crash; this does.
   */
  readonly saved: SavedState | undefined;
  /**
   * Writes `state` to this server's disk and resolves once it is durable (an fsync, 1–3
   * ms). A crash before then may lose it. Saves complete in the order they were made.
   */
  save(state: SavedState): Promise<void>;
}

/** One server's election logic. */
export interface ElectionNode {
  /** A message from another server. */
  onMessage(from: string, message: ElectionMessage): void;
}

/** Builds a server when its node starts, and again after every restart (with what it saved). */
export type CreateElectionNode = (config: ElectionConfig, env: ElectionEnv) => ElectionNode;
