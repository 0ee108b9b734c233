/**
 * Live simulation for the lesson "The log": five servers run Raft's log replication
 * (`consensus/log.ts`) under a steady stream of writes, and the network splits twice, so that
 * logs diverge and are repaired.
 *
 * - From t = 0.3 s two groups of clients, a and b, each send 10 writes a second to whoever they
 *   believe leads. Only a leader that has committed a write answers it.
 * - At t = 2.5 s the leader of the moment and the server after it (by name) are cut off, with
 *   the clients of group a, from the other three servers and group b. The old leader still
 *   believes it leads: it appends group a's writes and copies them to its one follower, but two
 *   servers are not a majority, so it commits none and answers none. The other three elect a new
 *   leader (of term 2, or later if a vote splits) that commits group b's writes.
 * - At t = 4.5 s the cut moves: the old pair and group a rejoin, and that new leader is cut off
 *   alone. The old leader's next append reaches a server of the newer term, whose refusal
 *   makes it step down. The remaining three elect another leader (term 3 for seed 1), which
 *   repairs the pair: it probes back from its last entry until their logs
 *   agree, and they delete their uncommitted tail of term 1 and take its entries.
 * - At t = 6.5 s it rejoins, steps down, and is repaired the same way.
 *
 * How many refusals a repair takes depends on how far the repairing leader must step back: it
 * starts probing just past its own last entry, so without the hint the pair is refused once for
 * every entry of the newer terms after the point where the logs part (24 times each for seed 1;
 * 14 to 36 over seeds 1–30). With `conflictHint` on, a refusal says how long a short log is, or
 * names the conflicting term and the first index the follower holds for it, and the leader
 * skips the whole term: one or two refusals per repair. Refusals are counted when the leader
 * acts on them (`stats()`; a duplicate refusal of the same probe is not counted again).
 *
 * The note under each server shows its role (L, F, C or down), its term, the terms of its last
 * entries, the length of its log when only its end is shown, and its commit index, e.g.
 * `F · t1 · …1 1 1 1 1 1 1 │ 63 c45` for the old follower while cut off, `L · t3 · …3 3 3 3 3 3 3
 * │ 143 c143` for the leader at the end. The message view shows each message, e.g. the probe
 * `append term=3 prev=68/2 n=0 commit=68 entries=[]`, the refusal
 * `append-reply term=3 ok=false prev=68`, and with the hint
 * `append-reply term=3 ok=false prev=69 len=64` then `… prev=64 conflict-term=1 first=1`.
 * The availability chart shows the gaps: group a gets no answer while it is cut off with the
 * old leader, and each group waits for an election after a cut.
 */
import type { KvInput, KvOutput, Workload } from '../sim/index.ts';
import { buildLogCluster, leaderSeekingClients, SERVERS, type LogCluster, type LogStats } from './consensus/log.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const CLIENT_START_MS = 300;
export const CUT_AT_MS = 2_500;
export const MOVE_AT_MS = 4_500;
export const HEAL_AT_MS = 6_500;
export const CLIENT_STOP_MS = 7_500;
export const DURATION_MS = 8_000;
/** Writes per second from each of the two client groups. */
export const RATE_PER_S = 10;
const KEYS = 10;

export interface BuiltRaftLogRepair extends BuiltScenario {
  readonly cluster: LogCluster;
  readonly clients: { readonly a: Workload<KvInput, KvOutput>; readonly b: Workload<KvInput, KvOutput> };
  /** The old leader and its follower, cut off at {@link CUT_AT_MS}. */
  pair(): readonly string[];
  /** The leader cut off alone at {@link MOVE_AT_MS}. */
  loner(): string | null;
  stats(): LogStats;
  nodeNotes(): Readonly<Record<string, string>>;
}

export function buildRaftLogRepair(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltRaftLogRepair {
  const conflictHint = params['conflictHint'] === true;
  const loss = Math.min(Math.max(Number(params['loss'] ?? 0), 0), 100) / 100;
  const cluster = buildLogCluster({ seed, trace: options.trace ?? true, loss, conflictHint, commitRule: 'own-term', elections: 'random' });
  const { sim } = cluster;
  const common = { ratePerS: RATE_PER_S, startMs: CLIENT_START_MS, stopMs: CLIENT_STOP_MS, keys: KEYS };
  const a = leaderSeekingClients(cluster, { name: 'clients-a', ...common });
  const b = leaderSeekingClients(cluster, { name: 'clients-b', ...common });
  let pair: string[] = [];
  let loner: string | null = null;

  sim.at(CUT_AT_MS, () => {
    const old = cluster.currentLeader() ?? SERVERS[0];
    const mate = SERVERS[(SERVERS.indexOf(old as (typeof SERVERS)[number]) + 1) % SERVERS.length]!;
    pair = [old, mate];
    const rest = SERVERS.filter((s) => !pair.includes(s));
    const label = `${old} and ${mate} cut off`;
    const cut = sim.partition([[...pair, 'clients-a'], [...rest, 'clients-b']], { label });
    for (const s of pair) cluster.note('cut', s, label);
    sim.at(MOVE_AT_MS, () => {
      cut.heal();
      for (const s of pair) cluster.note('heal', s, label);
      const newer = cluster.currentLeader();
      loner = newer !== null && !pair.includes(newer) ? newer : rest[0]!;
      const alone = `${loner} cut off`;
      const second = sim.isolate(loner, { label: alone });
      cluster.note('cut', loner, alone);
      sim.at(HEAL_AT_MS, () => {
        second.heal();
        cluster.note('heal', loner!, alone);
      });
    });
  });

  return {
    sim,
    durationMs: DURATION_MS,
    groups: { clients: ['clients-a', 'clients-b'], servers: [...SERVERS] },
    // 20 writes a second: 100 ms buckets hold about two each. Writes wait 5–10 ms, or up
    // to a second through an election: a log axis shows both.
    charts: { bucketMs: 100, latencyScale: 'log' },
    cluster,
    clients: { a, b },
    pair: () => pair,
    loner: () => loner,
    stats: () => cluster.stats(),
    nodeNotes: () => cluster.notes(),
  };
}

export const scenario: Scenario = {
  id: 'raft-log-repair',
  title: 'A diverging log, repaired',
  description:
    'Five Raft servers take writes from two groups of clients. At t = 2.5 s the leader and one follower are cut off with ' +
    'group a: the old leader keeps appending writes it can never commit, while the other three elect a new leader. At ' +
    't = 4.5 s the cut moves to that new leader, and another leader repairs the old pair: watch the refusals ' +
    '(append-reply ok=false) as it steps back through their logs, then their uncommitted tail replaced. Turn on the ' +
    'conflict hint to skip a whole term per refusal.',
  params: [
    { kind: 'boolean', name: 'conflictHint', label: 'Refusals name the conflicting term (the conflict-term hint)', default: false },
    { kind: 'number', name: 'loss', label: 'Messages lost between servers', min: 0, max: 10, step: 1, default: 0, unit: '%' },
  ],
  build: (params, seed) => buildRaftLogRepair(params, seed),
};
