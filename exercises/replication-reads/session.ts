import type { CreateSession, Session, SessionEnv } from './types.ts';

/**
 * A first session: writes go to the leader, and each read goes to the nearest replica,
 * which answers with whatever its log holds. Fast, and it reads from followers. But a
 * follower can be behind, so the session may not see its own write, and two reads from two
 * replicas can go back in time.
 */
export const createSession: CreateSession = (env: SessionEnv): Session => {
  const nearest = env.replicas.find((r) => r.zone === env.zone) ?? env.replicas[0]!;
  return {
    async write(key, value) {
      await env.write(key, value);
    },
    async read(key) {
      const reply = await env.read(nearest.name, key, 0);
      return reply.value;
    },
  };
};
