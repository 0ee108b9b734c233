/**
 * Live simulation for the lesson "Why agreement is hard": five servers run Raft's leader
 * election (`consensus/election.ts`) over a network that loses messages. At t = 4 s the
 * leader of the moment crashes (n1 if there is none) and comes back at t = 6 s; with
 * `partition` on, the leader of the moment at t = 8 s is cut off from everyone else until
 * t = 11 s, keeps sending heartbeats of its old term into the cut, and steps down when the
 * heal brings it a higher term. The run ends at 14 s.
 *
 * - Random timeouts (150–300 ms, drawn anew every time): one server usually stands alone and
 *   wins within one round; a crash costs a few hundred milliseconds without a leader.
 * - Fixed timeouts (always 150 ms): the servers start together, so their timers run out
 *   together, every one of them stands, votes for itself and refuses the others: a split
 *   vote, every 150 ms, the term climbing with no leader. Nothing puts them out of step:
 *   the server restarted at 6 s falls back in step once it grants a vote (granting restarts
 *   its timer, at the candidate's moment), and no leader is elected in the whole run.
 *
 * A small stream of clients asks the cluster who leads: only a leader answers, so the
 * availability chart shows the time without a leader. The message view shows each term:
 * `request-vote term=… candidate=…`, `vote term=… granted=…`, and `heartbeat term=… leader=…`.
 * The counts (elections started, split votes, time without a leader) come from `stats()`.
 * Under each server the cluster view writes its role and term as the cluster recorded them
 * (`leader · term 3`), or `down` while it is crashed: a cut-off leader still says leader,
 * in its old term, which is the point of the partition.
 */
import { buildElectionCluster, SERVERS, type ElectionCluster, type ElectionStats, type Timeouts } from './consensus/election.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const CRASH_AT_MS = 4_000;
export const RESTART_AT_MS = 6_000;
export const CUT_AT_MS = 8_000;
export const HEAL_AT_MS = 11_000;
export const DURATION_MS = 14_000;
/** Clients asking who leads, per second; they stop a little before the end. */
export const CLIENT_RATE_PER_S = 20;
const CLIENT_STOP_MS = 13_500;

export interface BuiltRaftElection extends BuiltScenario {
  readonly cluster: ElectionCluster;
  /** The server that crashed at {@link CRASH_AT_MS}, once it has. */
  crashed(): string | null;
  /** The server cut off at {@link CUT_AT_MS}, once it has been (only with `partition`). */
  cutOff(): string | null;
  /** The counts of the run so far (complete once the run reaches `durationMs`). */
  stats(): ElectionStats;
}

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildRaftElection(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltRaftElection {
  const timeouts: Timeouts = params['timeouts'] === 'fixed' ? 'fixed' : 'random';
  const loss = Math.min(Math.max(Number(params['loss'] ?? 5), 0), 100) / 100;
  const partition = params['partition'] === true;
  const cluster = buildElectionCluster({
    seed,
    trace: options.trace ?? true,
    timeouts,
    loss,
    clientRatePerS: CLIENT_RATE_PER_S,
    clientStopMs: CLIENT_STOP_MS,
  });
  const { sim } = cluster;
  let crashed: string | null = null;
  /** The crashed server while it is down, from the schedule below. */
  let down: string | null = null;
  let cutOff: string | null = null;

  sim.at(CRASH_AT_MS, () => {
    crashed = cluster.currentLeader() ?? SERVERS[0];
    down = crashed;
    cluster.note('crash', crashed);
    sim.crash(crashed);
  });
  sim.at(RESTART_AT_MS, () => {
    if (crashed === null) return;
    sim.restart(crashed);
    down = null;
    cluster.note('restart', crashed);
  });
  if (partition) {
    sim.at(CUT_AT_MS, () => {
      const victim = cluster.currentLeader() ?? SERVERS[0];
      cutOff = victim;
      const rest = [...SERVERS.filter((s) => s !== victim), 'clients'];
      cluster.note('cut-off', victim);
      sim.partition([[victim], rest], { healAtMs: HEAL_AT_MS, label: `${victim} cut off` });
    });
    sim.at(HEAL_AT_MS, () => {
      if (cutOff !== null) cluster.note('heal', cutOff);
    });
  }

  return {
    sim,
    durationMs: DURATION_MS,
    groups: { clients: ['clients'], servers: [...SERVERS] },
    cluster,
    crashed: () => crashed,
    cutOff: () => cutOff,
    stats: () => cluster.stats(Math.min(sim.nowMs, DURATION_MS)),
    nodeNotes: () => serverNotes(cluster, down),
  };
}

/** Each server's role and term as the cluster recorded them, e.g. `leader · term 3`, or `down`. */
function serverNotes(cluster: Pick<ElectionCluster, 'roleOf' | 'termOf'>, down: string | null): Record<string, string> {
  return Object.fromEntries(SERVERS.map((s) => [s, s === down ? 'down' : `${cluster.roleOf(s)} · term ${cluster.termOf(s)}`]));
}

export const scenario: Scenario = {
  id: 'raft-election',
  title: 'An election under message loss and a partition',
  description:
    'Five servers elect a leader with Raft. The leader of the moment crashes at t = 4 s and returns at t = 6 s; with the ' +
    'partition on, the leader at t = 8 s is cut off until t = 11 s. Each message shows its term: vote requests and votes ' +
    'while an election runs, heartbeats naming the leader once one has won. With fixed timeouts every server stands at ' +
    'once and the votes split, term after term; the clients, who only get an answer from a leader, show the time without one.',
  params: [
    {
      kind: 'select',
      name: 'timeouts',
      label: 'Election timeouts',
      options: [
        { value: 'random', label: 'Random: 150–300 ms, drawn anew each time' },
        { value: 'fixed', label: 'Fixed: always 150 ms' },
      ],
      default: 'random',
    },
    { kind: 'number', name: 'loss', label: 'Messages lost between servers', min: 0, max: 20, step: 1, default: 5, unit: '%' },
    { kind: 'boolean', name: 'partition', label: 'Cut the leader off from t = 8 s to t = 11 s', default: false },
  ],
  build: (params, seed) => buildRaftElection(params, seed),
};
