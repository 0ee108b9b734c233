/**
 * The test harness: five servers running your Raft, with clients, in the simulator. You do
 * not need to change it (and changes here do not count), but reading it shows exactly what is
 * measured.
 *
 * - `n1` … `n5`, every pair linked; a message takes 0.5–2 ms one way unless a run says
 *   otherwise, and messages are not kept in order.
 * - Heartbeats every 50 ms; election timeouts of 150–300 ms.
 * - Each server's disk does one fsync at a time, each taking `syncMs` (1 ms unless a run
 *   says otherwise). A crash loses memory, timers and whatever was not yet synced.
 * - Clients send gets and puts on a few keys to the server they believe leads. A refusal
 *   that names a leader sends them there at once; a refusal that names none, to the next
 *   server. A server that does not answer within 150 ms makes the client give up on that
 *   command (its outcome is then unknown) and try the next server for the next one.
 * - The faults (crashes, partitions, some aimed at the leader of the moment) are drawn from
 *   the run's seed, never from your servers' random numbers. A partition splits the servers
 *   only: the clients can still reach a server cut off from the others.
 * - The harness reads every message on its way, each server's disk, and every `apply`.
 *   Your code cannot see or change these records.
 */
import {
  Random,
  Rejection,
  RemoteError,
  Simulation,
  constant,
  uniform,
  type Distribution,
  type KvInput,
  type KvOutput,
  type LeaderObservation,
  type Operation,
  type Workload,
} from '@faultlines/sim';
import type { Command, CreateRaftServer, Entry, RaftConfig, RaftDisk, RaftLog, RaftMessage, RaftServer } from './types.ts';

export const SERVERS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
export const MAJORITY = 3;
export const HEARTBEAT_EVERY_MS = 50;
export const ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** How long a client waits for one server's answer before it tries the next. */
const ATTEMPT_MS = 150;
const KEYS = 20;
/** How long the lease probes read and write after a leader is cut off: longer than any safe lease. */
const PROBE_MS = 300;

/** A fault the harness applies during a run. */
export type Fault =
  | { readonly kind: 'crash'; readonly server: string | 'leader'; readonly atMs: number; readonly downMs: number }
  | { readonly kind: 'partition'; readonly side: readonly string[] | 'leader'; readonly atMs: number; readonly healAtMs: number };

export interface ClusterOptions {
  readonly seed: number;
  readonly createServer: CreateRaftServer;
  readonly endMs: number;
  /** Clients send from `startMs` (default 400) until `stopMs`, or until they have sent `maxCommands` (default 12,000). */
  readonly clients: { readonly startMs?: number; readonly stopMs: number; readonly maxCommands?: number } & (
    | { readonly kind: 'open'; readonly ratePerS: number }
    | { readonly kind: 'closed'; readonly clients: number }
  );
  /** Share of commands that are gets. @default 0.5 */
  readonly readShare?: number;
  readonly lossRate?: number;
  readonly duplicateRate?: number;
  /** @default uniform(0.5, 2) */
  readonly latency?: Distribution;
  /** How long one fsync takes. @default 1 */
  readonly syncMs?: number;
  readonly faults?: readonly Fault[];
  /** Random crashes and partitions every 600–1,500 ms between `fromMs` and `toMs`, each lasting 100–1,000 ms. */
  readonly chaos?: { readonly fromMs: number; readonly toMs: number };
  /**
   * Clocks that drift, and clients beside a cut-off leader (for the lease exercise). Every
   * server's clock runs at a rate drawn from [1 − drift, 1 + drift]. When a partition cuts off
   * the leader of the moment, the harness sets its clock to the slowest rate and every other
   * server's to the fastest, and for 300 ms (or until the cut heals) a client beside it asks
   * it for the key `probe` every 4 ms, while a client on the other side writes `probe` every
   * 10 ms.
   */
  readonly drift?: number;
}

/** Something a server did that Raft forbids, seen from outside. */
export interface Breach {
  readonly atMs: number;
  readonly server: string;
  readonly what: string;
}

export interface AppliedFault {
  readonly kind: 'crash' | 'partition';
  readonly atMs: number;
  readonly untilMs: number;
  readonly servers: readonly string[];
  readonly leader?: { readonly server: string; readonly term: number };
}

export interface ClusterRun {
  readonly options: ClusterOptions;
  readonly endMs: number;
  readonly errors: readonly string[];
  /** Every client command, in the order issued. */
  readonly history: readonly Operation<KvInput, KvOutput>[];
  /** The first Append each server sent in each term: who led what. */
  readonly claims: readonly LeaderObservation[];
  /** Votes sent before the disk held them, or to a candidate whose log was behind, or a second one in a term. */
  readonly voteBreaches: readonly Breach[];
  /** Appends acknowledged before the entries were durable. */
  readonly ackBreaches: readonly Breach[];
  /** Entries applied before a majority's disks held them, or a commit index raised over an entry of an earlier term. */
  readonly commitBreaches: readonly Breach[];
  /** Two servers applying different entries at one index, or applying out of order. */
  readonly applyBreaches: readonly Breach[];
  /** What each server's store holds at the end of the run, after it applied what it had. */
  readonly finalStores: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The highest index each server applied. */
  readonly applied: Readonly<Record<string, number>>;
  /** The highest index any server applied. */
  readonly committed: number;
  readonly faults: readonly AppliedFault[];
}

