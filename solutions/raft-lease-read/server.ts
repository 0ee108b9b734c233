/**
 * Raft with lease reads: the server of "The log", and gets answered by the leader from its own
 * store, without a trip through the log, while it holds a lease.
 *
 * - Every Append carries a `seq`, and the leader notes when (on its clock) it sent each one. A
 *   follower echoes the `seq`, so each answer, success or refusal, proves that the follower
 *   accepted this leader's term at some moment after that send.
 * - The lease starts at the latest send time that a majority (the leader included, at "now")
 *   has answered, and lasts the minimum election timeout shrunk by the worst clock ratio:
 *   150 × (1 − d) / (1 + d) ms of the leader's clock, 122.7 ms with d = 0.1. A leader clock at
 *   the slowest rate stretches that to at most 150 / (1 + d) ms of true time, the soonest a
 *   follower at the fastest rate can stand.
 * - A follower ignores a vote request that arrives within the minimum election timeout of
 *   hearing from the leader, so no majority votes anyone else in while the lease runs.
 * - The leader reads from its store only once an entry of its own term is committed and
 *   applied: before that, its store may lack entries an earlier leader committed.
 * - Anything else goes through the log, as before.
 */
import { MAX_CLOCK_DRIFT, type Command, type CreateRaftServer, type Entry, type RaftMessage } from './types.ts';

/** Most entries in one Append. */
const MAX_BATCH = 500;
/** The worst ratio between two clocks' rates. */
const SKEW = (1 - MAX_CLOCK_DRIFT) / (1 + MAX_CLOCK_DRIFT);

