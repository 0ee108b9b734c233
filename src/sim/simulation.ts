/**
 * `Simulation`: the one object a scenario builds. It owns the clock, the nodes, the network
 * and the fault schedule, and runs them deterministically from one seed.
 */
import { Engine, type SimulationOptions } from './engine.ts';
import type { NodeHandlerError } from './errors.ts';
import type { KvInput, KvOutput } from './history.ts';
import { checkSlo, type FinishedOperation, type MetricsSummary, type QueueSample, type SloObjectives, type SloReport } from './metrics.ts';
import { PartitionState, type LinkOptions } from './network.ts';
import { constant, samplerFor } from './distributions.ts';
import type { ClockOptions, DiskOptions, NodeFactory, NodeOptions, NodeStatus } from './node.ts';
import type { SimNode } from './sim-node.ts';
import { retimeTimers } from './timers.ts';
import type { Trace } from './trace.ts';
import { Workload, type WorkloadOptions } from './workload.ts';

/** When a fault happens. Without `atMs`, it happens now. */
export interface FaultTiming {
  /** True simulation time at which the fault starts, in milliseconds. @default now */
  readonly atMs?: number;
}

/** When a partition starts and heals. */
export interface PartitionTiming extends FaultTiming {
  /** True simulation time at which it heals, in milliseconds. @default never (call `heal()`) */
  readonly healAtMs?: number;
  /** A name for the trace and the debugger. @default 'partition-1', 'partition-2', … */
  readonly label?: string;
}

/** A partition, scheduled, active or healed. */
export interface Partition {
  /** Its name in the trace. */
  readonly label: string;
  /** Whether its cuts are in force now. */
  readonly active: boolean;
  /** Restores the cut links now (or cancels the partition if it has not started). */
  heal(): void;
}

/** Options for {@link Simulation.setLink}. */
export interface SetLinkOptions extends LinkOptions {
  /** Configure only the direction `from → to`. @default false (both directions) */
  readonly oneWay?: boolean;
}

/**
 * A deterministic simulated cluster.
 *
 * @example
 * const sim = new Simulation({ seed: 7, network: { latency: uniform(1, 3) } });
 * sim.addNode('kv', () => {
 *   const data = new Map<string, string>();
 *   return {
 *     onRequest({ body }) {
 *       if (body.kind === 'put') { data.set(body.key, body.value); return { kind: 'put' }; }
 *       return { kind: 'get', value: data.get(body.key) ?? null };
 *     },
 *   };
 * });
 * sim.workload({ target: 'kv', arrivals: { kind: 'open', ratePerS: 200 }, stopMs: 10_000 });
 * await sim.runUntilIdle();
 * console.log(sim.summary().latency.p99Ms);
 */
export class Simulation {
  readonly #engine: Engine;
  // Harnesses ask for a node's state on every request; building a view each time was slow.
  readonly #views = new Map<string, NodeStatus>();
  readonly #seed: number | string;
  #partitionCount = 0;

  /** @param options The seed and network defaults; see {@link SimulationOptions}. */
  constructor(options: SimulationOptions) {
    this.#seed = options.seed;
    this.#engine = new Engine(options);
  }

  /** The seed this simulation was created with. */
  get seed(): number | string {
    return this.#seed;
  }

  /** True simulation time, in milliseconds. */
  get nowMs(): number {
    return this.#engine.now;
  }

  /** Names of all nodes (workload clients included), in the order they were added. */
  get nodes(): readonly string[] {
    return this.#engine.nodeNames;
  }

  /** The trace of this run. */
  get trace(): Trace {
    return this.#engine.trace;
  }

  /** Errors thrown by node handlers so far. */
  get errors(): readonly NodeHandlerError[] {
    return this.#engine.errors;
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.#engine.eventsProcessed;
  }

  /** Events waiting in the queue. */
  get pendingEvents(): number {
    return this.#engine.pendingEvents;
  }

