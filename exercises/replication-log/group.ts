/**
 * The test harness: a replica group of three nodes in the simulator, built from your
 * `createReplica`, with clients writing to its leader. You do not need to change it (and
 * changes here do not count), but reading it shows exactly what is measured.
 *
 * - `r1` (zone a) leads; `r2` (zone b) and `r3` (zone c) follow. Clients sit in zone a,
 *   next to the leader, and send an open-loop Poisson stream of puts, each with a value
 *   no other write has. A client gives up on a write after 1 s.
 * - Each replica's {@link Log} is kept on its node's simulated disk, so a crash keeps
 *   exactly its synced entries. Messages between replicas are copied on the way.
 * - The harness watches every log from outside: when the leader appended each entry and
 *   resolved its write, and when each follower appended and synced it. Your code cannot
 *   see or change these records.
 * - Faults come from the options: a follower cut off for a while, a follower crash and
 *   restart, a slow disk, and the leader's zone going dark (the leader crashes and every
 *   message to or from it that is still in flight is lost).
 *
 * What a zone outage loses can be computed for any instant after the run: the entries the
 * best follower had appended by then are exactly what it would keep if the leader's zone
 * had gone dark at that instant, since nothing that happens later changes them. So
 * {@link lostIfLeaderZoneFailsAt} evaluates many instants from one run.
 */
import {
  Rejection,
  Simulation,
  noAcknowledgedWriteLost,
  uniform,
  type Distribution,
  type KvInput,
  type KvOutput,
  type NodeContext,
  type Operation,
  type WriteRecord,
} from '@faultlines/sim';
import type { AckMode, CreateReplica, Entry, GroupConfig, Log, Replica } from './types.ts';

export const LEADER = 'r1';
export const FOLLOWERS = ['r2', 'r3'] as const;
export const REPLICAS = [LEADER, ...FOLLOWERS] as const;
/** Each replica's zone. */
export const ZONES: Readonly<Record<string, string>> = { r1: 'a', r2: 'b', r3: 'c' };

/** Latency and disk figures for the three zones of one region. */
export const ZONE_DEFAULTS = {
  /** One-way latency between replicas in different zones: a cross-zone round trip of 0.8–2 ms. */
  replicaLatency: uniform(0.4, 1.0),
  /** One-way latency between the clients and the leader, in the same zone. */
  clientLatency: uniform(0.1, 0.3),
  /** One fsync on a replica's disk. */
  syncLatency: uniform(0.5, 1.5),
} as const;

export interface GroupOptions {
  readonly seed: number;
  readonly createReplica: CreateReplica;
  readonly ackMode: AckMode;
  /** @default 50 */
  readonly semiSyncTimeoutMs?: number;
  /** Client writes per second. @default 3000 */
  readonly writesPerS?: number;
  /** Clients stop writing at this time. @default 600 */
  readonly stopMs?: number;
  /** The run ends at this time (followers finish catching up in between). @default stopMs + 600 */
  readonly endMs?: number;
  /** One-way latency between replicas. @default {@link ZONE_DEFAULTS}.replicaLatency */
  readonly replicaLatency?: Distribution;
  /** One-way latency between clients and the leader. @default {@link ZONE_DEFAULTS}.clientLatency */
  readonly clientLatency?: Distribution;
  /** Sync latency of each replica's disk, by name. @default {@link ZONE_DEFAULTS}.syncLatency for each */
  readonly syncLatency?: Readonly<Partial<Record<string, Distribution>>>;
  /** Followers cut off from every other node for a while. */
  readonly cuts?: readonly { readonly replica: string; readonly fromMs: number; readonly toMs: number }[];
  /** Followers that crash and restart. */
  readonly crashes?: readonly { readonly replica: string; readonly atMs: number; readonly restartAtMs: number }[];
  /** The leader's zone goes dark at this time: the leader crashes and its in-flight messages are lost. */
  readonly leaderZoneFailsAtMs?: number;
}

/** What the harness saw one replica's log do, indexed by entry index. */
export interface LogRecord {
  /** When each entry was last appended (true time, ms). */
  readonly appendedAtMs: number[];
  /** When each entry first became durable (true time, ms). */
  readonly durableAtMs: number[];
  /** The entries as appended. */
  readonly entries: Entry[];
  /** Highest durable index at the end of the run. */
  durableIndex: number;
  /** Highest appended index at the end of the run. */
  lastIndex: number;
}

