/**
 * The test harness: the cluster of "A replicated log that never loses a commit"
 * (`../raft-log/cluster.ts`; read it for what is measured), running your log server with your
 * lease layer on top, on clocks that drift. You do not need to change it.
 *
 * - **quiet** runs: no faults; each clock runs at a rate drawn from [0.9, 1.1]; clients send
 *   200 commands a second, nine gets to every put, from 0.4 s to 1.4 s.
 * - **cut** runs: 1.5 s with 1% of messages lost. At a moment drawn from 0.5–0.7 s the leader
 *   of the moment is cut off from the other servers for 300–500 ms. At the cut its clock is set
 *   to the slowest rate, 0.9, and every other server's to the fastest, 1.1: the worst the
 *   clocks may do. For the next 300 ms, a client beside the cut-off leader asks it for the
 *   key `probe` every 4 ms, and a client on the other side writes `probe` every 10 ms. The
 *   usual clients send 100 commands a second until 1.3 s; the rest is quiet, for catching up.
 *
 * The moment and length of the cut and every clock's rate come from the run's seed, never from
 * your servers' random numbers.
 */
import { Random } from '@faultlines/sim';
import { runCluster, type ClusterRun } from '../raft-log/cluster.ts';
import { MAX_CLOCK_DRIFT, type CreateRaftServer } from './types.ts';

export {
  SERVERS,
  ELECTION_TIMEOUT_MS,
  HEARTBEAT_EVERY_MS,
  drive,
  fmt,
  type ClusterRun,
  type DrivenClient,
  type DrivenSend,
} from '../raft-log/cluster.ts';

/** When the clients of a quiet run start and stop sending. */
export const QUIET_CLIENTS_MS = { start: 400, stop: 1_400 } as const;

export function quietRun(seed: number, createServer: CreateRaftServer): Promise<ClusterRun> {
  return runCluster({
    seed,
    createServer,
    endMs: 1_500,
    clients: { kind: 'open', ratePerS: 200, startMs: QUIET_CLIENTS_MS.start, stopMs: QUIET_CLIENTS_MS.stop },
    readShare: 0.9,
    drift: MAX_CLOCK_DRIFT,
  });
}

export function cutRun(seed: number, createServer: CreateRaftServer): Promise<ClusterRun> {
  const random = new Random(seed).fork('cut');
  const atMs = Math.round(random.uniform(500, 700));
  return runCluster({
    seed,
    createServer,
    endMs: 1_500,
    clients: { kind: 'open', ratePerS: 100, stopMs: 1_300 },
    lossRate: 0.01,
    drift: MAX_CLOCK_DRIFT,
    faults: [{ kind: 'partition', side: 'leader', atMs, healAtMs: atMs + Math.round(random.uniform(300, 500)) }],
  });
}
