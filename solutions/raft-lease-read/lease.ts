/**
 * Lease reads as a layer over the log server of "The log" (see types.ts for the rules).
 *
 * - Leader side: every Append the server sends in its current term gets a `seq`, and the
 *   layer notes when (on this server's clock) it left. A follower's answer echoing that `seq`,
 *   success or refusal, proves the follower accepted this leader's term at some moment after
 *   that send. The lease starts at the latest send that a majority (the leader included, at
 *   "now") has answered, and lasts the minimum election timeout shrunk by the worst ratio of
 *   two clocks: 150 × (1 − d) / (1 + d) ms of the leader's clock, 122.7 ms with d = 0.1. On the
 *   slowest clock that is at most 150 / (1 + d) ms of true time, the soonest a follower on the
 *   fastest clock can stop ignoring votes.
 * - Follower side: an answer to the leader echoes the latest `seq` heard from it in that term,
 *   and a vote request within the minimum election timeout of hearing from a current leader is
 *   ignored, so no majority elects anyone else while the lease runs. A server that has just
 *   started may have answered a leader before it crashed, so it counts its start as hearing
 *   one.
 * - A get is answered from the store only while the lease holds and an entry of the leader's
 *   own term is applied (before that, the store may lack puts an earlier leader committed).
 *   Everything else goes to the log server.
 */
import { MAX_CLOCK_DRIFT, type LeaseLayer } from './types.ts';

export const withLease: LeaseLayer = (createServer) => (config, env) => {
  const { disk } = env;
  const others = config.servers.filter((s) => s !== config.name);
  const majority = Math.floor(config.servers.length / 2) + 1;
  const minTimeoutMs = config.electionTimeoutMs.min;
  const leaseMs = (minTimeoutMs * (1 - MAX_CLOCK_DRIFT)) / (1 + MAX_CLOCK_DRIFT);

  /** The term this server last sent Appends in: it leads while its term is still that one. */
  let ledTerm = 0;
  let nextSeq = 1;
  /** When each Append left, by seq (unique to this start of the server), oldest first. */
  const sentAt = new Map<number, number>();
  /** Per follower, the latest send of `ledTerm` it has answered. */
  const answered = new Map<string, number>();
  let lastApplied = 0;

  /** When this server last heard from a current leader; its start counts. */
  let heardLeaderAt = env.now();
  /** Per leader, the latest seq heard from it and the term of that Append. */
  const heardSeq = new Map<string, { term: number; seq: number }>();

  const server = createServer(config, {
    ...env,
    send(to, message) {
      if (message.type === 'append') {
        // Only a leader sends Appends, in its current term.
        if (message.term !== ledTerm) {
          ledTerm = message.term;
          answered.clear();
        }
        const now = env.now();
        // Sends older than a lease can no longer start one.
        for (const [seq, at] of sentAt) {
          if (at >= now - leaseMs) break;
          sentAt.delete(seq);
        }
        const seq = nextSeq++;
        sentAt.set(seq, now);
        env.send(to, { ...message, seq });
        return;
      }
      if (message.type === 'appendReply') {
        const heard = heardSeq.get(to);
        if (heard !== undefined && heard.term === message.term) {
          env.send(to, { ...message, seq: heard.seq });
          return;
        }
      }
      env.send(to, message);
    },
    apply(index) {
      const result = env.apply(index);
      lastApplied = index;
      return result;
    },
  });

  const leaseHolds = (): boolean => {
    if (ledTerm !== disk.term || disk.log.termAt(lastApplied) !== disk.term) return false;
    const times = others.map((s) => answered.get(s) ?? -Infinity).sort((a, b) => b - a);
    // The leader counts itself: the other majority − 1 answers bound the lease.
    return env.now() < times[majority - 2]! + leaseMs;
  };

  return {
    onMessage(from, message) {
      switch (message.type) {
        case 'append':
          if (message.term >= disk.term) {
            heardLeaderAt = env.now();
            if (message.seq !== undefined) heardSeq.set(from, { term: message.term, seq: message.seq });
          }
          break;
        case 'appendReply': {
          // An answer in the term this server last led, echoing one of its sends (seqs start at 1).
          const at = message.term === ledTerm ? sentAt.get(message.seq ?? 0) : undefined;
          if (at !== undefined && at > (answered.get(from) ?? -Infinity)) answered.set(from, at);
          break;
        }
        case 'requestVote':
          // While a leader's lease may run, a vote for anyone else could elect a second leader
          // that commits puts the lease holder's reads would miss: ignore the request.
          if (env.now() - heardLeaderAt < minTimeoutMs) return;
          break;
      }
      server.onMessage(from, message);
    },

    onClient(command) {
      if (command.kind === 'get' && leaseHolds()) return Promise.resolve(env.read(command.key));
      return server.onClient(command);
    },
  };
};
