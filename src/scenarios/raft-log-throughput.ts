/**
 * Live simulation for the section "Why fsync bounds throughput" of the lesson "The log": a
 * three-server Raft log (`consensus/throughput.ts`) whose leader, n1, is fixed for the whole
 * run, so there are no elections. 150 clients each send a command, wait for its answer and
 * send the next at once, enough to keep the log saturated; they send for
 * {@link LOAD_MS}, and the run lasts until the last of them has its answer. Every server's
 * disk takes the chosen fsync time (±10%) and does one fsync at a time; a round trip between
 * servers takes about 1 ms. A command is answered once the leader and one follower hold it on
 * disk.
 *
 * What the reader sees, with the default 2 ms fsync:
 * - Batching off: every server syncs each entry on its own, so the throughput chart sits at
 *   1 / 2 ms = 500 answers a second, whatever the clients want; 150 clients queue behind the
 *   disk, and the latency chart climbs to 150 × 2 ms = 300 ms. At 10 ms it is 100 a second.
 * - Batching on: the leader puts the commands that arrived during one fsync into the next,
 *   at most {@link MAX_BATCH} per fsync and per message, so each fsync commits 50 entries:
 *   25,000 a second, with answers in about 6 ms.
 * - Pipelining off (stop and wait): the leader sends a follower its next batch only once the
 *   follower has answered the last, so a follower syncs one batch per round trip plus fsync,
 *   1 + 2 = 3 ms: 50 / 3 ms ≈ 16,667 a second. Without batching it is 1 / 3 ms ≈ 333.
 *
 * Each node's line in the cluster view gives its commit index (the leader's) or how much of
 * its log is durable (a follower's), and how many entries its last fsync covered. The message
 * view shows each AppendEntries (`append`) with its prevIndex, its number of entries and the
 * leader's commit index, and each answer (`append-reply`) with what the follower has synced.
 */
import { buildThroughputCluster, FOLLOWERS, FSYNC_JITTER, LEADER, MAX_BATCH, ONE_WAY_MS, SERVERS, type ThroughputCluster } from './consensus/throughput.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

/** Closed-loop clients: enough that, with batching, every fsync finds a full batch waiting. */
export const CLIENTS = 150;
/** Clients send commands until this time. */
export const LOAD_MS = 1_000;
export const FSYNC_MIN_MS = 2;
export const FSYNC_MAX_MS = 10;
export const FSYNC_DEFAULT_MS = 2;

export interface BuiltRaftLogThroughput extends BuiltScenario {
  readonly cluster: ThroughputCluster;
  readonly fsyncMs: number;
  readonly batching: boolean;
  readonly pipelining: boolean;
}

/** The fsync time asked for, kept within the slider's range. */
function fsyncOf(params: ParamValues): number {
  const ms = Number(params['fsyncMs'] ?? FSYNC_DEFAULT_MS);
  return Number.isFinite(ms) ? Math.min(FSYNC_MAX_MS, Math.max(FSYNC_MIN_MS, ms)) : FSYNC_DEFAULT_MS;
}

/**
 * How long after the clients stop every command they sent has been answered, with a little to
 * spare: the at most {@link CLIENTS} commands still waiting are committed a batch per fsync
 * (stop and wait: per round trip and fsync), 2% slower than the mean, the run of many fsyncs
 * drawn ±10% being much steadier than that; then the last batch reaches a follower, is
 * synced there, and its answers travel back. Ending soon after the last answer keeps the
 * page's throughput over the last second at the steady rate.
 */
export function drainMs(fsyncMs: number, batching: boolean, pipelining: boolean): number {
  const roundTrip = ONE_WAY_MS.min + ONE_WAY_MS.max;
  const perBatch = pipelining ? fsyncMs : fsyncMs + roundTrip;
  const batches = Math.ceil(CLIENTS / (batching ? MAX_BATCH : 1));
  return batches * perBatch * 1.02 + fsyncMs * FSYNC_JITTER.max + 4 * ONE_WAY_MS.max;
}

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildRaftLogThroughput(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltRaftLogThroughput {
  const fsyncMs = fsyncOf(params);
  const batching = params['batching'] === true;
  const pipelining = params['pipelining'] !== false;
  // The run ends, on a multiple of 10 ms, once every answer is in.
  const durationMs = Math.ceil((LOAD_MS + drainMs(fsyncMs, batching, pipelining)) / 10) * 10;
  const cluster = buildThroughputCluster({
    seed,
    trace: options.trace ?? true,
    fsyncMs,
    batching,
    pipelining,
    clients: CLIENTS,
    stopMs: LOAD_MS,
    // A client never gives up: every command it sends is answered before the run ends.
    deadlineMs: durationMs,
  });
  const { servers } = cluster;
  const count = (n: number): string => n.toLocaleString('en-US');
  return {
    sim: cluster.sim,
    durationMs,
    groups: { clients: ['clients'], leader: [LEADER], followers: [...FOLLOWERS] },
    // Ten fsyncs per chart bucket: with one every 2 ms, 5 ms buckets would hold two commits
    // or three by turns, and the throughput line would zigzag between 400 and 600 a second.
    charts: { bucketMs: Math.min(fsyncMs * 10, durationMs / 20) },
    nodeNotes: () => {
      const notes: Record<string, string> = {};
      for (const name of SERVERS) {
        const s = servers[name]!;
        notes[name] =
          name === LEADER
            ? `leader · commit ${count(s.commit)} · ${s.lastBatch}/fsync`
            : `follower · synced ${count(s.synced)} · ${s.lastBatch}/fsync`;
      }
      return notes;
    },
    cluster,
    fsyncMs,
    batching,
    pipelining,
  };
}

export const scenario: Scenario = {
  id: 'raft-log-throughput',
  title: 'What fsync costs a Raft log: throughput against fsync time',
  description:
    'A leader and two followers commit the commands of 150 busy clients; each command waits until the leader and one ' +
    'follower have it on disk. Without batching the throughput chart stays at one commit per fsync (500 a second at ' +
    '2 ms) and the clients queue; with batching each fsync commits up to 50 entries. Turn pipelining off to make the ' +
    'leader wait for each answer before it sends a follower more.',
  params: [
    { kind: 'number', name: 'fsyncMs', label: 'fsync time', min: FSYNC_MIN_MS, max: FSYNC_MAX_MS, step: 1, default: FSYNC_DEFAULT_MS, unit: 'ms' },
    { kind: 'boolean', name: 'batching', label: 'Batching: one fsync and one message for everything that arrived during the last fsync', default: false },
    { kind: 'boolean', name: 'pipelining', label: 'Pipelining: send the next batch before the last is acknowledged', default: true },
  ],
  build: (params, seed) => buildRaftLogThroughput(params, seed),
};
