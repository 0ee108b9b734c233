/**
 * Workloads: simulated clients that send operations into the system and record every one
 * in a History. Open-loop workloads send at a target rate whatever happens (as independent
 * users do); closed-loop workloads have a fixed number of clients that each wait for an
 * answer, then think, then send again.
 */
import { samplerFor, type Distribution, type Sampler } from './distributions.ts';
import type { Engine } from './engine.ts';
import { messageOf, isDefiniteRefusal } from './errors.ts';
import type { History, KvInput, KvOutput, Operation } from './history.ts';
import { pow } from './math.ts';
import type { NodeContext } from './node.ts';
import type { Random } from './random.ts';
import { startRpc, type RpcWaiter } from './rpc.ts';
import type { SimNode } from './sim-node.ts';
import { setTimer } from './timers.ts';

/** Most operations one workload may issue, as a safety limit. */
export const MAX_WORKLOAD_OPERATIONS = 10_000_000;

/** Most keys a key space may have. */
export const MAX_KEYS = 100_000_000;

/** A request rate that changes over time, for bursts, ramps and days. */
export interface RateProfile {
  /** The rate at a given true simulation time, in requests per second. */
  readonly ratePerS: (timeMs: number) => number;
  /** An upper bound of `ratePerS` over the whole run, in requests per second. */
  readonly peakRatePerS: number;
}

/**
 * A steady rate with a burst: `burstRatePerS` from `startMs` for `durationMs`, `baseRatePerS` otherwise.
 * @example burst({ baseRatePerS: 500, burstRatePerS: 3000, startMs: 2000, durationMs: 500 })
 */
export function burst(options: {
  readonly baseRatePerS: number;
  readonly burstRatePerS: number;
  readonly startMs: number;
  readonly durationMs: number;
}): RateProfile {
  const { baseRatePerS, burstRatePerS, startMs, durationMs } = options;
  const endMs = startMs + durationMs;
  return {
    ratePerS: (t) => (t >= startMs && t < endMs ? burstRatePerS : baseRatePerS),
    peakRatePerS: Math.max(baseRatePerS, burstRatePerS),
  };
}

/**
 * A linear ramp from `fromRatePerS` (before `startMs`) to `toRatePerS` (after `startMs + durationMs`).
 * @example ramp({ fromRatePerS: 100, toRatePerS: 2000, startMs: 0, durationMs: 10_000 })
 */
export function ramp(options: {
  readonly fromRatePerS: number;
  readonly toRatePerS: number;
  readonly startMs: number;
  readonly durationMs: number;
}): RateProfile {
  const { fromRatePerS, toRatePerS, startMs, durationMs } = options;
  return {
    ratePerS: (t) => {
      if (t <= startMs) return fromRatePerS;
      if (t >= startMs + durationMs) return toRatePerS;
      return fromRatePerS + ((toRatePerS - fromRatePerS) * (t - startMs)) / durationMs;
    },
    peakRatePerS: Math.max(fromRatePerS, toRatePerS),
  };
}

/** How operations arrive. */
/**
 * A day of traffic compressed into `dayMs` of simulated time, repeating: the rate is
 * `peakRatePerS` at the busiest moment (`peakAt`, a fraction of the day), `peakToTrough`
 * times less half a day later, and in between follows a smooth S-shaped curve (a cubic
 * smoothstep in the distance from the peak, close to a cosine, built from `+ − ×` alone so
 * that every engine computes the same rates; see math.ts). A `flashCrowd` multiplies the
 * rate by `multiplier` from `startMs` for `durationMs`, on top of the day: a link shared on
 * a front page, a push notification, a sale starting.
 *
 * Real services swing by a factor of two to four between night and evening (a user-facing
 * service's peak-to-trough ratio depends on how many time zones it serves); the capstone's
 * day uses 2.5.
 *
 * @example compressedDay({ dayMs: 60_000, peakRatePerS: 20_000, flashCrowd: { startMs: 40_000, durationMs: 2_000, multiplier: 3 } })
 */
