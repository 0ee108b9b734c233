/**
 * The test harness: five servers running your election in the simulator. You do not need to
 * change it (and changes here do not count), but reading it shows exactly what is measured.
 *
 * - `n1` … `n5`, every pair linked; a message takes 0.5–2 ms one way unless a run says
 *   otherwise. Messages are not kept in order: a later one may overtake an earlier one.
 * - The servers sit in three availability zones, `n1` and `n2` in zone-a, `n3` and `n4` in
 *   zone-b, `n5` in zone-c, so that losing any one zone leaves a majority. A zone fails as a
 *   unit: all its servers lose power at once, or the zone is cut off whole.
 * - Heartbeats every 50 ms; election timeouts drawn from 150–300 ms (the range the Raft
 *   paper measured).
 * - A server's disk syncs in 1–3 ms. A crash loses the server's memory, its timers and
 *   whatever it had not yet synced; it restarts with what it saved.
 * - The faults of a run (which server crashes, when the network splits) are drawn from the
 *   run's seed, never from your servers' random numbers, and some of them aim at the leader
 *   of the moment.
 * - The harness reads every message on its way, and each server's disk from outside. Your
 *   code cannot see or change these records.
 */
import { Random, Simulation, uniform, type Distribution, type LeaderObservation } from '@faultlines/sim';
import type { CreateElectionNode, ElectionConfig, ElectionMessage, ElectionNode, SavedState } from './types.ts';

export const SERVERS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
/** The availability zone of each server: no zone holds a majority. */
export const ZONE_OF: Readonly<Record<(typeof SERVERS)[number], string>> = Object.freeze({
  n1: 'zone-a',
  n2: 'zone-a',
  n3: 'zone-b',
  n4: 'zone-b',
  n5: 'zone-c',
});
export const MAJORITY = 3;
export const HEARTBEAT_EVERY_MS = 50;
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;

/** The disk key under which a server's {@link SavedState} lives. */
const SAVED = 'raft';
const TYPES = new Set(['requestVote', 'vote', 'heartbeat', 'heartbeatReply', 'preVote', 'preVoteReply']);

/** A fault the harness applies during a run. */
export type Fault =
  /** Crashes `server` (or the leader of the moment) at `atMs`; it restarts after `downMs`. */
  | { readonly kind: 'crash'; readonly server: string | 'leader'; readonly atMs: number; readonly downMs: number }
  /** Cuts `side` (or the leader of the moment alone) off from the other servers from `atMs` until `healAtMs`. */
  | { readonly kind: 'partition'; readonly side: readonly string[] | 'leader'; readonly atMs: number; readonly healAtMs: number }
  /**
   * Fails the zone of the leader of the moment as a unit from `atMs` until `untilMs`: every
   * server in it loses power (`'power'`: crashed, restarted at `untilMs`) or the zone is cut off
   * from the others (`'cut'`).
   */
  | { readonly kind: 'zone'; readonly how: 'power' | 'cut'; readonly atMs: number; readonly untilMs: number };

export interface ClusterOptions {
  readonly seed: number;
  readonly createNode: CreateElectionNode;
  /** The run ends at this time. */
  readonly endMs: number;
  /** Probability that a message is lost. @default 0 */
  readonly lossRate?: number;
  /** Probability that a message is delivered twice. @default 0 */
  readonly duplicateRate?: number;
  /** One-way delay of a message. @default uniform(0.5, 2) */
  readonly latency?: Distribution;
  /** Faults to apply. */
  readonly faults?: readonly Fault[];
  /**
   * Random faults drawn from the seed between `fromMs` and `toMs`: a crash (of any server,
   * or the leader) or a partition (a minority cut off, the leader cut off, or a server alone)
   * every 300–900 ms, each lasting 100–1,200 ms.
   */
  readonly chaos?: { readonly fromMs: number; readonly toMs: number };
}

/** A message as the harness saw it leave a server. */
export interface Sent {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly message: ElectionMessage;
}

