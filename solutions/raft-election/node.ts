/**
 * Leader election as in Raft (§5.2 of the paper).
 *
 * - Every server keeps `term` and `votedFor`, and saves them before anything it sends
 *   depends on them: its vote, and, as a candidate, its request for votes (it voted for
 *   itself).
 * - A follower waits an election timeout drawn anew, uniformly from the whole range, after
 *   every heartbeat of its term and every vote it grants; when it ends, the server stands in
 *   the next term.
 * - A server grants one vote per term, to the first candidate that asks; a candidate counts
 *   distinct voters of its current term and leads at a majority, sending heartbeats at once
 *   and every `heartbeatEveryMs`.
 * - Any message of a higher term makes a server adopt the term and follow, whatever it was.
 */
import type { CreateElectionNode, ElectionMessage } from './types.ts';

export const createNode: CreateElectionNode = (config, env) => {
  const others = config.servers.filter((s) => s !== config.name);
  const majority = Math.floor(config.servers.length / 2) + 1;
  let term = env.saved?.term ?? 0;
  let votedFor = env.saved?.votedFor ?? null;
  let role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** The distinct servers that voted for this candidate in `term`, itself included. */
  let votes = new Set<string>();
  let electionTimer: number | undefined;
  let heartbeatTimer: number | undefined;

  const save = (): Promise<void> => env.save({ term, votedFor });
  const send = (to: string, message: ElectionMessage): void => env.send(to, message);

  const waitForLeader = (): void => {
    if (electionTimer !== undefined) env.cancelTimer(electionTimer);
    const { min, max } = config.electionTimeoutMs;
    electionTimer = env.setTimer(min + env.random() * (max - min), () => void stand());
  };

  const follow = (): void => {
    role = 'follower';
    if (heartbeatTimer !== undefined) env.cancelTimer(heartbeatTimer);
    heartbeatTimer = undefined;
  };

  const stand = async (): Promise<void> => {
    term += 1;
    votedFor = config.name;
    role = 'candidate';
    votes = new Set([config.name]);
    waitForLeader();
    const standing = term;
    await save();
    // A higher term may have arrived while the vote was being saved.
    if (term !== standing || role !== 'candidate') return;
    for (const server of others) send(server, { type: 'requestVote', term });
  };

  const lead = (): void => {
    role = 'leader';
    if (electionTimer !== undefined) env.cancelTimer(electionTimer);
    electionTimer = undefined;
    const beat = (): void => {
      for (const server of others) send(server, { type: 'heartbeat', term });
      heartbeatTimer = env.setTimer(config.heartbeatEveryMs, beat);
    };
    beat();
  };

  waitForLeader();
  return {
    onMessage(from, message) {
      if (message.term > term) {
        term = message.term;
        votedFor = null;
        follow();
        void save();
        // Not waitForLeader() here: a stale candidate's higher term must not keep pushing this
        // server's own candidacy back, or a partitioned server could delay every election.
      }
      switch (message.type) {
        case 'requestVote': {
          if (message.term < term || (votedFor !== null && votedFor !== from)) {
            send(from, { type: 'vote', term, granted: false });
            return;
          }
          votedFor = from;
          waitForLeader();
          const voted = term;
          void save().then(() => {
            if (term === voted && votedFor === from) send(from, { type: 'vote', term: voted, granted: true });
          });
          return;
        }
        case 'vote':
          if (role === 'candidate' && message.term === term && message.granted) {
            votes.add(from);
            if (votes.size >= majority) lead();
          }
          return;
        case 'heartbeat':
          if (message.term === term) {
            // A candidate that hears the leader of its own term gives up.
            if (role !== 'follower') follow();
            waitForLeader();
          }
          send(from, { type: 'heartbeatReply', term });
          return;
        case 'preVote':
          send(from, { type: 'preVoteReply', term, granted: false });
          return;
        default:
          return;
      }
    },
  };
};
