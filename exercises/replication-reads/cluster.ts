/**
 * The test harness: your replica group and your sessions in the simulator. You do not need
 * to change it (and changes here do not count), but reading it shows exactly what is
 * measured.
 *
 * - `r1` (zone a) leads; `r2` (zone b) and `r3` (zone c) follow. Each runs your
 *   `createReplica` from "The replicated log", semi-sync with a 50 ms timeout. A replica
 *   answers a read from its own log, up to its last entry, and refuses it with a
 *   `BehindError` if the log ends before the index the read asks for.
 * - A client in each zone holds six sessions. Each session runs one operation at a time:
 *   a write (three in ten) or a read (seven in ten) of one of its keys, then waits 5–35 ms.
 *   Its keys are four of its own and eight that every session shares, so some reads must
 *   see other sessions' writes too. Values are unique.
 * - The harness records from outside every write's index, every reply a replica gave and
 *   every value a session's read returned, and checks each read against the leader's log,
 *   which is the group's history (the leader never changes here). It also records the
 *   highest index each session has been told of (by its writes' replies, its reads' replies
 *   and their refusals), and every read that asked a replica for more than that.
 * - Faults come from the schedule: a follower cut off from the other replicas while its
 *   zone's clients still reach it, and a follower that crashes and restarts with only what
 *   it had on disk (its disk is slow, so that is less than it had shown).
 */
import {
  Rejection,
  RemoteError,
  Simulation,
  uniform,
  type Distribution,
  type NodeContext,
} from '@faultlines/sim';
import { createReplica as yourReplica } from '../replication-log/replica.ts';
import type { CreateReplica, Entry, GroupConfig, Log, Replica } from '../replication-log/types.ts';
import { BehindError, type CreateSession, type ReadReply, type ReplicaInfo } from './types.ts';

export const LEADER = 'r1';
export const REPLICAS: readonly ReplicaInfo[] = Object.freeze([
  Object.freeze({ name: 'r1', zone: 'a', role: 'leader' as const }),
  Object.freeze({ name: 'r2', zone: 'b', role: 'follower' as const }),
  Object.freeze({ name: 'r3', zone: 'c', role: 'follower' as const }),
]);
export const ZONES = ['a', 'b', 'c'] as const;
export const SESSIONS_PER_ZONE = 6;
/** A session's own keys, and the keys every session shares. */
export const OWN_KEYS = 4;
export const SHARED_KEYS = 8;
export const WRITE_SHARE = 0.3;
/** Pause between a session's operations, in milliseconds (uniform). */
export const THINK_MS = [5, 35] as const;
/** How long a session's read waits for a replica, and a write for the leader. */
export const READ_TIMEOUT_MS = 50;
export const WRITE_TIMEOUT_MS = 500;
export const CROSS_ZONE: Distribution = uniform(0.4, 1.0);
export const SAME_ZONE: Distribution = uniform(0.1, 0.3);
export const SYNC_LATENCY: Distribution = uniform(0.5, 1.5);

export type Fault =
  /** The follower is cut off from the other replicas; its zone's clients still reach it. */
  | { readonly kind: 'cut'; readonly replica: string; readonly atMs: number; readonly healAtMs: number }
  /** The follower crashes and restarts with what its disk kept. */
  | { readonly kind: 'crash'; readonly replica: string; readonly atMs: number; readonly restartAtMs: number };

export interface ReadsOptions {
  readonly seed: number;
  readonly createSession: CreateSession;
  /** @default your `createReplica` from "The replicated log" */
  readonly createReplica?: CreateReplica;
  readonly faults?: readonly Fault[];
  /** Sync latency of each replica's disk, by name. @default {@link SYNC_LATENCY} */
  readonly syncLatency?: Readonly<Partial<Record<string, Distribution>>>;
  /** Sessions stop starting operations at this time. @default 1000 */
  readonly stopMs?: number;
}

/** One operation of one session, as the harness saw it. */
export interface SessionOp {
  readonly session: string;
  readonly zone: string;
  readonly kind: 'write' | 'read';
  readonly key: string;
  /** The value written, or the value the read returned. */
  readonly value: string | undefined;
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
  readonly error?: string;
  /** For a write: its index in the leader's log. */
  readonly index?: number;
  /** For a read: the last reply a replica gave during it (the one a session returns, unless it does something odd). */
  readonly servedBy?: { readonly replica: string; readonly index: number };
  /** For a read: the leader's last index when it returned (no read can reflect more). */
  readonly leaderIndexAtEnd?: number;
}

/** A read that asked a replica for an index higher than any its session had been told of. */
export interface Overreach {
  readonly session: string;
  readonly replica: string;
  readonly minIndex: number;
  /** The highest index any reply to this session had carried by then. */
  readonly told: number;
  readonly atMs: number;
}

