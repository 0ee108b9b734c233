/**
 * A replica of the quorum store. Every value carries a version `{ t, by }`, ordered by `t`
 * and then by the writer's name, so that any two versions compare the same way everywhere.
 *
 * - CP: a write first asks a majority for the highest version of the key, then stores
 *   the value with the next one on a majority; a read asks a majority, takes the highest
 *   version, and writes it back to a majority before answering (so that no later read can
 *   see an older value), unless a majority answered with that version already. A coordinator that has not heard from a majority lately refuses
 *   at once, before it sends anything.
 * - AP: a write is stamped with the coordinator's clock and stored locally, then sent to
 *   everyone; a read answers from the replicas that answer first. The highest version wins
 *   everywhere (last writer wins).
 * - Both: every replica pings the others, and a few times a second pushes to each what it
 *   changed since that one last acknowledged a push, so replicas that missed writes catch
 *   up once they can talk again.
 */
import type { CreateStoreReplica, StoreEnv, Stored } from './types.ts';

interface Version {
  readonly t: number;
  readonly by: string;
}

/** How long a call waits for an answer. */
const CALL_TIMEOUT_MS = 50;
/** How often replicas ping each other. */
const PING_EVERY_MS = 50;
/** A replica not heard from for this long counts as out of reach. */
const SILENT_AFTER_MS = 150;
/** How often a replica pushes what it holds to the others. */
const SYNC_EVERY_MS = 200;

const newer = (a: Version | undefined, b: Version | undefined): boolean =>
  a !== undefined && (b === undefined || a.t > b.t || (a.t === b.t && a.by > b.by));

export const createReplica: CreateStoreReplica = (config, env) => {
  const peers = config.replicas.filter((r) => r !== config.name);
  const majority = Math.floor(config.replicas.length / 2) + 1;
  // Every peer counts as heard at start, so that the first requests are not refused
  // before the first round of pings has had time to answer.
  const lastHeard = new Map<string, number>(peers.map((p) => [p, env.now()]));
  /** The highest version counter this replica has handed out: two writes it coordinates at once never share a version. */
  let issued = 0;

  const versionOf = (stored: Stored | undefined): Version | undefined => stored?.version as Version | undefined;
  /**
   * Per peer, the keys this replica changed since that peer last acknowledged a push of
   * them: a push carries only those, so a replica cut off for a while still gets everything
   * it missed with the first push that reaches it.
   */
  const unsent = new Map<string, Set<string>>(peers.map((p) => [p, new Set()]));
  /** Keeps `stored` if it is newer than what this replica holds. */
  const adopt = (key: string, stored: Stored): void => {
    if (!newer(versionOf(stored), versionOf(env.store.read(key)))) return;
    env.store.write(key, stored);
    for (const keys of unsent.values()) keys.add(key);
  };
  const reachable = (): number => {
    const now = env.now();
    return 1 + peers.filter((p) => now - (lastHeard.get(p) ?? -Infinity) <= SILENT_AFTER_MS).length;
  };

  /**
   * Sends `message` to every peer and resolves with this replica's own answer and the
   * first `need - 1` others, or rejects once that many can no longer arrive.
   */
  const quorum = <T>(need: number, own: T, message: unknown): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const answers: T[] = [own];
      let failed = 0;
      if (answers.length >= need) resolve(answers);
      for (const peer of peers) {
        env.call(peer, message, CALL_TIMEOUT_MS).then(
          (answer) => {
            lastHeard.set(peer, env.now());
            answers.push(answer as T);
            if (answers.length === need) resolve(answers);
          },
          () => {
            failed++;
            if (peers.length - failed + 1 < need) reject(new Error(`only ${answers.length} of the ${need} replicas needed answered`));
          },
        );
      }
    });

  const ping = (): void => {
    for (const peer of peers) {
      env.call(peer, { kind: 'ping' }, CALL_TIMEOUT_MS).then(
        () => lastHeard.set(peer, env.now()),
        () => undefined,
      );
    }
    env.setTimer(PING_EVERY_MS, ping);
  };
  const push = (): void => {
    for (const peer of peers) {
      const keys = unsent.get(peer)!;
      if (keys.size === 0) continue;
      unsent.set(peer, new Set());
      const all: Record<string, Stored> = {};
      for (const key of keys) all[key] = env.store.read(key)!;
      env.call(peer, { kind: 'sync', all }, CALL_TIMEOUT_MS).catch(() => {
        // Not acknowledged: send these keys again with the next push.
        for (const key of keys) unsent.get(peer)!.add(key);
      });
    }
    env.setTimer(SYNC_EVERY_MS, push);
  };
  env.setTimer(0, ping);
  env.setTimer(SYNC_EVERY_MS, push);

  const refuseWithoutMajority = (e: StoreEnv): void => {
    if (reachable() < majority) e.refuse(`${config.name} has not heard from a majority of the replicas lately`);
  };

  return {
    async get(key) {
      if (config.mode === 'cp') refuseWithoutMajority(env);
      let answers: (Stored | null)[];
      try {
        answers = await quorum<Stored | null>(config.r, env.store.read(key) ?? null, { kind: 'read', key });
      } catch (error) {
        // A read that found no quorum changed nothing: refusing it is the truth.
        return env.refuse((error as Error).message);
      }
      let latest: Stored | undefined;
      for (const a of answers) if (a !== null && newer(versionOf(a), versionOf(latest))) latest = a;
      if (latest === undefined) return null;
      if (config.mode === 'cp') {
        // Write the value back to a majority, so that no later read finds an older one,
        // unless a majority answered with it already: then every later quorum meets one.
        adopt(key, latest);
        const holding = answers.filter((a) => a !== null && !newer(versionOf(latest), versionOf(a))).length;
        if (holding < majority) await quorum<boolean>(config.w, true, { kind: 'write', key, stored: latest });
      } else {
        adopt(key, latest);
      }
      return latest.value;
    },

    async put(key, value) {
      let version: Version;
      if (config.mode === 'cp') {
        refuseWithoutMajority(env);
        let answers: (Version | null)[];
        try {
          answers = await quorum<Version | null>(config.r, versionOf(env.store.read(key)) ?? null, { kind: 'version', key });
        } catch (error) {
          // Nothing has been stored yet: the write surely did not happen.
          return env.refuse((error as Error).message);
        }
        issued = Math.max(issued, ...answers.map((v) => v?.t ?? 0)) + 1;
        version = { t: issued, by: config.name };
      } else {
        version = { t: env.now(), by: config.name };
      }
      const stored: Stored = { value, version };
      adopt(key, stored);
      // From here on some replica may hold the value: a failure is an unknown outcome.
      await quorum<boolean>(config.w, true, { kind: 'write', key, stored });
    },

    onCall(from, message) {
      lastHeard.set(from, env.now());
      const m = message as { kind: string; key: string; stored: Stored; all: Record<string, Stored> };
      switch (m.kind) {
        case 'ping':
          return true;
        case 'read':
          return env.store.read(m.key) ?? null;
        case 'version':
          return versionOf(env.store.read(m.key)) ?? null;
        case 'write':
          adopt(m.key, m.stored);
          return true;
        case 'sync':
          for (const [key, stored] of Object.entries(m.all)) adopt(key, stored);
          return true;
        default:
          throw new Error(`unknown message ${JSON.stringify(m.kind)}`);
      }
    },
  };
};