/** A moment when a server put something on the wire that its disk did not yet back. */
export interface Undurable {
  readonly atMs: number;
  readonly server: string;
  /** What it sent: its vote for `to`, or its request for votes. */
  readonly what: 'vote' | 'requestVote';
  readonly to: string;
  readonly term: number;
  /** What its disk held at that moment. */
  readonly durable: SavedState | undefined;
}

/** A server that granted its vote in one term to two candidates. */
export interface DoubleVote {
  readonly atMs: number;
  readonly server: string;
  readonly term: number;
  readonly candidates: readonly [string, string];
}

/** A server that led a term without the votes of a majority having reached it. */
export interface Unelected {
  readonly atMs: number;
  readonly server: string;
  readonly term: number;
  /** The servers whose granted votes for it in that term had arrived, itself excluded. */
  readonly votesFrom: readonly string[];
}

/** A server that stood for election (saved its vote for itself in a new term) while it was hearing from a leader. */
export interface EarlyStand {
  readonly atMs: number;
  readonly server: string;
  readonly term: number;
  /** When it last received a heartbeat of a term at least as high as any it had seen. */
  readonly heardLeaderAtMs: number;
}

/** A fault as applied, with what it hit. */
export interface AppliedFault {
  readonly kind: 'crash' | 'partition';
  /** The zone, when the fault took a whole zone. */
  readonly zone?: string;
  readonly atMs: number;
  readonly untilMs: number;
  /** The servers crashed or cut off. */
  readonly servers: readonly string[];
  /** For a fault aimed at the leader: the leader it hit and its term; `undefined` if there was none. */
  readonly leader?: { readonly server: string; readonly term: number };
}

export interface ClusterRun {
  readonly options: ClusterOptions;
  readonly endMs: number;
  /** Errors thrown by server code, and malformed messages or saves. */
  readonly errors: readonly string[];
  /** The first heartbeat each server sent in each term: who led what, and from when. */
  readonly claims: readonly LeaderObservation[];
  /** Every heartbeat sent, one per server and moment (the copies to each server folded). */
  readonly heartbeats: readonly { readonly atMs: number; readonly server: string; readonly term: number }[];
  readonly undurable: readonly Undurable[];
  readonly doubleVotes: readonly DoubleVote[];
  readonly unelected: readonly Unelected[];
  readonly earlyStands: readonly EarlyStand[];
  readonly faults: readonly AppliedFault[];
}

const fmt = (ms: number): string => `${ms.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;

function checkMessage(message: unknown, name: string, to: string): string | undefined {
  if (!(SERVERS as readonly string[]).includes(to) || to === name) {
    return `${name} cannot send to ${JSON.stringify(to)}: the other servers are ${SERVERS.filter((s) => s !== name).join(', ')}`;
  }
  const m = message as Partial<Record<string, unknown>> | null;
  if (m === null || typeof m !== 'object' || typeof m.type !== 'string' || !TYPES.has(m.type)) {
    return `${name} sent ${JSON.stringify(message)}: a message is an object whose type is one of ${[...TYPES].join(', ')}`;
  }
  if (typeof m.term !== 'number' || !Number.isSafeInteger(m.term) || m.term < 0) {
    return `${name} sent a ${m.type} with term ${JSON.stringify(m.term)}: a term is a whole number, 0 or more`;
  }
  if ((m.type === 'vote' || m.type === 'preVoteReply') && typeof m.granted !== 'boolean') {
    return `${name} sent a ${m.type} without granted: true or false`;
  }
  return undefined;
}

/**
 * A copy of a message for its receiver, so that sender and receiver share no object. A flat
 * message, the usual kind, is copied field by field; anything else (nested objects, arrays)
 * by `structuredClone`, which also refuses what cannot cross a network, such as a function.
 * The two give equal copies; the first is several times faster.
 */
function copyOf<T>(message: T): T {
  if (message !== null && typeof message === 'object' && Object.getPrototypeOf(message) === Object.prototype && Object.getOwnPropertySymbols(message).length === 0) {
    const fields = message as Record<string, unknown>;
    let flat = true;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (value !== null && (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol')) {
        flat = false;
        break;
      }
    }
    if (flat) return { ...fields } as T;
  }
  return structuredClone(message);
}

function checkSaved(state: unknown, name: string): string | undefined {
  const s = state as Partial<SavedState> | null;
  if (s === null || typeof s !== 'object' || typeof s.term !== 'number' || !Number.isSafeInteger(s.term) || s.term < 0) {
    return `${name} saved ${JSON.stringify(state)}: save({ term, votedFor }) needs a whole-number term, 0 or more`;
  }
  if (s.votedFor !== null && !(SERVERS as readonly string[]).includes(s.votedFor as string)) {
    return `${name} saved votedFor ${JSON.stringify(s.votedFor)}: it is a server's name or null`;
  }
  return undefined;
}

