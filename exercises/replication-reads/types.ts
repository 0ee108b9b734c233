/**
 * Follower reads for the replica group you built in "The replicated log". The group runs
 * your `createReplica` (semi-sync), r1 leading in zone a and r2, r3 following in zones b
 * and c. Clients in each zone open sessions; a session writes through the leader and reads
 * from any replica. You write the session: which replica each read goes to, and what it
 * asks of it, so that a session always sees its own writes and never sees time go back.
 */

/** A replica of the group, as a session sees it. */
export interface ReplicaInfo {
  readonly name: string;
  readonly zone: string;
  readonly role: 'leader' | 'follower';
}

/** What a replica answers to a read. */
export interface ReadReply {
  /** The key's value in the replica's log, or `undefined` if no entry there writes it. */
  readonly value: string | undefined;
  /** Index of the last entry in the replica's log when it answered: the reply reflects entries 1 to `index`. */
  readonly index: number;
}

/**
 * A read refused because the replica's log ends before `minIndex`. The rejection's
 * `index` says where it ends.
 */
export class BehindError extends Error {
  readonly index: number;
  constructor(replica: string, index: number, minIndex: number) {
    super(`${replica} is behind: its log ends at ${index}, the read asked for ${minIndex}`);
    this.name = 'BehindError';
    this.index = index;
  }
}

/** What a session can do: all of it goes through the simulator. */
export interface SessionEnv {
  /** The zone of the client that holds this session. */
  readonly zone: string;
  /** The replicas, with their zones and roles. The roles do not change during a run. */
  readonly replicas: readonly ReplicaInfo[];
  /**
   * Sends a write to the leader. Resolves once it is acknowledged, with the index of its
   * entry in the leader's log. Rejects if the leader refuses it or does not answer in time.
   */
  write(key: string, value: string): Promise<{ readonly index: number }>;
  /**
   * Reads `key` from `replica`, which answers only if its log reaches `minIndex` (0 asks
   * for nothing). Rejects with a {@link BehindError} if it does not, or with another error
   * if the replica does not answer within 50 ms (it may be down, or cut off).
   */
  read(replica: string, key: string, minIndex: number): Promise<ReadReply>;
}

/**
 * One client session: a series of operations, one at a time. Its promises are the
 * session's guarantees.
 */
export interface Session {
  /** Writes through the leader; resolves once the write is acknowledged. */
  write(key: string, value: string): Promise<void>;
  /**
   * Reads a key. The value must reflect every write this session had acknowledged before
   * (read-your-writes), and a state no older than any earlier read of this session showed
   * (monotonic reads). Read from followers where you can: that is the point.
   */
  read(key: string): Promise<string | undefined>;
}

/** Builds a session; called once for each session the clients open. */
export type CreateSession = (env: SessionEnv) => Session;
