/**
 * The shard controller: the store's shard map, held on your Raft log
 * (`../raft-log/server.ts`). Read-only: read it to see how the map is kept and read.
 *
 * - **Five servers**, `ctl-1` … `ctl-5`, two in zone a, two in b and one in c, each running
 *   your Raft server ({@link CONTROLLER_HEARTBEAT_MS} heartbeats, elections after
 *   {@link CONTROLLER_ELECTION_TIMEOUT_MS}, as in "A replicated log") on a disk whose fsync
 *   takes {@link CONTROLLER_SYNC_MS}. Whichever zone is cut off, three of them keep a
 *   majority on the other side. Their messages to each other cross the same lossy network
 *   as the replicas'.
 * - **The map** is one key of the store your log applies, {@link MAP_KEY}: the map as JSON,
 *   `{ "epoch": 1, "owners": ["g3", "g1", …] }`. The operator writes it before the day starts
 *   (a put through the log, retried until acknowledged), from your ring's placement, and
 *   again, one epoch higher, for each shard the rebalance moves (`rebalance.ts`).
 * - **Every router reads it** through the log (a get, so it is the latest committed map)
 *   when it starts and again after a crash, and only then registers: a router that cannot
 *   reach a majority of the controller does not serve.
 *
 * A client of the controller (the operator, a router) sends its command to the server it
 * believes leads. A refusal that names a leader moves it there; a timeout or a refusal that
 * names none moves it to the next server.
 */
import { Rejection, constant, isDefiniteRefusal, type NodeContext, type Simulation } from '@faultlines/sim';
import { createServer } from '../raft-log/server.ts';
import type { Command, Entry, RaftConfig, RaftDisk, RaftLog, RaftMessage, RaftServer } from '../raft-log/types.ts';
import { SHARD_COUNT } from '../sharding-router/shards.ts';
import type { ShardMap } from '../sharding-router/types.ts';
import { ZONES, type Zone } from './day.ts';

/** The controller's servers. */
export const CONTROLLERS = ['ctl-1', 'ctl-2', 'ctl-3', 'ctl-4', 'ctl-5'] as const;
/** The zone of each controller server: a, a, b, b, c. */
export const controllerZone = (name: string): Zone => ZONES[[0, 0, 1, 1, 2][CONTROLLERS.indexOf(name as (typeof CONTROLLERS)[number])]!]!;
export const CONTROLLER_HEARTBEAT_MS = 50;
export const CONTROLLER_ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;
/** One fsync of a controller server's disk (a datacentre SSD). */
export const CONTROLLER_SYNC_MS = 1;
/** The key of the controller's store that holds the shard map. */
export const MAP_KEY = 'shard-map';
/** How long a client of the controller waits for one answer. */
export const CONTROLLER_ATTEMPT_MS = 150;
/** How long it waits before asking again when no server named a leader. */
export const CONTROLLER_RETRY_MS = 25;

/** The body a controller server takes from a client. */
interface ControllerRequest {
  readonly controller: Command;
}

/** What the day learns about the controller, for the report. */
export interface ControllerStats {
  /** When the map was first committed (the operator's put acknowledged), in ms; null: never. */
  mapWrittenMs: number | null;
  /** Leaders seen, in order: each server that sent an Append in a new term. */
  readonly leaders: { readonly server: string; readonly term: number; readonly atMs: number }[];
  /** Each router's read of the map that ended with it: when it began (the router's start) and how long it took. */
  readonly reads: { readonly router: string; readonly startMs: number; readonly tookMs: number }[];
  /** Tries (by the operator and the routers) that timed out or were refused. */
  failedTries: number;
  /** Answers that were not the map the operator wrote. */
  readonly wrongAnswers: string[];
}

/** A server's disk as the host keeps it: what the server sees, and what a crash would leave. */
class ControllerDisk {
  term = 0;
  votedFor: string | null = null;
  entries: Entry[] = [];
  durable: { term: number; votedFor: string | null; entries: Entry[] } = { term: 0, votedFor: null, entries: [] };
  /** Lowest index changed since the last sync began. */
  dirtyFrom = 1;

  /** What a sync that begins now makes durable once it ends. */
  capture(): () => void {
    const term = this.term;
    const votedFor = this.votedFor;
    const from = this.dirtyFrom;
    const changed = this.entries.slice(from - 1);
    const length = this.entries.length;
    this.dirtyFrom = length + 1;
    return () => {
      this.durable.term = term;
      this.durable.votedFor = votedFor;
      const d = this.durable.entries;
      d.length = Math.min(d.length, from - 1);
      for (const e of changed) d.push(e);
      d.length = length;
    };
  }

