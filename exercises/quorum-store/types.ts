/**
 * A leaderless, replicated key-value store: five replicas, every one of which holds every
 * key and can coordinate any client request, as in Dynamo, Cassandra or Riak. The
 * coordinator of a request asks the other replicas over the simulated network and answers
 * the client once enough of them have answered: `r` replicas for a read, `w` for a write.
 *
 * The store runs in one of two modes, which decide what it does when the network splits:
 *
 * - **`'cp'`**: every history is linearizable. A coordinator that cannot reach a majority
 *   refuses the request at once (`env.refuse`), rather than answer with what it has.
 * - **`'ap'`**: every replica answers from what it can reach, even alone; replicas that
 *   disagree settle on one value per key once they can talk again (last writer wins).
 *
 * A replica is a plain object. The node that hosts it (see `store.ts`) gives it a
 * {@link StoreEnv}: a clock, requests to the other replicas, timers, and its
 * {@link LocalStore} on the node's disk. What the requests between replicas say is up to
 * you.
 */

/** What the store promises during a partition. */
export type Mode = 'cp' | 'ap';

/** The store's settings, the same for every replica. */
export interface StoreConfig {
  /** This replica's name, e.g. `n1`. */
  readonly name: string;
  /** Every replica, this one included: `n1` … `n5`. Each holds every key (N = 5). */
  readonly replicas: readonly string[];
  /** How many replicas (the coordinator counts if it takes part) must answer a read. */
  readonly r: number;
  /** How many replicas (the coordinator counts if it takes part) must store a write before it is acknowledged. */
  readonly w: number;
  readonly mode: Mode;
}

/**
 * What one replica holds for one key: the value and a version of your design (a counter
 * and the writer's name, a timestamp, a vector clock…). The version must be plain data.
 */
export interface Stored {
  readonly value: string;
  readonly version: unknown;
}

/** A replica's own copy of the data, on its node's disk. */
export interface LocalStore {
  /** What this replica holds for `key`, or `undefined` if it never stored the key. */
  read(key: string): Stored | undefined;
  /**
   * Replaces what this replica holds for `key`. The value must be one a client wrote.
   * The store keeps a copy: changing `stored` afterwards changes nothing.
   */
  write(key: string, stored: Stored): void;
  /** Every key this replica holds. */
  keys(): string[];
}

/** What a replica can do: all of it goes through the simulator. */
export interface StoreEnv {
  /** This replica's clock, in milliseconds. Clocks of different replicas may disagree by a few milliseconds. */
  now(): number;
  /**
   * Sends `message` to another replica and resolves with what its `onCall` returned.
   * Rejects if no answer arrives within `timeoutMs` (the replica is down, cut off, or
   * slow: from here there is no telling which), or if its `onCall` threw. Messages are
   * copied on the way: send plain data.
   */
  call(to: string, message: unknown, timeoutMs: number): Promise<unknown>;
  /** Calls `callback` after `delayMs`. Returns an id for `cancelTimer`. */
  setTimer(delayMs: number, callback: () => void): number;
  /** Cancels a timer; cancelling a fired or unknown one does nothing. */
  cancelTimer(id: number): void;
  /** This replica's data. */
  readonly store: LocalStore;
  /**
   * Refuses the client's request: the client is told, for certain, that it did not take
   * effect. Throw it only when that is true: a write refused after some replica stored it
   * may still be read later, and then the history is not linearizable. A request that
   * simply fails (a `call` rejected) is reported to the client as an unknown outcome.
   */
  refuse(reason: string): never;
}

/** One replica: it coordinates the requests of clients near it and answers the other replicas. */
export interface StoreReplica {
  /** A client's read. Resolves with the value, or `null` if the key was never written. */
  get(key: string): Promise<string | null>;
  /** A client's write. Resolves once it may be acknowledged. */
  put(key: string, value: string): Promise<void>;
  /** A request another replica sent with `env.call`; what it returns is the answer. */
  onCall(from: string, message: unknown): unknown;
}

/** Builds a replica, when its node starts. */
export type CreateStoreReplica = (config: StoreConfig, env: StoreEnv) => StoreReplica;

/**
 * A store whose network latencies are fixed (no jitter), for predicting what a quorum
 * costs when nothing goes wrong: the latency side of PACELC. One client sends one request
 * at a time to the coordinator `n1`, so no two requests are ever in flight together.
 */
export interface LatencySetting {
  readonly mode: Mode;
  readonly r: number;
  readonly w: number;
  /** One-way latency between the client and `n1`, in milliseconds. */
  readonly clientOneWayMs: number;
  /** One-way latency from `n1` to each other replica, in milliseconds, by name. */
  readonly oneWayMs: Readonly<Record<string, number>>;
}

/** How long, from the client's call to its answer, a request takes in a {@link LatencySetting}. */
export interface LatencyPrediction {
  /** A read of a key that has been written. */
  readonly readMs: number;
  readonly writeMs: number;
}

/** One write in a {@link LwwSetting}: where it was coordinated, and when it arrived there. */
export interface LwwPut {
  /** The replica that coordinated it. */
  readonly coordinator: string;
  /** When the coordinator received it, in true time (milliseconds). */
  readonly receivedMs: number;
}

/**
 * Writes to one key in AP mode, one after another: each is acknowledged before the next is
 * sent, so a store that kept the latest write would end every step holding it. The
 * replicas' clocks are off true time by `clockOffsetMs` (a replica whose offset is +8
 * reads 8 ms ahead).
 */
export interface LwwSetting {
  readonly clockOffsetMs: Readonly<Record<string, number>>;
  /** In the order they were sent. */
  readonly puts: readonly LwwPut[];
}