  /** Time of the next event, in milliseconds, or `Infinity` when there is none. */
  get nextEventMs(): number {
    return this.#engine.nextEventMs;
  }

  /** Queue-depth samples, if `sampleIntervalMs` was set. */
  get queueSamples(): readonly QueueSample[] {
    return this.#engine.queueSamples;
  }

  /**
   * Adds a node. `factory` builds its handlers now and again after every restart.
   *
   * @example
   * sim.addNode('s1', (ctx) => ({ onRequest: () => 'pong' }), {
   *   capacity: { workers: 2, serviceTime: exponential(5), queueCapacity: 50 },
   * });
   */
  addNode(name: string, factory: NodeFactory, options: NodeOptions = {}): void {
    if (typeof factory !== 'function') {
      throw new TypeError(`addNode("${name}") needs a factory function: (ctx) => ({ onRequest… }).`);
    }
    this.#engine.addNode(name, factory, options, false);
  }

  /** A live view of one node's state and counters (the same view every time for one node). */
  node(name: string): NodeStatus {
    let view = this.#views.get(name);
    if (view === undefined) {
      view = new NodeView(name, this.#engine.node(name), this.#engine);
      this.#views.set(name, view);
    }
    return view;
  }

  /**
   * Overrides the network defaults on the link between two nodes (both directions unless
   * `oneWay`). Options not given keep their earlier value.
   *
   * @example
   * sim.setLink('client', 's3', { latency: logNormal({ p50Ms: 20, p99Ms: 400 }) });
   */
  setLink(from: string, to: string, options: SetLinkOptions): void {
    const { oneWay, ...link } = options;
    const a = this.#engine.node(from);
    const b = this.#engine.node(to);
    this.#engine.network.setLink(a, b, link);
    if (!oneWay) this.#engine.network.setLink(b, a, link);
  }

  /**
   * Changes a node's clock from now on; see {@link ClockOptions}. Timers already set keep the
   * local time they have left, so a clock made faster fires them sooner.
   */
  setClock(name: string, clock: ClockOptions): void {
    const node = this.#engine.node(name);
    const rate = clock.rate ?? node.clockRate;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`clock.rate must be finite and > 0; got ${rate}.`);
    // Keep the local reading continuous unless a new offset is given explicitly.
    const localNow = node.localTime(this.#engine.now);
    const oldRate = node.clockRate;
    node.clockRate = rate;
    node.clockOffsetMs = clock.offsetMs ?? localNow - rate * this.#engine.now;
    // A pending timer waits out the rest of its delay on the clock as it now runs.
    retimeTimers(this.#engine, node, oldRate);
  }

  /**
   * Changes the network's background loss from `atMs` (default now) on, and back to what it
   * was at `untilMs`: every link without a `dropProbability` of its own (from `setLink`)
   * loses this share of the messages sent over it meanwhile.
   *
   * @example
   * sim.setLoss(0.001, { atMs: 0, untilMs: 60_000 }); // one message in a thousand, for a minute
   */
  setLoss(dropProbability: number, timing: FaultTiming & { readonly untilMs?: number } = {}): void {
    if (!(dropProbability >= 0 && dropProbability <= 1)) {
      throw new RangeError(`dropProbability must be in [0, 1]; got ${dropProbability}.`);
    }
    const network = this.#engine.network;
    const atMs = timing.atMs ?? this.#engine.now;
    if (timing.untilMs !== undefined && !(timing.untilMs >= atMs)) {
      throw new RangeError(`untilMs (${timing.untilMs}) must not be before atMs (${atMs}).`);
    }
    let before = network.defaultDropProbability;
    this.#when(timing.atMs, () => {
      before = network.defaultDropProbability;
      network.setDefaultDropProbability(dropProbability);
    });
    if (timing.untilMs !== undefined) this.#when(timing.untilMs, () => network.setDefaultDropProbability(before));
  }

