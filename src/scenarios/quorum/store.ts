/**
 * Reference code shared by the "CAP and quorums" simulations: the quorum store the learner
 * builds in the quorum-store exercise, written again here (scenarios run the course's own
 * code, not the exercise's files), in the same cluster.
 *
 * - Five replicas in three zones: zone a holds n1 and n2, zone b n3 and n4, zone c n5.
 *   Clients in each zone (`clients-a`, `clients-b`, `clients-c`) send an open-loop Poisson
 *   stream of gets and puts on a few keys to a replica of their own zone, chosen by key.
 *   Every replica coordinates; there is no leader.
 * - Every value carries a version `{ t, by }`, ordered by `t` and then by the writer's
 *   name, so any two versions compare the same way everywhere; a replica keeps the highest
 *   version it has seen of each key.
 * - CP: a write first asks R replicas (the coordinator counts) for the key's highest
 *   version and stores the value with the next one on W; a read asks R, takes the highest
 *   version and writes it back to W before answering. A coordinator that has not heard
 *   from a majority lately (it pings the others every 20 ms and counts a replica silent
 *   after 100 ms; any message from a replica counts as hearing from it) refuses at once, before it sends anything.
 * - AP: a write is stamped with the coordinator's clock, stored locally and sent to every
 *   other replica; it is acknowledged once W hold it. A read answers with the highest
 *   version among the first R replicas to answer. The highest version wins everywhere:
 *   last writer wins.
 * - Both: every replica pushes everything it holds to the others every `antiEntropyMs`
 *   (anti-entropy), so replicas that missed writes catch up once they can talk again.
 *
 * The observer (outside the replicas, as the exercise's harness is) records the version
 * each coordinator stamped on each write, and every value each replica stored, to measure
 * divergence and the acknowledged writes that last-writer-wins discarded.
 */
import {
  LatencyRecorder,
  Random,
  Rejection,
  Simulation,
  hash32,
  uniform,
  type Distribution,
  type KvInput,
  type KvOutput,
  type LatencySummary,
  type NodeContext,
  type Operation,
  type Workload,
} from '../../sim/index.ts';

export type Mode = 'cp' | 'ap';
export type Zone = 'a' | 'b' | 'c';

export const REPLICAS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
export const ZONES: readonly Zone[] = ['a', 'b', 'c'];
/** The replicas of each zone, which its clients use. */
export const ZONE_REPLICAS: Readonly<Record<Zone, readonly string[]>> = { a: ['n1', 'n2'], b: ['n3', 'n4'], c: ['n5'] };
/** One-way latency inside a zone (clients to their replicas too), and between zones, as in the exercise. */
export const SAME_ZONE_MS = { min: 0.05, max: 0.15 } as const;
export const CROSS_ZONE_MS = { min: 0.4, max: 1.0 } as const;
/** How long a replica waits for another's answer. */
export const CALL_TIMEOUT_MS = 50;
/** CP: how often replicas ping each other, and after how long without a word a replica counts as out of reach. */
export const PING_EVERY_MS = 20;
export const SILENT_AFTER_MS = 100;
/** A client gives up after this long: the outcome is then unknown. */
export const CLIENT_DEADLINE_MS = 1_000;
/**
 * Divergence counts a key once its replicas have disagreed for longer than this: with the
 * network whole, a write reaches every replica in about a millisecond, so a disagreement
 * this old is not a write on its way.
 */
export const SETTLE_MS = 50;
/** Divergence is sampled this often. */
export const SAMPLE_EVERY_MS = 100;

export const clientsOf = (zone: Zone): string => `clients-${zone}`;

/** The cluster view's groups: one per zone, its clients first. */
export const ZONE_GROUPS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  ZONES.map((z) => [`zone ${z}`, [clientsOf(z), ...ZONE_REPLICAS[z]]]),
);

export interface Version {
  readonly t: number;
  readonly by: string;
}

export interface Stored {
  readonly value: string;
  readonly version: Version;
}

/** Whether `a` is a higher version than `b` (anything is higher than nothing). */
export function newer(a: Version | undefined, b: Version | undefined): boolean {
  return a !== undefined && (b === undefined || a.t > b.t || (a.t === b.t && a.by > b.by));
}