export interface ReadsRun {
  readonly options: ReadsOptions;
  /** Every operation, per session in order. */
  readonly ops: readonly SessionOp[];
  /** Every read that asked for more than its session had been told of, in time order. */
  readonly overreaches: readonly Overreach[];
  /** The leader's log: the group's history. Index 0 is unused. */
  readonly history: readonly Entry[];
  /** Errors thrown by your code inside the simulation. */
  readonly errors: readonly string[];
}

type Request = { kind: 'put'; key: string; value: string } | { kind: 'get'; key: string; minIndex: number };

/** Builds the run and runs it to the end. */
export async function runReads(options: ReadsOptions): Promise<ReadsRun> {
  const stopMs = options.stopMs ?? 1_000;
  const createReplica = options.createReplica ?? yourReplica;
  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: CROSS_ZONE } });
  const errors: string[] = [];
  const ops: SessionOp[] = [];
  const overreaches: Overreach[] = [];
  const history: Entry[] = [];
  const indexOfValue = new Map<string, number>();
  let leaderLastIndex = 0;
  const note = (who: string, what: string, error: unknown): void => {
    errors.push(`${who} ${what}: ${error instanceof Error ? error.message : String(error)}`);
  };

  for (const info of REPLICAS) {
    const name = info.name;
    sim.addNode(
      name,
      (ctx) => {
        const log = replicaLog(ctx, (entry) => {
          if (name !== LEADER) return;
          history[entry.index] = entry;
          indexOfValue.set(entry.value, entry.index);
          leaderLastIndex = entry.index;
        });
        let replica: Replica | undefined;
        const guard = (what: string, run: () => void): void => {
          try {
            run();
          } catch (error) {
            note(name, what, error);
          }
        };
        return {
          onStart() {
            const config: GroupConfig = Object.freeze({
              leader: LEADER,
              followers: Object.freeze(['r2', 'r3']),
              ackMode: 'semi-sync',
              semiSyncTimeoutMs: 50,
            });
            guard('createReplica', () => {
              replica = createReplica(config, {
                name,
                now: () => ctx.now(),
                send(to, message) {
                  if (!REPLICAS.some((r) => r.name === to) || to === name) throw new Error(`${name} cannot send to ${JSON.stringify(to)}`);
                  ctx.send(to, { replication: structuredClone(message) });
                },
                setTimer: (delayMs, callback) => ctx.setTimer(delayMs, async () => guard('timer', callback)),
                cancelTimer: (id) => ctx.cancelTimer(id),
                log,
              });
            });
          },
          async onMessage(message) {
            const body = message.body as { replication?: unknown };
            if (replica !== undefined && 'replication' in body) guard('onMessage', () => replica!.onMessage(message.from, body.replication));
          },
          async onRequest(request) {
            const op = request.body as Request;
            if (op.kind === 'get') {
              if (log.lastIndex < op.minIndex) throw new Rejection(`behind ${log.lastIndex}`);
              return { value: log.valueOf(op.key), index: log.lastIndex } satisfies ReadReply;
            }
            if (name !== LEADER || replica === undefined) throw new Rejection(`${name} is not the leader`);
            await replica.write(op.key, op.value);
            return { index: log.indexOfValue(op.value) };
          },
        };
      },
      { disk: { syncLatency: options.syncLatency?.[name] ?? SYNC_LATENCY } },
    );
  }

  for (const zone of ZONES) {
    const client = `clients-${zone}`;
    sim.addNode(client, (ctx) => ({
      // The handler stays open until every session ends, so the simulator follows each one.
      async onStart() {
        await Promise.all(Array.from({ length: SESSIONS_PER_ZONE }, (_, s) => runSession(ctx, `${zone}${s + 1}`, zone)));
      },
    }));
  }
  // Each zone's clients sit next to its replica.
  for (const r of REPLICAS) {
    sim.setLink(`clients-${r.zone}`, r.name, { latency: SAME_ZONE });
    sim.setLink(r.name, `clients-${r.zone}`, { latency: SAME_ZONE });
  }

  async function runSession(ctx: NodeContext, id: string, zone: string): Promise<void> {
    const rng = ctx.random.fork(`session ${id}`);
    const keys = [
      ...Array.from({ length: OWN_KEYS }, (_, i) => `${id}-k${i}`),
      ...Array.from({ length: SHARED_KEYS }, (_, i) => `shared-${i}`),
    ];
    let current: { replica: string; index: number } | undefined;
    /** The highest index the replies to this session have carried: all it can know of the log. */
    let told = 0;
    const session = (() => {
      try {
        return options.createSession(
          Object.freeze({
            zone,
            replicas: REPLICAS,
            async write(key: string, value: string) {
              const reply = await ctx.rpc<{ index: number }>(LEADER, { kind: 'put', key, value } satisfies Request, { timeoutMs: WRITE_TIMEOUT_MS });
              told = Math.max(told, reply.index);
              return { index: reply.index };
            },
            async read(replica: string, key: string, minIndex: number) {
              if (!REPLICAS.some((r) => r.name === replica)) throw new Error(`no replica named ${JSON.stringify(replica)}`);
              if (minIndex > told) overreaches.push({ session: id, replica, minIndex, told, atMs: sim.nowMs });
              try {
                const reply = await ctx.rpc<ReadReply>(replica, { kind: 'get', key, minIndex } satisfies Request, { timeoutMs: READ_TIMEOUT_MS });
                current = { replica, index: reply.index };
                told = Math.max(told, reply.index);
                return { value: reply.value, index: reply.index };
              } catch (error) {
                const behind = error instanceof RemoteError ? /behind (\d+)/.exec(error.message) : null;
                if (behind) {
                  told = Math.max(told, Number(behind[1]));
                  throw new BehindError(replica, Number(behind[1]), minIndex);
                }
                throw error;
              }
            },
          }),
        );
      } catch (error) {
        note(`session ${id}`, 'createSession', error);
        return undefined;
      }
    })();
    if (session === undefined) return;
    let n = 0;
    while (ctx.now() < stopMs) {
      await ctx.sleep(rng.uniform(THINK_MS[0], THINK_MS[1]));
      if (ctx.now() >= stopMs) break;
      const key = keys[rng.int(keys.length)]!;
      const startMs = sim.nowMs;
      if (rng.next() < WRITE_SHARE) {
        const value = `${id}-${++n}`;
        let index: number | undefined;
        let error: string | undefined;
        try {
          await session.write(key, value);
          index = indexOfValue.get(value);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        ops.push({ session: id, zone, kind: 'write', key, value, startMs, endMs: sim.nowMs, ok: error === undefined, ...(error ? { error } : {}), ...(index ? { index } : {}) });
      } else {
        current = undefined;
        let value: string | undefined;
        let error: string | undefined;
        try {
          value = await session.read(key);
          if (value !== undefined && typeof value !== 'string') throw new TypeError(`read returned ${typeof value}, not a string or undefined`);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        const served = current as { replica: string; index: number } | undefined;
        ops.push({
          session: id,
          zone,
          kind: 'read',
          key,
          value,
          startMs,
          endMs: sim.nowMs,
          ok: error === undefined,
          ...(error ? { error } : {}),
          ...(served ? { servedBy: served } : {}),
          leaderIndexAtEnd: leaderLastIndex,
        });
      }
    }
  }

  for (const fault of options.faults ?? []) {
    if (fault.kind === 'cut') {
      for (const other of REPLICAS) {
        if (other.name !== fault.replica) sim.cutLink(fault.replica, other.name, { atMs: fault.atMs, healAtMs: fault.healAtMs, bothWays: true });
      }
    } else {
      sim.crash(fault.replica, { atMs: fault.atMs, restartAtMs: fault.restartAtMs });
    }
  }

  await sim.runUntil(stopMs + 600);
  for (const e of sim.errors) errors.push(e.message);
  return { options, ops, overreaches, history, errors };
}

/** A log as in "The replicated log", kept on the node's disk, with what a read needs. */
interface ReplicaLog extends Log {
  /** The key's value at the log's last entry. */
  valueOf(key: string): string | undefined;
  /** The index of the entry that wrote `value`, or 0. */
  indexOfValue(value: string): number;
}

function replicaLog(ctx: NodeContext, onAppend: (entry: Entry) => void): ReplicaLog {
  let lastIndex = (ctx.disk.read('last') as number | undefined) ?? 0;
  let durableIndex = lastIndex;
  const entryAt = (index: number): Entry | undefined =>
    index >= 1 && index <= lastIndex ? (ctx.disk.read(`entry:${index}`) as Entry | undefined) : undefined;
  /** Each key's entries, by index, for reads; rebuilt from the disk after a restart. */
  const byKey = new Map<string, number[]>();
  const byValue = new Map<string, number>();
  const index = (entry: Entry): void => {
    const list = byKey.get(entry.key);
    if (list === undefined) byKey.set(entry.key, [entry.index]);
    else list.push(entry.index);
    byValue.set(entry.value, entry.index);
  };
  for (let i = 1; i <= lastIndex; i++) index(entryAt(i)!);
  return {
    get lastIndex() {
      return lastIndex;
    },
    get durableIndex() {
      return durableIndex;
    },
    append(entry: Entry): void {
      if (entry === null || typeof entry !== 'object') throw new TypeError('log.append expects an entry { index, key, value }');
      const { index: at, key, value } = entry;
      if (at !== lastIndex + 1) {
        throw new RangeError(`log.append: entry ${String(at)} is not the next one (the log ends at ${lastIndex}); a log has no gaps`);
      }
      if (typeof key !== 'string' || typeof value !== 'string') throw new TypeError('log.append: key and value must be strings');
      const copy: Entry = Object.freeze({ index: at, key, value });
      ctx.disk.write(`entry:${at}`, copy);
      ctx.disk.write('last', at);
      lastIndex = at;
      index(copy);
      onAppend(copy);
    },
    entry: entryAt,
    slice(from: number, max = Infinity): Entry[] {
      const out: Entry[] = [];
      for (let i = Math.max(1, Math.floor(from)); i <= lastIndex && out.length < max; i++) out.push(entryAt(i)!);
      return out;
    },
    async sync(): Promise<number> {
      const covered = lastIndex;
      await ctx.disk.sync();
      if (ctx.alive && covered > durableIndex) durableIndex = covered;
      return durableIndex;
    },
    valueOf(key: string): string | undefined {
      const list = byKey.get(key);
      if (list === undefined || list.length === 0) return undefined;
      return entryAt(list[list.length - 1]!)?.value;
    },
    indexOfValue(value: string): number {
      return byValue.get(value) ?? 0;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------

/** The values `key` had in the history between indexes `from` and `to` (`undefined`: not yet written). */
export function valuesBetween(history: readonly Entry[], key: string, from: number, to: number): Set<string | undefined> {
  let before: string | undefined;
  for (let i = 1; i <= Math.min(from, history.length - 1); i++) if (history[i]?.key === key) before = history[i]!.value;
  const out = new Set<string | undefined>([before]);
  for (let i = from + 1; i <= to && i < history.length; i++) if (history[i]?.key === key) out.add(history[i]!.value);
  return out;
}

/** A read that broke a session guarantee. */
export interface Violation {
  readonly op: SessionOp;
  readonly guarantee: 'read-your-writes' | 'monotonic reads';
  /** The lowest index the read had to reflect. */
  readonly mustReflect: number;
  /** What that index and later held for the key, up to the leader's last entry when the read returned. */
  readonly allowed: readonly (string | undefined)[];
}

/**
 * Checks every read of every session: its value must be the key's value at some index from
 * the session's floor to the leader's last index when it returned. The floor is the
 * highest of the indexes of the session's acknowledged writes (read-your-writes) and of the
 * replies its earlier reads were served from (monotonic reads).
 */
export function sessionViolations(run: ReadsRun): Violation[] {
  const out: Violation[] = [];
  const writeFloor = new Map<string, number>();
  const readFloor = new Map<string, number>();
  for (const op of run.ops) {
    if (op.kind === 'write') {
      if (op.ok && op.index !== undefined) writeFloor.set(op.session, Math.max(writeFloor.get(op.session) ?? 0, op.index));
      continue;
    }
    if (!op.ok) continue;
    const w = writeFloor.get(op.session) ?? 0;
    const r = readFloor.get(op.session) ?? 0;
    const floor = Math.max(w, r);
    const allowed = valuesBetween(run.history, op.key, floor, op.leaderIndexAtEnd ?? run.history.length - 1);
    if (!allowed.has(op.value)) {
      out.push({ op, guarantee: w >= r ? 'read-your-writes' : 'monotonic reads', mustReflect: floor, allowed: [...allowed] });
    }
    if (op.servedBy !== undefined) readFloor.set(op.session, Math.max(r, op.servedBy.index));
  }
  return out;
}

/** Of the reads by sessions in `zones` that succeeded, the share a follower served. */
export function followerShare(run: ReadsRun, zones: readonly string[]): { share: number; reads: number } {
  const reads = run.ops.filter((op) => op.kind === 'read' && op.ok && zones.includes(op.zone));
  const byFollower = reads.filter((op) => op.servedBy !== undefined && op.servedBy.replica !== LEADER).length;
  return { share: reads.length === 0 ? 0 : byFollower / reads.length, reads: reads.length };
}

/** How long each successful read of sessions in `zones` took, in ms. */
export function readLatencies(run: ReadsRun, zones: readonly string[]): number[] {
  return run.ops.filter((op) => op.kind === 'read' && op.ok && zones.includes(op.zone)).map((op) => op.endMs - op.startMs);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(Math.ceil((p / 100) * sorted.length), 1) - 1]!;
}

/** Operations that failed, by kind. */
export function failures(run: ReadsRun): { reads: SessionOp[]; writes: SessionOp[] } {
  return {
    reads: run.ops.filter((op) => op.kind === 'read' && !op.ok),
    writes: run.ops.filter((op) => op.kind === 'write' && !op.ok),
  };
}
