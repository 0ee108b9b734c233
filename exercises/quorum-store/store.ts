/**
 * The test harness: your five replicas in the simulator, with clients in every zone. You
 * do not need to change it (and changes here do not count), but reading it shows exactly
 * what is measured.
 *
 * - Zone a holds `n1` and `n2`, zone b `n3` and `n4`, zone c `n5`. A message between
 *   zones takes 0.4–1.0 ms one way, within a zone 0.05–0.15 ms.
 * - Clients in each zone (`clients-a`, `clients-b`, `clients-c`) send an open-loop
 *   Poisson stream of gets and puts on a few keys to a replica of their own zone, chosen
 *   by key. Every put writes a value no other put writes. A client gives up after 1 s:
 *   the outcome is then unknown.
 * - Each replica's clock is off true time by up to ±`skewMs` (5 ms unless a test says
 *   otherwise), as clocks synchronised over a network are.
 * - The faults: zone a is cut off from zones b and c (its clients stay with it) for a
 *   while, or its links flap (cut off briefly, again and again). Zone a then holds 2 of
 *   the 5 replicas: the minority. A message in flight when a cut begins is lost.
 * - The harness records every value each replica's {@link LocalStore} holds, and when,
 *   from outside. Your code cannot see or change these records.
 * - A value written on one side of a cut cannot reach the other side before the cut heals:
 *   the harness checks that no replica there stores it, and no client there reads it,
 *   sooner ({@link crossedTheCut}).
 */
import {
  Random,
  Rejection,
  Simulation,
  constant,
  hash32,
  uniform,
  type KvInput,
  type KvOutput,
  type Operation,
} from '@faultlines/sim';
import type { CreateStoreReplica, LocalStore, Mode, StoreConfig, StoreReplica, Stored } from './types.ts';

export const REPLICAS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
/** Each replica's zone. */
export const ZONES: Readonly<Record<string, string>> = { n1: 'a', n2: 'a', n3: 'b', n4: 'b', n5: 'c' };
/** The replicas of each zone, which its clients use. */
export const ZONE_REPLICAS: Readonly<Record<string, readonly string[]>> = { a: ['n1', 'n2'], b: ['n3', 'n4'], c: ['n5'] };
export const CLIENT_ZONES = ['a', 'b', 'c'] as const;

const CROSS_ZONE = uniform(0.4, 1.0);
const SAME_ZONE = uniform(0.05, 0.15);

export interface StoreOptions {
  readonly seed: number;
  readonly createReplica: CreateStoreReplica;
  readonly mode: Mode;
  /** @default 3 */
  readonly r?: number;
  /** @default 3 */
  readonly w?: number;
  /** Operations per second from each zone's clients. @default 100 */
  readonly ratePerZone?: number;
  /** Share of operations that are reads. @default 0.5 */
  readonly readShare?: number;
  /** How many keys the clients use. @default 8 */
  readonly keys?: number;
  /** Clients stop at this time. @default 12_000 */
  readonly stopMs?: number;
  /** The run ends at this time. @default stopMs + 3_000 */
  readonly endMs?: number;
  /** Zone a is cut off from b and c over this span. */
  readonly cut?: { readonly fromMs: number; readonly toMs: number };
  /**
   * Zone a's links flap: cut off for `cutMs` every `everyMs`, from `fromMs` to `toMs`, as
   * a link with a failing optic does. Messages in flight when a cut begins are lost.
   */
  readonly flaps?: { readonly fromMs: number; readonly toMs: number; readonly everyMs: number; readonly cutMs: number };
  /** Each replica's clock is off by a value drawn in [-skewMs, skewMs]. @default 5 */
  readonly skewMs?: number;
  /**
   * Fixed latencies instead of the zones' drawn ones, and one client in zone a sending one
   * request at a time to `n1`, from 0.5 s on: the setting in which a {@link LatencySetting}
   * is measured.
   * Links between two replicas other than `n1` take 0.5 ms.
   */
  readonly probe?: { readonly clientOneWayMs: number; readonly oneWayMs: Readonly<Record<string, number>>; readonly operations: number };
  /** Each replica's clock offset, in milliseconds, instead of drawn ones (missing replicas: 0). */
  readonly clockOffsetMs?: Readonly<Record<string, number>>;
  /**
   * Instead of the zones' clients, one client writes key `k` `puts` times, one write at a
   * time with `gapMs` between an acknowledgement and the next write, each through the
   * coordinator `coordinators[i]`: the setting of an {@link LwwSetting}.
   */
  readonly sequence?: { readonly coordinators: readonly string[]; readonly gapMs: number };
}

