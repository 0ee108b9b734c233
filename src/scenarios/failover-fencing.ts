/**
 * Live simulation for the lesson "Failover": a leader (n1, zone a) and two followers (n2 in
 * zone b, n3 in zone c), a controller that watches the leader's heartbeats, and clients in
 * zone a and in zones b and c. At t = 5 s zone a is cut off from the other zones for 10 s:
 * the leader can no longer reach its followers or the controller, but the clients in its
 * own zone can still reach it. The controller stops hearing heartbeats, waits for its
 * detection timeout, asks the followers how much of the log each holds, promotes the most
 * up-to-date one with a new epoch, and answers clients that ask who leads.
 *
 * Two designs:
 * - `none`: the leader acknowledges a write once it is in its own log and ships it to the
 *   followers asynchronously; nobody compares epochs, a follower takes entries from the
 *   leader it was told to follow. The old leader, cut off, keeps acknowledging its zone's
 *   writes (a zombie); when the partition heals it learns of the new epoch from the
 *   controller, steps down, copies the new leader's log and so discards those writes.
 * - `epoch`: epoch fencing. The controller first gives the followers the new epoch, and a
 *   follower refuses entries of an older epoch; a leader acknowledges a write only after a
 *   follower has checked its epoch and stored it. The cut-off leader cannot get a write
 *   accepted, so it acknowledges none; once it hears of the newer epoch it steps down and
 *   refuses writes, naming the new leader.
 *
 * Both runs use the same seed, so the clients send the same writes at the same moments.
 */
import { Rejection, RemoteError, Simulation, uniform, type KvInput, type NodeContext, type Workload } from '../sim/index.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const DATA_NODES = ['n1', 'n2', 'n3'] as const;
/** The zone of each node; the controller runs in zone b. */
export const ZONES: Readonly<Record<string, string>> = {
  n1: 'a',
  'clients-a': 'a',
  n2: 'b',
  controller: 'b',
  n3: 'c',
  'clients-bc': 'b and c',
};
export const PARTITION_AT_MS = 5_000;
export const HEAL_AT_MS = 15_000;
export const HEARTBEAT_MS = 500;
/** How often the controller compares the time since the last heartbeat with its timeout. */
export const CHECK_EVERY_MS = 100;
export const REQUEST_TIMEOUT_MS = 250;
/** Writes per second from the clients in zone a, and from those in zones b and c. */
export const RATE_A_PER_S = 100;
export const RATE_BC_PER_S = 200;
const KEYS = 1_000;
const STOP_MS = 19_000;
const DURATION_MS = 20_000;

export type Fencing = 'none' | 'epoch';

interface Entry {
  readonly epoch: number;
  readonly key: string;
  readonly value: string;
}

type Put = Extract<KvInput, { kind: 'put' }>;

type Message =
  | { kind: 'append'; epoch: number; from: string; index: number; entry: Entry }
  | { kind: 'ack'; epoch: number; from: string; index: number }
  | { kind: 'refuse'; epoch: number; leader: string | null }
  | { kind: 'sync'; from: string }
  | { kind: 'log'; epoch: number; from: string; entries: readonly Entry[] }
  | { kind: 'promote'; epoch: number }
  | { kind: 'follow'; epoch: number; leader: string };

type Request = Put | { kind: 'position'; epoch?: number };

/** A moment a node acknowledged a write as leader of an epoch. */
export interface LeaderAck {
  readonly nodeId: string;
  readonly term: number;
  readonly atMs: number;
}

/** What one run measured. */
export interface FailoverRun {
  /** When the controller declared the leader dead, and when it promoted a follower. */
  readonly detectedAtMs: number | null;
  readonly promotedAtMs: number | null;
  readonly newLeader: string | null;
  /** Log positions the followers reported when the controller chose. */
  readonly positions: Readonly<Record<string, number>>;
  /** When the new leader acknowledged its first write. */
  readonly firstNewLeaderAckMs: number | null;
  /** Time from the partition until the new leader acknowledged a write. */
  readonly rtoMs: number | null;
  /** Writes the old leader acknowledged to clients after the partition began. */
  readonly zombieAcks: number;
  /** The last write the old leader acknowledged after the partition began. */
  readonly zombieLastAckMs: number | null;
  /** Entries each node threw away when it copied a new leader's log. */
  readonly discarded: Readonly<Record<string, number>>;
  /** Writes a client saw acknowledged whose value is not in the final leader's log. */
  readonly lostAcknowledged: number;
  /** Every (node, epoch) seen acknowledging writes, for `atMostOneLeaderPerTerm`. */
  readonly leaderAcks: readonly LeaderAck[];
  /** Each data node's log at the end, as key → last value. */
  readonly finalStates: readonly { readonly source: string; readonly values: Readonly<Record<string, string>> }[];
  /** The final leader's log. */
  readonly finalLeader: string;
}

