/**
 * Your replica of the quorum store (see types.ts for what it must do, and store.ts for how
 * it is run and measured).
 *
 * This first version answers every request from its own copy and tells the others about
 * writes without waiting for them; the write with the later clock reading wins. It never
 * refuses, so it is always available; but a read on one replica misses a write made on
 * another a moment before, and replicas that miss a message never catch up. Make it keep
 * its promises, in both modes.
 */
import type { CreateStoreReplica } from './types.ts';

export const createReplica: CreateStoreReplica = (config, env) => {
  const peers = config.replicas.filter((r) => r !== config.name);
  /** The write with the later clock reading wins. */
  const keepIfNewer = (key: string, stored: { value: string; version: number }): void => {
    const held = env.store.read(key)?.version as number | undefined;
    if (held === undefined || stored.version > held) env.store.write(key, stored);
  };
  return {
    async get(key) {
      return env.store.read(key)?.value ?? null;
    },

    async put(key, value) {
      const stored = { value, version: env.now() };
      keepIfNewer(key, stored);
      for (const peer of peers) env.call(peer, { key, stored }, 50).catch(() => undefined);
    },

    onCall(_from, message) {
      const { key, stored } = message as { key: string; stored: { value: string; version: number } };
      keepIfNewer(key, stored);
      return true;
    },
  };
};