export interface GroupRun {
  readonly options: GroupOptions;
  readonly config: GroupConfig;
  /** Every client write, in the order issued. */
  readonly history: readonly Operation<KvInput, KvOutput>[];
  /** Each replica's log, as seen from outside. */
  readonly logs: Readonly<Record<string, LogRecord>>;
  /** When the leader's `write` resolved, by the write's value. */
  readonly resolvedAtMs: ReadonlyMap<string, number>;
  /** Errors thrown by replica code inside the simulation. */
  readonly errors: readonly string[];
  /** Entries a follower appended while it was cut off, though the leader appended them after the cut began. */
  readonly learnedWhileCut: readonly { readonly replica: string; readonly index: number; readonly atMs: number }[];
  /**
   * How many client values the leader's messages carried to each follower: a value sent
   * twice counts twice. Each write's value is unique, so this counts entries shipped.
   */
  readonly shipped: Readonly<Record<string, number>>;
  /** Entries a follower appended sooner after the leader than the network's fastest message could bring them. */
  readonly fasterThanNetwork: readonly { readonly replica: string; readonly index: number; readonly earlyByMs: number }[];
  /** When the run ended. */
  readonly endMs: number;
}

/** Builds the run and runs it to the end. */
export async function runGroup(options: GroupOptions): Promise<GroupRun> {
  const stopMs = options.stopMs ?? 600;
  const endMs = options.endMs ?? stopMs + 600;
  const config: GroupConfig = Object.freeze({
    leader: LEADER,
    followers: Object.freeze([...FOLLOWERS]),
    ackMode: options.ackMode,
    semiSyncTimeoutMs: options.semiSyncTimeoutMs ?? 50,
  });

  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: false },
    network: { latency: options.replicaLatency ?? ZONE_DEFAULTS.replicaLatency },
  });
  const logs: Record<string, LogRecord> = {};
  const errors: string[] = [];
  const resolvedAtMs = new Map<string, number>();
  const learnedWhileCut: { replica: string; index: number; atMs: number }[] = [];
  const fasterThanNetwork: { replica: string; index: number; earlyByMs: number }[] = [];
  const cuts = options.cuts ?? [];
  /** Every value a client has sent to the leader so far. */
  const issued = new Set<string>();
  const shipped: Record<string, number> = Object.fromEntries(FOLLOWERS.map((f) => [f, 0]));
  const fastestMs = fastest(options.replicaLatency ?? ZONE_DEFAULTS.replicaLatency);

  for (const name of REPLICAS) {
    const record: LogRecord = { appendedAtMs: [], durableAtMs: [], entries: [], durableIndex: 0, lastIndex: 0 };
    logs[name] = record;
    sim.addNode(
      name,
      (ctx) => {
        const log = createLog(ctx, record, () => sim.nowMs, (index) => {
          if (name === LEADER) return;
          const appendedByLeader = logs[LEADER]!.appendedAtMs[index] ?? Infinity;
          const earliest = appendedByLeader + fastestMs;
          // A small tolerance for floating-point sums of times.
          if (sim.nowMs < earliest - 1e-6) fasterThanNetwork.push({ replica: name, index, earlyByMs: earliest - sim.nowMs });
          for (const cut of cuts) {
            if (cut.replica !== name) continue;
            if (sim.nowMs >= cut.fromMs && sim.nowMs < cut.toMs && appendedByLeader > cut.fromMs) {
              learnedWhileCut.push({ replica: name, index, atMs: sim.nowMs });
            }
          }
        });
        let replica: Replica | undefined;
        const guard = (what: string, run: () => void): void => {
          try {
            run();
          } catch (error) {
            errors.push(`${name} ${what}: ${error instanceof Error ? error.message : String(error)}`);
          }
        };
        return {
          onStart() {
            replica = options.createReplica(config, {
              name,
              now: () => ctx.now(),
              send(to, message) {
                if (!(REPLICAS as readonly string[]).includes(to) || to === name) {
                  throw new Error(`${name} cannot send to ${JSON.stringify(to)}: replicas are ${REPLICAS.join(', ')}`);
                }
                let copy: unknown;
                try {
                  copy = structuredClone(message);
                } catch {
                  throw new Error(`${name} sent a message that is not plain data (functions and class instances cannot cross a network)`);
                }
                if (name === LEADER && to in shipped) shipped[to] = shipped[to]! + valuesIn(copy, issued);
                ctx.send(to, { replication: copy });
              },
              // Handlers are async so that the simulator follows any write they release before time moves on.
              setTimer: (delayMs, callback) => ctx.setTimer(delayMs, async () => guard('timer', callback)),
              cancelTimer: (id) => ctx.cancelTimer(id),
              log,
            });
          },
          async onMessage(message) {
            const body = message.body as { replication?: unknown };
            if (replica !== undefined && 'replication' in body) {
              guard('onMessage', () => replica!.onMessage(message.from, body.replication));
            }
          },
          async onRequest(request) {
            const op = request.body as KvInput;
            if (name !== LEADER || replica === undefined) throw new Rejection(`${name} is not the leader`);
            if (op.kind !== 'put') throw new Rejection('this group takes puts only');
            issued.add(op.value);
            await replica.write(op.key, op.value);
            resolvedAtMs.set(op.value, sim.nowMs);
            return { kind: 'put' } satisfies KvOutput;
          },
        };
      },
      { disk: { syncLatency: options.syncLatency?.[name] ?? ZONE_DEFAULTS.syncLatency } },
    );
  }

  const load = sim.workload<KvInput, KvOutput>({
    name: 'clients',
    target: LEADER,
    arrivals: { kind: 'open', ratePerS: options.writesPerS ?? 3_000 },
    keys: { count: 100_000 },
    mix: { put: 1 },
    deadlineMs: 1_000,
    stopMs,
  });
  sim.setLink('clients', LEADER, { latency: options.clientLatency ?? ZONE_DEFAULTS.clientLatency });

  for (const cut of cuts) sim.isolate(cut.replica, { atMs: cut.fromMs, healAtMs: cut.toMs, label: `${cut.replica} cut off` });
  for (const crash of options.crashes ?? []) sim.crash(crash.replica, { atMs: crash.atMs, restartAtMs: crash.restartAtMs });
  if (options.leaderZoneFailsAtMs !== undefined) {
    const atMs = options.leaderZoneFailsAtMs;
    sim.partition([[LEADER, 'clients'], [...FOLLOWERS]], { atMs, label: 'zone a dark' });
    sim.crash(LEADER, { atMs });
  }

  await sim.runUntil(endMs);
  for (const e of sim.errors) errors.push(e.message);
  return {
    options,
    config,
    history: load.history,
    logs,
    resolvedAtMs,
    errors,
    learnedWhileCut,
    fasterThanNetwork,
    shipped,
    endMs,
  };
}

