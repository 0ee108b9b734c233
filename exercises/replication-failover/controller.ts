import type { Controller, ControllerConfig, ControllerEnv, CreateController, Heartbeat, Position } from './types.ts';

/**
 * A first controller: when the leader's heartbeats stop, it promotes the next replica in
 * the list and tells the others to follow it. It does not fence anyone, it does not ask
 * who has the most of the log, and nothing it sends is ever re-sent.
 */
export const createController: CreateController = (config: ControllerConfig, env: ControllerEnv): Controller => {
  let epoch = 1;
  let leader = config.leader;
  let lastHeardMs = env.now();

  function check(): void {
    if (env.now() - lastHeardMs > config.failAfterMs) {
      epoch += 1;
      const replicas = config.replicas;
      leader = replicas[(replicas.indexOf(leader) + 1) % replicas.length]!;
      env.send(leader, { kind: 'promote', epoch });
      for (const r of replicas) if (r !== leader) env.send(r, { kind: 'follow', epoch, leader, fromIndex: Number.MAX_SAFE_INTEGER });
      lastHeardMs = env.now();
    }
    env.setTimer(config.heartbeatEveryMs, check);
  }
  env.setTimer(config.heartbeatEveryMs, check);

  return {
    onHeartbeat(from: string, heartbeat: Heartbeat) {
      if (from === leader && heartbeat.epoch === epoch) lastHeardMs = env.now();
    },
    onPosition(_from: string, _position: Position) {
      // Positions are ignored.
    },
  };
};