export interface QuorumStoreOptions {
  readonly seed: number;
  readonly trace?: boolean;
  readonly mode: Mode;
  /** Replicas a read (and, in CP, a write's version round) waits for, the coordinator included. */
  readonly r: number;
  /** Replicas that must hold a write (or, in CP, a read's write-back) before it is acknowledged. */
  readonly w: number;
  /** Operations per second from each zone's clients. */
  readonly ratePerZone: number;
  /** Share of operations that are reads, in [0, 1]. */
  readonly readShare: number;
  /** How many keys the clients use. @default 8 */
  readonly keys?: number;
  /** Clients stop at this time. */
  readonly stopMs: number;
  /** Zone a (its replicas and clients) is cut off from zones b and c over this span. */
  readonly cut?: { readonly fromMs: number; readonly toMs: number };
  /** Each replica's clock is off true time by a value drawn in [-skewMs, skewMs]. */
  readonly skewMs: number;
  /** How often each replica pushes what it holds to the others. */
  readonly antiEntropyMs: number;
  /** One-way latency between zones. @default uniform 0.4–1.0 ms, as in the exercise */
  readonly crossZone?: Distribution;
}

/** A client put as the run recorded it. */
export interface PutRecord {
  readonly key: string;
  readonly value: string;
  readonly zone: Zone;
  readonly invokeMs: number;
  /** When the client heard the outcome; `undefined` if it never did. */
  readonly returnMs: number | undefined;
  readonly status: Operation<KvInput, KvOutput>['status'];
  /** The version its coordinator stamped on it; `undefined` if none did (refused first). */
  readonly version: Version | undefined;
}

/**
 * Acknowledged writes that last-writer-wins discarded.
 *
 * A put B counts when its client was told it succeeded (status `ok`), and some other put A
 * on the same key
 * - was stamped by its coordinator with a higher version than B's, so wherever the two
 *   meet, A's value wins and B's is overwritten (or never stored), and
 * - did not come after B in real time: A was invoked before B was acknowledged
 *   (`A.invokeMs < B.returnMs`). A put invoked after B's acknowledgement that overwrites
 *   B is an ordinary later write, and does not count.
 *
 * Every such B is a write that a client was told succeeded but whose value no reader can
 * see once the replicas have exchanged what they hold, though no write came after it.
 *
 * Two puts that overlap in time count too (whichever got the lower version is the one
 * discarded), so CP mode, whose versions come from a majority read, also counts some:
 * there the lower version of two overlapping puts is simply ordered first. What only
 * last-writer-wins on unsynchronised clocks (or on two sides of a partition) produces is
 * `toAnEarlierWrite`, which is 0 in CP mode.
 */
export interface LwwDiscarded {
  /** How many acknowledged puts were discarded. */
  readonly total: number;
  /** Those among them invoked while zone a was cut off. */
  readonly duringCut: number;
  /**
   * Those that lost to a put acknowledged before they were even invoked
   * (`A.returnMs < B.invokeMs`, A `ok`): the clients saw A finish, then wrote B, and A
   * still won. The others lost to a put that overlapped them in time.
   */
  readonly toAnEarlierWrite: number;
  /** The discarded puts' values, in the order they were invoked. */
  readonly values: readonly string[];
}

export interface OutcomeCounts {
  readonly sent: number;
  readonly ok: number;
  /** Refused: the client was told, for certain, that the request did not take effect. */
  readonly failed: number;
  /** No answer before the client's deadline (or the end of the run). */
  readonly unknown: number;
}

export interface QuorumStats {
  /** Each zone's client operations over the whole run. */
  readonly zones: Readonly<Record<Zone, OutcomeCounts>>;
  /** Each zone's client operations invoked while zone a was cut off (all zero without a cut). */
  readonly zonesDuringCut: Readonly<Record<Zone, OutcomeCounts>>;
  /**
   * Every {@link SAMPLE_EVERY_MS}: keys on which the five replicas had not all held the same
   * value (a replica without the key counts as disagreeing) for more than {@link SETTLE_MS}.
   */
  readonly divergence: readonly { readonly atMs: number; readonly keys: number }[];
  /** The most keys diverged at a sample while zone a was cut off. */
  readonly maxDivergenceDuringCut: number;
  /** From the heal to the first sample after which every sample is 0 (`null` without a cut, or if they never agree again). */
  readonly convergedAfterHealMs: number | null;
  readonly lwwDiscarded: LwwDiscarded;
  /** Latency of successful reads and of successful writes, separately. */
  readonly reads: LatencySummary;
  readonly writes: LatencySummary;
  /**
   * Successful reads that returned an older version than a put acknowledged before the
   * read was invoked (a stale read), and how many successful reads there were.
   */
  readonly staleReads: number;
  readonly okReads: number;
}

