/**
 * The test harness: your controller and a replica group of three nodes in the simulator,
 * with clients writing to whichever replica leads. You do not need to change it (and
 * changes here do not count), but reading it shows exactly what is measured.
 *
 * - `r1` (zone a) leads in epoch 1; `r2` (zone b) and `r3` (zone c) follow. Zone b is
 *   further from zone a than zone c is (2–4 ms one way instead of 0.4–1 ms), so r2 trails.
 *   Each runs your `createReplica` from "The replicated log" in semi-sync mode with no
 *   timeout, so the leader acknowledges a write only once a follower has it on disk. The
 *   controller runs in zone b. Links to and from the controller lose 2% of messages.
 * - Around each replica sits a member (below): it stores its epoch on disk, obeys the
 *   controller's commands when their epoch is at least its own, answers each with its
 *   position, passes on only the replication messages of its own epoch, sends heartbeats
 *   while it leads and its position while it is idle.
 * - Clients in zone a and in zones b and c write to the leader they know. A refusal names
 *   the leader when the replica knows it; otherwise they ask the controller node, which
 *   answers with the last replica your controller promoted. A client gives up on a write
 *   after 1 s.
 * - The harness records, from outside: every command your controller sent, every
 *   promotion, every acknowledged write with the leader and epoch that acknowledged it,
 *   every log's entries, and every suffix a replica threw away (with how much of it agreed
 *   with the leader it was told to follow).
 */
import {
  Rejection,
  RemoteError,
  Simulation,
  atMostOneLeaderPerTerm,
  noAcknowledgedWriteLost,
  uniform,
  type Distribution,
  type NodeContext,
  type Operation,
  type Workload,
  type WriteRecord,
} from '@faultlines/sim';
import { createReplica as yourReplica } from '../replication-log/replica.ts';
import type { CreateReplica, Entry, GroupConfig, Log, Replica } from '../replication-log/types.ts';
import type { Command, Controller, ControllerConfig, CreateController, Heartbeat, Position } from './types.ts';

export const REPLICAS = ['r1', 'r2', 'r3'] as const;
export const FIRST_LEADER = 'r1';
export const CONTROLLER = 'controller';
/** Each node's zone. */
export const ZONES: Readonly<Record<string, string>> = {
  r1: 'a',
  r2: 'b',
  r3: 'c',
  controller: 'b',
  'clients-a': 'a',
  'clients-bc': 'b and c',
};
/** A semi-sync timeout no run reaches: a write waits for a follower however long it takes. */
export const NO_TIMEOUT_MS = 1e9;
/** How long a client waits for one attempt before it asks the controller who leads. */
export const CLIENT_ATTEMPT_MS = 150;
/** One-way latency between zones, and within one. */
export const CROSS_ZONE: Distribution = uniform(0.4, 1.0);
/** Zone b is further from zone a: r2 trails r1 more than r3 does, yet answers the controller (in zone b) first. */
export const FAR_ZONE: Distribution = uniform(2, 4);
export const SAME_ZONE: Distribution = uniform(0.1, 0.3);
export const SYNC_LATENCY: Distribution = uniform(0.5, 1.5);

type Put = { readonly kind: 'put'; readonly key: string; readonly value: string };

/** A fault in the schedule. */
export type Fault =
  /** The replica crashes and its zone is cut off (with zone a's clients, for r1); at `healAtMs` the zone returns and the replica restarts. */
  | { readonly kind: 'zone-dark'; readonly replica: string; readonly atMs: number; readonly healAtMs: number }
  /** The replica stops (a long garbage-collection pause) and then carries on as if nothing happened. */
  | { readonly kind: 'pause'; readonly replica: string; readonly atMs: number; readonly resumeAtMs: number }
  /** The links between the replica and the controller are cut; the replica still reaches everyone else. */
  | { readonly kind: 'cut-from-controller'; readonly replica: string; readonly atMs: number; readonly healAtMs: number }
  /** The controller cannot hear the replica (one direction only) for a while. */
  | { readonly kind: 'mute'; readonly replica: string; readonly atMs: number; readonly healAtMs: number }
  /** Whichever replica leads at `atMs` crashes, and restarts at `restartAtMs`. */
  | { readonly kind: 'leader-crash'; readonly atMs: number; readonly restartAtMs: number }
  /** The first command of this kind that the controller sends (to `to`, or to anyone) at or after `atMs` is lost. */
  | { readonly kind: 'lose-command'; readonly command: Command['kind']; readonly to?: string; readonly atMs: number };

