import type { Controller, ControllerConfig, ControllerEnv, CreateController, Heartbeat, Position } from './types.ts';

export const createController: CreateController = (config: ControllerConfig, env: ControllerEnv): Controller => {
  const majority = Math.floor(config.replicas.length / 2) + 1;
  /** The newest epoch, and who leads it: undefined while a failover is choosing. */
  let epoch = 1;
  let leader: string | undefined = config.leader;
  /** During a failover, the positions of the replicas fenced with its epoch so far. */
  let answers: Map<string, Position> | undefined;
  /** Where each later epoch's leader's log ended when it was promoted. */
  const starts = new Map<number, number>();
  /** The last position each replica reported. */
  const known = new Map<string, Position>();

  /** The leader is dead if nothing is heard from it for failAfterMs: one timer, pushed back by every heartbeat. */
  let deadline = env.setTimer(config.failAfterMs, begin);
  function expectHeartbeat(): void {
    env.cancelTimer(deadline);
    deadline = env.setTimer(config.failAfterMs, begin);
  }

  /**
   * Fence first, then read positions: a fenced replica's log can no longer grow, so the
   * positions cannot go stale between reading them and choosing. (A deadline still pending
   * is pushed back when the failover chooses.)
   */
  function begin(): void {
    epoch += 1;
    leader = undefined;
    answers = new Map();
    for (const r of config.replicas) env.send(r, { kind: 'fence', epoch });
  }

  /**
   * In its place, as far as the controller knows: in the current epoch, following the
   * current leader (only followers name one), or, during a failover, fenced and waiting.
   */
  const inPlace = (p: Position | undefined): boolean => p !== undefined && p.epoch === epoch && p.leader === leader;

  /**
   * Every heartbeat interval, re-sends the fence of the current epoch to every replica that
   * is not known to be in its place: it reaches one whose fence was lost, a deposed leader
   * still acting, one that missed its role. Its answer says what it lacks.
   */
  function tick(): void {
    for (const r of config.replicas) if (r !== leader && !inPlace(known.get(r))) env.send(r, { kind: 'fence', epoch });
    env.setTimer(config.heartbeatEveryMs, tick);
  }
  env.setTimer(config.heartbeatEveryMs, tick);

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

  function choose(fenced: Map<string, Position>): void {
    let best: [string, Position] | undefined;
    for (const entry of fenced) if (best === undefined || ahead(entry[1], best[1])) best = entry;
    const [winner, position] = best!;
    answers = undefined;
    leader = winner;
    starts.set(epoch, position.lastIndex);
    env.send(winner, { kind: 'promote', epoch });
    // The new leader acknowledges nothing until a follower has the write: tell them now, not at the next tick.
    for (const [r, p] of fenced) if (r !== winner) env.send(r, { kind: 'follow', epoch, leader: winner, fromIndex: fromIndexFor(p) });
    // The new leader has failAfterMs to start its heartbeats.
    expectHeartbeat();
  }

  return {
    onHeartbeat(from: string, heartbeat: Heartbeat) {
      // Only the current leader's heartbeats keep it alive; a deposed one is fenced by the next tick.
      if (from === leader && heartbeat.epoch === epoch) expectHeartbeat();
    },
    onPosition(from: string, position: Position) {
      known.set(from, position);
      if (answers !== undefined) {
        if (position.epoch === epoch && position.role === 'idle') {
          answers.set(from, position);
          if (answers.size >= majority) choose(answers);
        }
        return;
      }
      if (from === leader) {
        // The leader has no role in its epoch: its promotion was lost, or it restarted and its
        // log may end before what it shipped, so leading again in this epoch could put two
        // different entries at one index. Choose again, in a new epoch.
        if (position.epoch === epoch && position.role === 'idle') begin();
      } else if (!inPlace(position)) {
        env.send(from, { kind: 'follow', epoch, leader: leader!, fromIndex: fromIndexFor(position) });
      }
    },
  };
};