export interface QuorumStore {
  readonly sim: Simulation;
  readonly loads: Readonly<Record<Zone, Workload<KvInput, KvOutput>>>;
  /** Every client operation of every zone, ordered by invocation (for the linearizability checker). */
  history(): Operation<KvInput, KvOutput>[];
  /** Every client put, ordered by invocation, with the version its coordinator stamped. */
  puts(): PutRecord[];
  /** What each replica holds for each key now. */
  final(): Readonly<Record<string, Readonly<Record<string, string>>>>;
  stats(): QuorumStats;
}

type PeerMessage =
  | { readonly kind: 'ping' }
  | { readonly kind: 'read'; readonly key: string }
  | { readonly kind: 'version'; readonly key: string }
  | { readonly kind: 'write'; readonly key: string; readonly stored: Stored }
  | { readonly kind: 'sync'; readonly all: Readonly<Record<string, Stored>> };

export function buildQuorumStore(options: QuorumStoreOptions): QuorumStore {
  const { mode, r, w } = options;
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: options.trace ?? true },
    network: { latency: options.crossZone ?? uniform(CROSS_ZONE_MS.min, CROSS_ZONE_MS.max) },
  });
  const sameZone = uniform(SAME_ZONE_MS.min, SAME_ZONE_MS.max);
  const skews = new Random(options.seed).fork('clock skew');

  // The observer's records.
  const stamped = new Map<string, Version>();
  const contents = new Map<string, Map<string, Stored>>();
  /** Per key, what each replica holds (by replica index), and since when they disagree. */
  const held = new Map<string, (string | undefined)[]>();
  const disagreeSince = new Map<string, number>();
  const spans: { key: string; fromMs: number; toMs: number }[] = [];
  const replicaOptions: ReplicaOptions = {
    mode,
    r,
    w,
    antiEntropyMs: options.antiEntropyMs,
    onStamp: (value, version) => void stamped.set(value, version),
    onStore: observe,
  };

  function observe(replica: number, key: string, value: string): void {
    let values = held.get(key);
    if (values === undefined) {
      values = REPLICAS.map(() => undefined);
      held.set(key, values);
    }
    values[replica] = value;
    const agree = values.every((v) => v === values[0]);
    const since = disagreeSince.get(key);
    if (!agree && since === undefined) disagreeSince.set(key, sim.nowMs);
    if (agree && since !== undefined) {
      spans.push({ key, fromMs: since, toMs: sim.nowMs });
      disagreeSince.delete(key);
    }
  }

  REPLICAS.forEach((name, index) => {
    const data = new Map<string, Stored>();
    contents.set(name, data);
    sim.addNode(name, (ctx) => quorumReplica(ctx, index, data, replicaOptions), { clock: { offsetMs: (skews.next() * 2 - 1) * options.skewMs } });
  });

  for (const a of REPLICAS) {
    for (const b of REPLICAS) if (a < b && zoneOf(a) === zoneOf(b)) sim.setLink(a, b, { latency: sameZone });
  }
  const loads = Object.fromEntries(
    ZONES.map((zone) => {
      const local = ZONE_REPLICAS[zone];
      const load = sim.workload<KvInput, KvOutput>({
        name: clientsOf(zone),
        target: (input) => local[hash32(input.key) % local.length]!,
        arrivals: { kind: 'open', ratePerS: options.ratePerZone },
        keys: { count: options.keys ?? 8 },
        mix: { get: options.readShare, put: 1 - options.readShare },
        deadlineMs: CLIENT_DEADLINE_MS,
        stopMs: options.stopMs,
      });
      for (const replica of local) sim.setLink(clientsOf(zone), replica, { latency: sameZone });
      return [zone, load];
    }),
  ) as Record<Zone, Workload<KvInput, KvOutput>>;

  const cut = options.cut;
  if (cut !== undefined) {
    sim.partition([[...ZONE_GROUPS['zone a']!], [...ZONE_GROUPS['zone b']!, ...ZONE_GROUPS['zone c']!]], {
      atMs: cut.fromMs,
      healAtMs: cut.toMs,
      label: 'zone a cut off',
    });
  }

  const inCut = (ms: number): boolean => cut !== undefined && ms >= cut.fromMs && ms < cut.toMs;

  function tagged(): { op: Operation<KvInput, KvOutput>; zone: Zone }[] {
    const all = ZONES.flatMap((zone) => loads[zone].history.map((op) => ({ op, zone })));
    // A stable sort: operations invoked at the same instant keep their zone order.
    return all.sort((x, y) => x.op.invokeMs - y.op.invokeMs);
  }

  function puts(): PutRecord[] {
    return tagged()
      .filter(({ op }) => op.input.kind === 'put')
      .map(({ op, zone }) => {
        const input = op.input as Extract<KvInput, { kind: 'put' }>;
        return {
          key: input.key,
          value: input.value,
          zone,
          invokeMs: op.invokeMs,
          returnMs: op.returnMs,
          status: op.status,
          version: stamped.get(input.value),
        };
      });
  }

  function count(ops: readonly Operation<KvInput, KvOutput>[]): OutcomeCounts {
    let ok = 0;
    let failed = 0;
    for (const op of ops) {
      if (op.status === 'ok') ok++;
      else if (op.status === 'failed') failed++;
    }
    return { sent: ops.length, ok, failed, unknown: ops.length - ok - failed };
  }

  /** See {@link LwwDiscarded}: a sweep per key over the puts by invocation, and over the acknowledged ones by acknowledgement. */
  function lwwDiscarded(all: readonly PutRecord[]): LwwDiscarded {
    const byKey = new Map<string, PutRecord[]>();
    for (const p of all) {
      if (p.version === undefined) continue;
      const list = byKey.get(p.key) ?? [];
      list.push(p);
      byKey.set(p.key, list);
    }
    const discarded: PutRecord[] = [];
    let toAnEarlierWrite = 0;
    for (const list of byKey.values()) {
      const byInvoke = prefixMax(list, (p) => p.invokeMs);
      const byReturn = prefixMax(list.filter((p) => p.status === 'ok'), (p) => p.returnMs!);
      for (const b of list) {
        if (b.status !== 'ok') continue;
        // Among the puts invoked before B was acknowledged, the highest version.
        if (!newer(highestBefore(byInvoke, b.returnMs!), b.version)) continue;
        discarded.push(b);
        if (newer(highestBefore(byReturn, b.invokeMs), b.version)) toAnEarlierWrite++;
      }
    }
    discarded.sort((x, y) => x.invokeMs - y.invokeMs);
    return {
      total: discarded.length,
      duringCut: discarded.filter((p) => inCut(p.invokeMs)).length,
      toAnEarlierWrite,
      values: discarded.map((p) => p.value),
    };
  }

  function staleReads(ops: readonly { op: Operation<KvInput, KvOutput> }[], all: readonly PutRecord[]): { stale: number; reads: number } {
    const acked = new Map<string, PutRecord[]>();
    for (const p of all) if (p.status === 'ok') (acked.get(p.key) ?? acked.set(p.key, []).get(p.key)!).push(p);
    const byKey = new Map([...acked].map(([k, list]) => [k, prefixMax(list, (p) => p.returnMs!)]));
    let stale = 0;
    let reads = 0;
    for (const { op } of ops) {
      if (op.input.kind !== 'get' || op.status !== 'ok') continue;
      reads++;
      const table = byKey.get(op.input.key);
      if (table === undefined) continue;
      const value = (op.output as Extract<KvOutput, { kind: 'get' }>).value;
      const seen = value === null ? undefined : stamped.get(value);
      if (newer(highestBefore(table, op.invokeMs), seen)) stale++;
    }
    return { stale, reads };
  }

  function divergence(endMs: number): { atMs: number; keys: number }[] {
    const all = [...spans, ...[...disagreeSince].map(([key, fromMs]) => ({ key, fromMs, toMs: Infinity }))];
    const samples: { atMs: number; keys: number }[] = [];
    for (let t = 0; t <= endMs; t += SAMPLE_EVERY_MS) {
      const keys = new Set(all.filter((s) => s.fromMs <= t - SETTLE_MS && s.toMs > t).map((s) => s.key));
      samples.push({ atMs: t, keys: keys.size });
    }
    return samples;
  }

  return {
    sim,
    loads,
    history: () => tagged().map((t) => t.op),
    puts,
    final: () => Object.fromEntries([...contents].map(([n, data]) => [n, Object.fromEntries([...data].map(([k, s]) => [k, s.value]))])),
    stats(): QuorumStats {
      const ops = tagged();
      const all = puts();
      const zone = (z: Zone, during: boolean) => count(ops.filter((t) => t.zone === z && (!during || inCut(t.op.invokeMs))).map((t) => t.op));
      const samples = divergence(sim.nowMs);
      let convergedAfterHealMs: number | null = null;
      if (cut !== undefined) {
        const last = samples.findLastIndex((s) => s.keys > 0);
        const first = samples[last + 1];
        if (first !== undefined) convergedAfterHealMs = Math.max(0, first.atMs - cut.toMs);
      }
      const reads = new LatencyRecorder();
      const writes = new LatencyRecorder();
      for (const { op } of ops) {
        if (op.status !== 'ok') continue;
        (op.input.kind === 'get' ? reads : writes).record(op.returnMs! - op.invokeMs);
      }
      const { stale, reads: okReads } = staleReads(ops, all);
      return {
        zones: { a: zone('a', false), b: zone('b', false), c: zone('c', false) },
        zonesDuringCut: { a: zone('a', true), b: zone('b', true), c: zone('c', true) },
        divergence: samples,
        maxDivergenceDuringCut: Math.max(0, ...samples.filter((s) => inCut(s.atMs)).map((s) => s.keys)),
        convergedAfterHealMs,
        lwwDiscarded: lwwDiscarded(all),
        reads: reads.summary(),
        writes: writes.summary(),
        staleReads: stale,
        okReads,
      };
    },
  };
}