export interface ClusterOptions {
  readonly seed: number;
  readonly createController: CreateController;
  /** @default your `createReplica` from "The replicated log" */
  readonly createReplica?: CreateReplica;
  readonly heartbeatEveryMs: number;
  readonly failAfterMs: number;
  readonly faults?: readonly Fault[];
  /** Client writes per second, a third from zone a and the rest from zones b and c. @default 300 */
  readonly writesPerS?: number;
  /** Clients stop writing at this time. */
  readonly stopMs: number;
  /** The run ends at this time. @default stopMs + 800 */
  readonly endMs?: number;
  /** Probability that a message to or from the controller is lost. @default 0.02 */
  readonly controllerLoss?: number;
}

/** One replica's log, as the harness saw it. Index 0 is unused. */
export interface LogRecord {
  /** The entries, as they stand now. */
  readonly entries: Entry[];
  /** The epoch in which each entry was appended. */
  readonly epochs: number[];
  lastIndex: number;
  durableIndex: number;
}

export interface CommandRecord {
  readonly atMs: number;
  readonly to: string;
  readonly command: Command;
  /** Lost on the way by a `lose-command` fault. */
  readonly lost?: true;
}

/** A replica that became leader. */
export interface Promotion {
  readonly replica: string;
  readonly epoch: number;
  readonly atMs: number;
  /** Its log's last index at that moment. */
  readonly startIndex: number;
  /** The values in its log at that moment. */
  readonly values: ReadonlySet<string>;
}

/** A write a client saw acknowledged. */
export interface AckRecord {
  readonly value: string;
  readonly replica: string;
  readonly epoch: number;
  readonly atMs: number;
}

export interface Truncation {
  readonly replica: string;
  readonly atMs: number;
  readonly fromIndex: number;
  /** Entries thrown away. */
  readonly dropped: number;
  /** The leader the replica was told to follow. */
  readonly leader: string;
  /**
   * Entries thrown away that the leader held too, at the same index and from the same
   * epoch: they agreed with it, and it must now send them again.
   */
  readonly agreeing: number;
}

/** A heartbeat that reached the controller. */
export interface HeartbeatRecord {
  readonly from: string;
  readonly epoch: number;
  readonly atMs: number;
}

export interface ClusterRun {
  readonly options: ClusterOptions;
  /** Every heartbeat the controller received, in order. */
  readonly heartbeats: readonly HeartbeatRecord[];
  readonly history: readonly Operation<Put, unknown>[];
  readonly commands: readonly CommandRecord[];
  readonly promotions: readonly Promotion[];
  readonly acks: readonly AckRecord[];
  readonly truncations: readonly Truncation[];
  readonly logs: Readonly<Record<string, LogRecord>>;
  /** Each replica's epoch and role at the end. */
  readonly finalPositions: Readonly<Record<string, Position | null>>;
  /** Errors thrown by your controller or the replicas inside the simulation. */
  readonly errors: readonly string[];
  readonly endMs: number;
}