export function compressedDay(options: {
  readonly dayMs: number;
  readonly peakRatePerS: number;
  /** @default 2.5 */
  readonly peakToTrough?: number;
  /** When in the day the peak comes, as a fraction of it in [0, 1). @default 0.75 (evening) */
  readonly peakAt?: number;
  readonly flashCrowd?: { readonly startMs: number; readonly durationMs: number; readonly multiplier: number };
}): RateProfile {
  const { dayMs, peakRatePerS } = options;
  const peakToTrough = options.peakToTrough ?? 2.5;
  const peakAt = options.peakAt ?? 0.75;
  const crowd = options.flashCrowd;
  if (!(dayMs > 0 && Number.isFinite(dayMs))) throw new RangeError(`dayMs must be finite and > 0; got ${dayMs}.`);
  if (!(peakRatePerS > 0 && Number.isFinite(peakRatePerS))) throw new RangeError(`peakRatePerS must be finite and > 0; got ${peakRatePerS}.`);
  if (!(peakToTrough >= 1 && Number.isFinite(peakToTrough))) throw new RangeError(`peakToTrough must be finite and >= 1; got ${peakToTrough}.`);
  if (!(peakAt >= 0 && peakAt < 1)) throw new RangeError(`peakAt must be in [0, 1); got ${peakAt}.`);
  if (crowd !== undefined && !(crowd.multiplier >= 1 && Number.isFinite(crowd.multiplier) && crowd.durationMs >= 0 && Number.isFinite(crowd.startMs))) {
    throw new RangeError(`flashCrowd needs a finite startMs, a durationMs >= 0 and a multiplier >= 1; got ${JSON.stringify(crowd)}.`);
  }
  const swing = peakRatePerS - peakRatePerS / peakToTrough;
  return {
    ratePerS: (t) => {
      const phase = (((t % dayMs) + dayMs) % dayMs) / dayMs;
      let distance = phase > peakAt ? phase - peakAt : peakAt - phase;
      if (distance > 0.5) distance = 1 - distance;
      const x = 2 * distance;
      const rate = peakRatePerS - swing * x * x * (3 - 2 * x);
      return crowd !== undefined && t >= crowd.startMs && t < crowd.startMs + crowd.durationMs ? rate * crowd.multiplier : rate;
    },
    peakRatePerS: peakRatePerS * (crowd === undefined ? 1 : crowd.multiplier),
  };
}

export type Arrivals =
  | {
      /** Open loop: a Poisson process at this rate, whether or not earlier operations have finished. */
      readonly kind: 'open';
      /** Requests per second, constant or a {@link RateProfile} such as {@link burst} or {@link ramp}. */
      readonly ratePerS: number | RateProfile;
    }
  | {
      /** Closed loop: each client sends, waits for the outcome, thinks, and sends again. */
      readonly kind: 'closed';
      /** Number of clients. */
      readonly clients: number;
      /** Pause between an outcome and the client's next operation, in milliseconds. @default no pause */
      readonly thinkTime?: Distribution;
    };

/** Which keys operations touch. */
export interface KeySpace {
  /** Number of distinct keys, named `${prefix}0` … `${prefix}${count - 1}`. */
  readonly count: number;
  /**
   * `'uniform'`, or a Zipf law where key k (from 0) has weight `1 / (k + 1)^exponent`:
   * exponent 0 is uniform, about 1 is typical of real traffic (a few keys are very hot).
   * @default 'uniform'
   */
  readonly distribution?: 'uniform' | { readonly zipfExponent: number };
  /** Prefix of key names. @default 'k' */
  readonly prefix?: string;
}

/**
 * Picks keys from a {@link KeySpace}. Zipf sampling precomputes the cumulative weights
 * once, then each pick is a binary search (O(log count)).
 *
 * @example
 * const keys = new KeyChooser({ count: 1000, distribution: { zipfExponent: 1.1 } });
 * keys.pick(rng); // 'k0' most often, then 'k1', …
 */