  /** After a restart: only what was synced. */
  restore(): void {
    this.term = this.durable.term;
    this.votedFor = this.durable.votedFor;
    this.entries = this.durable.entries.slice();
    this.dirtyFrom = this.entries.length + 1;
  }
}

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function checkEntry(e: unknown, name: string): Entry {
  const entry = e as Entry;
  const c = entry?.command as Command | undefined;
  const commandOk =
    c !== undefined &&
    c !== null &&
    ((c.kind === 'put' && typeof c.key === 'string' && typeof c.value === 'string') || (c.kind === 'get' && typeof c.key === 'string') || c.kind === 'noop');
  if (!isIndex(entry?.term) || !commandOk) throw new TypeError(`${name}: log.append takes entries { term, command } with a put, get or noop command; got ${JSON.stringify(e)}`);
  return Object.freeze({ term: entry.term, command: Object.freeze({ ...c }) as Command });
}

/**
 * Adds the five controller servers to `sim`, each running your Raft server. `copy` is how the
 * host copies a message onto the network (plain data only); `note` records an error of your
 * code without stopping the day.
 */
export function addController(sim: Simulation, stats: ControllerStats, copy: (message: unknown, what: () => string) => unknown, note: (where: string, error: unknown) => void): void {
  for (const name of CONTROLLERS) {
    const disk = new ControllerDisk();
    const config: RaftConfig = Object.freeze({
      name,
      servers: Object.freeze([...CONTROLLERS]),
      heartbeatEveryMs: CONTROLLER_HEARTBEAT_MS,
      electionTimeoutMs: Object.freeze({ ...CONTROLLER_ELECTION_TIMEOUT_MS }),
    });
    sim.addNode(
      name,
      (ctx) => {
        disk.restore();
        let server: RaftServer | undefined;
        const store = new Map<string, string>();
        let lastApplied = 0;
        // One fsync at a time; the next starts as the previous ends, inside the simulator's event.
        const waiters: (() => void)[] = [];
        let busy = false;
        const startSync = (resolve: () => void): void => {
          busy = true;
          const done = disk.capture();
          ctx.disk.write('log', disk.entries.length);
          void ctx.disk.sync().then(() => {
            done();
            const next = waiters.shift();
            if (next !== undefined) startSync(next);
            else busy = false;
            resolve();
          });
        };
        const log: RaftLog = Object.freeze({
          get lastIndex() {
            return disk.entries.length;
          },
          entry: (index: number) => disk.entries[index - 1],
          termAt: (index: number) => (index === 0 ? 0 : disk.entries[index - 1]?.term),
          slice: (from: number, to: number) => disk.entries.slice(Math.max(1, from) - 1, Math.max(0, to)),
          append(entries: readonly Entry[]) {
            if (!Array.isArray(entries)) throw new TypeError(`${name}: log.append takes an array of entries`);
            for (const e of entries) disk.entries.push(checkEntry(e, name));
          },
          truncateAfter(index: number) {
            if (!isIndex(index)) throw new TypeError(`${name}: log.truncateAfter needs a whole-number index, got ${JSON.stringify(index)}`);
            if (index < disk.entries.length) {
              disk.entries.length = index;
              disk.dirtyFrom = Math.min(disk.dirtyFrom, index + 1);
            }
          },
        });
        const raftDisk: RaftDisk = Object.freeze({
          get term() {
            return disk.term;
          },
          get votedFor() {
            return disk.votedFor;
          },
          setTerm(term: number, votedFor: string | null) {
            if (!isIndex(term)) throw new TypeError(`${name}: disk.setTerm needs a whole-number term, got ${JSON.stringify(term)}`);
            if (votedFor !== null && !(CONTROLLERS as readonly string[]).includes(votedFor)) throw new TypeError(`${name}: disk.setTerm: votedFor must be a server's name or null, got ${JSON.stringify(votedFor)}`);
            disk.term = term;
            disk.votedFor = votedFor;
          },
          log,
          sync: () =>
            new Promise<void>((resolve) => {
              if (busy) waiters.push(resolve);
              else startSync(resolve);
            }),
        });
        const guard = (where: string, run: () => void): void => {
          try {
            run();
          } catch (error) {
            note(`${name} ${where}`, error);
          }
        };
        return {
          onStart() {
            guard('createServer', () => {
              server = createServer(config, {
                now: () => ctx.now(),
                send(to, message) {
                  const body = copy(message, () => `${name}'s message to ${to}`) as RaftMessage;
                  if (body?.type === 'append') {
                    const last = stats.leaders[stats.leaders.length - 1];
                    if (last === undefined || body.term > last.term) stats.leaders.push({ server: name, term: body.term, atMs: sim.nowMs });
                  }
                  ctx.send(to, body);
                },
                setTimer: (delayMs, callback) => ctx.setTimer(delayMs, () => guard('timer', callback)),
                cancelTimer: (id) => ctx.cancelTimer(id),
                random: () => ctx.random.next(),
                disk: raftDisk,
                apply(index) {
                  if (index !== lastApplied + 1) throw new Error(`${name} applied index ${index} after ${lastApplied}: apply 1, 2, 3… in order, each once`);
                  const entry = disk.entries[index - 1];
                  if (entry === undefined) throw new Error(`${name} applied index ${index}, beyond its log (${disk.entries.length} entries)`);
                  lastApplied = index;
                  const c = entry.command;
                  if (c.kind === 'put') store.set(c.key, c.value);
                  return c.kind === 'get' ? (store.get(c.key) ?? null) : null;
                },
                read: (key) => store.get(String(key)) ?? null,
                refuse(leader): never {
                  throw new Rejection(`not the leader; leader: ${typeof leader === 'string' && (CONTROLLERS as readonly string[]).includes(leader) ? leader : 'unknown'}`);
                },
              });
            });
          },
          onMessage(message) {
            if (server !== undefined) guard('onMessage', () => server!.onMessage(message.from, message.body as RaftMessage));
          },
          async onRequest(request) {
            if (server === undefined) throw new Rejection('not the leader; leader: unknown');
            const { controller } = request.body as ControllerRequest;
            return { value: await server.onClient(controller) };
          },
        };
      },
      { disk: { syncLatency: constant(CONTROLLER_SYNC_MS) } },
    );
  }
}