/** How many strings in a message (at any depth, under any name) are client values. */
function valuesIn(message: unknown, values: ReadonlySet<string>): number {
  let found = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [message];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (values.has(item)) found++;
    } else if (item !== null && typeof item === 'object' && !seen.has(item)) {
      seen.add(item);
      stack.push(...(item instanceof Map ? [...item.keys(), ...item.values()] : item instanceof Set ? [...item] : Object.values(item)));
    }
  }
  return found;
}

/** The shortest time a message can take under a latency distribution (0 when unbounded below). */
function fastest(latency: Distribution): number {
  if (latency.kind === 'constant') return latency.valueMs;
  if (latency.kind === 'uniform') return latency.minMs;
  return 0;
}

/** A {@link Log} on a node's disk that reports every append and sync to the harness's record. */
function createLog(
  ctx: NodeContext,
  record: LogRecord,
  trueNow: () => number,
  onAppend: (index: number) => void,
): Log {
  // After a restart the disk holds only what was synced: that is where the log resumes.
  let lastIndex = (ctx.disk.read('last') as number | undefined) ?? 0;
  let durableIndex = lastIndex;
  record.lastIndex = lastIndex;
  record.durableIndex = Math.max(record.durableIndex, durableIndex);
  const entryAt = (index: number): Entry | undefined => ctx.disk.read(`entry:${index}`) as Entry | undefined;

  return {
    get lastIndex() {
      return lastIndex;
    },
    get durableIndex() {
      return durableIndex;
    },
    append(entry: Entry): void {
      if (entry === null || typeof entry !== 'object') throw new TypeError('log.append expects an entry { index, key, value }');
      const { index, key, value } = entry;
      if (index !== lastIndex + 1) {
        throw new RangeError(`log.append: entry ${String(index)} is not the next one (the log ends at ${lastIndex}); a log has no gaps`);
      }
      if (typeof key !== 'string' || typeof value !== 'string') throw new TypeError('log.append: key and value must be strings');
      const copy: Entry = Object.freeze({ index, key, value });
      ctx.disk.write(`entry:${index}`, copy);
      ctx.disk.write('last', index);
      lastIndex = index;
      record.lastIndex = index;
      record.entries[index] = copy;
      record.appendedAtMs[index] = trueNow();
      onAppend(index);
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
      if (!ctx.alive) return durableIndex;
      for (let i = record.durableIndex + 1; i <= covered; i++) record.durableAtMs[i] ??= trueNow();
      if (covered > durableIndex) durableIndex = covered;
      if (covered > record.durableIndex) record.durableIndex = covered;
      return durableIndex;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(Math.ceil((p / 100) * sorted.length), 1) - 1]!;
}

/** How long each acknowledged write took from the client's side, in ms. */
export function ackLatencies(run: GroupRun, from = 0, to = Infinity): number[] {
  return run.history
    .filter((op) => op.status === 'ok' && op.invokeMs >= from && op.invokeMs < to)
    .map((op) => op.returnMs! - op.invokeMs);
}

/**
 * Replication lag of each entry the leader appended between `from` and `to`, on one
 * follower: from the leader's append to the follower's sync. `Infinity` for an entry the
 * follower never made durable.
 */
export function lags(run: GroupRun, follower: string, from = 0, to = Infinity): number[] {
  const leader = run.logs[LEADER]!;
  const mine = run.logs[follower]!;
  const out: number[] = [];
  for (let i = 1; i <= leader.lastIndex; i++) {
    const appended = leader.appendedAtMs[i];
    if (appended === undefined || appended < from || appended >= to) continue;
    const durable = mine.durableAtMs[i];
    out.push(durable === undefined || mine.entries[i]?.value !== leader.entries[i]?.value ? Infinity : durable - appended);
  }
  return out;
}

/** The index of each write in the leader's log, by value. */
function leaderIndexByValue(run: GroupRun): Map<string, number> {
  const leader = run.logs[LEADER]!;
  const byValue = new Map<string, number>();
  for (let i = 1; i <= leader.lastIndex; i++) {
    const entry = leader.entries[i];
    if (entry !== undefined) byValue.set(entry.value, i);
  }
  return byValue;
}

/**
 * Acknowledged writes the leader resolved before any follower (semi-sync) or every follower
 * (sync) had them on disk, except those that waited the semi-sync timeout first.
 */
export function ackedTooEarly(run: GroupRun): { value: string; index: number; resolvedMs: number }[] {
  const mode = run.config.ackMode;
  if (mode === 'async') return [];
  const indexOf = leaderIndexByValue(run);
  const leader = run.logs[LEADER]!;
  const out: { value: string; index: number; resolvedMs: number }[] = [];
  for (const [value, resolvedMs] of run.resolvedAtMs) {
    const index = indexOf.get(value);
    if (index === undefined) {
      out.push({ value, index: -1, resolvedMs });
      continue;
    }
    const durableOn = FOLLOWERS.filter((f) => {
      const log = run.logs[f]!;
      return log.entries[index]?.value === value && (log.durableAtMs[index] ?? Infinity) <= resolvedMs;
    }).length;
    const leaderDurable = (leader.durableAtMs[index] ?? Infinity) <= resolvedMs;
    // A microsecond of slack for sums of floating-point times.
    const waitedTimeout = resolvedMs - leader.appendedAtMs[index]! >= run.config.semiSyncTimeoutMs - 1e-3;
    const enough = mode === 'sync' ? durableOn === FOLLOWERS.length : durableOn >= 1 || waitedTimeout;
    if (!leaderDurable || !enough) out.push({ value, index, resolvedMs });
  }
  return out;
}

/** The prefix of a follower's log that it had appended by `atMs` and that ended up durable. */
function keptPrefix(log: LogRecord, atMs: number): number {
  let lo = 0;
  let hi = log.durableIndex;
  // appendedAtMs rises with the index within the durable prefix: binary search for the last index appended by atMs.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((log.appendedAtMs[mid] ?? Infinity) <= atMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What {@link lostIfLeaderZoneFailsAt} reuses between instants of one run. */
interface OutageIndex {
  /** Acknowledged writes, by the time the client heard, with their index in the leader's log (0: not in it). */
  readonly acked: readonly { readonly op: Operation<KvInput, KvOutput>; readonly index: number }[];
  /** Every write of each key, in the order issued. */
  readonly byKey: ReadonlyMap<string, readonly Operation<KvInput, KvOutput>[]>;
  /** Each follower's entries of each key, by index. */
  readonly followerIndexes: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
}

const outageIndexes = new WeakMap<GroupRun, OutageIndex>();

function outageIndex(run: GroupRun): OutageIndex {
  let found = outageIndexes.get(run);
  if (found !== undefined) return found;
  const indexOf = leaderIndexByValue(run);
  const acked = run.history
    .filter((op) => op.status === 'ok' && op.input.kind === 'put')
    .map((op) => ({ op, index: indexOf.get((op.input as { value: string }).value) ?? 0 }))
    .sort((a, b) => a.op.returnMs! - b.op.returnMs!);
  const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
  for (const op of run.history) {
    const list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, [op]);
    else list.push(op);
  }
  const followerIndexes = new Map<string, Map<string, number[]>>();
  for (const f of FOLLOWERS) {
    const log = run.logs[f]!;
    const keys = new Map<string, number[]>();
    for (let i = 1; i <= log.durableIndex; i++) {
      const key = log.entries[i]?.key;
      if (key === undefined) continue;
      const list = keys.get(key);
      if (list === undefined) keys.set(key, [i]);
      else list.push(i);
    }
    followerIndexes.set(f, keys);
  }
  found = { acked, byKey, followerIndexes };
  outageIndexes.set(run, found);
  return found;
}

/**
 * How many acknowledged writes would be lost if the leader's zone went dark at `atMs` and
 * the follower with the longest log took over: writes the clients had been told were done,
 * missing from that follower's log. The simulator's `noAcknowledgedWriteLost` decides, key
 * by key, for every key with an acknowledged write that the follower lacks; a write still
 * waiting for its acknowledgement at `atMs` may go either way.
 */
export function lostIfLeaderZoneFailsAt(run: GroupRun, atMs: number): { lost: number; acknowledged: number; from: string } {
  const { acked, byKey, followerIndexes } = outageIndex(run);
  let best = FOLLOWERS[0] as string;
  let prefix = -1;
  for (const f of FOLLOWERS) {
    const kept = keptPrefix(run.logs[f]!, atMs);
    if (kept > prefix) [best, prefix] = [f, kept];
  }
  let acknowledged = 0;
  const suspects = new Set<string>();
  for (const { op, index } of acked) {
    if (op.returnMs! > atMs) break;
    acknowledged++;
    if (index === 0 || index > prefix) suspects.add(op.input.key);
  }
  if (suspects.size === 0) return { lost: 0, acknowledged, from: best };

  const writes: WriteRecord[] = [];
  const values: Record<string, string> = {};
  const entries = run.logs[best]!.entries;
  const indexes = followerIndexes.get(best)!;
  for (const key of suspects) {
    for (const op of byKey.get(key)!) {
      if (op.invokeMs > atMs) break;
      const ack = op.status === 'ok' && op.returnMs! <= atMs ? { ackMs: op.returnMs! } : {};
      writes.push({ key, value: (op.input as { value: string }).value, invokeMs: op.invokeMs, ...ack });
    }
    const held = (indexes.get(key) ?? []).filter((i) => i <= prefix);
    if (held.length > 0) values[key] = entries[held[held.length - 1]!]!.value;
  }
  const result = noAcknowledgedWriteLost({ writes, finalStates: [{ source: best, values }] });
  return { lost: result.ok ? 0 : result.details.violations, acknowledged, from: best };
}
