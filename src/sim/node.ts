/**
 * The types a learner writes node code against: the handlers a node provides, the context
 * it is given, and the messages it receives.
 */
import type { Distribution } from './distributions.ts';
import type { Random } from './random.ts';

/**
 * A message as a node receives it.
 *
 * @typeParam T The body's type.
 */
export interface Message<T = unknown> {
  /** Id unique within the run; a duplicate made by the network keeps the original's id. */
  readonly id: number;
  /** Name of the sending node. */
  readonly from: string;
  /** Name of the receiving node (this node). */
  readonly to: string;
  /** What was sent. The network passes the object itself: do not mutate it after sending. */
  readonly body: T;
}

/** Options for {@link NodeContext.send}. */
export interface SendOptions {
  /**
   * Size of the message in bytes; matters only on links with a bandwidth.
   * @default the simulation's `network.messageSizeBytes` (256)
   */
  readonly sizeBytes?: number;
}

/** Options for {@link NodeContext.rpc}. */
export interface RpcOptions extends SendOptions {
  /**
   * How long to wait for the reply, in milliseconds of this node's local clock, before the
   * promise rejects with `RpcTimeoutError`.
   * @default 1000
   */
  readonly timeoutMs?: number;
}

/**
 * This node's disk. Writes are visible to reads at once but survive a crash only after a
 * `sync()` that started after them has finished.
 *
 * @example
 * ctx.disk.write('term', 3);
 * await ctx.disk.sync(); // now 'term' survives a crash
 */
export interface NodeDisk {
  /** The value last written under `key` (synced or not), or `undefined`. */
  read(key: string): unknown;
  /** Whether `key` has a value. */
  has(key: string): boolean;
  /** Every key with a value. */
  keys(): string[];
  /** Writes `value` under `key`. Store plain data; the disk keeps the reference. */
  write(key: string, value: unknown): void;
  /** Removes `key`. Like a write, the removal is durable only after a sync. */
  delete(key: string): void;
  /**
   * Makes every write made so far durable. Takes simulated time (the node's
   * `disk.syncLatency`); the promise resolves when the writes are safe.
   */
  sync(): Promise<void>;
  /** Writes that a crash right now would lose. */
  readonly unsyncedWrites: number;
}

/**
 * Everything a node can do, handed to its factory and to every handler. A context belongs
 * to one incarnation of the node: after a crash, calls on the old context do nothing.
 */
export interface NodeContext {
  /** This node's name. */
  readonly name: string;
  /** Names of every node in the simulation, this one included, in the order they were added. */
  readonly nodes: readonly string[];
  /**
   * This node's local clock, in milliseconds. It can run fast or slow and be offset from
   * true time (see `clock` in the node options), as real clocks do.
   */
  now(): number;
  /** Sends a one-way message; the receiver's `onMessage` handles it. No reply, no error if lost. */
  send(to: string, body: unknown, options?: SendOptions): void;
  /**
   * Sends a request and resolves with the receiver's reply (what its `onRequest` returned).
   * Rejects with `RpcTimeoutError` if no reply arrives in time, `RemoteError` if the
   * handler threw, or `OverloadedError` if the receiver's queue was full.
   *
   * @example
   * const reply = await ctx.rpc<{ value: string }>('kv1', { kind: 'get', key: 'x' }, { timeoutMs: 50 });
   */
  rpc<R = unknown>(to: string, body: unknown, options?: RpcOptions): Promise<R>;
  /**
   * Calls `callback` after `delayMs` of this node's local clock. Returns an id for
   * {@link cancelTimer}. Timers vanish if the node crashes.
   */
  setTimer(delayMs: number, callback: () => void | Promise<void>): number;
  /** Cancels a timer; cancelling a fired or unknown timer does nothing. */
  cancelTimer(timerId: number): void;
  /** Resolves after `delayMs` of this node's local clock. */
  sleep(delayMs: number): Promise<void>;
  /** This node's disk. */
  readonly disk: NodeDisk;
  /** A random stream for this node alone, derived from the simulation seed. */
  readonly random: Random;
  /** Writes a line into the trace, attributed to this node. */
  log(message: string): void;
  /** Whether this incarnation is still running (false once the node has crashed). */
  readonly alive: boolean;
}

