/**
 * Lease reads as a layer over your log server of "The log" (see types.ts for the rules, and
 * cluster.ts for how it is run and measured).
 *
 * `withLease` wraps the server: the layer sees every message before your server does, every
 * message your server sends (through the `env` it hands it), and every client command. Gets
 * it answers from the store skip the log; everything else goes to your server as before.
 *
 * This starter is a lease written the obvious way: each time a follower answers an Append, the
 * leader notes the time, and while a majority has answered within the last minimum election
 * timeout (150 ms) it answers gets from its own store. It is fast. It is also wrong on clocks
 * that drift, and in two other ways: find them, and keep it fast.
 */
import type { LeaseLayer } from './types.ts';

export const withLease: LeaseLayer = (createServer) => (config, env) => {
  const others = config.servers.filter((s) => s !== config.name);
  const majority = Math.floor(config.servers.length / 2) + 1;
  /** The term this server last sent Appends in: it leads while its term is still that one. */
  let ledTerm = 0;
  /** When each follower last answered (this server's clock). */
  const answeredAt = new Map<string, number>();

  const server = createServer(config, {
    ...env,
    send(to, message) {
      if (message.type === 'append' && message.term !== ledTerm) {
        ledTerm = message.term;
        answeredAt.clear();
      }
      env.send(to, message);
    },
  });

  /** Whether a majority (this server included) has answered within the minimum election timeout. */
  const leaseHolds = (): boolean => {
    if (ledTerm !== env.disk.term) return false;
    const recent = others.filter((s) => env.now() - (answeredAt.get(s) ?? -Infinity) < config.electionTimeoutMs.min).length;
    return recent + 1 >= majority;
  };

  return {
    onMessage(from, message) {
      if (message.type === 'appendReply' && message.term === ledTerm) answeredAt.set(from, env.now());
      server.onMessage(from, message);
    },

    onClient(command) {
      if (command.kind === 'get' && leaseHolds()) return Promise.resolve(env.read(command.key));
      return server.onClient(command);
    },
  };
};