/** One value a replica stored for a key, seen from outside. */
export interface StoreWrite {
  readonly atMs: number;
  readonly replica: string;
  readonly key: string;
  readonly value: string;
}

export interface StoreRun {
  readonly options: StoreOptions;
  /** Every client operation, in the order issued, with the zone its client sits in. */
  readonly history: readonly Operation<KvInput, KvOutput>[];
  /** The zone of each operation's client, by its position in `history`. */
  readonly zoneOf: readonly string[];
  /** Every value any replica stored, in time order. */
  readonly writes: readonly StoreWrite[];
  /** What each replica holds for each key at the end of the run. */
  readonly final: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Errors thrown by replica code inside the simulation. */
  readonly errors: readonly string[];
  /** Values a replica stored that no client ever wrote. */
  readonly invented: readonly StoreWrite[];
  /** Where and when (true time) each put arrived at its coordinator, by value. */
  readonly received: ReadonlyMap<string, { readonly coordinator: string; readonly atMs: number }>;
  readonly endMs: number;
}

/** Builds the run and runs it to the end. */
export async function runStore(options: StoreOptions): Promise<StoreRun> {
  const stopMs = options.stopMs ?? 12_000;
  const endMs = options.endMs ?? stopMs + 3_000;
  const skewMs = options.skewMs ?? 5;
  const sim = new Simulation({ seed: options.seed, trace: { enabled: false }, network: { latency: CROSS_ZONE } });
  const writes: StoreWrite[] = [];
  const invented: StoreWrite[] = [];
  const errors: string[] = [];
  const issued = new Set<string>();
  const received = new Map<string, { coordinator: string; atMs: number }>();
  const contents: Record<string, Map<string, Stored>> = {};
  const skews = new Random(options.seed).fork('clock skew');

  for (const name of REPLICAS) {
    const data = new Map<string, Stored>();
    contents[name] = data;
    const config: StoreConfig = Object.freeze({
      name,
      replicas: Object.freeze([...REPLICAS]),
      r: options.r ?? 3,
      w: options.w ?? 3,
      mode: options.mode,
    });
    sim.addNode(
      name,
      (ctx) => {
        let replica: StoreReplica | undefined;
        const store: LocalStore = {
          read(key) {
            const held = data.get(String(key));
            return held === undefined ? undefined : structuredClone(held);
          },
          write(key, stored) {
            if (typeof key !== 'string' || stored === null || typeof stored !== 'object' || typeof stored.value !== 'string') {
              throw new TypeError('store.write(key, { value, version }) needs a string key and a string value');
            }
            let copy: Stored;
            try {
              copy = Object.freeze(structuredClone({ value: stored.value, version: stored.version }));
            } catch {
              throw new TypeError('store.write: the version must be plain data (numbers, strings, arrays, objects)');
            }
            const record = { atMs: sim.nowMs, replica: name, key, value: copy.value };
            if (!issued.has(copy.value)) invented.push(record);
            data.set(key, copy);
            writes.push(record);
          },
          keys: () => [...data.keys()],
        };
        return {
          onStart() {
            replica = options.createReplica(config, {
              now: () => ctx.now(),
              async call(to, message, timeoutMs) {
                if (!(REPLICAS as readonly string[]).includes(to) || to === name) {
                  throw new Error(`${name} cannot call ${JSON.stringify(to)}: the other replicas are ${REPLICAS.filter((r) => r !== name).join(', ')}`);
                }
                let copy: unknown;
                try {
                  copy = structuredClone(message);
                } catch {
                  throw new Error(`${name} sent a message that is not plain data (functions and class instances cannot cross a network)`);
                }
                const reply = await ctx.rpc<{ answer: unknown }>(to, { store: copy }, { timeoutMs });
                return reply.answer;
              },
              setTimer: (delayMs, callback) =>
                ctx.setTimer(delayMs, async () => {
                  try {
                    callback();
                  } catch (error) {
                    errors.push(`${name} timer: ${error instanceof Error ? error.message : String(error)}`);
                  }
                }),
              cancelTimer: (id) => ctx.cancelTimer(id),
              store,
              refuse(reason: string): never {
                throw new Rejection(String(reason));
              },
            });
          },
          async onRequest(request) {
            const body = request.body as { store?: unknown } | KvInput;
            if (replica === undefined) throw new Rejection(`${name} is starting`);
            if ('store' in body) {
              try {
                return { answer: await replica.onCall(request.from, body.store) };
              } catch (error) {
                errors.push(`${name} onCall: ${error instanceof Error ? error.message : String(error)}`);
                throw error;
              }
            }
            const op = body as KvInput;
            if (op.kind === 'put') {
              issued.add(op.value);
              received.set(op.value, { coordinator: name, atMs: sim.nowMs });
              await replica.put(op.key, op.value);
              return { kind: 'put' } satisfies KvOutput;
            }
            if (op.kind === 'get') {
              const value = await replica.get(op.key);
              return { kind: 'get', value: value ?? null } satisfies KvOutput;
            }
            throw new Rejection('this store takes gets and puts');
          },
        };
      },
      { clock: { offsetMs: options.clockOffsetMs !== undefined ? (options.clockOffsetMs[name] ?? 0) : (skews.next() * 2 - 1) * skewMs } },
    );
  }
  const probe = options.probe;
  for (const a of REPLICAS) {
    for (const b of REPLICAS) {
      if (a >= b) continue;
      if (probe !== undefined) {
        const fixed = a === 'n1' ? probe.oneWayMs[b] : b === 'n1' ? probe.oneWayMs[a] : 0.5;
        sim.setLink(a, b, { latency: constant(fixed ?? 0.5) });
      } else if (ZONES[a] === ZONES[b]) {
        sim.setLink(a, b, { latency: SAME_ZONE });
      }
    }
  }

  const sequence = options.sequence;
  const loads = (probe === undefined && sequence === undefined ? CLIENT_ZONES : (['a'] as const)).map((zone) => {
    if (sequence !== undefined) {
      const load = sim.workload<KvInput, KvOutput>({
        name: `clients-${zone}`,
        // The value names the write's position, and so its coordinator.
        target: (input) => sequence.coordinators[Number((input as { value?: string }).value?.slice(1))] ?? 'n1',
        arrivals: { kind: 'closed', clients: 1, thinkTime: constant(sequence.gapMs) },
        operation: (_random, index) => ({ kind: 'put', key: 'k', value: `w${index}` }),
        deadlineMs: 1_000,
        maxOperations: sequence.coordinators.length,
        startMs: 500,
        stopMs,
      });
      for (const replica of REPLICAS) sim.setLink(`clients-${zone}`, replica, { latency: SAME_ZONE });
      return { zone, load };
    }
    if (probe !== undefined) {
      const load = sim.workload<KvInput, KvOutput>({
        name: `clients-${zone}`,
        target: 'n1',
        arrivals: { kind: 'closed', clients: 1 },
        keys: { count: options.keys ?? 8 },
        mix: { get: options.readShare ?? 0.5, put: 1 - (options.readShare ?? 0.5) },
        deadlineMs: 1_000,
        maxOperations: probe.operations,
        // The store has been running for half a second, as a real one has been.
        startMs: 500,
        stopMs,
      });
      sim.setLink(`clients-${zone}`, 'n1', { latency: constant(probe.clientOneWayMs) });
      return { zone, load };
    }
    const client = `clients-${zone}`;
    const local = ZONE_REPLICAS[zone]!;
    const load = sim.workload<KvInput, KvOutput>({
      name: client,
      target: (input) => local[hash32(input.key) % local.length]!,
      arrivals: { kind: 'open', ratePerS: options.ratePerZone ?? 100 },
      keys: { count: options.keys ?? 8 },
      mix: { get: options.readShare ?? 0.5, put: 1 - (options.readShare ?? 0.5) },
      deadlineMs: 1_000,
      stopMs,
    });
    for (const replica of local) sim.setLink(client, replica, { latency: SAME_ZONE });
    return { zone, load };
  });

  const sides = [['n1', 'n2', 'clients-a'], ['n3', 'n4', 'n5', 'clients-b', 'clients-c']];
  if (options.cut !== undefined) {
    sim.partition(sides, { atMs: options.cut.fromMs, healAtMs: options.cut.toMs, label: 'zone a cut off' });
  }
  if (options.flaps !== undefined) {
    const { fromMs, toMs, everyMs, cutMs } = options.flaps;
    for (let at = fromMs; at < toMs; at += everyMs) {
      sim.partition(sides, { atMs: at, healAtMs: at + cutMs, label: 'zone a link flaps' });
    }
  }

  await sim.runUntil(endMs);
  for (const e of sim.errors) errors.push(e.message);

  const tagged = loads.flatMap(({ zone, load }) => load.history.map((op) => ({ op, zone })));
  tagged.sort((x, y) => x.op.invokeMs - y.op.invokeMs);
  const final: Record<string, Record<string, string>> = {};
  for (const name of REPLICAS) final[name] = Object.fromEntries([...contents[name]!].map(([k, s]) => [k, s.value]));
  return {
    options,
    history: tagged.map((t) => t.op),
    zoneOf: tagged.map((t) => t.zone),
    writes,
    final,
    errors,
    invented,
    received,
    endMs,
  };
}