const fmt = (ms: number): string => `${ms.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
const describeEntry = (e: Entry | undefined): string => {
  if (e === undefined) return 'nothing';
  const c = e.command;
  const what = c.kind === 'put' ? `put(${c.key}, ${c.value})` : c.kind === 'get' ? `get(${c.key})` : 'noop';
  return `${what} of term ${e.term}`;
};
const sameEntry = (a: Entry, b: Entry): boolean => {
  if (a === b) return true;
  const x = a.command;
  const y = b.command;
  return a.term === b.term && x.kind === y.kind && (x.kind === 'noop' || (x.key === (y as typeof x).key && (x.kind === 'get' || x.value === (y as typeof x).value)));
};

function checkCommand(c: unknown): Command {
  const x = c as Partial<Record<string, unknown>> | null;
  if (x !== null && typeof x === 'object') {
    if (x.kind === 'noop') return Object.freeze({ kind: 'noop' });
    if (x.kind === 'get' && typeof x.key === 'string') return Object.freeze({ kind: 'get', key: x.key });
    if (x.kind === 'put' && typeof x.key === 'string' && typeof x.value === 'string') return Object.freeze({ kind: 'put', key: x.key, value: x.value });
  }
  throw new Error(`${JSON.stringify(c)} is not a command: { kind: 'put', key, value }, { kind: 'get', key } or { kind: 'noop' }`);
}

function checkEntry(e: unknown): Entry {
  const x = e as Partial<Entry> | null;
  if (x === null || typeof x !== 'object' || typeof x.term !== 'number' || !Number.isSafeInteger(x.term) || x.term < 1) {
    throw new Error(`${JSON.stringify(e)} is not an entry: { term, command } with a whole-number term, 1 or more`);
  }
  return Object.freeze({ term: x.term, command: checkCommand(x.command) });
}

const isTerm = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function checkMessage(m: unknown, name: string, to: string): RaftMessage {
  if (!(SERVERS as readonly string[]).includes(to) || to === name) {
    throw new Error(`${name} cannot send to ${JSON.stringify(to)}: the other servers are ${SERVERS.filter((s) => s !== name).join(', ')}`);
  }
  const x = m as Partial<Record<string, unknown>> | null;
  const bad = (why: string): never => {
    throw new Error(`${name} sent ${JSON.stringify(m)?.slice(0, 200)}: ${why}`);
  };
  if (x === null || typeof x !== 'object') return bad('a message is an object');
  if (!isTerm(x.term)) return bad('its term must be a whole number, 0 or more');
  switch (x.type) {
    case 'requestVote':
      if (!isTerm(x.lastIndex) || !isTerm(x.lastTerm)) return bad('a requestVote needs whole-number lastIndex and lastTerm');
      return Object.freeze({ type: 'requestVote', term: x.term, lastIndex: x.lastIndex, lastTerm: x.lastTerm });
    case 'vote':
      if (typeof x.granted !== 'boolean') return bad('a vote needs granted: true or false');
      return Object.freeze({ type: 'vote', term: x.term, granted: x.granted });
    case 'append': {
      if (!isTerm(x.prevIndex) || !isTerm(x.prevTerm) || !isTerm(x.commitIndex) || !Array.isArray(x.entries)) {
        return bad('an append needs whole-number prevIndex, prevTerm and commitIndex, and an array of entries');
      }
      if (x.seq !== undefined && !isTerm(x.seq)) return bad('its seq, when given, must be a whole number, 0 or more');
      const entries = Object.freeze(x.entries.map(checkEntry));
      const append = { type: 'append', term: x.term, prevIndex: x.prevIndex, prevTerm: x.prevTerm, entries, commitIndex: x.commitIndex } as const;
      return Object.freeze(x.seq === undefined ? append : { ...append, seq: x.seq });
    }
    case 'appendReply': {
      if (typeof x.success !== 'boolean' || !isTerm(x.index)) return bad('an appendReply needs success: true or false and a whole-number index');
      if (x.seq !== undefined && !isTerm(x.seq)) return bad('its seq, when given, must be a whole number, 0 or more');
      const reply = { type: 'appendReply', term: x.term, success: x.success, index: x.index } as const;
      return Object.freeze(x.seq === undefined ? reply : { ...reply, seq: x.seq });
    }
    default:
      return bad('its type must be requestVote, vote, append or appendReply');
  }
}

/** A server's disk as the harness keeps it: what the server sees, and what a crash would leave. */
class Disk {
  term = 0;
  votedFor: string | null = null;
  entries: Entry[] = [];
  durable: { term: number; votedFor: string | null; entries: Entry[] } = { term: 0, votedFor: null, entries: [] };
  /** Lowest index changed since the last sync began (entries.length + 1 when none). */
  dirtyFrom = 1;

  /** What a sync beginning now will make durable. */
  capture(): { term: number; votedFor: string | null; from: number; changed: Entry[]; length: number } {
    const captured = { term: this.term, votedFor: this.votedFor, from: this.dirtyFrom, changed: this.entries.slice(this.dirtyFrom - 1), length: this.entries.length };
    this.dirtyFrom = this.entries.length + 1;
    return captured;
  }

  commit(c: ReturnType<Disk['capture']>): void {
    this.durable.term = c.term;
    this.durable.votedFor = c.votedFor;
    const d = this.durable.entries;
    d.length = Math.min(d.length, c.from - 1);
    for (const e of c.changed) d.push(e);
    d.length = c.length;
  }

  /** After a crash: only what was synced. */
  restore(): void {
    this.term = this.durable.term;
    this.votedFor = this.durable.votedFor;
    this.entries = this.durable.entries.slice();
    this.dirtyFrom = this.entries.length + 1;
  }

  termAt(index: number): number | undefined {
    return index === 0 ? 0 : this.entries[index - 1]?.term;
  }
}

const configFor = (name: string): RaftConfig =>
  Object.freeze({
    name,
    servers: Object.freeze([...SERVERS]),
    heartbeatEveryMs: HEARTBEAT_EVERY_MS,
    electionTimeoutMs: Object.freeze({ ...ELECTION_TIMEOUT_MS }),
  });

/** The disk a server sees: it checks what the server writes, and tells the harness before a truncation or a vote. */
function serverDisk(
  disk: Disk,
  hooks: { sync(): Promise<void>; beforeTruncate?(index: number): void; beforeVote?(term: number, votedFor: string): void },
): RaftDisk {
  const log: RaftLog = Object.freeze({
    get lastIndex() {
      return disk.entries.length;
    },
    entry: (index: number) => disk.entries[index - 1],
    termAt: (index: number) => disk.termAt(index),
    slice: (from: number, to: number) => disk.entries.slice(Math.max(1, from) - 1, Math.max(0, to)),
    append(entries: readonly Entry[]) {
      if (!Array.isArray(entries)) throw new Error('log.append takes an array of entries');
      for (const e of entries) disk.entries.push(checkEntry(e));
    },
    truncateAfter(index: number) {
      if (!isTerm(index)) throw new Error(`log.truncateAfter needs a whole-number index, got ${JSON.stringify(index)}`);
      hooks.beforeTruncate?.(index);
      if (index < disk.entries.length) {
        disk.entries.length = index;
        disk.dirtyFrom = Math.min(disk.dirtyFrom, index + 1);
      }
    },
  });
  return Object.freeze({
    get term() {
      return disk.term;
    },
    get votedFor() {
      return disk.votedFor;
    },
    setTerm(term: number, votedFor: string | null) {
      if (!isTerm(term)) throw new Error(`disk.setTerm needs a whole-number term, got ${JSON.stringify(term)}`);
      if (votedFor !== null && !(SERVERS as readonly string[]).includes(votedFor)) throw new Error(`disk.setTerm: votedFor must be a server's name or null, got ${JSON.stringify(votedFor)}`);
      if (votedFor !== null) hooks.beforeVote?.(term, votedFor);
      disk.term = term;
      disk.votedFor = votedFor;
    },
    log,
    sync: () => hooks.sync(),
  });
}