/** Builds the run and runs it to the end. */
export async function runCluster(options: ClusterOptions): Promise<ClusterRun> {
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: false },
    failOnHandlerError: false,
    network: {
      latency: options.latency ?? uniform(0.5, 2),
      dropProbability: options.lossRate ?? 0,
      duplicateProbability: options.duplicateRate ?? 0,
    },
  });
  const errors: string[] = [];
  const claims = new Map<string, LeaderObservation>();
  const heartbeats: { atMs: number; server: string; term: number }[] = [];
  const undurable: Undurable[] = [];
  const doubleVotes: DoubleVote[] = [];
  const unelected: Unelected[] = [];
  const earlyStands: EarlyStand[] = [];
  const applied: AppliedFault[] = [];
  /** Granted votes by voter and term: the candidate. */
  const granted = new Map<string, string>();
  /** Granted votes that arrived, by candidate and term: the voters. */
  const arrived = new Map<string, Set<string>>();
  /** Per server: the highest term it has sent or received, the term of its latest request for votes, and when it last heard a current leader. */
  const seen = new Map<string, { maxTerm: number; standTerm: number; heardAtMs: number }>(
    SERVERS.map((s) => [s, { maxTerm: 0, standTerm: 0, heardAtMs: 0 }]),
  );
  let lastHeartbeat: { server: string; term: number; atMs: number } | undefined;

  const durableState = (name: string): SavedState | undefined =>
    sim.node(name).durableDisk().get(SAVED) as SavedState | undefined;
  const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  /** The leader of the moment: the server that sent a heartbeat of the highest term, if it is up. */
  const leaderNow = (): { server: string; term: number } | undefined => {
    let best: LeaderObservation | undefined;
    for (const c of claims.values()) if (best === undefined || c.term > best.term) best = c;
    if (best === undefined || sim.node(String(best.nodeId)).state !== 'up') return undefined;
    return { server: String(best.nodeId), term: best.term };
  };

  function observeSend(name: string, to: string, message: ElectionMessage): void {
    const now = sim.nowMs;
    const mine = seen.get(name)!;
    if (message.type === 'heartbeat') {
      const key = `${name}@${message.term}`;
      if (!claims.has(key)) {
        claims.set(key, { nodeId: name, term: message.term, atMs: now });
        const votes = [...(arrived.get(key) ?? [])].filter((v) => v !== name);
        if (votes.length + 1 < MAJORITY) unelected.push({ atMs: now, server: name, term: message.term, votesFrom: votes.sort() });
      }
      if (lastHeartbeat === undefined || lastHeartbeat.server !== name || lastHeartbeat.term !== message.term || lastHeartbeat.atMs !== now) {
        lastHeartbeat = { server: name, term: message.term, atMs: now };
        heartbeats.push(lastHeartbeat);
      }
    } else if (message.type === 'vote' && message.granted) {
      const key = `${name}@${message.term}`;
      const before = granted.get(key);
      if (before === undefined) granted.set(key, to);
      else if (before !== to) doubleVotes.push({ atMs: now, server: name, term: message.term, candidates: [before, to] });
      const durable = durableState(name);
      if (durable === undefined || durable.term < message.term || (durable.term === message.term && durable.votedFor !== to)) {
        undurable.push({ atMs: now, server: name, what: 'vote', to, term: message.term, durable });
      }
    } else if (message.type === 'requestVote') {
      const durable = durableState(name);
      if (durable === undefined || durable.term < message.term || (durable.term === message.term && durable.votedFor !== name)) {
        undurable.push({ atMs: now, server: name, what: 'requestVote', to, term: message.term, durable });
      }
      observeStand(name, message.term);
    }
    if (message.term > mine.maxTerm) mine.maxTerm = message.term;
  }

  /**
   * A server stands in `term` when it saves its vote for itself in that term (or, if it
   * never saves, when it first asks for votes in it): it must have heard no leader of its
   * term for the minimum election timeout.
   */
  function observeStand(name: string, term: number): void {
    const mine = seen.get(name)!;
    if (term <= mine.standTerm) return;
    mine.standTerm = term;
    const now = sim.nowMs;
    if (now - mine.heardAtMs < ELECTION_TIMEOUT_MS.min - 1) {
      earlyStands.push({ atMs: now, server: name, term, heardLeaderAtMs: mine.heardAtMs });
    }
  }

  function observeArrival(name: string, from: string, message: ElectionMessage): void {
    const mine = seen.get(name)!;
    if (message.type === 'heartbeat' && message.term >= mine.maxTerm) mine.heardAtMs = sim.nowMs;
    if (message.type === 'vote' && message.granted) {
      const key = `${name}@${message.term}`;
      let voters = arrived.get(key);
      if (voters === undefined) arrived.set(key, (voters = new Set()));
      voters.add(from);
    }
    if (message.term > mine.maxTerm) mine.maxTerm = message.term;
  }

  for (const name of SERVERS) {
    const config: ElectionConfig = Object.freeze({
      name,
      servers: Object.freeze([...SERVERS]),
      heartbeatEveryMs: HEARTBEAT_EVERY_MS,
      electionTimeoutMs: Object.freeze({ ...ELECTION_TIMEOUT_MS }),
    });
    sim.addNode(
      name,
      (ctx) => {
        let node: ElectionNode | undefined;
        /** Resolves when every save made so far is durable, so that saves complete in order. */
        let saves: Promise<void> = Promise.resolve();
        const guard = (where: string, run: () => void): void => {
          try {
            run();
          } catch (error) {
            errors.push(`${name} ${where}: ${errorText(error)}`);
          }
        };
        return {
          onStart() {
            // A server that restarts begins a new wait for a leader.
            seen.get(name)!.heardAtMs = sim.nowMs;
            const saved = ctx.disk.read(SAVED) as SavedState | undefined;
            guard('createNode', () => {
              node = options.createNode(config, {
                now: () => ctx.now(),
                send(to, message) {
                  const problem = checkMessage(message, name, to);
                  if (problem !== undefined) {
                    errors.push(problem);
                    throw new Error(problem);
                  }
                  const copy = Object.freeze(copyOf(message));
                  observeSend(name, to, copy);
                  ctx.send(to, copy);
                },
                setTimer: (delayMs, callback) => ctx.setTimer(delayMs, () => guard('timer', callback)),
                cancelTimer: (id) => ctx.cancelTimer(id),
                random: () => ctx.random.next(),
                saved: saved === undefined ? undefined : Object.freeze({ ...saved }),
                save(state) {
                  const problem = checkSaved(state, name);
                  if (problem !== undefined) {
                    errors.push(problem);
                    return Promise.reject(new Error(problem));
                  }
                  if (state.votedFor === name) observeStand(name, state.term);
                  const mine = seen.get(name)!;
                  if (state.term > mine.maxTerm) mine.maxTerm = state.term;
                  ctx.disk.write(SAVED, Object.freeze({ term: state.term, votedFor: state.votedFor }));
                  const synced = ctx.disk.sync();
                  saves = Promise.all([saves, synced]).then(() => undefined);
                  return saves;
                },
              });
            });
          },
          onMessage(message) {
            const body = message.body as ElectionMessage;
            observeArrival(name, message.from, body);
            if (node !== undefined) guard('onMessage', () => node!.onMessage(message.from, body));
          },
        };
      },
      { disk: { syncLatency: uniform(1, 3) } },
    );
  }

  const faults = [...(options.faults ?? [])];
  if (options.chaos !== undefined) faults.push(...chaosFaults(new Random(options.seed).fork('faults'), options.chaos));
  for (const fault of faults) {
    sim.at(fault.atMs, () => {
      if (fault.kind === 'crash') {
        const leader = fault.server === 'leader' ? leaderNow() : undefined;
        const server = fault.server === 'leader' ? leader?.server : fault.server;
        const untilMs = fault.atMs + fault.downMs;
        if (server === undefined || sim.node(server).state !== 'up') {
          applied.push({ kind: 'crash', atMs: fault.atMs, untilMs, servers: [] });
          return;
        }
        sim.crash(server, { restartAtMs: untilMs });
        applied.push({ kind: 'crash', atMs: fault.atMs, untilMs, servers: [server], ...(leader ? { leader } : {}) });
      } else if (fault.kind === 'zone') {
        const leader = leaderNow();
        const zone = leader === undefined ? undefined : ZONE_OF[leader.server as (typeof SERVERS)[number]];
        const servers = zone === undefined ? [] : SERVERS.filter((s) => ZONE_OF[s] === zone);
        const kind = fault.how === 'power' ? 'crash' : 'partition';
        if (fault.how === 'power') {
          for (const server of servers) if (sim.node(server).state === 'up') sim.crash(server, { restartAtMs: fault.untilMs });
        } else if (servers.length > 0) {
          sim.partition([servers, SERVERS.filter((s) => !servers.includes(s))], { healAtMs: fault.untilMs, label: `${zone} cut off` });
        }
        applied.push({ kind, atMs: fault.atMs, untilMs: fault.untilMs, servers, ...(zone ? { zone } : {}), ...(leader ? { leader } : {}) });
      } else {
        const leader = fault.side === 'leader' ? leaderNow() : undefined;
        const side = fault.side === 'leader' ? (leader ? [leader.server] : []) : fault.side;
        if (side.length > 0) {
          const rest = SERVERS.filter((s) => !side.includes(s));
          sim.partition([side, rest], { healAtMs: fault.healAtMs, label: side.length === 1 ? `${side[0]} cut off` : `${side.join(', ')} cut off` });
        }
        applied.push({ kind: 'partition', atMs: fault.atMs, untilMs: fault.healAtMs, servers: [...side], ...(leader ? { leader } : {}) });
      }
    });
  }

  await sim.runUntil(options.endMs);
  for (const e of sim.errors) if (!errors.some((text) => e.message.includes(text))) errors.push(e.message);

  return {
    options,
    endMs: options.endMs,
    errors,
    claims: [...claims.values()].sort((a, b) => a.atMs - b.atMs),
    heartbeats,
    undurable,
    doubleVotes,
    unelected,
    earlyStands,
    faults: applied,
  };
}

