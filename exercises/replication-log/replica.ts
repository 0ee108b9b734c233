import type { CreateReplica, Entry, GroupConfig, Replica, ReplicaEnv } from './types.ts';

/**
 * One replica of a leader-follower group. This starter replicates, but naively:
 *
 * - the leader acknowledges every write once it is on its own disk, whatever
 *   `config.ackMode` says (so in every mode it behaves as `async`);
 * - it sends each entry to each follower once, and never again;
 * - a follower appends an entry only if it is the very next one, and drops anything else,
 *   so one message that overtakes another (or is lost) stops it for good;
 * - followers never tell the leader how far they have got.
 *
 * Make it keep its promises (see the tests): followers that apply every entry in order
 * and say what they have on disk, a leader that re-sends what a follower is missing, and
 * acknowledgements that wait for the followers the mode asks for (semi-sync: one, within
 * `config.semiSyncTimeoutMs`; sync: all).
 */
export const createReplica: CreateReplica = (config: GroupConfig, env: ReplicaEnv): Replica => {
  const { log } = env;

  if (env.name !== config.leader) {
    return {
      write() {
        return Promise.reject(new Error(`${env.name} is a follower; writes go to ${config.leader}`));
      },
      onMessage(_from, message) {
        const entry = message as Entry;
        if (entry.index !== log.lastIndex + 1) return;
        log.append(entry);
        void log.sync();
      },
    };
  }

  return {
    async write(key, value) {
      const entry: Entry = { index: log.lastIndex + 1, key, value };
      log.append(entry);
      for (const follower of config.followers) env.send(follower, entry);
      await log.sync();
    },
    onMessage() {
      // The starter's followers never write back.
    },
  };
};
