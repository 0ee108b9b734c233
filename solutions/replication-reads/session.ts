import type { CreateSession, ReplicaInfo, Session, SessionEnv } from './types.ts';

/**
 * Carries one token: the highest log index this session depends on, from its own writes
 * and from what its reads have shown. A read asks a replica for at least that index; the
 * nearest follower first, then the other replicas by distance, the leader last.
 */
export const createSession: CreateSession = (env: SessionEnv): Session => {
  let token = 0;
  const rank = (r: ReplicaInfo): number => (r.zone === env.zone ? 0 : 1) + (r.role === 'leader' ? 2 : 0);
  const order = [...env.replicas].sort((a, b) => rank(a) - rank(b));

  return {
    async write(key, value) {
      const { index } = await env.write(key, value);
      token = Math.max(token, index);
    },
    async read(key) {
      let lastError: unknown;
      for (const replica of order) {
        try {
          const reply = await env.read(replica.name, key, token);
          token = Math.max(token, reply.index);
          return reply.value;
        } catch (error) {
          // Behind (a BehindError), down or cut off: the next replica may do.
          lastError = error;
        }
      }
      throw lastError;
    },
  };
};