/** The random faults of a chaos run, drawn from the harness's own stream. */
function chaosFaults(random: Random, span: { readonly fromMs: number; readonly toMs: number }): Fault[] {
  const faults: Fault[] = [];
  for (let at = span.fromMs + random.uniform(0, 300); at < span.toMs; at += random.uniform(300, 900)) {
    const lasting = random.uniform(100, 1_200);
    const atMs = Math.round(at);
    const untilMs = Math.round(Math.min(at + lasting, span.toMs));
    const pick = random.int(5);
    if (pick === 0) faults.push({ kind: 'crash', server: 'leader', atMs, downMs: untilMs - atMs });
    else if (pick === 1) faults.push({ kind: 'crash', server: SERVERS[random.int(SERVERS.length)]!, atMs, downMs: untilMs - atMs });
    else if (pick === 2) faults.push({ kind: 'partition', side: 'leader', atMs, healAtMs: untilMs });
    else if (pick === 3) faults.push({ kind: 'partition', side: [SERVERS[random.int(SERVERS.length)]!], atMs, healAtMs: untilMs });
    else {
      const shuffled = SERVERS.map((s) => ({ s, k: random.next() })).sort((a, b) => a.k - b.k);
      faults.push({ kind: 'partition', side: shuffled.slice(0, 2).map((x) => x.s), atMs, healAtMs: untilMs });
    }
  }
  return faults;
}

