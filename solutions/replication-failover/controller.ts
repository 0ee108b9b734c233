import type { Controller, ControllerConfig, ControllerEnv, CreateController, Heartbeat, Position } from './types.ts';

/** A failover under way: the epoch it creates, and the positions of the replicas fenced with it so far. */
interface Failover {
  readonly epoch: number;
  readonly positions: Map<string, Position>;
}

export const createController: CreateController = (config: ControllerConfig, env: ControllerEnv): Controller => {
  const majority = Math.floor(config.replicas.length / 2) + 1;
  /** The newest epoch, and who leads it (undefined while a failover is choosing). */
  let epoch = 1;
  let leader: string | undefined = config.leader;
  /** Where each epoch's leader's log ended when it was promoted. */
  const starts = new Map<number, number>([[1, 0]]);
  /** The last position each replica reported. */
  const known = new Map<string, Position>();
  let failover: Failover | undefined;
  let deadline = 0;

  /** The leader is dead if nothing is heard from it for failAfterMs: one timer, pushed back by every heartbeat. */
  function expectHeartbeat(): void {
    env.cancelTimer(deadline);
    deadline = env.setTimer(config.failAfterMs, begin);
  }

  function begin(): void {
    if (failover !== undefined) return;
    env.cancelTimer(deadline);
    // Fence first, then read positions: a fenced replica's log can no longer grow, so the
    // positions cannot go stale between reading them and choosing.
    epoch += 1;
    leader = undefined;
    failover = { epoch, positions: new Map() };
    for (const r of config.replicas) env.send(r, { kind: 'fence', epoch });
  }

  /**
   * Every heartbeat interval, re-sends what may have been lost: the fence to replicas that
   * have not answered it, and, outside a failover, the fence of the current epoch to any
   * replica not known to be in its place (its answer says what it lacks).
   */
  function tick(): void {
    for (const r of config.replicas) {
      if (failover !== undefined) {
        if (!failover.positions.has(r)) env.send(r, { kind: 'fence', epoch: failover.epoch });
      } else if (r !== leader) {
        const p = known.get(r);
        if (p === undefined || p.epoch !== epoch || p.role !== 'follower' || p.leader !== leader) env.send(r, { kind: 'fence', epoch });
      }
    }
    env.setTimer(config.heartbeatEveryMs, tick);
  }

  /**
   * Where a replica's log stops agreeing with the current leader's: its entries of
   * `lastEpoch` match up to where the first later leader started, at the latest.
   */
  function fromIndexFor(p: Position): number {
    let from = p.lastIndex;
    for (const [e, start] of starts) if (e > p.lastEpoch) from = Math.min(from, start);
    return from;
  }

  /** Ahead means a later epoch's log, or the same epoch's log and longer. */
  const ahead = (a: Position, b: Position): boolean =>
    a.lastEpoch !== b.lastEpoch ? a.lastEpoch > b.lastEpoch : a.lastIndex > b.lastIndex;

  function choose(f: Failover): void {
    let best: [string, Position] | undefined;
    for (const entry of f.positions) if (best === undefined || ahead(entry[1], best[1])) best = entry;
    const [winner, position] = best!;
    failover = undefined;
    leader = winner;
    starts.set(f.epoch, position.lastIndex);
    env.send(winner, { kind: 'promote', epoch: f.epoch });
    for (const [r, p] of f.positions) if (r !== winner) env.send(r, { kind: 'follow', epoch: f.epoch, leader: winner, fromIndex: fromIndexFor(p) });
    // The others are fenced again by the next tick, and told when they answer. The new leader has failAfterMs to start its heartbeats.
    expectHeartbeat();
  }

  /** Tells a replica its role in the current epoch, unless its position says it has it already. */
  function assign(from: string, p: Position): void {
    if (leader === undefined) return;
    if (from === leader) {
      // The leader has lost its role: it restarted, or never got its promotion. Its log may
      // end before what it shipped, so leading again in this epoch could put two different
      // entries at one index. Choose again, in a new epoch.
      if (p.epoch === epoch && p.role !== 'leader') begin();
    } else if (p.epoch !== epoch || p.role !== 'follower' || p.leader !== leader) {
      env.send(from, { kind: 'follow', epoch, leader, fromIndex: fromIndexFor(p) });
    }
  }

  expectHeartbeat();
  env.setTimer(config.heartbeatEveryMs, tick);

  return {
    onHeartbeat(from: string, heartbeat: Heartbeat) {
      if (heartbeat.epoch === epoch && from === leader) {
        expectHeartbeat();
        return;
      }
      // A leader of an older epoch is still alive: fence it, and its answer tells us how to bring it back.
      if (heartbeat.epoch < epoch) env.send(from, { kind: 'fence', epoch });
    },
    onPosition(from: string, position: Position) {
      known.set(from, position);
      if (failover !== undefined) {
        if (position.epoch === failover.epoch && position.role === 'idle') {
          failover.positions.set(from, position);
          if (failover.positions.size >= majority) choose(failover);
        }
        return;
      }
      assign(from, position);
    },
  };
};