export const createServer: CreateRaftServer = (config, env) => {
  const { disk } = env;
  const { log } = disk;
  const others = config.servers.filter((s) => s !== config.name);
  const majority = Math.floor(config.servers.length / 2) + 1;
  let role: 'follower' | 'candidate' | 'leader' = 'follower';
  let leader: string | null = null;
  let votes = new Set<string>();
  let commitIndex = 0;
  let lastApplied = 0;
  let electionTimer: number | undefined;
  let heartbeatTimer: number | undefined;
  /** Leader only: per follower, the next index to send and the highest known to match. */
  const nextIndex = new Map<string, number>();
  const matchIndex = new Map<string, number>();
  /** Leader only: the highest index durable on this server's own disk. */
  let durableIndex = 0;
  let round = false;
  /** Leader only: when each Append was sent, by seq, and the latest send each follower has answered. */
  let seq = 0;
  const sentAt = new Map<number, number>();
  const answered = new Map<string, number>();
  /** Leader only: the index of its first entry of its term (the noop). */
  let termStart = Infinity;
  /** When this server last heard from the leader of its term (its own clock). */
  let heardLeaderAt = -Infinity;
  const leaseMs = config.electionTimeoutMs.min * SKEW;
  /** Clients waiting for their entry, by index. */
  const waiting = new Map<number, { term: number; resolve: (value: string | null) => void }>();

  // One fsync in flight and at most one more queued behind it: writes made while a sync
  // runs are all covered by the next one.
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const durable = (): Promise<void> => {
    if (queued !== undefined) return queued;
    if (inFlight === undefined) {
      inFlight = disk.sync().then(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    queued = inFlight.then(() => {
      queued = undefined;
      return durable();
    });
    return queued;
  };

  const waitForLeader = (): void => {
    if (electionTimer !== undefined) env.cancelTimer(electionTimer);
    const { min, max } = config.electionTimeoutMs;
    electionTimer = env.setTimer(min + env.random() * (max - min), () => void stand());
  };

  const follow = (from: string | null): void => {
    role = 'follower';
    leader = from;
    if (heartbeatTimer !== undefined) env.cancelTimer(heartbeatTimer);
    heartbeatTimer = undefined;
  };

  const lastTerm = (): number => log.termAt(log.lastIndex) ?? 0;

  const stand = async (): Promise<void> => {
    follow(null);
    role = 'candidate';
    disk.setTerm(disk.term + 1, config.name);
    votes = new Set([config.name]);
    waitForLeader();
    const term = disk.term;
    await durable();
    if (disk.term !== term || role !== 'candidate') return;
    for (const s of others) env.send(s, { type: 'requestVote', term, lastIndex: log.lastIndex, lastTerm: lastTerm() });
  };

  const applyCommitted = (): void => {
    while (lastApplied < commitIndex) {
      lastApplied++;
      const result = env.apply(lastApplied);
      const client = waiting.get(lastApplied);
      if (client !== undefined) {
        waiting.delete(lastApplied);
        // The entry at this index is the client's only if its term is the one it was appended in.
        if (log.termAt(lastApplied) === client.term) client.resolve(result);
      }
    }
  };

  const sendTo = (follower: string): void => {
    const next = nextIndex.get(follower)!;
    const prevIndex = next - 1;
    const entries = log.slice(next, Math.min(log.lastIndex, next + MAX_BATCH - 1));
    sentAt.set(++seq, env.now());
    env.send(follower, { type: 'append', term: disk.term, prevIndex, prevTerm: log.termAt(prevIndex) ?? 0, entries, commitIndex, seq });
    nextIndex.set(follower, next + entries.length);
  };

  const advanceCommit = (): void => {
    const matches = [durableIndex, ...others.map((s) => matchIndex.get(s) ?? 0)].sort((a, b) => b - a);
    const candidate = matches[majority - 1]!;
    // Only an entry of the current term is committed by counting copies (Figure 8).
    if (candidate > commitIndex && log.termAt(candidate) === disk.term) {
      commitIndex = candidate;
      applyCommitted();
    }
  };

  /** One round: send what is new, and make this server's own copy durable meanwhile. */
  const runRound = (): void => {
    if (round || role !== 'leader') return;
    round = true;
    const term = disk.term;
    const upTo = log.lastIndex;
    for (const s of others) if (nextIndex.get(s)! <= upTo) sendTo(s);
    void durable().then(() => {
      round = false;
      if (role !== 'leader' || disk.term !== term) return;
      durableIndex = Math.max(durableIndex, upTo);
      advanceCommit();
      if (log.lastIndex > upTo) runRound();
    });
  };

  /** Whether the lease holds now: a majority has answered Appends sent within the last `leaseMs`. */
  const leaseHolds = (): boolean => {
    const times = others.map((s) => answered.get(s) ?? -Infinity).sort((a, b) => b - a);
    // The leader counts itself: the other majority − 1 answers bound the lease.
    const start = times[majority - 2]!;
    return env.now() < start + leaseMs;
  };

  const lead = (): void => {
    role = 'leader';
    leader = config.name;
    answered.clear();
    sentAt.clear();
    if (electionTimer !== undefined) env.cancelTimer(electionTimer);
    electionTimer = undefined;
    for (const s of others) {
      nextIndex.set(s, log.lastIndex + 1);
      matchIndex.set(s, 0);
    }
    durableIndex = 0;
    log.append([{ term: disk.term, command: { kind: 'noop' } }]);
    termStart = log.lastIndex;
    const beat = (): void => {
      // Sends older than a lease can no longer start one.
      for (const [n, at] of sentAt) {
        if (at >= env.now() - leaseMs) break;
        sentAt.delete(n);
      }
      // A heartbeat resends everything a follower has not acknowledged.
      for (const s of others) {
        nextIndex.set(s, (matchIndex.get(s) ?? 0) + 1);
        sendTo(s);
      }
      heartbeatTimer = env.setTimer(config.heartbeatEveryMs, beat);
    };
    beat();
    runRound();
  };

  const onAppend = (from: string, m: Extract<RaftMessage, { type: 'append' }>): void => {
    if (m.term < disk.term) {
      env.send(from, { type: 'appendReply', term: disk.term, success: false, index: log.lastIndex });
      return;
    }
    if (role !== 'follower' || leader !== from) follow(from);
    waitForLeader();
    heardLeaderAt = env.now();
    const echo = m.seq === undefined ? {} : { seq: m.seq };
    if (m.prevIndex > log.lastIndex || log.termAt(m.prevIndex) !== m.prevTerm) {
      env.send(from, { type: 'appendReply', term: disk.term, success: false, index: Math.min(log.lastIndex, m.prevIndex - 1), ...echo });
      return;
    }
    // Keep what agrees, drop from the first conflict, append the rest.
    let i = 0;
    for (; i < m.entries.length; i++) {
      const at = m.prevIndex + 1 + i;
      const mine = log.termAt(at);
      if (mine === undefined) break;
      if (mine !== m.entries[i]!.term) {
        log.truncateAfter(at - 1);
        break;
      }
    }
    if (i < m.entries.length) log.append(m.entries.slice(i));
    const matched = m.prevIndex + m.entries.length;
    const leaderCommit = Math.min(m.commitIndex, matched);
    if (leaderCommit > commitIndex) {
      commitIndex = leaderCommit;
      applyCommitted();
    }
    const term = disk.term;
    void durable().then(() => {
      if (disk.term === term) env.send(from, { type: 'appendReply', term, success: true, index: matched, ...echo });
    });
  };

  const onAppendReply = (from: string, m: Extract<RaftMessage, { type: 'appendReply' }>): void => {
    if (role !== 'leader' || m.term !== disk.term) return;
    // Success or refusal, the follower took this leader's term when the Append arrived.
    const sent = m.seq === undefined ? undefined : sentAt.get(m.seq);
    if (sent !== undefined && sent > (answered.get(from) ?? -Infinity)) answered.set(from, sent);
    if (m.success) {
      if (m.index > (matchIndex.get(from) ?? 0)) matchIndex.set(from, m.index);
      if (nextIndex.get(from)! < m.index + 1) nextIndex.set(from, m.index + 1);
      advanceCommit();
    } else {
      // Back up to just after the follower's last entry (or one step), and try again.
      const back = Math.max((matchIndex.get(from) ?? 0) + 1, Math.min(nextIndex.get(from)! - 1, m.index + 1));
      nextIndex.set(from, back);
      sendTo(from);
    }
  };

  waitForLeader();
  return {
    onMessage(from, message) {
      // While the leader's lease may run, a vote for anyone else could elect a second leader
      // that commits writes the lease holder's reads would miss: ignore the request.
      if (message.type === 'requestVote' && env.now() - heardLeaderAt < config.electionTimeoutMs.min) return;
      if (message.term > disk.term) {
        disk.setTerm(message.term, null);
        follow(null);
        void durable();
      }
      switch (message.type) {
        case 'requestVote': {
          const upToDate = message.lastTerm > lastTerm() || (message.lastTerm === lastTerm() && message.lastIndex >= log.lastIndex);
          if (message.term < disk.term || !upToDate || (disk.votedFor !== null && disk.votedFor !== from)) {
            env.send(from, { type: 'vote', term: disk.term, granted: false });
            return;
          }
          disk.setTerm(disk.term, from);
          waitForLeader();
          const term = disk.term;
          void durable().then(() => {
            if (disk.term === term && disk.votedFor === from) env.send(from, { type: 'vote', term, granted: true });
          });
          return;
        }
        case 'vote':
          if (role === 'candidate' && message.term === disk.term && message.granted) {
            votes.add(from);
            if (votes.size >= majority) lead();
          }
          return;
        case 'append':
          onAppend(from, message);
          return;
        case 'appendReply':
          onAppendReply(from, message);
          return;
      }
    },

    onClient(command: Command): Promise<string | null> {
      if (role !== 'leader') env.refuse(leader);
      if (command.kind === 'get' && lastApplied >= termStart && leaseHolds()) return Promise.resolve(env.read(command.key));
      const entry: Entry = { term: disk.term, command };
      log.append([entry]);
      const index = log.lastIndex;
      const result = new Promise<string | null>((resolve) => waiting.set(index, { term: entry.term, resolve }));
      runRound();
      return result;
    },
  };
};
