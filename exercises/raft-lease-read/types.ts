/**
 * Reads from a lease (§8 of the Raft paper; §6.4 of Ongaro's thesis). Your server is the Raft
 * server of "A replicated log that never loses a commit" (its types are in
 * `../raft-log/types.ts`), with one change: a leader may answer a get from its own store,
 * `env.read(key)`, without a trip through the log, while it holds a **lease**.
 *
 * A lease is a promise made by time: after a majority has answered an Append, none of them
 * will help elect another leader for at least the minimum election timeout, so for a while
 * no other leader can commit anything the leader's store lacks. But "a while" is measured on
 * clocks, and here they drift: every server's clock runs at a rate between
 * `1 − MAX_CLOCK_DRIFT` and `1 + MAX_CLOCK_DRIFT` of true time, and timers follow it.
 *
 * - `env.now()` reads this server's own clock.
 * - An `Append` may carry a `seq`, a number of your choice, and an `AppendReply` may echo it:
 *   the way to know which Append a reply answers, and so when it was sent.
 * - A lease read is safe only if no majority can elect another leader before the lease ends,
 *   by any pair of clocks within the drift; a follower that has just heard from the leader
 *   must not help elect another; and a new leader's store is current only once an entry of
 *   its own term is committed.
 */
export type {
  Append,
  AppendReply,
  Command,
  CreateRaftServer,
  Entry,
  RaftConfig,
  RaftDisk,
  RaftEnv,
  RaftLog,
  RaftMessage,
  RaftServer,
  RequestVote,
  Vote,
} from '../raft-log/types.ts';

/** How far any server's clock rate may be from true time: each runs at a rate in [0.9, 1.1]. */
export const MAX_CLOCK_DRIFT = 0.1;