export class KeyChooser {
  readonly #count: number;
  readonly #prefix: string;
  readonly #cumulative: Float64Array | undefined;
  /**
   * Key names already built, by index, for key spaces of up to {@link NAME_CACHE_LIMIT}
   * keys: a workload picks the same keys over and over, and building the name each time
   * was a string allocation (and a number formatting) per operation.
   */
  readonly #names: (string | undefined)[] | undefined;

  /** @param space See {@link KeySpace}. */
  constructor(space: KeySpace) {
    const count = space.count;
    if (!(Number.isInteger(count) && count >= 1 && count <= MAX_KEYS)) {
      throw new RangeError(`keys.count must be an integer in [1, ${MAX_KEYS}]; got ${count}.`);
    }
    this.#count = count;
    this.#prefix = space.prefix ?? 'k';
    this.#names = count <= NAME_CACHE_LIMIT ? new Array<string | undefined>(count).fill(undefined) : undefined;
    const distribution = space.distribution ?? 'uniform';
    if (distribution === 'uniform') {
      this.#cumulative = undefined;
    } else {
      const exponent = distribution.zipfExponent;
      if (!(exponent >= 0 && Number.isFinite(exponent))) {
        throw new RangeError(`zipfExponent must be a finite number >= 0; got ${exponent}.`);
      }
      const cumulative = new Float64Array(count);
      let total = 0;
      for (let k = 0; k < count; k++) {
        total += 1 / pow(k + 1, exponent);
        cumulative[k] = total;
      }
      for (let k = 0; k < count; k++) cumulative[k] = cumulative[k]! / total;
      cumulative[count - 1] = 1;
      this.#cumulative = cumulative;
    }
  }