/** The zone a replica or client sits in. */
export function zoneOf(node: string): Zone {
  for (const z of ZONES) if (node === clientsOf(z) || ZONE_REPLICAS[z].includes(node)) return z;
  throw new RangeError(`${node} is in no zone`);
}

/** Puts sorted by a time, each with the highest version among it and those before it. */
interface PrefixTable {
  readonly times: number[];
  readonly highest: Version[];
}

function prefixMax(list: readonly PutRecord[], time: (p: PutRecord) => number): PrefixTable {
  const sorted = [...list].sort((a, b) => time(a) - time(b));
  const times: number[] = [];
  const highest: Version[] = [];
  for (const p of sorted) {
    const previous = highest[highest.length - 1];
    times.push(time(p));
    highest.push(newer(p.version, previous) ? p.version! : previous!);
  }
  return { times, highest };
}

/** The highest version among the entries strictly before `ms`, or `undefined`. */
function highestBefore(table: PrefixTable, ms: number): Version | undefined {
  let lo = 0;
  let hi = table.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table.times[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : table.highest[lo - 1];
}

/** How {@link quorumReplica} coordinates, and what it tells its observer. */
export interface ReplicaOptions {
  readonly mode: Mode;
  readonly r: number;
  readonly w: number;
  readonly antiEntropyMs: number;
  /** A coordinator stamped this version on a client's put of `value`. */
  readonly onStamp?: (value: string, version: Version) => void;
  /** Replica `index` now holds `value` for `key`. */
  readonly onStore?: (index: number, key: string, value: string) => void;
}

/**
 * One replica of the store, index `index` of {@link REPLICAS}, holding `data`: it answers
 * its peers and coordinates the gets and puts sent to it (see the file's comment). Other
 * scenarios put their own callers (routers) in front of these replicas.
 */
export function quorumReplica(ctx: NodeContext, index: number, data: Map<string, Stored>, options: ReplicaOptions) {
  const { mode, r, w } = options;
  const majority = Math.floor(REPLICAS.length / 2) + 1;
  const name = ctx.name;
  const peers = REPLICAS.filter((p) => p !== name);
  const lastHeard = new Map<string, number>(peers.map((p) => [p, ctx.now()]));
  /** The highest version counter this replica has handed out (CP). */
  let issued = 0;

  const adopt = (key: string, stored: Stored): void => {
    if (!newer(stored.version, data.get(key)?.version)) return;
    data.set(key, stored);
    options.onStore?.(index, key, stored.value);
  };
  const reachable = (): number => {
    const now = ctx.now();
    return 1 + peers.filter((p) => now - lastHeard.get(p)! <= SILENT_AFTER_MS).length;
  };
  const call = <T>(peer: string, message: PeerMessage): Promise<T> =>
    ctx.rpc<T>(peer, message, { timeoutMs: CALL_TIMEOUT_MS }).then((answer) => {
      lastHeard.set(peer, ctx.now());
      return answer;
    });

  /**
   * Resolves with this replica's own answer and the first `need - 1` others, or rejects
   * once that many can no longer arrive. A write goes to every peer whatever `need` is.
   */
  const quorum = <T>(need: number, own: T, message: PeerMessage): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const answers: T[] = [own];
      if (need <= 1) resolve(answers);
      if (need <= 1 && message.kind !== 'write') return;
      let failed = 0;
      for (const peer of peers) {
        call<T>(peer, message).then(
          (answer) => {
            answers.push(answer);
            if (answers.length === need) resolve(answers);
          },
          () => {
            failed++;
            if (peers.length - failed + 1 < need) reject(new Error(`only ${answers.length} of the ${need} replicas needed answered`));
          },
        );
      }
    });

  /** Pings each peer not heard from since the last round: requests and answers count as much as a ping. */
  const ping = (): void => {
    const now = ctx.now();
    for (const peer of peers) if (now - lastHeard.get(peer)! >= PING_EVERY_MS) call(peer, { kind: 'ping' }).catch(() => undefined);
    ctx.setTimer(PING_EVERY_MS, ping);
  };
  const push = (): void => {
    const all: Record<string, Stored> = Object.fromEntries(data);
    for (const peer of peers) call(peer, { kind: 'sync', all }).catch(() => undefined);
    ctx.setTimer(options.antiEntropyMs, push);
  };
  const refuseWithoutMajority = (): void => {
    if (mode === 'cp' && reachable() < majority) throw new Rejection(`${name} has not heard from a majority of the replicas lately`);
  };

  async function get(key: string): Promise<KvOutput> {
    refuseWithoutMajority();
    let answers: (Stored | null)[];
    try {
      answers = await quorum<Stored | null>(r, data.get(key) ?? null, { kind: 'read', key });
    } catch (error) {
      // A read that found no quorum changed nothing: refusing it is the truth.
      throw new Rejection((error as Error).message);
    }
    let latest: Stored | undefined;
    for (const a of answers) if (a !== null && newer(a.version, latest?.version)) latest = a;
    if (latest === undefined) return { kind: 'get', value: null };
    adopt(key, latest);
    // CP: write the value back to W replicas, so that no later read finds an older one.
    if (mode === 'cp') await quorum<boolean>(w, true, { kind: 'write', key, stored: latest });
    return { kind: 'get', value: latest.value };
  }

  async function put(key: string, value: string): Promise<KvOutput> {
    let version: Version;
    if (mode === 'cp') {
      refuseWithoutMajority();
      let answers: (Version | null)[];
      try {
        answers = await quorum<Version | null>(r, data.get(key)?.version ?? null, { kind: 'version', key });
      } catch (error) {
        // Nothing has been stored yet: the write surely did not happen.
        throw new Rejection((error as Error).message);
      }
      issued = Math.max(issued, ...answers.map((v) => v?.t ?? 0)) + 1;
      version = { t: issued, by: name };
    } else {
      version = { t: ctx.now(), by: name };
    }
    options.onStamp?.(value, version);
    const stored: Stored = { value, version };
    adopt(key, stored);
    // From here on some replica may hold the value: a failure is an unknown outcome.
    await quorum<boolean>(w, true, { kind: 'write', key, stored });
    return { kind: 'put' };
  }

  return {
    onStart() {
      if (mode === 'cp') ping();
      ctx.setTimer(options.antiEntropyMs, push);
    },
    onRequest(request: { from: string; body: KvInput | PeerMessage }) {
      const m = request.body;
      switch (m.kind) {
        case 'get':
          return get(m.key);
        case 'put':
          return put(m.key, m.value);
        case 'ping':
          break;
        case 'read':
          lastHeard.set(request.from, ctx.now());
          return data.get(m.key) ?? null;
        case 'version':
          lastHeard.set(request.from, ctx.now());
          return data.get(m.key)?.version ?? null;
        case 'write':
          adopt(m.key, m.stored);
          break;
        case 'sync':
          for (const [key, stored] of Object.entries(m.all)) adopt(key, stored);
          break;
        default:
          throw new Rejection(`this store takes gets and puts, not ${m.kind}`);
      }
      lastHeard.set(request.from, ctx.now());
      return true;
    },
  };
}