/**
 * Asks the controller to run `command` and resolves with what its entry gave, trying server
 * after server until one acknowledges it. `guess` is the caller's belief of who leads, kept
 * between calls. A put retried after a timeout may be applied twice: each of the operator's
 * puts carries a whole map, and it sends the next one only once this one is acknowledged, so
 * a second copy lands before the next map in the log and changes nothing.
 */
export async function askController(ctx: NodeContext, command: Command, guess: { leader: string }, stats: ControllerStats): Promise<string | null> {
  // Two servers that each believe the other leads would bounce a command between them:
  // one redirect is followed at once, the next after a pause.
  let redirected = false;
  for (;;) {
    const to = guess.leader;
    try {
      const answer = await ctx.rpc<{ value: string | null }>(to, { controller: command } satisfies ControllerRequest, { timeoutMs: CONTROLLER_ATTEMPT_MS });
      return answer?.value ?? null;
    } catch (error) {
      stats.failedTries++;
      const refused = isDefiniteRefusal(error);
      const named = refused ? /leader: (ctl-\d)/.exec(error instanceof Error ? error.message : '')?.[1] : undefined;
      if (named !== undefined && named !== to) guess.leader = named;
      else guess.leader = CONTROLLERS[(CONTROLLERS.indexOf(to as (typeof CONTROLLERS)[number]) + 1) % CONTROLLERS.length]!;
      // A timeout has waited already.
      if (refused && (named === undefined || named === to || redirected)) await new Promise<void>((resolve) => ctx.setTimer(CONTROLLER_RETRY_MS, resolve));
      redirected = named !== undefined && named !== to && !redirected;
    }
  }
}

/** The map as the controller holds it. */
export const encodeMap = (map: ShardMap): string => JSON.stringify({ epoch: map.epoch, owners: map.owners });

/** The map in a controller's answer, or why it is not one. */
export function decodeMap(value: string | null, groups: readonly string[]): ShardMap | string {
  if (value === null) return 'no map yet';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return `not JSON: ${value.slice(0, 60)}`;
  }
  const m = parsed as { epoch?: unknown; owners?: unknown };
  if (!isIndex(m.epoch) || m.epoch < 1 || !Array.isArray(m.owners) || m.owners.length !== SHARD_COUNT || !m.owners.every((o) => groups.includes(o as string))) {
    return `not a shard map: ${value.slice(0, 60)}`;
  }
  return Object.freeze({ epoch: m.epoch, owners: Object.freeze([...(m.owners as string[])]) });
}

/** Stats before the day. */
export const freshControllerStats = (): ControllerStats => ({ mapWrittenMs: null, leaders: [], reads: [], failedTries: 0, wrongAnswers: [] });