/**
 * The writes whose client was told they were refused, yet whose value some replica
 * stored: a refusal is a promise that the write did not happen, and a stored value can be
 * read later.
 */
export function storedAfterRefusal(run: StoreRun): { readonly op: Operation<KvInput, KvOutput>; readonly stored: StoreWrite }[] {
  const refused = new Map<string, Operation<KvInput, KvOutput>>();
  for (const op of run.history) if (op.status === 'failed' && op.input.kind === 'put') refused.set(op.input.value, op);
  const found: { op: Operation<KvInput, KvOutput>; stored: StoreWrite }[] = [];
  const seen = new Set<string>();
  for (const w of run.writes) {
    const op = refused.get(w.value);
    if (op !== undefined && !seen.has(w.value)) {
      seen.add(w.value);
      found.push({ op, stored: w });
    }
  }
  return found;
}

/** The operations of the clients of `zones`, with their positions. */
export function operationsOf(run: StoreRun, zones: readonly string[], fromMs = 0, toMs = Infinity): Operation<KvInput, KvOutput>[] {
  return run.history.filter((op, i) => zones.includes(run.zoneOf[i]!) && op.invokeMs >= fromMs && op.invokeMs < toMs);
}

/** A span of time during which the replicas did not all hold the same value for a key. */
export interface Disagreement {
  readonly key: string;
  readonly fromMs: number;
  /** `Infinity` if they still disagree at the end of the run. */
  readonly toMs: number;
}

