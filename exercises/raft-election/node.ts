/**
 * Your server's election logic (see types.ts for what it must do, and cluster.ts for how it
 * is run and measured).
 *
 * This first version elects leaders, most of the time. A follower that hears no heartbeat
 * for 150 ms stands in the next term and leads once it has counted three votes; every
 * server votes for any candidate whose term is not behind its own. Nothing is saved, every
 * timeout is the same 150 ms, and a vote that arrives twice counts twice. Make it safe
 * under every fault the tests throw at it, and quick to elect.
 */
import type { CreateElectionNode } from './types.ts';

export const createNode: CreateElectionNode = (config, env) => {
  const others = config.servers.filter((s) => s !== config.name);
  let term = 0;
  let role: 'follower' | 'candidate' | 'leader' = 'follower';
  let votes = 0;
  let timer: number | undefined;

  const waitForLeader = (): void => {
    if (timer !== undefined) env.cancelTimer(timer);
    timer = env.setTimer(config.electionTimeoutMs.min, stand);
  };
  const stand = (): void => {
    term += 1;
    role = 'candidate';
    votes = 1;
    for (const server of others) env.send(server, { type: 'requestVote', term });
    waitForLeader();
  };
  const lead = (): void => {
    role = 'leader';
    if (timer !== undefined) env.cancelTimer(timer);
    const beat = (): void => {
      if (role !== 'leader') return;
      for (const server of others) env.send(server, { type: 'heartbeat', term });
      env.setTimer(config.heartbeatEveryMs, beat);
    };
    beat();
  };

  waitForLeader();
  return {
    onMessage(from, message) {
      if (message.term > term) {
        term = message.term;
        role = 'follower';
      }
      if (message.type === 'requestVote') {
        env.send(from, { type: 'vote', term, granted: message.term >= term });
      } else if (message.type === 'vote') {
        if (role === 'candidate' && message.term === term && message.granted) {
          votes += 1;
          if (votes >= 3) lead();
        }
      } else if (message.type === 'heartbeat') {
        if (message.term >= term) {
          role = 'follower';
          waitForLeader();
        }
      }
    },
  };
};
