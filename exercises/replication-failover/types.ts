/**
 * Failover for the replica group you built in "The replicated log". Three replicas, r1, r2
 * and r3, one per zone, run your `createReplica` from that exercise (semi-sync, with no
 * timeout: a write is acknowledged once the leader and one follower have it on disk). What
 * is new is a **controller**, the one process that decides who leads. You write it.
 *
 * The controller does not carry data. It hears heartbeats from the leader, and when they
 * stop for `failAfterMs` it moves leadership to a follower by sending {@link Command}s to
 * the replicas, over the same simulated network (which loses some of them). Each replica
 * (see `cluster.ts`) obeys a command only if its epoch is at least the one it has stored,
 * answers every command with its {@link Position}, and exchanges replication messages only
 * with replicas of the same epoch. That rule is the fence; using it well is your job.
 */

/** What the controller knows when it starts. */
export interface ControllerConfig {
  /** Every replica of the group, e.g. `['r1', 'r2', 'r3']`. */
  readonly replicas: readonly string[];
  /** The replica that leads when the run starts, in epoch 1. */
  readonly leader: string;
  /** How often the leader sends a heartbeat, in milliseconds. */
  readonly heartbeatEveryMs: number;
  /**
   * How long the leader may stay silent before the controller declares it dead, in
   * milliseconds. Shorter fails over sooner; shorter than a few heartbeats fails over a
   * leader that merely lost a message or paused for a moment.
   */
  readonly failAfterMs: number;
}

/** Sent by a replica that leads, every `heartbeatEveryMs`. */
export interface Heartbeat {
  /** The epoch it leads. A leader that has been replaced keeps sending its old epoch until it hears of the new one. */
  readonly epoch: number;
  /** Index of the last entry in its log. */
  readonly lastIndex: number;
}

/**
 * A replica's answer to every command, and also sent unasked every `heartbeatEveryMs` by a
 * replica that has no role: one that restarted after a crash, or was fenced and not yet
 * told what to do.
 */
export interface Position {
  /** The highest epoch this replica has stored. It refuses commands and entries of any lower epoch. */
  readonly epoch: number;
  /** What it is doing in that epoch. */
  readonly role: 'leader' | 'follower' | 'idle';
  /** The leader it follows, for a follower. */
  readonly leader?: string;
  /** Index of the last entry in its log (0 when empty). */
  readonly lastIndex: number;
  /** The epoch in which that last entry was written (0 when the log is empty). */
  readonly lastEpoch: number;
  /** Index of the last entry on its disk. */
  readonly durableIndex: number;
}

/** What the controller can tell a replica. Each carries the epoch it belongs to. */
export type Command =
  /**
   * Store `epoch` (on disk) and stop: a leader stops acknowledging writes, a follower stops
   * accepting entries. From then on the replica refuses everything of a lower epoch. It
   * answers with its position, which cannot change until it gets a role again.
   */
  | { readonly kind: 'fence'; readonly epoch: number }
  /** Lead in `epoch`, from the log this replica holds: its followers are the other replicas. */
  | { readonly kind: 'promote'; readonly epoch: number }
  /**
   * Follow `leader` in `epoch`. First the replica throws away every entry after
   * `fromIndex` (if its log is longer): entries the new leader does not have at those
   * indexes, which it would otherwise keep beside the leader's different ones.
   */
  | { readonly kind: 'follow'; readonly epoch: number; readonly leader: string; readonly fromIndex: number };

/** What a controller can do: all of it goes through the simulator. */
export interface ControllerEnv {
  /** The controller's clock, in milliseconds. */
  now(): number;
  /** Sends a command to a replica. It may be lost; it may arrive after a later one. */
  send(to: string, command: Command): void;
  /** Calls `callback` after `delayMs`. Returns an id for `cancelTimer`. */
  setTimer(delayMs: number, callback: () => void): number;
  /** Cancels a timer; cancelling a fired or unknown one does nothing. */
  cancelTimer(id: number): void;
}

/** The controller: it only reacts to what replicas send it, and to its own timers. */
export interface Controller {
  /** A heartbeat from a replica that believes it leads. */
  onHeartbeat(from: string, heartbeat: Heartbeat): void;
  /** A replica's position: an answer to a command, or an idle replica asking for a role. */
  onPosition(from: string, position: Position): void;
}

/** Builds the controller, once, when the run starts. It never crashes. */
export type CreateController = (config: ControllerConfig, env: ControllerEnv) => Controller;
