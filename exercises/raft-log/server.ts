/**
 * Your Raft server (see types.ts for what it must do, and cluster.ts for how it is run and
 * measured).
 *
 * The election is the one from "Leader election", and it works, except that it grants votes
 * without looking at the candidate's log. The replication is naive: the leader commits a
 * command the moment it sends it, followers append whatever arrives without checking that
 * their logs agree with the leader's, and nothing is synced to disk. On a quiet network
 * that looks fine. Make it keep every command it acknowledged, through crashes and
 * partitions, and fast.
 */
import type { Command, CreateRaftServer } from './types.ts';

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
  const stand = async (): Promise<void> => {
    follow(null);
    role = 'candidate';
    disk.setTerm(disk.term + 1, config.name);
    votes = new Set([config.name]);
    waitForLeader();
    const term = disk.term;
    await disk.sync();
    if (disk.term !== term || role !== 'candidate') return;
    for (const s of others) env.send(s, { type: 'requestVote', term, lastIndex: log.lastIndex, lastTerm: log.termAt(log.lastIndex) ?? 0 });
  };
  const applyCommitted = (): string | null => {
    let result: string | null = null;
    while (lastApplied < Math.min(commitIndex, log.lastIndex)) result = env.apply(++lastApplied);
    return result;
  };
  const lead = (): void => {
    role = 'leader';
    leader = config.name;
    if (electionTimer !== undefined) env.cancelTimer(electionTimer);
    const beat = (): void => {
      for (const s of others) {
        env.send(s, { type: 'append', term: disk.term, prevIndex: log.lastIndex, prevTerm: log.termAt(log.lastIndex) ?? 0, entries: [], commitIndex });
      }
      heartbeatTimer = env.setTimer(config.heartbeatEveryMs, beat);
    };
    beat();
  };

  waitForLeader();
  return {
    onMessage(from, message) {
      if (message.term > disk.term) {
        disk.setTerm(message.term, null);
        follow(null);
      }
      if (message.type === 'requestVote') {
        if (message.term < disk.term || (disk.votedFor !== null && disk.votedFor !== from)) {
          env.send(from, { type: 'vote', term: disk.term, granted: false });
          return;
        }
        disk.setTerm(disk.term, from);
        waitForLeader();
        const term = disk.term;
        void disk.sync().then(() => {
          if (disk.term === term && disk.votedFor === from) env.send(from, { type: 'vote', term, granted: true });
        });
      } else if (message.type === 'vote') {
        if (role === 'candidate' && message.term === disk.term && message.granted) {
          votes.add(from);
          if (votes.size >= majority) lead();
        }
      } else if (message.type === 'append') {
        if (message.term < disk.term) return;
        follow(from);
        waitForLeader();
        // Whatever arrives is appended, and counted as agreeing.
        log.append(message.entries);
        commitIndex = Math.max(commitIndex, message.commitIndex);
        applyCommitted();
        env.send(from, { type: 'appendReply', term: disk.term, success: true, index: log.lastIndex });
      }
    },

    async onClient(command: Command) {
      if (role !== 'leader') env.refuse(leader);
      log.append([{ term: disk.term, command }]);
      for (const s of others) {
        const prevIndex = log.lastIndex - 1;
        env.send(s, { type: 'append', term: disk.term, prevIndex, prevTerm: log.termAt(prevIndex) ?? 0, entries: [log.entry(log.lastIndex)!], commitIndex });
      }
      // Committed as soon as it is sent.
      commitIndex = log.lastIndex;
      return applyCommitted();
    },
  };
};