/** Every span during which the replicas disagreed on a key, in the order they began. */
export function disagreements(run: StoreRun): Disagreement[] {
  const held = new Map<string, Map<string, string>>();
  const open = new Map<string, number>();
  const spans: Disagreement[] = [];
  for (const w of run.writes) {
    let values = held.get(w.key);
    if (values === undefined) {
      values = new Map();
      held.set(w.key, values);
    }
    values.set(w.replica, w.value);
    const all = REPLICAS.map((r) => values.get(r));
    const agree = all.every((v) => v === all[0]);
    const since = open.get(w.key);
    if (!agree && since === undefined) open.set(w.key, w.atMs);
    if (agree && since !== undefined) {
      spans.push({ key: w.key, fromMs: since, toMs: w.atMs });
      open.delete(w.key);
    }
  }
  for (const [key, fromMs] of open) spans.push({ key, fromMs, toMs: Infinity });
  return spans.sort((a, b) => a.fromMs - b.fromMs);
}

/** Zone a's replicas and clients are one side of every cut, everything else the other. */
const sideOf = (replicaOrZone: string): 'a' | 'bc' => (replicaOrZone === 'a' || ZONES[replicaOrZone] === 'a' ? 'a' : 'bc');

/**
 * A value that reached the other side of a cut before the cut healed: it was written
 * through a coordinator on one side while no message could cross, and a replica on the
 * other side stored it, or a client there read it, before the heal.
 */