  /**
   * Changes a node's disk timing from `atMs` (default now) on, and back to what it was at
   * `untilMs`: a disk that slows down (a failing drive, a noisy neighbour, a RAID rebuild)
   * and recovers. A sync already under way keeps the time it was given.
   *
   * @example
   * sim.setDisk('r2', { syncLatency: logNormal({ p50Ms: 40, p99Ms: 400 }) }, { atMs: 30_000, untilMs: 45_000 });
   */
  setDisk(name: string, disk: DiskOptions, timing: FaultTiming & { readonly untilMs?: number } = {}): void {
    const node = this.#engine.node(name);
    const slower = samplerFor(disk.syncLatency ?? constant(1));
    let before = node.syncLatency;
    const atMs = timing.atMs ?? this.#engine.now;
    if (timing.untilMs !== undefined && !(timing.untilMs >= atMs)) {
      throw new RangeError(`untilMs (${timing.untilMs}) must not be before atMs (${atMs}).`);
    }
    this.#when(timing.atMs, () => {
      before = node.syncLatency;
      node.syncLatency = slower;
    });
    if (timing.untilMs !== undefined) this.#when(timing.untilMs, () => (node.syncLatency = before));
  }

  /**
   * Splits the named nodes into groups that cannot reach each other, in either direction.
   * Nodes not listed keep every link. A message already in flight across a cut is lost.
   *
   * @example
   * sim.partition([['n1', 'n2'], ['n3', 'n4', 'n5']], { atMs: 5000, healAtMs: 8000 });
   */
  partition(groups: readonly (readonly string[])[], timing: PartitionTiming = {}): Partition {
    const engine = this.#engine;
    const groupOf = new Map<number, number>();
    groups.forEach((group, index) => {
      for (const name of group) {
        const id = engine.node(name).id;
        if (groupOf.has(id)) throw new RangeError(`${name} appears in two groups of the partition.`);
        groupOf.set(id, index);
      }
    });
    const cuts: [number, number][] = [];
    for (const [a, groupA] of groupOf) {
      for (const [b, groupB] of groupOf) if (groupA !== groupB) cuts.push([a, b]);
    }
    return this.#partition(cuts, timing);
  }

  /** Cuts one node off from every other node, both ways. */
  isolate(name: string, timing: PartitionTiming = {}): Partition {
    const engine = this.#engine;
    const id = engine.node(name).id;
    const cuts: [number, number][] = [];
    for (const other of engine.nodes) {
      if (other.id !== id) cuts.push([id, other.id], [other.id, id]);
    }
    return this.#partition(cuts, timing);
  }

  /** Cuts the link `from → to` only (messages the other way still pass), unless `bothWays`. */
  cutLink(from: string, to: string, timing: PartitionTiming & { readonly bothWays?: boolean } = {}): Partition {
    const a = this.#engine.node(from).id;
    const b = this.#engine.node(to).id;
    const cuts: [number, number][] = timing.bothWays ? [[a, b], [b, a]] : [[a, b]];
    return this.#partition(cuts, timing);
  }

  #partition(cuts: [number, number][], timing: PartitionTiming): Partition {
    const engine = this.#engine;
    const state = new PartitionState(timing.label ?? `partition-${++this.#partitionCount}`, cuts);
    const atMs = timing.atMs ?? engine.now;
    const network = engine.network;
    if (atMs <= engine.now) network.applyPartition(state);
    else engine.schedule(atMs, () => network.applyPartition(state));
    if (timing.healAtMs !== undefined) {
      if (!(timing.healAtMs >= atMs)) throw new RangeError(`healAtMs (${timing.healAtMs}) must not be before atMs (${atMs}).`);
      engine.schedule(timing.healAtMs, () => network.healPartition(state));
    }
    return {
      label: state.label,
      get active() {
        return state.state === 'active';
      },
      heal: () => network.healPartition(state),
    };
  }

  /**
   * Crashes a node: its memory, timers, queued work and unsynced writes are lost, and
   * messages to it are dropped until it restarts.
   *
   * @example
   * sim.crash('s2', { atMs: 3000, restartAtMs: 4500 });
   */
  crash(name: string, timing: FaultTiming & { readonly restartAtMs?: number } = {}): void {
    const engine = this.#engine;
    const node = engine.node(name);
    this.#when(timing.atMs, () => engine.crash(node));
    if (timing.restartAtMs !== undefined) this.#when(timing.restartAtMs, () => engine.restart(node));
  }

  /** Restarts a crashed node: its factory and `onStart` run again with what its disk kept. */
  restart(name: string, timing: FaultTiming = {}): void {
    const engine = this.#engine;
    const node = engine.node(name);
    this.#when(timing.atMs, () => engine.restart(node));
  }

  /**
   * Pauses a node (a long garbage-collection pause, a stopped VM): nothing it receives or
   * schedules runs until it resumes, and then everything runs at once, in order.
   */
  pause(name: string, timing: FaultTiming & { readonly resumeAtMs?: number } = {}): void {
    const engine = this.#engine;
    const node = engine.node(name);
    this.#when(timing.atMs, () => engine.pause(node));
    if (timing.resumeAtMs !== undefined) this.#when(timing.resumeAtMs, () => engine.resume(node));
  }

  /** Resumes a paused node. */
  resume(name: string, timing: FaultTiming = {}): void {
    const engine = this.#engine;
    const node = engine.node(name);
    this.#when(timing.atMs, () => engine.resume(node));
  }

  #when(atMs: number | undefined, action: () => void): void {
    if (atMs === undefined || atMs <= this.#engine.now) action();
    else this.#engine.schedule(atMs, action);
  }

  /**
   * Runs `action` at true time `timeMs` (after events already due then). It may change
   * the scenario: crash nodes, cut links, start workloads, read state.
   */
  at(timeMs: number, action: () => void | Promise<void>): void {
    this.#engine.schedule(timeMs, action);
  }

  /** Runs `action` `delayMs` from now. */
  after(delayMs: number, action: () => void | Promise<void>): void {
    this.#engine.schedule(this.#engine.now + delayMs, action);
  }

  /**
   * Starts a workload of simulated clients, sending from a client node of its own.
   *
   * @example
   * const load = sim.workload({
   *   target: 'lb',
   *   arrivals: { kind: 'open', ratePerS: 1000 },
   *   keys: { count: 10_000, distribution: { zipfExponent: 1.1 } },
   *   mix: { get: 0.9, put: 0.1 },
   *   deadlineMs: 500,
   *   stopMs: 30_000,
   * });
   * await sim.runUntilIdle();
   * load.history; // every operation, ready for the linearizability checker
   */
  workload<I = KvInput, O = KvOutput>(options: WorkloadOptions<I, O>): Workload<I, O> {
    const engine = this.#engine;
    let name = options.name ?? 'client';
    if (options.name === undefined) {
      for (let n = 2; engine.hasNode(name); n++) name = `client-${n}`;
    }
    const node = engine.addNode(name, () => ({}), {}, true);
    return new Workload<I, O>(engine, node, options);
  }

  /** Processes every event due up to and including `timeMs`, then sets the clock to `timeMs`. */
  runUntil(timeMs: number): Promise<void> {
    if (!(timeMs >= this.#engine.now)) {
      return Promise.reject(new RangeError(`runUntil(${timeMs}): the clock already reads ${this.#engine.now} ms.`));
    }
    return this.#engine.run(timeMs, false);
  }

  /** Runs for `durationMs` of simulated time. */
  runFor(durationMs: number): Promise<void> {
    return this.runUntil(this.#engine.now + durationMs);
  }

  /**
   * Runs until no events remain (periodic sampling does not count). A scenario with
   * endless timers (heartbeats) never becomes idle: use {@link runUntil} for those.
   */
  runUntilIdle(): Promise<void> {
    return this.#engine.run(Infinity, true);
  }

  /**
   * Processes exactly one event, synchronously, for stepping in a debugger. Promise
   * continuations it triggers run when the caller yields; `await sim.settle()` to run them
   * at once. Returns `false` when there was no event.
   */
  step(): boolean {
    return this.#engine.step();
  }

  /** Lets pending promise continuations of node code run (use after {@link step}). */
  settle(): Promise<void> {
    return this.#engine.settle();
  }

  /**
   * Calls `listener` for every workload operation at the moment {@link summary} counts it
   * (it succeeded, was refused, or its deadline passed), whether or not the trace is on.
   * A live view uses it to chart a run as it goes; the listener must only read. Returns a
   * function that stops the calls.
   *
   * @example
   * let ok = 0;
   * const stop = sim.onOperation((op) => { if (op.status === 'ok') ok++; });
   * await sim.runUntil(5_000);
   * stop(); // ok === sim.summary().ok
   */
  onOperation(listener: (operation: FinishedOperation) => void): () => void {
    const listeners = this.#engine.counters.listeners;
    listeners.push(listener);
    return () => {
      const i = listeners.indexOf(listener);
      if (i >= 0) listeners.splice(i, 1);
    };
  }

  /** Everything measured so far: latency percentiles, availability, throughput, load. */
  summary(): MetricsSummary {
    const engine = this.#engine;
    const counters = engine.counters;
    const network = engine.network;
    let open = 0;
    for (const workload of engine.workloads) open += workload.open;
    const operations = counters.ok + counters.failed + counters.unknown + open;
    const windowMs = counters.lastReturnMs - counters.firstInvokeMs;
    return {
      operations,
      ok: counters.ok,
      failed: counters.failed,
      unknown: counters.unknown + open,
      open,
      availability: operations === 0 ? 1 : counters.ok / operations,
      latency: counters.latency.summary(),
      throughputPerS: windowMs > 0 ? (counters.ok * 1000) / windowMs : 0,
      messagesSent: network.sent,
      messagesDelivered: network.delivered,
      messagesDropped: network.dropped,
      messagesPerOperation: operations === 0 ? 0 : network.sent / operations,
      nodes: engine.nodes
        .filter((node) => !node.internal)
        .map((node) => ({ node: node.name, served: node.served, rejected: node.rejected, maxQueueDepth: node.maxQueueDepth })),
    };
  }

  /**
   * Checks this run against objectives (see {@link checkSlo}). Pass `ackedWritesLost` from
   * an invariant checker if you set that objective.
   *
   * @example
   * const report = sim.checkSlo({ p99LatencyMs: 150, availability: 0.999 });
   */
  checkSlo(objectives: SloObjectives, measured: { readonly ackedWritesLost?: number } = {}): SloReport {
    return checkSlo({ ...this.summary(), ...measured }, objectives);
  }
}

/** A live view of one node: every read goes to the node as it is now. */
class NodeView implements NodeStatus {
  readonly name: string;
  readonly #node: SimNode;
  readonly #engine: Engine;

  constructor(name: string, node: SimNode, engine: Engine) {
    this.name = name;
    this.#node = node;
    this.#engine = engine;
  }

  get state(): 'up' | 'down' {
    return this.#node.up ? 'up' : 'down';
  }
  get paused(): boolean {
    return this.#node.paused;
  }
  get restarts(): number {
    return this.#node.restarts;
  }
  get queueDepth(): number {
    return this.#node.queueDepth;
  }
  get inService(): number {
    return this.#node.inService;
  }
  get served(): number {
    return this.#node.served;
  }
  get rejected(): number {
    return this.#node.rejected;
  }
  get localTimeMs(): number {
    return this.#node.localTime(this.#engine.now);
  }
  durableDisk(): Map<string, unknown> {
    return this.#node.disk.durableSnapshot();
  }
  /** What `JSON.stringify` and logs show: the node as it is now. */
  toJSON(): Omit<NodeStatus, 'durableDisk'> {
    const { name, state, paused, restarts, queueDepth, inService, served, rejected, localTimeMs } = this;
    return { name, state, paused, restarts, queueDepth, inService, served, rejected, localTimeMs };
  }
}