/** Builds the run and runs it to the end. */
export async function runCluster(options: ClusterOptions): Promise<ClusterRun> {
  const stopMs = options.stopMs;
  const endMs = options.endMs ?? stopMs + 800;
  const createReplica = options.createReplica ?? yourReplica;
  const loss = options.controllerLoss ?? 0.02;
  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: CROSS_ZONE } });

  const errors: string[] = [];
  const commands: CommandRecord[] = [];
  const promotions: Promotion[] = [];
  const acks: AckRecord[] = [];
  const truncations: Truncation[] = [];
  const heartbeats: HeartbeatRecord[] = [];
  /** Commands to lose on the way, from `lose-command` faults. */
  const losses = (options.faults ?? []).flatMap((f) => (f.kind === 'lose-command' ? [{ ...f, done: false }] : []));
  const logs: Record<string, LogRecord> = {};
  const positions: Record<string, () => Position | null> = {};
  /** The last replica promoted: what the controller node tells clients who ask. */
  let promoted: { replica: string; epoch: number } = { replica: FIRST_LEADER, epoch: 1 };
  let currentLeader = FIRST_LEADER;

  const note = (who: string, what: string, error: unknown): void => {
    errors.push(`${who} ${what}: ${error instanceof Error ? error.message : String(error)}`);
  };

  for (const name of REPLICAS) {
    const record: LogRecord = { entries: [], epochs: [], lastIndex: 0, durableIndex: 0 };
    logs[name] = record;
    sim.addNode(
      name,
      (ctx) =>
        member(name, ctx, record, {
          createReplica,
          heartbeatEveryMs: options.heartbeatEveryMs,
          now: () => sim.nowMs,
          onError: (what, error) => note(name, what, error),
          onReplicaError: (what, error) => note(`${name}: your replica (../replication-log/replica.ts)`, `threw in ${what}`, error),
          onPromote(epoch, startIndex) {
            const values = new Set<string>();
            for (let i = 1; i <= startIndex; i++) values.add(record.entries[i]!.value);
            promotions.push({ replica: name, epoch, atMs: sim.nowMs, startIndex, values });
            currentLeader = name;
          },
          onAck(value, epoch) {
            acks.push({ value, replica: name, epoch, atMs: sim.nowMs });
          },
          onTruncate(fromIndex, leader, dropped) {
            const theirs = logs[leader]!;
            let agreeing = 0;
            for (const d of dropped) {
              if (theirs.entries[d.index]?.value === d.entry.value && theirs.epochs[d.index] === d.epoch) agreeing++;
            }
            truncations.push({ replica: name, atMs: sim.nowMs, fromIndex, dropped: dropped.length, leader, agreeing });
          },
          position: (get) => {
            positions[name] = get;
          },
        }),
      { disk: { syncLatency: SYNC_LATENCY } },
    );
  }

  sim.addNode(CONTROLLER, (ctx) => {
    let controller: Controller | undefined;
    const guard = (what: string, run: () => void): void => {
      try {
        run();
      } catch (error) {
        note('the controller', what, error);
      }
    };
    const config: ControllerConfig = Object.freeze({
      replicas: Object.freeze([...REPLICAS]),
      leader: FIRST_LEADER,
      heartbeatEveryMs: options.heartbeatEveryMs,
      failAfterMs: options.failAfterMs,
    });
    return {
      onStart() {
        guard('start', () => {
          controller = options.createController(config, {
            now: () => ctx.now(),
            send(to, command) {
              if (!(REPLICAS as readonly string[]).includes(to)) {
                throw new Error(`cannot send to ${JSON.stringify(to)}: the replicas are ${REPLICAS.join(', ')}`);
              }
              const checked = checkCommand(command);
              const loss = losses.find((l) => !l.done && l.command === checked.kind && (l.to ?? to) === to && sim.nowMs >= l.atMs);
              if (loss !== undefined) {
                loss.done = true;
                commands.push({ atMs: sim.nowMs, to, command: checked, lost: true });
                return;
              }
              commands.push({ atMs: sim.nowMs, to, command: checked });
              if (checked.kind === 'promote' && checked.epoch >= promoted.epoch) promoted = { replica: to, epoch: checked.epoch };
              ctx.send(to, { command: checked });
            },
            setTimer: (delayMs, callback) => ctx.setTimer(delayMs, () => guard('timer', callback)),
            cancelTimer: (id) => ctx.cancelTimer(id),
          });
        });
      },
      onMessage(message) {
        const body = message.body as { heartbeat?: Heartbeat; position?: Position };
        if (body.heartbeat !== undefined) heartbeats.push({ from: message.from, epoch: body.heartbeat.epoch, atMs: sim.nowMs });
        if (controller === undefined) return;
        if (body.heartbeat !== undefined) guard('onHeartbeat', () => controller!.onHeartbeat(message.from, { ...body.heartbeat! }));
        if (body.position !== undefined) guard('onPosition', () => controller!.onPosition(message.from, { ...body.position! }));
      },
      onRequest() {
        return { leader: promoted.replica };
      },
    };
  });

  const clientsA = clients(sim, 'clients-a', (options.writesPerS ?? 300) / 3, stopMs);
  const clientsBC = clients(sim, 'clients-bc', ((options.writesPerS ?? 300) * 2) / 3, stopMs);

  // Zone a's clients sit next to r1; zone b's and c's next to r2 and r3.
  for (const [client, near] of [
    ['clients-a', 'r1'],
    ['clients-bc', 'r2'],
    ['clients-bc', 'r3'],
    ['clients-bc', 'controller'],
    ['controller', 'r2'],
  ] as const) {
    sim.setLink(client, near, { latency: SAME_ZONE });
    sim.setLink(near, client, { latency: SAME_ZONE });
  }
  sim.setLink('r1', 'r2', { latency: FAR_ZONE });
  sim.setLink('r2', 'r1', { latency: FAR_ZONE });
  for (const r of REPLICAS) {
    const existing = r === 'r2' ? SAME_ZONE : CROSS_ZONE;
    sim.setLink(CONTROLLER, r, { latency: existing, dropProbability: loss });
    sim.setLink(r, CONTROLLER, { latency: existing, dropProbability: loss });
  }

  for (const fault of options.faults ?? []) {
    switch (fault.kind) {
      case 'zone-dark': {
        const zone = ZONES[fault.replica]!;
        const inside = Object.keys(ZONES).filter((n) => ZONES[n] === zone);
        const outside = Object.keys(ZONES).filter((n) => ZONES[n] !== zone);
        sim.partition([inside, outside], { atMs: fault.atMs, healAtMs: fault.healAtMs, label: `zone ${zone} dark` });
        sim.crash(fault.replica, { atMs: fault.atMs, restartAtMs: fault.healAtMs });
        break;
      }
      case 'pause':
        sim.pause(fault.replica, { atMs: fault.atMs, resumeAtMs: fault.resumeAtMs });
        break;
      case 'cut-from-controller':
        sim.cutLink(fault.replica, CONTROLLER, { atMs: fault.atMs, healAtMs: fault.healAtMs, bothWays: true });
        break;
      case 'mute':
        sim.cutLink(fault.replica, CONTROLLER, { atMs: fault.atMs, healAtMs: fault.healAtMs });
        break;
      case 'leader-crash':
        sim.at(fault.atMs, () => {
          const victim = currentLeader;
          sim.crash(victim);
          sim.restart(victim, { atMs: fault.restartAtMs });
        });
        break;
      case 'lose-command':
        break;
    }
  }

  await sim.runUntil(endMs);
  for (const e of sim.errors) errors.push(e.message);
  const finalPositions: Record<string, Position | null> = {};
  for (const r of REPLICAS) finalPositions[r] = sim.node(r).state === 'up' ? (positions[r]?.() ?? null) : null;
  return {
    options,
    heartbeats,
    history: [...clientsA.history, ...clientsBC.history].sort((a, b) => a.invokeMs - b.invokeMs),
    commands,
    promotions,
    acks,
    truncations,
    logs,
    finalPositions,
    errors,
    endMs,
  };
}