/** Builds the run and runs it to the end. */
export async function runCluster(options: ClusterOptions): Promise<ClusterRun> {
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: false },
    failOnHandlerError: false,
    // After each event the simulator lets awaits run until 12 microtask turns pass without a
    // server calling it (32 by default): enough for async helpers nested several deep around
    // disk.sync(), and it makes the 50 chaos runs about 30% faster.
    microtaskQuietTurns: 12,
    network: {
      latency: options.latency ?? uniform(0.5, 2),
      dropProbability: options.lossRate ?? 0,
      duplicateProbability: options.duplicateRate ?? 0,
    },
  });
  const errors: string[] = [];
  const claims = new Map<string, LeaderObservation>();
  const voteBreaches: Breach[] = [];
  const ackBreaches: Breach[] = [];
  const commitBreaches: Breach[] = [];
  const applyBreaches: Breach[] = [];
  const applied: Record<string, number> = {};
  const stores: Record<string, Map<string, string>> = {};
  const disks: Record<string, Disk> = {};
  const granted = new Map<string, string>();
  /** Where each candidate said its log ended, by candidate and term. */
  const asked = new Map<string, { index: number; term: number }>();
  /** Where each voter's log ended when it recorded its vote, by voter and term. */
  const votedWith = new Map<string, { index: number; term: number }>();
  /** The first entry any server applied at each index (index - 1). */
  const committed: Entry[] = [];
  /** The highest commit index any leader has announced. */
  let announced = 0;
  const appliedFaults: AppliedFault[] = [];
  const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const record = (list: Breach[], server: string, what: string): void => {
    if (list.length < 20) list.push({ atMs: sim.nowMs, server, what });
  };
  const leaderNow = (): { server: string; term: number } | undefined => {
    let best: LeaderObservation | undefined;
    for (const c of claims.values()) if (best === undefined || c.term > best.term) best = c;
    if (best === undefined || sim.node(String(best.nodeId)).state !== 'up') return undefined;
    return { server: String(best.nodeId), term: best.term };
  };

  function observeSend(name: string, to: string, m: RaftMessage): void {
    const disk = disks[name]!;
    const now = sim.nowMs;
    if (m.type === 'append') {
      const key = `${name}@${m.term}`;
      if (!claims.has(key)) claims.set(key, { nodeId: name, term: m.term, atMs: now });
      if (m.commitIndex > announced) {
        const termAt = disk.termAt(m.commitIndex);
        if (termAt !== m.term) {
          record(
            commitBreaches,
            name,
            `as leader of term ${m.term}, raised its commit index to ${m.commitIndex}, whose entry is ${termAt === undefined ? 'not in its log' : `of term ${termAt}`}. ` +
              'A leader may count copies only of entries of its own term; an earlier entry on a majority can still be replaced (the Figure 8 case), and is committed only once an entry of the current term after it is.',
          );
        }
        announced = m.commitIndex;
      }
    } else if (m.type === 'appendReply' && m.success) {
      const d = disk.durable.entries;
      if (d.length < m.index || (m.index > 0 && d[m.index - 1]?.term !== disk.termAt(m.index))) {
        record(
          ackBreaches,
          name,
          `told ${to} that its log matches up to index ${m.index} while its disk held only ${d.length} entries${d.length >= m.index ? ' of other terms' : ''}. ` +
            'A crash now would lose entries the leader counts as stored: sync the disk before answering.',
        );
      }
    } else if (m.type === 'requestVote') {
      const last = disk.entries.length;
      asked.set(`${name}@${m.term}`, { index: m.lastIndex, term: m.lastTerm });
      if (m.lastIndex !== last || m.lastTerm !== (disk.termAt(last) ?? 0)) {
        record(voteBreaches, name, `asked for votes in term ${m.term} saying its log ends at index ${m.lastIndex} of term ${m.lastTerm}, but it ends at index ${last} of term ${disk.termAt(last) ?? 0}.`);
      }
    } else if (m.type === 'vote' && m.granted) {
      const key = `${name}@${m.term}`;
      const before = granted.get(key);
      if (before === undefined) granted.set(key, to);
      else if (before !== to) record(voteBreaches, name, `voted for ${before} and then for ${to} in term ${m.term}.`);
      if (disk.durable.term < m.term || (disk.durable.term === m.term && disk.durable.votedFor !== to)) {
        record(voteBreaches, name, `sent its vote for ${to} in term ${m.term} before its disk held it (its disk: term ${disk.durable.term}, votedFor ${JSON.stringify(disk.durable.votedFor)}).`);
      }
      // The voter's log when it recorded the vote, against where the candidate said its log ended.
      const mine = votedWith.get(key) ?? { index: disk.entries.length, term: disk.termAt(disk.entries.length) ?? 0 };
      const theirs = asked.get(`${to}@${m.term}`) ?? { index: disks[to]!.entries.length, term: disks[to]!.termAt(disks[to]!.entries.length) ?? 0 };
      if (mine.term > theirs.term || (mine.term === theirs.term && mine.index > theirs.index)) {
        record(
          voteBreaches,
          name,
          `voted for ${to} in term ${m.term}, though its own log (last entry ${mine.index}, term ${mine.term}) is more up to date than ${to}'s (last entry ${theirs.index}, term ${theirs.term}). ` +
            'A leader must hold every committed entry, so vote only for a candidate whose last term is higher, or the same with at least as many entries.',
        );
      }
    }
  }

  const drift = options.drift ?? 0;
  const clocks = new Random(options.seed).fork('clocks');
  for (const name of SERVERS) {
    const disk = new Disk();
    disks[name] = disk;
    applied[name] = 0;
    const config = configFor(name);
    sim.addNode(
      name,
      (ctx) => {
        let server: RaftServer | undefined;
        const store = new Map<string, string>();
        let lastApplied = 0;
        /**
         * The disk does one fsync at a time: each sync waits for the ones before it. The next
         * one starts as the previous one completes (inside the simulator's event), never from
         * a promise chain of its own, so that it starts at the simulated moment it should.
         */
        const waiters: (() => void)[] = [];
        let busy = false;
        let syncs = 0;
        const startSync = (resolve: () => void): void => {
          busy = true;
          const captured = disk.capture();
          ctx.disk.write('fsync', ++syncs);
          void ctx.disk.sync().then(() => {
            disk.commit(captured);
            const next = waiters.shift();
            if (next !== undefined) startSync(next);
            else busy = false;
            resolve();
          });
        };
        const guard = (where: string, run: () => void): void => {
          try {
            run();
          } catch (error) {
            errors.push(`${name} ${where}: ${errorText(error)}`);
          }
        };
        const raftDisk = serverDisk(disk, {
          sync: () =>
            new Promise<void>((resolve) => {
              if (busy) waiters.push(resolve);
              else startSync(resolve);
            }),
          beforeTruncate(index) {
            if (index < lastApplied) {
              record(applyBreaches, name, `removed entries after index ${index} though it had applied up to ${lastApplied}: applied entries are committed and must never go.`);
            }
          },
          beforeVote(term, votedFor) {
            if (votedFor !== name && !votedWith.has(`${name}@${term}`)) {
              votedWith.set(`${name}@${term}`, { index: disk.entries.length, term: disk.termAt(disk.entries.length) ?? 0 });
            }
          },
        });
        return {
          onStart() {
            guard('createServer', () => {
              server = options.createServer(config, {
                now: () => ctx.now(),
                send(to, message) {
                  let checked: RaftMessage;
                  try {
                    checked = checkMessage(message, name, to);
                  } catch (error) {
                    errors.push(errorText(error));
                    throw error;
                  }
                  observeSend(name, to, checked);
                  ctx.send(to, checked);
                },
                setTimer: (delayMs, callback) => ctx.setTimer(delayMs, () => guard('timer', callback)),
                cancelTimer: (id) => ctx.cancelTimer(id),
                random: () => ctx.random.next(),
                disk: raftDisk,
                apply(index) {
                  if (index !== lastApplied + 1) {
                    throw new Error(`${name} applied index ${index} after ${lastApplied}: apply 1, 2, 3… in order, each once`);
                  }
                  const entry = disk.entries[index - 1];
                  if (entry === undefined) throw new Error(`${name} applied index ${index}, beyond its log (${disk.entries.length} entries)`);
                  const first = committed[index - 1];
                  if (first === undefined) {
                    committed[index - 1] = entry;
                    const copies = SERVERS.filter((s) => {
                      const d = disks[s]!.durable.entries[index - 1];
                      return d !== undefined && sameEntry(d, entry);
                    });
                    if (copies.length < MAJORITY) {
                      record(
                        commitBreaches,
                        name,
                        `applied index ${index} (${describeEntry(entry)}) when only ${copies.length === 0 ? 'no disk' : copies.join(', ')} held it: an entry is committed once it is durable on a majority, 3 of 5, and not before.`,
                      );
                    }
                  } else if (!sameEntry(first, entry)) {
                    record(applyBreaches, name, `applied ${describeEntry(entry)} at index ${index}, where ${describeEntry(first)} had been applied before: every server must apply the same entry at each index.`);
                  }
                  lastApplied = index;
                  if (index > applied[name]!) applied[name] = index;
                  return applyTo(store, entry);
                },
                read: (key) => store.get(String(key)) ?? null,
                refuse(leader): never {
                  throw new Rejection(`not the leader; leader: ${typeof leader === 'string' && (SERVERS as readonly string[]).includes(leader) ? leader : 'unknown'}`);
                },
              });
            });
            stores[name] = store;
          },
          onMessage(message) {
            if (server !== undefined) guard('onMessage', () => server!.onMessage(message.from, message.body as RaftMessage));
          },
          async onRequest(request) {
            if (server === undefined) throw new Rejection('not the leader; leader: unknown');
            const op = request.body as KvInput;
            const command: Command = op.kind === 'put' ? { kind: 'put', key: op.key, value: op.value } : { kind: 'get', key: op.key };
            const result = await server.onClient(command);
            return op.kind === 'put' ? ({ kind: 'put' } satisfies KvOutput) : ({ kind: 'get', value: result ?? null } satisfies KvOutput);
          },
        };
      },
      { disk: { syncLatency: constant(options.syncMs ?? 1) }, ...(drift > 0 ? { clock: { rate: 1 + drift * (2 * clocks.next() - 1) } } : {}) },
    );
  }

  // Clients: one guess of the leader, shared; a refusal that names a leader moves the guess there.
  let guess = 0;
  const clients = options.clients;
  const load = sim.workload<KvInput, KvOutput>({
    name: 'clients',
    arrivals: clients.kind === 'open' ? { kind: 'open', ratePerS: clients.ratePerS } : { kind: 'closed', clients: clients.clients },
    keys: { count: KEYS },
    mix: { get: options.readShare ?? 0.5, put: 1 - (options.readShare ?? 0.5) },
    deadlineMs: 1_000,
    startMs: clients.startMs ?? 400,
    stopMs: clients.stopMs,
    // A store that answers in microseconds would otherwise send millions of commands.
    maxOperations: clients.maxCommands ?? 12_000,
    issue: async (input, ctx) => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const target = SERVERS[guess % SERVERS.length]!;
        try {
          return await ctx.rpc<KvOutput>(target, input, { timeoutMs: ATTEMPT_MS });
        } catch (error) {
          if (!(error instanceof RemoteError) || !error.rejected) {
            // No answer, or a failure: the command may have been appended. Its outcome is unknown.
            guess++;
            throw error;
          }
          const hint = /leader: (n\d)/.exec(error.message)?.[1];
          const at = hint === undefined ? -1 : SERVERS.indexOf(hint as (typeof SERVERS)[number]);
          if (at >= 0 && at !== guess % SERVERS.length) guess = at;
          else {
            guess++;
            await ctx.sleep(20);
          }
        }
      }
      throw new Rejection('no server would take the command');
    },
  });
  for (const s of SERVERS) sim.setLink('clients', s, { latency: uniform(0.2, 0.5), dropProbability: 0, duplicateProbability: 0 });
  for (const s of SERVERS) sim.setLink(s, 'clients', { latency: uniform(0.2, 0.5), dropProbability: 0, duplicateProbability: 0 });

  const faults = [...(options.faults ?? [])];
  if (options.chaos !== undefined) faults.push(...chaosFaults(new Random(options.seed).fork('faults'), options.chaos));

  // Lease probes: for each partition aimed at the leader, a reader beside it and a writer on the other side.
  const probes: Workload<KvInput, KvOutput>[] = [];
  const probeTargets = new Map<Fault, string>();
  if (drift > 0) {
    faults.forEach((fault, i) => {
      if (fault.kind !== 'partition' || fault.side !== 'leader') return;
      const window = { startMs: fault.atMs + 1, stopMs: Math.min(fault.healAtMs, fault.atMs + PROBE_MS), deadlineMs: 1_000 };
      const reader = `reader${i}`;
      const writer = `writer${i}`;
      let writes = 0;
      let writerGuess = 0;
      probes.push(
        sim.workload<KvInput, KvOutput>({
          name: reader,
          arrivals: { kind: 'open', ratePerS: 250 },
          ...window,
          operation: () => ({ kind: 'get', key: 'probe' }),
          issue: (input, ctx) => {
            const target = probeTargets.get(fault);
            if (target === undefined) return Promise.reject(new Rejection('no leader was cut off'));
            return ctx.rpc<KvOutput>(target, input, { timeoutMs: ATTEMPT_MS });
          },
        }),
        sim.workload<KvInput, KvOutput>({
          name: writer,
          arrivals: { kind: 'open', ratePerS: 100 },
          ...window,
          operation: () => ({ kind: 'put', key: 'probe', value: `w${i}.${++writes}` }),
          issue: async (input, ctx) => {
            const cut = probeTargets.get(fault);
            const others = SERVERS.filter((s) => s !== cut);
            for (let attempt = 0; attempt < 10; attempt++) {
              const target = others[writerGuess % others.length]!;
              try {
                return await ctx.rpc<KvOutput>(target, input, { timeoutMs: ATTEMPT_MS });
              } catch (error) {
                if (!(error instanceof RemoteError) || !error.rejected) {
                  writerGuess++;
                  throw error;
                }
                const hint = /leader: (n\d)/.exec(error.message)?.[1];
                const at = hint === undefined ? -1 : others.indexOf(hint as (typeof SERVERS)[number]);
                if (at >= 0 && at !== writerGuess % others.length) writerGuess = at;
                else {
                  writerGuess++;
                  await ctx.sleep(5);
                }
              }
            }
            throw new Rejection('no server would take the command');
          },
        }),
      );
      for (const client of [reader, writer]) {
        for (const s of SERVERS) {
          sim.setLink(client, s, { latency: uniform(0.2, 0.5), dropProbability: 0, duplicateProbability: 0 });
          sim.setLink(s, client, { latency: uniform(0.2, 0.5), dropProbability: 0, duplicateProbability: 0 });
        }
      }
    });
  }

  for (const fault of faults) {
    sim.at(fault.atMs, () => {
      if (fault.kind === 'crash') {
        const leader = fault.server === 'leader' ? leaderNow() : undefined;
        const server = fault.server === 'leader' ? leader?.server : fault.server;
        const untilMs = fault.atMs + fault.downMs;
        if (server === undefined || sim.node(server).state !== 'up') {
          appliedFaults.push({ kind: 'crash', atMs: fault.atMs, untilMs, servers: [] });
          return;
        }
        sim.crash(server, { restartAtMs: untilMs });
        disks[server]!.restore();
        appliedFaults.push({ kind: 'crash', atMs: fault.atMs, untilMs, servers: [server], ...(leader ? { leader } : {}) });
      } else {
        const leader = fault.side === 'leader' ? leaderNow() : undefined;
        const side = fault.side === 'leader' ? (leader ? [leader.server] : []) : fault.side;
        if (side.length > 0) {
          // The clients keep their links to every server: a leader cut off from the others
          // still hears from them, as a leader in a partitioned rack does from its rack.
          const rest = SERVERS.filter((s) => !side.includes(s));
          sim.partition([side, rest], { healAtMs: fault.healAtMs, label: `${side.join(', ')} cut off` });
          if (drift > 0 && leader !== undefined) {
            // The worst the clocks may do: the cut-off leader's runs slow, everyone else's fast.
            probeTargets.set(fault, leader.server);
            for (const s of SERVERS) sim.setClock(s, { rate: s === leader.server ? 1 - drift : 1 + drift });
          }
        }
        appliedFaults.push({ kind: 'partition', atMs: fault.atMs, untilMs: fault.healAtMs, servers: [...side], ...(leader ? { leader } : {}) });
      }
    });
  }

  await sim.runUntil(options.endMs);
  for (const e of sim.errors) if (!errors.some((text) => e.message.includes(text))) errors.push(e.message);

  const finalStores: Record<string, Record<string, string>> = {};
  for (const s of SERVERS) finalStores[s] = Object.fromEntries([...(stores[s] ?? new Map<string, string>())].sort());
  return {
    options,
    endMs: options.endMs,
    errors,
    history: probes.length === 0 ? load.history : mergeHistories([load, ...probes]),
    claims: [...claims.values()].sort((a, b) => a.atMs - b.atMs),
    voteBreaches,
    ackBreaches,
    commitBreaches,
    applyBreaches,
    finalStores,
    applied,
    committed: committed.length,
    faults: appliedFaults,
  };
}