  /** A key index in [0, count). */
  pickIndex(rng: Random): number {
    const cumulative = this.#cumulative;
    if (cumulative === undefined) return Math.floor(rng.next() * this.#count);
    // The first index whose cumulative weight exceeds u.
    const u = rng.next();
    let low = 0;
    let high = this.#count - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! > u) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** A key name. */
  pick(rng: Random): string {
    const index = this.pickIndex(rng);
    const names = this.#names;
    if (names === undefined) return this.#prefix + index;
    return (names[index] ??= this.#prefix + index);
  }
}

/** Largest key space whose key names a {@link KeyChooser} keeps once built. */
const NAME_CACHE_LIMIT = 1 << 16;

/** Relative weights of operation kinds; missing kinds have weight 0. @example { get: 0.9, put: 0.1 } */
export interface OperationMix {
  /** Weight of reads. */
  readonly get?: number;
  /** Weight of blind writes. */
  readonly put?: number;
  /** Weight of appends. */
  readonly append?: number;
  /** Weight of compare-and-swaps (expecting the last value this workload wrote to the key). */
  readonly cas?: number;
}

/** Options for `sim.workload`. */
export interface WorkloadOptions<I = KvInput, O = KvOutput> {
  /** Name of the client node the workload sends from. @default 'client' */
  readonly name?: string;
  /**
   * Where each operation goes: a node name, or a function choosing one per operation
   * (client-side load balancing or routing). Ignored when `issue` is given.
   */
  readonly target?: string | ((input: I, ctx: NodeContext) => string);
  /** How operations arrive. */
  readonly arrivals: Arrivals;
  /** Keys for generated operations. @default { count: 100 } */
  readonly keys?: KeySpace;
  /** Kinds of generated operations. @default { get: 1, put: 1 } */
  readonly mix?: OperationMix;
  /**
   * Builds an operation yourself instead of using `keys` and `mix`. `index` counts
   * operations from 0, handy for unique values.
   */
  readonly operation?: (rng: Random, index: number) => I;
  /**
   * Sends an operation yourself (retries, hedging…) instead of one `ctx.rpc` to `target`.
   * Resolve with the output; reject with a `Rejection` (or pass on an `OverloadedError` or a
   * rejected `RemoteError`) when the operation surely did not happen.
   */
  readonly issue?: (input: I, ctx: NodeContext) => Promise<O>;
  /**
   * How long a client waits for an outcome, in milliseconds. Without an answer by then the
   * operation is recorded as `'unknown'`.
   * @default 1000
   */
  readonly deadlineMs?: number;
  /** When the first operation may start, in true simulation milliseconds. @default now */
  readonly startMs?: number;
  /** No operation starts at or after this time. Give this, `maxOperations`, or both. */
  readonly stopMs?: number;
  /** Most operations to issue. Give this, `stopMs`, or both. */
  readonly maxOperations?: number;
}

/** One operation in flight; it is the RPC waiter, so no closure is needed per operation. */
class OpenOperation<I, O> implements RpcWaiter {
  readonly settlesPromise = false;
  readonly index: number;
  readonly clientId: number;
  readonly input: I;
  readonly invokeMs: number;
  /** The closed-loop client slot, or -1 in an open loop. */
  readonly slot: number;
  done = false;
  readonly #workload: Workload<I, O>;

  constructor(workload: Workload<I, O>, index: number, clientId: number, input: I, invokeMs: number, slot: number) {
    this.#workload = workload;
    this.index = index;
    this.clientId = clientId;
    this.input = input;
    this.invokeMs = invokeMs;
    this.slot = slot;
  }

  resolve(value: unknown): void {
    this.#workload.complete(this, 'ok', value as O, undefined);
  }

  reject(error: Error): void {
    this.#workload.complete(this, classify(error), undefined, messageOf(error));
  }

  /** A timeout: what `reject` would record for an `RpcTimeoutError` (no definite refusal, so unknown). */
  timedOut(message: string): void {
    this.#workload.complete(this, 'unknown', undefined, message);
  }
}

/**
 * A definite refusal means the operation did not happen; anything else (a timeout, a
 * handler that crashed halfway) leaves its fate unknown.
 */
function classify(error: unknown): 'failed' | 'unknown' {
  return isDefiniteRefusal(error) ? 'failed' : 'unknown';
}

/**
 * A running workload, from `sim.workload(options)`. Its history fills in as the
 * simulation runs.
 */
export class Workload<I = KvInput, O = KvOutput> {
  readonly #engine: Engine;
  readonly #node: SimNode;
  readonly #rng: Random;
  readonly #options: WorkloadOptions<I, O>;
  readonly #history: Operation<I, O>[] = [];
  readonly #deadlineMs: number;
  readonly #maxOperations: number;
  readonly #stopMs: number;
  readonly #keys: KeyChooser;
  readonly #mixKinds: ('get' | 'put' | 'append' | 'cas')[] = [];
  readonly #mixCumulative: number[] = [];
  readonly #lastWritten = new Map<string, string>();
  readonly #thinkTime: Sampler | undefined;
  readonly #onArrival = (): void => this.#arrive();
  /** Client ids whose last operation ended cleanly, ready for reuse (open loop). */
  readonly #freeClients: number[] = [];
  /** Current client id of each closed-loop slot. */
  readonly #slotClients: number[] = [];
  #nextClientId = 0;
  #open = 0;
  #issued = 0;

  /** @internal Created by `sim.workload`. */
  constructor(engine: Engine, node: SimNode, options: WorkloadOptions<I, O>) {
    this.#engine = engine;
    this.#node = node;
    this.#options = options;
    this.#rng = engine.root.fork(`workload:${node.name}`);
    this.#deadlineMs = options.deadlineMs ?? 1000;
    if (!(this.#deadlineMs > 0)) throw new RangeError(`deadlineMs must be > 0; got ${this.#deadlineMs}.`);
    if (options.stopMs === undefined && options.maxOperations === undefined) {
      throw new RangeError('A workload needs stopMs, maxOperations, or both, so that it ends.');
    }
    this.#maxOperations = Math.min(options.maxOperations ?? MAX_WORKLOAD_OPERATIONS, MAX_WORKLOAD_OPERATIONS);
    this.#stopMs = options.stopMs ?? Infinity;
    if (options.issue === undefined && options.target === undefined) {
      throw new RangeError('A workload needs a target (a node name or a routing function) or an issue function.');
    }
    this.#keys = new KeyChooser(options.keys ?? { count: 100 });
    const mix = options.mix ?? { get: 1, put: 1 };
    let total = 0;
    for (const kind of ['get', 'put', 'append', 'cas'] as const) {
      const weight = mix[kind] ?? 0;
      if (!(weight >= 0)) throw new RangeError(`mix.${kind} must be >= 0; got ${weight}.`);
      if (weight > 0) {
        total += weight;
        this.#mixKinds.push(kind);
        this.#mixCumulative.push(total);
      }
    }
    if (total === 0 && options.operation === undefined) throw new RangeError('mix needs at least one positive weight.');
    for (let i = 0; i < this.#mixCumulative.length; i++) this.#mixCumulative[i] = this.#mixCumulative[i]! / total;

    const startMs = Math.max(options.startMs ?? engine.now, engine.now);
    const arrivals = options.arrivals;
    if (arrivals.kind === 'open') {
      this.#thinkTime = undefined;
      const rate = arrivals.ratePerS;
      const peak = typeof rate === 'number' ? rate : rate.peakRatePerS;
      if (!(peak > 0 && Number.isFinite(peak))) throw new RangeError(`ratePerS must be finite and > 0; got ${peak}.`);
      this.#scheduleNextArrival(startMs);
    } else {
      if (!(Number.isInteger(arrivals.clients) && arrivals.clients >= 1)) {
        throw new RangeError(`clients must be an integer >= 1; got ${arrivals.clients}.`);
      }
      this.#thinkTime = arrivals.thinkTime ? samplerFor(arrivals.thinkTime) : undefined;
      for (let slot = 0; slot < arrivals.clients; slot++) {
        this.#slotClients.push(this.#nextClientId++);
        engine.schedule(startMs, () => this.#issueFromSlot(slot));
      }
    }
    engine.workloads.push(this);
  }

  /** Name of the client node. */
  get name(): string {
    return this.#node.name;
  }

  /**
   * Every operation issued so far, in invocation order. Operations still waiting for an
   * answer appear with `status: 'unknown'` and no `returnMs`.
   */
  get history(): History<I, O> {
    return this.#history;
  }

  /** Operations issued so far. */
  get issued(): number {
    return this.#issued;
  }

  /** Operations still waiting for an outcome. */
  get open(): number {
    return this.#open;
  }

  #canIssue(): boolean {
    return this.#issued < this.#maxOperations && this.#engine.now < this.#stopMs;
  }

  #scheduleNextArrival(fromMs: number): void {
    const arrivals = this.#options.arrivals;
    if (arrivals.kind !== 'open') return;
    const rate = arrivals.ratePerS;
    const rng = this.#rng;
    let t = fromMs;
    if (typeof rate === 'number') {
      t += rng.exponential(1000 / rate);
    } else {
      // Thinning: candidates at the peak rate, each kept with probability rate(t) / peak.
      const meanGapMs = 1000 / rate.peakRatePerS;
      for (let tries = 0; ; tries++) {
        if (tries > 10_000_000) throw new Error('The rate profile stayed near 0 for too long; give the workload a stopMs.');
        t += rng.exponential(meanGapMs);
        if (t >= this.#stopMs) return;
        if (rng.next() * rate.peakRatePerS < rate.ratePerS(t)) break;
      }
    }
    if (t >= this.#stopMs) return;
    this.#engine.schedule(t, this.#onArrival);
  }

  #arrive(): void {
    if (!this.#canIssue()) return;
    const clientId = this.#freeClients.length > 0 ? this.#freeClients.pop()! : this.#nextClientId++;
    this.#issue(clientId, -1);
    this.#scheduleNextArrival(this.#engine.now);
  }

  #issueFromSlot(slot: number): void {
    if (!this.#canIssue()) return;
    this.#issue(this.#slotClients[slot]!, slot);
  }

  #nextInput(index: number): I {
    const custom = this.#options.operation;
    if (custom) return custom(this.#rng, index);
    const rng = this.#rng;
    let kind = this.#mixKinds[0]!;
    if (this.#mixKinds.length > 1) {
      const u = rng.next();
      let i = 0;
      while (i < this.#mixCumulative.length - 1 && this.#mixCumulative[i]! <= u) i++;
      kind = this.#mixKinds[i]!;
    }
    const key = this.#keys.pick(rng);
    // Values are unique per operation, so a checker can tell every write apart.
    const value = `${this.#node.name}-${index}`;
    let input: KvInput;
    if (kind === 'get') input = { kind, key };
    else if (kind === 'cas') input = { kind, key, expected: this.#lastWritten.get(key) ?? null, value };
    else input = { kind, key, value };
    if (kind !== 'get') this.#lastWritten.set(key, value);
    // The same object is the request's body and the history's record of what the client
    // asked: frozen, so that no node can rewrite the history by changing the request.
    return Object.freeze(input) as I;
  }

  #issue(clientId: number, slot: number): void {
    const engine = this.#engine;
    const index = this.#history.length;
    const input = this.#nextInput(index);
    const invokeMs = engine.now;
    const operation = new OpenOperation<I, O>(this, index, clientId, input, invokeMs, slot);
    this.#history.push({ clientId, input, invokeMs, status: 'unknown' });
    this.#issued++;
    this.#open++;
    if (engine.trace.enabled) engine.trace.record({ t: invokeMs, type: 'invoke', client: clientId, op: index, input });
    const ctx = this.#node.ctx!;
    const issue = this.#options.issue;
    if (issue === undefined) {
      const target = this.#options.target!;
      const to = typeof target === 'string' ? target : target(input, ctx);
      startRpc(engine, this.#node, to, input, this.#deadlineMs, undefined, operation);
      return;
    }
    // A custom issue function may never settle; the deadline closes the operation anyway.
    setTimer(engine, this.#node, this.#deadlineMs, () => {
      this.complete(operation, 'unknown', undefined, `no outcome within ${this.#deadlineMs} ms`);
    }, false);
    let promise: Promise<O>;
    try {
      promise = issue(input, ctx);
    } catch (error) {
      this.complete(operation, classify(error), undefined, messageOf(error));
      return;
    }
    promise.then(
      (output) => {
        engine.activity++;
        this.complete(operation, 'ok', output, undefined);
      },
      (error: unknown) => {
        engine.activity++;
        this.complete(operation, classify(error), undefined, messageOf(error));
      },
    );
  }

  /** @internal Records an outcome; later outcomes of the same operation are ignored. */
  complete(operation: OpenOperation<I, O>, status: 'ok' | 'failed' | 'unknown', output: O | undefined, error: string | undefined): void {
    if (operation.done) return;
    operation.done = true;
    this.#open--;
    const engine = this.#engine;
    const now = engine.now;
    const record: Operation<I, O> =
      status === 'ok'
        ? { clientId: operation.clientId, input: operation.input, invokeMs: operation.invokeMs, returnMs: now, status, output: output as O }
        : status === 'failed'
          ? { clientId: operation.clientId, input: operation.input, invokeMs: operation.invokeMs, returnMs: now, status, error: error! }
          : { clientId: operation.clientId, input: operation.input, invokeMs: operation.invokeMs, status, error: error! };
    this.#history[operation.index] = record;
    engine.recordOperation(status, operation.invokeMs, status === 'unknown' ? undefined : now);
    if (engine.trace.enabled) {
      engine.trace.record({
        t: now,
        type: 'complete',
        client: operation.clientId,
        op: operation.index,
        status,
        output: status === 'ok' ? output : (error ?? null),
      });
    }
    // After an unknown outcome the client id is retired: its operation may still take
    // effect, and a client may have only one operation open.
    let nextClient = operation.clientId;
    if (status === 'unknown') nextClient = this.#nextClientId++;
    if (operation.slot < 0) {
      if (status !== 'unknown') this.#freeClients.push(nextClient);
      return;
    }
    this.#slotClients[operation.slot] = nextClient;
    const slot = operation.slot;
    const thinkMs = this.#thinkTime ? this.#thinkTime(this.#rng) : 0;
    if (this.#issued < this.#maxOperations && now + thinkMs < this.#stopMs) {
      engine.schedule(now + thinkMs, () => this.#issueFromSlot(slot));
    }
  }
}
