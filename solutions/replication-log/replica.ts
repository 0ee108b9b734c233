import type { CreateReplica, Entry, GroupConfig, Replica, ReplicaEnv } from './types.ts';

/** Leader to follower: entries in index order, starting right after `after`. */
interface AppendMessage {
  readonly type: 'append';
  readonly entries: readonly Entry[];
}

/** Follower to leader: how far its log goes, in memory and on disk. */
interface AckMessage {
  readonly type: 'ack';
  readonly lastIndex: number;
  readonly durableIndex: number;
}

/** How often the leader re-sends what a follower has not confirmed. */
const RESEND_EVERY_MS = 20;
/** Most entries in one message. */
const BATCH = 256;

export const createReplica: CreateReplica = (config: GroupConfig, env: ReplicaEnv): Replica =>
  env.name === config.leader ? leader(config, env) : follower(config, env);

function leader(config: GroupConfig, env: ReplicaEnv): Replica {
  const { log } = env;
  /** Highest index each follower has on disk, as it last told us. */
  const durable = new Map(config.followers.map((f) => [f, 0]));
  /** Where each follower's log ends, as it last told us (it can go down after a restart). */
  const reported = new Map(config.followers.map((f) => [f, 0]));
  /** The log's end at the previous resend check: anything up to it has had time to arrive. */
  let settledIndex = 0;
  /**
   * Writes waiting for followers before the client may be told they are done, by index. One
   * that timed out (semi-sync) stays until a follower confirms it: nothing waits on it then.
   */
  const waiting = new Map<number, () => void>();

  const confirmedBy = (index: number): number => config.followers.filter((f) => durable.get(f)! >= index).length;
  const satisfied = (index: number): boolean =>
    config.ackMode === 'sync' ? confirmedBy(index) === config.followers.length : confirmedBy(index) >= 1;

  function release(): void {
    for (const [index, resolve] of waiting) {
      if (!satisfied(index)) continue;
      waiting.delete(index);
      resolve();
    }
  }

  function ship(to: string, from: number): void {
    const entries = log.slice(from, BATCH);
    if (entries.length > 0) env.send(to, { type: 'append', entries } satisfies AppendMessage);
  }

  // Re-send from where each follower says its log ends, if entries that should have arrived by now are missing.
  function resendLoop(): void {
    for (const f of config.followers) {
      if (reported.get(f)! < settledIndex) ship(f, reported.get(f)! + 1);
    }
    settledIndex = log.lastIndex;
    env.setTimer(RESEND_EVERY_MS, resendLoop);
  }
  env.setTimer(RESEND_EVERY_MS, resendLoop);

  return {
    async write(key, value) {
      const entry: Entry = { index: log.lastIndex + 1, key, value };
      log.append(entry);
      // Ship before the local fsync: the two overlap, and a follower never waits for the leader's disk.
      for (const f of config.followers) env.send(f, { type: 'append', entries: [entry] } satisfies AppendMessage);
      await log.sync();
      if (config.ackMode === 'async' || satisfied(entry.index)) return;
      await new Promise<void>((resolve) => {
        waiting.set(entry.index, resolve);
        // Degrade rather than stall: past the timeout the write is acknowledged as async.
        // (Resolving a second time, when a follower confirms later, does nothing.)
        if (config.ackMode === 'semi-sync') env.setTimer(config.semiSyncTimeoutMs, resolve);
      });
    },
    onMessage(from, message) {
      const ack = message as AckMessage;
      if (ack?.type !== 'ack' || !durable.has(from)) return;
      durable.set(from, Math.max(durable.get(from)!, ack.durableIndex));
      reported.set(from, ack.lastIndex);
      release();
    },
  };
}

function follower(config: GroupConfig, env: ReplicaEnv): Replica {
  const { log } = env;
  /** Entries that arrived ahead of a gap, waiting for the ones before them. */
  const early = new Map<number, Entry>();

  const report = (): void =>
    env.send(config.leader, { type: 'ack', lastIndex: log.lastIndex, durableIndex: log.durableIndex } satisfies AckMessage);

  return {
    write() {
      return Promise.reject(new Error(`${env.name} is a follower; writes go to ${config.leader}`));
    },
    onMessage(_from, message) {
      const append = message as AppendMessage;
      if (append?.type !== 'append') return;
      for (const entry of append.entries) if (entry.index > log.lastIndex) early.set(entry.index, entry);
      const before = log.lastIndex;
      while (early.has(log.lastIndex + 1)) {
        const entry = early.get(log.lastIndex + 1)!;
        early.delete(entry.index);
        log.append(entry);
      }
      if (log.lastIndex === before) {
        // Nothing new in order: say where the log ends, so that the leader re-sends from there.
        report();
        return;
      }
      void log.sync().then(report);
    },
  };
}