/** The histories of several workloads as one, in invocation order, with client ids kept apart. */
function mergeHistories(loads: readonly Workload<KvInput, KvOutput>[]): Operation<KvInput, KvOutput>[] {
  return loads
    .flatMap((load, i) => load.history.map((op) => (i === 0 ? op : { ...op, clientId: op.clientId + i * 1_000_000 })))
    .sort((a, b) => a.invokeMs - b.invokeMs);
}

/** Runs an entry's command on a store: a get's value, or `null`. */
function applyTo(store: Map<string, string>, entry: Entry): string | null {
  const c = entry.command;
  if (c.kind === 'put') store.set(c.key, c.value);
  return c.kind === 'get' ? (store.get(c.key) ?? null) : null;
}

/** A message a server sent in a {@link drive}n test, and what its disk held durably then. */
export interface DrivenSend {
  readonly atMs: number;
  readonly to: string;
  readonly message: RaftMessage;
  readonly durable: { readonly term: number; readonly votedFor: string | null; readonly terms: readonly number[] };
}

/** What became of a command given to a {@link drive}n server. */
export type DrivenClient =
  | { readonly state: 'waiting' }
  | { readonly state: 'answered'; readonly value: string | null }
  | { readonly state: 'refused'; readonly leader: string | null }
  | { readonly state: 'failed'; readonly error: string };