export interface Crossing {
  readonly key: string;
  readonly value: string;
  /** The coordinator that received the write, and when (true time). */
  readonly writtenBy: string;
  readonly writtenAtMs: number;
  /** A replica that stored the value, or the zone of a client that read it. */
  readonly by: { readonly replica: string } | { readonly clientZone: string };
  readonly atMs: number;
  /** When the cut that kept the two sides apart healed. */
  readonly healMs: number;
}

/**
 * Every value that crossed a cut (`options.cut` or one of `options.flaps`) sooner than the
 * network could carry it, first the stores and then the reads, each in time order. Messages
 * sent during a cut, and those in flight when it began, are lost: a value written on one
 * side during a cut can reach the other only after the heal.
 */
export function crossedTheCut(run: StoreRun): Crossing[] {
  const spans: { fromMs: number; toMs: number }[] = [];
  if (run.options.cut !== undefined) spans.push(run.options.cut);
  const flaps = run.options.flaps;
  if (flaps !== undefined) {
    for (let at = flaps.fromMs; at < flaps.toMs; at += flaps.everyMs) spans.push({ fromMs: at, toMs: at + flaps.cutMs });
  }
  /** When the cut during which `value` was written heals, if it was written during one. */
  const written = (value: string): { writtenBy: string; writtenAtMs: number; healMs: number } | undefined => {
    const at = run.received.get(value);
    const span = at === undefined ? undefined : spans.find((s) => at.atMs >= s.fromMs && at.atMs < s.toMs);
    return at === undefined || span === undefined ? undefined : { writtenBy: at.coordinator, writtenAtMs: at.atMs, healMs: span.toMs };
  };
  const out: Crossing[] = [];
  for (const w of run.writes) {
    const from = written(w.value);
    if (from !== undefined && w.atMs < from.healMs && sideOf(w.replica) !== sideOf(from.writtenBy)) {
      out.push({ key: w.key, value: w.value, ...from, by: { replica: w.replica }, atMs: w.atMs });
    }
  }
  run.history.forEach((op, i) => {
    if (op.status !== 'ok' || op.output?.kind !== 'get' || op.output.value === null) return;
    const from = written(op.output.value);
    const zone = run.zoneOf[i]!;
    if (from !== undefined && op.returnMs! < from.healMs && sideOf(zone) !== sideOf(from.writtenBy)) {
      out.push({ key: op.input.key, value: op.output.value, ...from, by: { clientZone: zone }, atMs: op.returnMs! });
    }
  });
  return out;
}

/** The p-th percentile (0–100) of `values`, by nearest rank; `NaN` when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