export interface BuiltFencing {
  readonly built: BuiltScenario;
  readonly clientsA: Workload<Put, unknown>;
  readonly clientsBC: Workload<Put, unknown>;
  /** The measurements (complete once the run reaches `built.durationMs`). */
  stats(): FailoverRun;
}

/** Applies a log in order: the last value written to each key. */
function stateOf(log: readonly Entry[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const e of log) values[e.key] = e.value;
  return values;
}

/** Builds the scenario; `trace: false` turns the message trace off for fast runs in tests. */
export function buildFencing(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltFencing {
  const fencing: Fencing = params['fencing'] === 'none' ? 'none' : 'epoch';
  const detectionMs = Number(params['detectionMs'] ?? 3_000);

  const sim = new Simulation({ seed, trace: { enabled: options.trace ?? true }, network: { latency: uniform(0.5, 1.5) } });

  const logs = new Map<string, Entry[]>();
  const leaderAcks: LeaderAck[] = [];
  const seenAck = new Set<string>();
  const discarded: Record<string, number> = { n1: 0, n2: 0, n3: 0 };
  let zombieAcks = 0;
  let zombieLastAckMs: number | null = null;
  let firstNewLeaderAckMs: number | null = null;
  let detectedAtMs: number | null = null;
  let promotedAtMs: number | null = null;
  let newLeader: string | null = null;
  const positions: Record<string, number> = {};
  let currentLeader = 'n1';

  function noteAck(name: string, epoch: number): void {
    const now = sim.nowMs;
    const key = `${name}@${epoch}`;
    if (!seenAck.has(key)) {
      seenAck.add(key);
      leaderAcks.push({ nodeId: name, term: epoch, atMs: now });
    }
    if (epoch > 1 && firstNewLeaderAckMs === null) firstNewLeaderAckMs = now;
    if (name === 'n1' && now >= PARTITION_AT_MS) {
      zombieAcks++;
      zombieLastAckMs = now;
    }
  }

  for (const name of DATA_NODES) {
    sim.addNode(name, (ctx: NodeContext) => {
      const log: Entry[] = [];
      logs.set(name, log);
      let role: 'leader' | 'follower' = name === 'n1' ? 'leader' : 'follower';
      let epoch = 1;
      let leader: string | null = 'n1';
      const followers = DATA_NODES.filter((n) => n !== name);
      let waiting: { index: number; resolve: () => void; reject: (e: Error) => void }[] = [];
      // Entries that arrived before an earlier one (the network reorders), by index.
      const early = new Map<number, Entry>();

      function refusal(): Rejection {
        return new Rejection(`not the leader: leader is ${leader ?? 'unknown'} at epoch ${epoch}`);
      }

      function stepDown(newEpoch: number, newLeaderName: string | null): void {
        epoch = newEpoch;
        leader = newLeaderName;
        early.clear();
        if (role === 'leader') {
          role = 'follower';
          const pending = waiting;
          waiting = [];
          for (const w of pending) w.reject(refusal());
        }
        if (leader !== null && leader !== name) ctx.send(leader, { kind: 'sync', from: name } satisfies Message);
      }

      function heartbeat(): void {
        if (role !== 'leader') return;
        const sentEpoch = epoch;
        ctx.rpc<{ epoch: number; leader: string }>('controller', { kind: 'heartbeat', from: name, epoch }, { timeoutMs: 300 }).then(
          (reply) => {
            if (role === 'leader' && epoch === sentEpoch && reply.epoch > epoch) stepDown(reply.epoch, reply.leader);
          },
          () => undefined,
        );
        ctx.setTimer(HEARTBEAT_MS, heartbeat);
      }

      function append(index: number, entry: Entry): void {
        if (index > log.length) {
          early.set(index, entry);
          return;
        }
        if (log[index] === entry) return;
        // A different entry at this index comes from a newer leader: it replaces ours.
        log.length = index;
        log.push(entry);
        drain();
      }

      /** Applies the entries that had arrived early, then acknowledges what this node holds. */
      function drain(): void {
        for (let next = early.get(log.length); next !== undefined; next = early.get(log.length)) {
          early.delete(log.length);
          log.push(next);
        }
        if (leader !== null) ctx.send(leader, { kind: 'ack', epoch, from: name, index: log.length - 1 } satisfies Message);
      }

      return {
        onStart() {
          if (role === 'leader') heartbeat();
        },
        onMessage(message) {
          const m = message.body as Message;
          switch (m.kind) {
            case 'append': {
              if (fencing === 'epoch') {
                // The fence: an entry from an older epoch is refused, and the refusal says why.
                if (m.epoch < epoch) {
                  ctx.send(m.from, { kind: 'refuse', epoch, leader } satisfies Message);
                  return;
                }
                if (m.epoch > epoch || leader === null) stepDown(m.epoch, m.from);
              } else if (role === 'leader' || m.from !== leader) {
                // Without epochs a node can only ignore a sender it does not follow.
                return;
              }
              append(m.index, m.entry);
              return;
            }
            case 'ack': {
              if (role !== 'leader' || m.epoch !== epoch) return;
              while (waiting.length > 0 && waiting[0]!.index <= m.index) waiting.shift()!.resolve();
              return;
            }
            case 'refuse': {
              if (role === 'leader' && m.epoch > epoch) stepDown(m.epoch, m.leader);
              return;
            }
            case 'sync': {
              if (role === 'leader') ctx.send(m.from, { kind: 'log', epoch, from: name, entries: [...log] } satisfies Message);
              return;
            }
            case 'log': {
              if (m.epoch < epoch || m.from !== leader) return;
              // Keep the common prefix; whatever this node had beyond it is thrown away. A
              // snapshot that this node's log already extends changes nothing.
              let common = 0;
              while (common < log.length && common < m.entries.length && log[common] === m.entries[common]) common++;
              if (common === m.entries.length) return;
              discarded[name]! += log.length - common;
              log.length = common;
              log.push(...m.entries.slice(common));
              drain();
              return;
            }
            case 'promote': {
              role = 'leader';
              epoch = m.epoch;
              leader = name;
              heartbeat();
              return;
            }
            case 'follow': {
              if (m.epoch >= epoch) stepDown(m.epoch, m.leader);
              return;
            }
          }
        },
        onRequest(request) {
          const body = request.body as Request;
          if (body.kind === 'position') {
            // With fencing, the controller's question carries the new epoch: from now on
            // this node refuses entries from any older leader.
            if (body.epoch !== undefined && body.epoch > epoch) {
              epoch = body.epoch;
              leader = null;
            }
            return { length: log.length };
          }
          if (role !== 'leader') throw refusal();
          const index = log.length;
          const entry: Entry = { epoch, key: body.key, value: body.value };
          log.push(entry);
          for (const f of followers) ctx.send(f, { kind: 'append', epoch, from: name, index, entry } satisfies Message);
          const ackEpoch = epoch;
          if (fencing === 'none') {
            noteAck(name, ackEpoch);
            return { kind: 'put' };
          }
          return new Promise<{ kind: 'put' }>((resolve, reject) => {
            waiting.push({
              index,
              resolve: () => {
                noteAck(name, ackEpoch);
                resolve({ kind: 'put' });
              },
              reject,
            });
          });
        },
      };
    });
  }

  sim.addNode('controller', (ctx) => {
    let epoch = 1;
    let lastHeartbeatMs = 0;
    let failingOver = false;

    async function failover(): Promise<void> {
      failingOver = true;
      detectedAtMs = ctx.now();
      const next = epoch + 1;
      const candidates = DATA_NODES.filter((n) => n !== currentLeader);
      const lengths = await Promise.all(
        candidates.map((n) =>
          ctx
            .rpc<{ length: number }>(n, { kind: 'position', ...(fencing === 'epoch' ? { epoch: next } : {}) }, { timeoutMs: 300 })
            .then((r) => r.length, () => -1),
        ),
      );
      // The most up-to-date follower wins; ties go to the first in the list.
      let best = 0;
      lengths.forEach((length, i) => {
        positions[candidates[i]!] = length;
        if (length > lengths[best]!) best = i;
      });
      const winner = candidates[best]!;
      epoch = next;
      currentLeader = winner;
      newLeader = winner;
      promotedAtMs = ctx.now();
      ctx.send(winner, { kind: 'promote', epoch } satisfies Message);
      for (const n of DATA_NODES) if (n !== winner) ctx.send(n, { kind: 'follow', epoch, leader: winner } satisfies Message);
      lastHeartbeatMs = ctx.now();
      failingOver = false;
    }

    function check(): void {
      if (!failingOver && ctx.now() - lastHeartbeatMs > detectionMs) void failover();
      ctx.setTimer(CHECK_EVERY_MS, check);
    }

    return {
      onStart() {
        ctx.setTimer(CHECK_EVERY_MS, check);
      },
      onRequest(request) {
        const body = request.body as { kind: 'heartbeat'; from: string; epoch: number } | { kind: 'whois' };
        if (body.kind === 'heartbeat' && body.from === currentLeader && body.epoch === epoch) lastHeartbeatMs = ctx.now();
        return { epoch, leader: currentLeader };
      },
    };
  });

  /** Clients send each write to the leader they know; a refusal names the new one, a timeout makes them ask the controller. */
  function clients(name: string, ratePerS: number): Workload<Put, unknown> {
    let leader = 'n1';
    let asking = false;
    return sim.workload<Put, unknown>({
      name,
      arrivals: { kind: 'open', ratePerS },
      startMs: 500,
      stopMs: STOP_MS,
      deadlineMs: 1_000,
      operation: (rng, i) => ({ kind: 'put', key: `k${Math.floor(rng.next() * KEYS)}`, value: `${name}-${i}` }),
      issue: async (input, ctx) => {
        try {
          return await ctx.rpc(leader, input, { timeoutMs: REQUEST_TIMEOUT_MS });
        } catch (error) {
          const named = error instanceof RemoteError ? /leader is (n\d)/.exec(error.message)?.[1] : undefined;
          if (named !== undefined) {
            leader = named;
          } else if (!asking) {
            asking = true;
            ctx.rpc<{ leader: string }>('controller', { kind: 'whois' }, { timeoutMs: 300 }).then(
              (reply) => {
                leader = reply.leader;
                asking = false;
              },
              () => {
                asking = false;
              },
            );
          }
          throw error;
        }
      },
    });
  }
  const clientsA = clients('clients-a', RATE_A_PER_S);
  const clientsBC = clients('clients-bc', RATE_BC_PER_S);

  // Zone c is further away: its follower lags a little more.
  for (const n of ['n1', 'n2', 'controller', 'clients-bc']) {
    sim.setLink(n, 'n3', { latency: uniform(2, 4) });
    sim.setLink('n3', n, { latency: uniform(2, 4) });
  }

  sim.partition([['n1', 'clients-a'], ['n2', 'n3', 'controller', 'clients-bc']], { atMs: PARTITION_AT_MS, healAtMs: HEAL_AT_MS, label: 'zone a cut off' });

  function stats(): FailoverRun {
    const finalLeader = currentLeader;
    const kept = new Set((logs.get(finalLeader) ?? []).map((e) => e.value));
    let lost = 0;
    for (const op of [...clientsA.history, ...clientsBC.history]) {
      if (op.status === 'ok' && !kept.has(op.input.value)) lost++;
    }
    return {
      detectedAtMs,
      promotedAtMs,
      newLeader,
      positions: { ...positions },
      firstNewLeaderAckMs,
      rtoMs: firstNewLeaderAckMs === null ? null : firstNewLeaderAckMs - PARTITION_AT_MS,
      zombieAcks,
      zombieLastAckMs,
      discarded: { ...discarded },
      lostAcknowledged: lost,
      leaderAcks: [...leaderAcks],
      finalStates: DATA_NODES.map((n) => ({ source: `node ${n}`, values: stateOf(logs.get(n) ?? []) })),
      finalLeader,
    };
  }

  return {
    built: {
      sim,
      durationMs: DURATION_MS,
      slo: { availability: 0.99 },
      groups: { clients: ['clients-a', 'clients-bc'], controller: ['controller'], replicas: [...DATA_NODES] },
    },
    clientsA,
    clientsBC,
    stats,
  };
}

export const scenario: Scenario = {
  id: 'failover-fencing',
  title: 'A partitioned leader, a failover, and fencing',
  description:
    'At t = 5 s zone a, with the leader n1 and some clients, is cut off for 10 s. The controller promotes a follower after ' +
    'its detection timeout. Without fencing the old leader keeps acknowledging its zone’s writes, and they are thrown away ' +
    'when it rejoins; with epoch fencing it cannot get a write accepted and acknowledges none. Watch the failed and ' +
    'unknown requests, and how long the zone b and c clients wait for the new leader.',
  params: [
    {
      kind: 'select',
      name: 'fencing',
      label: 'Fencing',
      options: [
        { value: 'epoch', label: 'Epoch fencing: a follower checks the epoch before a write is acknowledged' },
        { value: 'none', label: 'No fencing: the leader acknowledges on its own' },
      ],
      default: 'none',
    },
    { kind: 'number', name: 'detectionMs', label: 'Detection timeout', min: 1_000, max: 8_000, step: 500, default: 3_000, unit: 'ms' },
  ],
  build(params: ParamValues, seed: number): BuiltScenario {
    return buildFencing(params, seed).built;
  },
};