/**
 * One server alone, outside the simulator, for tests that drive it message by message: a
 * clock that moves only when the test advances it, timers that fire in order, a disk whose
 * fsyncs take `syncMs` each, one at a time, every message it sends recorded with what its
 * disk held then, and every `apply`.
 *
 * The disk starts with `term`, `votedFor` and a log given by the terms of its entries, all
 * durable; the entry at index i is `put(k, "<term>.<i>")`.
 */
export function drive(
  createServer: CreateRaftServer,
  options: {
    readonly name?: string;
    readonly term?: number;
    readonly votedFor?: string | null;
    readonly log?: readonly number[];
    readonly syncMs?: number;
    readonly random?: () => number;
  } = {},
): {
  readonly sent: DrivenSend[];
  readonly errors: string[];
  /** The indexes applied, in order. */
  readonly applied: number[];
  /** The terms of the entries in the server's log now. */
  log(): number[];
  /** Delivers `message` from `from`, then lets the server's pending work finish. */
  deliver(from: string, message: RaftMessage): Promise<void>;
  /** Moves the clock on by `ms`, firing timers and completing fsyncs due on the way. */
  advance(ms: number): Promise<void>;
  /** Gives the server a client's command; the result's state changes as the test goes on. */
  client(command: Command): Promise<{ readonly current: DrivenClient }>;
} {
  const name = options.name ?? 'n1';
  const syncMs = options.syncMs ?? 1;
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const sent: DrivenSend[] = [];
  const errors: string[] = [];
  const applied: number[] = [];
  const store = new Map<string, string>();
  const disk = new Disk();
  disk.term = options.term ?? 0;
  disk.votedFor = options.votedFor ?? null;
  disk.entries = (options.log ?? []).map((term, i) => Object.freeze({ term, command: Object.freeze({ kind: 'put', key: 'k', value: `${term}.${i + 1}` }) }));
  disk.commit(disk.capture());
  const stream = new Random(11).fork(name);
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
  const addTimer = (delayMs: number, callback: () => void): number => {
    const id = nextId++;
    timers.set(id, { at: now + Math.max(0, delayMs), callback });
    return id;
  };
  // One fsync at a time, each `syncMs` long, making durable what was written when it began.
  let syncing: Promise<void> = Promise.resolve();
  const sync = (): Promise<void> => {
    syncing = syncing.then(
      () =>
        new Promise<void>((resolve) => {
          const captured = disk.capture();
          addTimer(syncMs, () => {
            disk.commit(captured);
            resolve();
          });
        }),
    );
    return syncing;
  };
  class Refused extends Error {
    readonly leader: string | null;
    constructor(leader: string | null) {
      super(`refused; leader: ${leader}`);
      this.leader = leader;
    }
  }
  let server: RaftServer | undefined;
  guard('createServer', () => {
    server = createServer(configFor(name), {
      now: () => now,
      send(to, message) {
        let checked: RaftMessage;
        try {
          checked = checkMessage(message, name, to);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
          throw error;
        }
        const d = disk.durable;
        sent.push({ atMs: now, to, message: checked, durable: { term: d.term, votedFor: d.votedFor, terms: d.entries.map((e) => e.term) } });
      },
      setTimer: (delayMs, callback) => addTimer(delayMs, () => guard('timer', callback)),
      cancelTimer: (id) => void timers.delete(id),
      random,
      disk: serverDisk(disk, { sync }),
      apply(index) {
        const expected = (applied.at(-1) ?? 0) + 1;
        if (index !== expected) throw new Error(`${name} applied index ${index} after ${expected - 1}: apply 1, 2, 3… in order, each once`);
        const entry = disk.entries[index - 1];
        if (entry === undefined) throw new Error(`${name} applied index ${index}, beyond its log (${disk.entries.length} entries)`);
        applied.push(index);
        return applyTo(store, entry);
      },
      read: (key) => store.get(String(key)) ?? null,
      refuse(leader): never {
        throw new Refused(typeof leader === 'string' ? leader : null);
      },
    });
  });
  return {
    sent,
    errors,
    applied,
    log: () => disk.entries.map((e) => e.term),
    async deliver(from, message) {
      guard('onMessage', () => server?.onMessage(from, checkMessage(structuredClone(message), from, name)));
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
        due[1].callback();
        await settle();
      }
      now = end;
    },
    async client(command) {
      const result: { current: DrivenClient } = { current: { state: 'waiting' } };
      const settleWith = (error: unknown): void => {
        result.current = error instanceof Refused ? { state: 'refused', leader: error.leader } : { state: 'failed', error: error instanceof Error ? error.message : String(error) };
      };
      try {
        const answer = server?.onClient(checkCommand(command));
        if (answer === undefined) throw new Error('the server was not built');
        answer.then((value) => (result.current = { state: 'answered', value }), settleWith);
      } catch (error) {
        settleWith(error);
      }
      await settle();
      return result;
    },
  };
}

/** The random faults of a chaos run, drawn from the harness's own stream. */
function chaosFaults(random: Random, span: { readonly fromMs: number; readonly toMs: number }): Fault[] {
  const faults: Fault[] = [];
  for (let at = span.fromMs + random.uniform(0, 300); at < span.toMs; at += random.uniform(600, 1_500)) {
    const atMs = Math.round(at);
    const untilMs = Math.round(Math.min(at + random.uniform(100, 1_000), span.toMs));
    const pick = random.int(4);
    if (pick === 0) faults.push({ kind: 'crash', server: 'leader', atMs, downMs: untilMs - atMs });
    else if (pick === 1) faults.push({ kind: 'crash', server: SERVERS[random.int(SERVERS.length)]!, atMs, downMs: untilMs - atMs });
    else if (pick === 2) faults.push({ kind: 'partition', side: 'leader', atMs, healAtMs: untilMs });
    else {
      const shuffled = SERVERS.map((s) => ({ s, k: random.next() })).sort((a, b) => a.k - b.k);
      faults.push({ kind: 'partition', side: shuffled.slice(0, 2).map((x) => x.s), atMs, healAtMs: untilMs });
    }
  }
  return faults;
}

export { fmt };