/**
 * What a node does. Every handler is optional and may be `async`.
 *
 * @example
 * const echo: NodeFactory = (ctx) => ({
 *   onRequest(request) {
 *     return { echoed: request.body, at: ctx.now() };
 *   },
 * });
 */
export interface NodeHandlers {
  /** Runs when the node starts and again after every restart (memory is fresh; the disk kept its synced data). */
  onStart?(ctx: NodeContext): void | Promise<void>;
  /** Handles a one-way message sent with `ctx.send`. */
  // The body is `any` so that handlers can read fields without a cast; type it in your own code.
  onMessage?(message: Message<any>, ctx: NodeContext): void | Promise<void>;
  /**
   * Handles a request sent with `ctx.rpc`. What it returns (or its promise resolves to)
   * is the reply; if it throws, the caller gets a `RemoteError`. Throw a `Rejection` to
   * say the request did not take effect (the caller's error then has `rejected: true`).
   */
  onRequest?(request: Message<any>, ctx: NodeContext): unknown;
}

/**
 * Builds a node's handlers. It is called at start and again at every restart, so state
 * kept in its closure (or in a class it creates) is lost on a crash, as memory is.
 */
export type NodeFactory = (ctx: NodeContext) => NodeHandlers;

/** A server's finite capacity: a pool of workers and a queue in front of them. */
export interface CapacityOptions {
  /** How many requests are served at once (threads, cores). At least 1. */
  readonly workers: number;
  /** How long serving one request takes, in milliseconds, before its handler runs. */
  readonly serviceTime: Distribution;
  /**
   * Most requests that may wait for a worker; beyond it, requests are rejected (the caller
   * gets `OverloadedError`) and counted. Leave unset for an unbounded queue (still capped
   * at 1,000,000 as a safety limit).
   */
  readonly queueCapacity?: number;
  /**
   * Serve like an event loop (Node.js, Envoy, nginx): a worker is busy for the service time
   * only, and a handler that then awaits (an RPC to another node) holds no worker while it
   * waits. Without it, a worker stays busy until the handler has answered, as a thread per
   * request does.
   * @default false
   */
  readonly eventLoop?: boolean;
}

/** How a node's local clock relates to true simulation time: `local = offsetMs + rate × true`. */
export interface ClockOptions {
  /**
   * How fast the clock runs: 1 keeps time, 1.001 gains 1 ms per second, 0.999 loses it.
   * Timers follow the local clock, so a fast clock fires them early.
   * @default 1
   */
  readonly rate?: number;
  /** How far ahead (positive) or behind (negative) true time the clock reads, in milliseconds. @default 0 */
  readonly offsetMs?: number;
}

/** Options for a node's disk. */
export interface DiskOptions {
  /** How long `ctx.disk.sync()` takes, in milliseconds. @default constant(1) */
  readonly syncLatency?: Distribution;
}

/** Options for `sim.addNode`. */
export interface NodeOptions {
  /** Finite capacity. Without it, the node handles every message the moment it arrives. */
  readonly capacity?: CapacityOptions;
  /** Clock drift and skew. */
  readonly clock?: ClockOptions;
  /** Disk timing. */
  readonly disk?: DiskOptions;
}

/** A live view of a node, from `sim.node(name)`. */
export interface NodeStatus {
  /** The node's name. */
  readonly name: string;
  /** `'up'`, or `'down'` after a crash and until a restart. */
  readonly state: 'up' | 'down';
  /** Whether it is paused (messages and timers wait until it resumes). */
  readonly paused: boolean;
  /** How many times it has been restarted. */
  readonly restarts: number;
  /** Requests waiting for a worker. */
  readonly queueDepth: number;
  /** Requests being served now. */
  readonly inService: number;
  /** Requests and messages handled so far. */
  readonly served: number;
  /** Requests rejected because the queue was full. */
  readonly rejected: number;
  /** Its local clock reading, in milliseconds. */
  readonly localTimeMs: number;
  /** A copy of what its disk would keep through a crash. */
  durableDisk(): Map<string, unknown>;
}
