/**
 * Reads from a lease (§8 of the Raft paper; §6.4.1 of Ongaro's thesis), as a layer over your
 * Raft server of "A replicated log that never loses a commit" (its types are in
 * `../raft-log/types.ts`). The layer does not replicate anything itself: it wraps your log
 * server, watches the messages going in and out, and answers some gets without the log.
 *
 * A lease is a promise made by time: once a majority has answered an Append, none of those
 * servers will help elect another leader for at least the minimum election timeout, so for a
 * while no other leader can commit a put that the leader's store lacks. But "a while" is
 * measured on clocks, and here they drift: each server's clock runs at a rate between
 * `1 − MAX_CLOCK_DRIFT` and `1 + MAX_CLOCK_DRIFT` of true time, and its timers follow it.
 *
 * What the layer can use:
 *
 * - `env.now()`, this server's own clock; `env.read(key)`, what its store holds as applied so
 *   far, without a trip through the log; `env.disk.term` and `env.disk.log`, to see which term
 *   the server is in and the terms of its entries.
 * - The messages: an `Append` may carry a `seq` (a whole number of your choice) and an
 *   `AppendReply` may echo one. Your log server leaves both unset; the layer sets them on their
 *   way out (wrap `env.send`) and reads them on their way in (wrap `onMessage`).
 * - `env.apply`: wrap it to learn how far the server has applied its log.
 *
 * A get answered from the store is safe only when all of these hold:
 *
 * - the server leads (it sends Appends of its current term);
 * - it has applied an entry of its own term (until then its store may lack puts an earlier
 *   leader committed);
 * - a majority, itself included, has answered Appends it **sent** less than
 *   `minTimeout × (1 − MAX_CLOCK_DRIFT) / (1 + MAX_CLOCK_DRIFT)` ago on its clock (≈ 122.7 ms
 *   here), counting from the send, not the answer;
 * - and a follower that heard from a current leader within the minimum election timeout (on
 *   its own clock) helps elect no one else: it ignores vote requests until then.
 *
 * Anything else goes to your log server, through the log, as before.
 */
import type { CreateRaftServer } from '../raft-log/types.ts';

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

/**
 * A lease layer: given the log server's factory, returns one that builds the same server with
 * lease reads on top. It is called once per exercise run; the factory it returns is called for
 * every server, and again after every restart (a restarted server starts with nothing in
 * memory, like your log server).
 */
export type LeaseLayer = (createServer: CreateRaftServer) => CreateRaftServer;