/** The first server to lead a term above `term`, sent after `afterMs`, if any. */
export function nextLeader(run: ClusterRun, afterMs: number, term: number): LeaderObservation | undefined {
  return run.claims.find((c) => c.atMs >= afterMs && c.term > term);
}

/** The p-th percentile (0–100) of `values`, by nearest rank; `NaN` when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export { fmt };

/** A message a server sent in a {@link drive}n test, and when (its own clock). */
export interface DrivenSend {
  readonly atMs: number;
  readonly to: string;
  readonly message: ElectionMessage;
  /** What its disk held when it sent it. */
  readonly durable: SavedState | undefined;
}

/**
 * One server alone, outside the simulator, for tests that drive it message by message: a
 * clock that moves only when the test advances it, timers that fire in order, saves that are
 * durable a moment after they are made, and every message it sends recorded. Other servers'
 * pre-votes are answered (granted) at once, so a design with a pre-vote round is driven the
 * same way.
 */
export function drive(
  createNode: CreateElectionNode,
  options: { readonly name?: string; readonly saved?: SavedState; readonly random?: () => number } = {},
): {
  readonly sent: DrivenSend[];
  /** What the server's disk holds now. */
  durable(): SavedState | undefined;
  /** Delivers `message` from `from`, then lets the server's pending work finish. */
  deliver(from: string, message: ElectionMessage): Promise<void>;
  /** Moves the clock on by `ms`, firing the timers due on the way. */
  advance(ms: number): Promise<void>;
  readonly errors: string[];
} {
  const name = options.name ?? 'n1';
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const sent: DrivenSend[] = [];
  const errors: string[] = [];
  let durable: SavedState | undefined = options.saved;
  let node: ElectionNode | undefined;
  const stream = new Random(7).fork(name);
  const random = options.random ?? (() => stream.next());
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  const guard = (where: string, run: () => void): void => {
    try {
      run();
    } catch (error) {
      errors.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const config: ElectionConfig = Object.freeze({
    name,
    servers: Object.freeze([...SERVERS]),
    heartbeatEveryMs: HEARTBEAT_EVERY_MS,
    electionTimeoutMs: Object.freeze({ ...ELECTION_TIMEOUT_MS }),
  });
  guard('createNode', () => {
    node = createNode(config, {
      now: () => now,
      send(to, message) {
        const problem = checkMessage(message, name, to);
        if (problem !== undefined) {
          errors.push(problem);
          throw new Error(problem);
        }
        const copy = Object.freeze(copyOf(message));
        sent.push({ atMs: now, to, message: copy, durable });
        if (copy.type === 'preVote') {
          const reply: ElectionMessage = { type: 'preVoteReply', term: copy.term, granted: true };
          queueMicrotask(() => guard('onMessage', () => node?.onMessage(to, reply)));
        }
      },
      setTimer(delayMs, callback) {
        const id = nextId++;
        timers.set(id, { at: now + Math.max(0, delayMs), callback });
        return id;
      },
      cancelTimer: (id) => void timers.delete(id),
      random,
      saved: options.saved === undefined ? undefined : Object.freeze({ ...options.saved }),
      save(state) {
        const problem = checkSaved(state, name);
        if (problem !== undefined) {
          errors.push(problem);
          return Promise.reject(new Error(problem));
        }
        const copy = Object.freeze({ term: state.term, votedFor: state.votedFor });
        return Promise.resolve().then(() => {
          durable = copy;
        });
      },
    });
  });
  return {
    sent,
    errors,
    durable: () => durable,
    async deliver(from, message) {
      guard('onMessage', () => node?.onMessage(from, Object.freeze(copyOf(message))));
      await settle();
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        guard('timer', due[1].callback);
        await settle();
      }
      now = end;
    },
  };
}