/** Checks a command's shape and returns a frozen copy of it. */
function checkCommand(command: Command): Command {
  const c = command as Partial<Record<string, unknown>> | null;
  const epoch = c?.['epoch'];
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1) {
    throw new Error(`a command needs an integer epoch ≥ 1, got ${JSON.stringify(command)}`);
  }
  switch (c?.['kind']) {
    case 'fence':
    case 'promote':
      return Object.freeze({ kind: c['kind'], epoch });
    case 'follow': {
      const leader = c['leader'];
      const fromIndex = c['fromIndex'];
      if (typeof leader !== 'string' || !(REPLICAS as readonly string[]).includes(leader)) {
        throw new Error(`a follow command names a replica to follow, got leader ${JSON.stringify(leader)}`);
      }
      if (typeof fromIndex !== 'number' || !Number.isInteger(fromIndex) || fromIndex < 0) {
        throw new Error(`a follow command needs an integer fromIndex ≥ 0, got ${JSON.stringify(fromIndex)}`);
      }
      return Object.freeze({ kind: 'follow', epoch, leader, fromIndex });
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}: send fence, promote or follow`);
  }
}

/** Clients that write to the leader they know; a refusal names the new one, and any other failure makes them ask the controller. */
function clients(sim: Simulation, name: string, ratePerS: number, stopMs: number): Workload<Put, unknown> {
  let leader: string = FIRST_LEADER;
  let asking = false;
  return sim.workload<Put, unknown>({
    name,
    arrivals: { kind: 'open', ratePerS },
    startMs: 50,
    stopMs,
    deadlineMs: 1_000,
    operation: (rng, i) => ({ kind: 'put', key: `k${Math.floor(rng.next() * 1_000)}`, value: `${name}-${i}` }),
    issue: async (input, ctx) => {
      try {
        return await ctx.rpc(leader, input, { timeoutMs: CLIENT_ATTEMPT_MS });
      } catch (error) {
        const named = error instanceof RemoteError ? /leader is (r\d)/.exec(error.message)?.[1] : undefined;
        if (named !== undefined) {
          leader = named;
        } else if (!asking) {
          asking = true;
          ctx.rpc<{ leader: string }>(CONTROLLER, { kind: 'whois' }, { timeoutMs: 100 }).then(
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

interface MemberHooks {
  readonly createReplica: CreateReplica;
  readonly heartbeatEveryMs: number;
  /** True time, for the records. */
  readonly now: () => number;
  readonly onError: (what: string, error: unknown) => void;
  /** An error thrown by the learner's replica code. */
  readonly onReplicaError: (what: string, error: unknown) => void;
  readonly onPromote: (epoch: number, startIndex: number) => void;
  readonly onAck: (value: string, epoch: number) => void;
  readonly onTruncate: (fromIndex: number, leader: string, dropped: readonly DroppedEntry[]) => void;
  readonly position: (get: () => Position) => void;
}

/** An entry a truncation threw away, with the epoch it was written in. */
interface DroppedEntry {
  readonly index: number;
  readonly entry: Entry;
  readonly epoch: number;
}

/** A log on the node's disk, as in "The replicated log", plus the epoch of each entry and a truncate for the member. */
interface MemberLog extends Log {
  /** Epoch of the entry at `lastIndex` (0 when empty). */
  readonly lastEpoch: number;
  /** The epoch stamped on entries appended from now on. */
  stampEpoch: number;
  /** Throws away every entry after `index`, and returns them. */
  truncate(index: number): DroppedEntry[];
}

function memberLog(ctx: NodeContext, record: LogRecord): MemberLog {
  let lastIndex = (ctx.disk.read('last') as number | undefined) ?? 0;
  let durableIndex = lastIndex;
  record.lastIndex = lastIndex;
  record.durableIndex = lastIndex;
  record.entries.length = lastIndex + 1;
  record.epochs.length = lastIndex + 1;
  const entryAt = (index: number): Entry | undefined =>
    index >= 1 && index <= lastIndex ? (ctx.disk.read(`entry:${index}`) as Entry | undefined) : undefined;
  const epochAt = (index: number): number => (index >= 1 ? ((ctx.disk.read(`epoch:${index}`) as number | undefined) ?? 0) : 0);
  const log: MemberLog = {
    stampEpoch: 0,
    get lastIndex() {
      return lastIndex;
    },
    get durableIndex() {
      return durableIndex;
    },
    get lastEpoch() {
      return epochAt(lastIndex);
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
      ctx.disk.write(`epoch:${index}`, log.stampEpoch);
      ctx.disk.write('last', index);
      lastIndex = index;
      record.entries[index] = copy;
      record.epochs[index] = log.stampEpoch;
      record.lastIndex = index;
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
      // A truncation during the sync can leave `covered` beyond the log: only what is still there is durable.
      durableIndex = Math.max(durableIndex, Math.min(covered, lastIndex));
      record.durableIndex = Math.max(record.durableIndex, durableIndex);
      return durableIndex;
    },
    truncate(index: number): DroppedEntry[] {
      if (index >= lastIndex) return [];
      const dropped: DroppedEntry[] = [];
      for (let i = index + 1; i <= lastIndex; i++) dropped.push({ index: i, entry: entryAt(i)!, epoch: epochAt(i) });
      lastIndex = index;
      durableIndex = Math.min(durableIndex, index);
      ctx.disk.write('last', index);
      record.entries.length = index + 1;
      record.epochs.length = index + 1;
      record.lastIndex = index;
      record.durableIndex = Math.min(record.durableIndex, index);
      return dropped;
    },
  };
  return log;
}

/**
 * One replica with its member: the epoch, the role, the fence. Commands run one at a time,
 * in the order they arrive.
 */
function member(name: string, ctx: NodeContext, record: LogRecord, hooks: MemberHooks) {
  const log = memberLog(ctx, record);
  let epoch = (ctx.disk.read('epoch') as number | undefined) ?? 1;
  // A replica starts in its epoch-1 role; one that restarts after a crash waits, idle, to be told.
  const restarted = ctx.disk.has('started');
  let role: Position['role'] = restarted ? 'idle' : name === FIRST_LEADER ? 'leader' : 'follower';
  let leader: string | undefined = role === 'idle' ? undefined : FIRST_LEADER;
  let replica: Replica | undefined;
  /** Bumped whenever the replica is replaced: callbacks of an older one are ignored. */
  let generation = 0;
  /** Writes waiting for the replica, rejected if it is fenced. */
  const pending = new Set<(error: Error) => void>();
  let queue: Promise<void> = Promise.resolve();
  log.stampEpoch = epoch;

  const position = (): Position => ({
    epoch,
    role,
    ...(leader !== undefined && role === 'follower' ? { leader } : {}),
    lastIndex: log.lastIndex,
    lastEpoch: log.lastEpoch,
    durableIndex: log.durableIndex,
  });
  hooks.position(position);

  const guard = (what: string, run: () => void): void => {
    try {
      run();
    } catch (error) {
      hooks.onReplicaError(what, error);
    }
  };

  function stop(): void {
    generation++;
    replica = undefined;
    for (const reject of pending) reject(new Rejection(`not the leader: ${name} was fenced at epoch ${epoch}`));
    pending.clear();
  }

  function start(asLeader: string): void {
    const mine = ++generation;
    const config: GroupConfig = Object.freeze({
      leader: asLeader,
      followers: Object.freeze(REPLICAS.filter((r) => r !== asLeader)),
      ackMode: 'semi-sync',
      semiSyncTimeoutMs: NO_TIMEOUT_MS,
    });
    const sentEpoch = epoch;
    guard('createReplica', () => {
      replica = hooks.createReplica(config, {
        name,
        now: () => ctx.now(),
        send(to, message) {
          if (mine !== generation) return;
          if (!(REPLICAS as readonly string[]).includes(to) || to === name) {
            throw new Error(`${name} cannot send to ${JSON.stringify(to)}: replicas are ${REPLICAS.join(', ')}`);
          }
          ctx.send(to, { replication: { epoch: sentEpoch, body: structuredClone(message) } });
        },
        setTimer: (delayMs, callback) =>
          ctx.setTimer(delayMs, async () => {
            if (mine === generation) guard('timer', callback);
          }),
        cancelTimer: (id) => ctx.cancelTimer(id),
        log,
      });
    });
  }

  function heartbeat(): void {
    if (role === 'leader') ctx.send(CONTROLLER, { heartbeat: { epoch, lastIndex: log.lastIndex } satisfies Heartbeat });
    else if (role === 'idle') ctx.send(CONTROLLER, { position: position() });
    ctx.setTimer(hooks.heartbeatEveryMs, heartbeat);
  }

  /** Stores a higher epoch on disk. The caller syncs before it answers. */
  function adopt(next: number): void {
    epoch = next;
    log.stampEpoch = next;
    ctx.disk.write('epoch', next);
  }

  async function obey(command: Command): Promise<void> {
    if (command.epoch < epoch) {
      ctx.send(CONTROLLER, { position: position() });
      return;
    }
    switch (command.kind) {
      case 'fence':
        if (command.epoch > epoch) {
          adopt(command.epoch);
          stop();
          role = 'idle';
          leader = undefined;
          await log.sync();
        }
        break;
      case 'promote':
        if (command.epoch > epoch || role !== 'leader') {
          adopt(command.epoch);
          stop();
          role = 'leader';
          leader = name;
          await log.sync();
          if (!ctx.alive) return;
          start(name);
          hooks.onPromote(epoch, log.lastIndex);
        }
        break;
      case 'follow':
        if (command.leader === name) {
          hooks.onError('follow', new Error(`the controller told ${name} to follow itself`));
          break;
        }
        if (command.epoch > epoch || role !== 'follower' || leader !== command.leader) {
          adopt(command.epoch);
          stop();
          role = 'follower';
          leader = command.leader;
          const dropped = log.truncate(command.fromIndex);
          if (dropped.length > 0) hooks.onTruncate(command.fromIndex, command.leader, dropped);
          await log.sync();
          if (!ctx.alive) return;
          start(command.leader);
        }
        break;
    }
    ctx.send(CONTROLLER, { position: position() });
  }

  return {
    onStart() {
      ctx.disk.write('started', true);
      if (role !== 'idle') start(leader!);
      heartbeat();
    },
    onMessage(message: { from: string; body: unknown }) {
      const body = message.body as { replication?: { epoch: number; body: unknown }; command?: Command };
      if (body.command !== undefined) {
        const command = body.command;
        queue = queue.then(() => obey(command)).catch((error: unknown) => hooks.onError('command', error));
        return queue;
      }
      const rep = body.replication;
      // The fence: replication messages of another epoch are dropped.
      if (rep === undefined || rep.epoch !== epoch || replica === undefined) return;
      const r = replica;
      guard('onMessage', () => r.onMessage(message.from, rep.body));
      return undefined;
    },
    async onRequest(request: { body: unknown }) {
      const op = request.body as Put;
      if (role !== 'leader' || replica === undefined) {
        throw new Rejection(`not the leader: ${leader !== undefined && leader !== name ? `leader is ${leader}` : 'no leader known'} at epoch ${epoch}`);
      }
      const writeEpoch = epoch;
      const r = replica;
      await new Promise<void>((resolve, reject) => {
        pending.add(reject);
        let write: Promise<void>;
        try {
          write = r.write(op.key, op.value);
        } catch (error) {
          pending.delete(reject);
          reject(error);
          return;
        }
        write.then(
          () => {
            if (!pending.delete(reject)) return;
            resolve();
          },
          (error: unknown) => {
            pending.delete(reject);
            reject(error);
          },
        );
      });
      hooks.onAck(op.value, writeEpoch);
      return { kind: 'put' };
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

/** The epochs your controller used, with the time it first sent a command of each. */
export function epochsCreated(run: ClusterRun): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of run.commands) if (c.command.epoch > 1 && !out.has(c.command.epoch)) out.set(c.command.epoch, c.atMs);
  return out;
}

/**
 * Recovery time after a fault at `faultMs`: until a leader of a newer epoch than the one
 * leading at `faultMs` acknowledged its first write. `Infinity` when none did.
 */
export function recoveryMs(run: ClusterRun, faultMs: number): number {
  let before = 1;
  for (const p of run.promotions) if (p.atMs <= faultMs) before = Math.max(before, p.epoch);
  const first = run.acks.find((a) => a.atMs > faultMs && a.epoch > before);
  return first === undefined ? Infinity : first.atMs - faultMs;
}

/**
 * Each epoch your controller started, with how long the controller had then gone without a
 * heartbeat of the epoch before it (counted from the start of the run if it never had one).
 */
export function silenceBeforeEpochs(run: ClusterRun): { epoch: number; atMs: number; silentMs: number }[] {
  const out: { epoch: number; atMs: number; silentMs: number }[] = [];
  for (const [epoch, atMs] of epochsCreated(run)) {
    let last = 0;
    for (const h of run.heartbeats) if (h.epoch === epoch - 1 && h.atMs <= atMs) last = h.atMs;
    out.push({ epoch, atMs, silentMs: atMs - last });
  }
  return out;
}

/** Entries replicas threw away though the leader they were told to follow held the same ones. */
export function needlessTruncations(run: ClusterRun): Truncation[] {
  return run.truncations.filter((t) => t.agreeing > 0);
}

/** The replica promoted in the highest epoch, if any was. */
export function lastLeader(run: ClusterRun): Promotion | undefined {
  let best: Promotion | undefined;
  for (const p of run.promotions) if (best === undefined || p.epoch >= best.epoch) best = p;
  return best;
}

/**
 * Acknowledged writes missing from the final leader's log, decided key by key by the
 * simulator's `noAcknowledgedWriteLost` (a write that was overwritten later is not lost).
 */
export function lostAcknowledged(run: ClusterRun): { lost: number; acknowledged: number; example?: string } {
  const finalLeader = lastLeader(run)?.replica ?? FIRST_LEADER;
  const log = run.logs[finalLeader]!;
  const values: Record<string, string> = {};
  for (let i = 1; i <= log.lastIndex; i++) {
    const e = log.entries[i];
    if (e !== undefined) values[e.key] = e.value;
  }
  const writes: WriteRecord[] = run.history.map((op) => ({
    key: op.input.key,
    value: op.input.value,
    invokeMs: op.invokeMs,
    ...(op.status === 'ok' ? { ackMs: op.returnMs! } : {}),
  }));
  const acknowledged = run.history.filter((op) => op.status === 'ok').length;
  const result = noAcknowledgedWriteLost({ writes, finalStates: [{ source: finalLeader, values }] });
  if (result.ok) return { lost: 0, acknowledged };
  return { lost: result.details.violations, acknowledged, example: result.message };
}

/**
 * Writes a leader acknowledged after a replica of a newer epoch had been promoted, and that
 * are not in the log the newer leader started from: a zombie leader's acknowledgements.
 */
export function zombieAcks(run: ClusterRun): AckRecord[] {
  const out: AckRecord[] = [];
  for (const ack of run.acks) {
    const newer = run.promotions.find((p) => p.epoch > ack.epoch && p.atMs < ack.atMs && !p.values.has(ack.value));
    if (newer !== undefined) out.push(ack);
  }
  return out;
}

/** `atMostOneLeaderPerTerm` over every promotion and every acknowledgement. */
export function leadersPerEpoch(run: ClusterRun): ReturnType<typeof atMostOneLeaderPerTerm> {
  return atMostOneLeaderPerTerm([
    ...run.promotions.map((p) => ({ nodeId: p.replica, term: p.epoch, atMs: p.atMs })),
    ...run.acks.map((a) => ({ nodeId: a.replica, term: a.epoch, atMs: a.atMs })),
  ]);
}

/**
 * Replicas whose log at the end differs from the final leader's (a different entry at some
 * index, or entries the leader lacks, or fewer entries on disk). Replicas that are down at
 * the end are skipped.
 */
export function divergent(run: ClusterRun): { replica: string; index: number; why: string }[] {
  const finalLeader = lastLeader(run)?.replica ?? FIRST_LEADER;
  const lead = run.logs[finalLeader]!;
  const out: { replica: string; index: number; why: string }[] = [];
  for (const r of REPLICAS) {
    if (r === finalLeader || run.finalPositions[r] === null) continue;
    const log = run.logs[r]!;
    if (log.lastIndex > lead.lastIndex) {
      out.push({ replica: r, index: lead.lastIndex + 1, why: `it has ${log.lastIndex - lead.lastIndex} entries past the leader's last` });
      continue;
    }
    for (let i = 1; i <= lead.lastIndex; i++) {
      if (i > log.durableIndex) {
        out.push({ replica: r, index: i, why: `it has ${log.durableIndex} entries on disk, the leader ${lead.lastIndex}` });
        break;
      }
      if (log.entries[i]?.value !== lead.entries[i]?.value) {
        out.push({ replica: r, index: i, why: `entry ${i} differs from the leader's` });
        break;
      }
    }
  }
  return out;
}
