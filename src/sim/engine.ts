/**
 * The simulation engine: the clock, the event queue and the run loop that dispatches each
 * event; the nodes (adding, booting, crashing, restarting, pausing them), what a node does
 * with a message that reaches it (capacity queue, service, its handlers, followed through
 * their promises), and the event and operation counters behind `sim.summary()`.
 *
 * The rest of the simulator sits beside it: the network (network.ts), request and reply
 * (rpc.ts), timers (timers.ts), disks and syncs (disk.ts), a node's `ctx`
 * (node-context.ts) and its record (sim-node.ts). The public face is `Simulation`
 * (simulation.ts); these modules are internal, and the engine's public members are public
 * only so that they can reach them.
 */
import { syncDone, type SyncRecord } from './disk.ts';
import { messageOf, NodeHandlerError } from './errors.ts';
import {
  EV_ARRIVED,
  EV_CALL,
  EV_DAEMON,
  EV_DELIVER,
  EV_RPC_TIMEOUT,
  EV_SERVICE_DONE,
  EV_SYNC_DONE,
  EV_TIMER,
} from './event-kinds.ts';
import { EventQueue } from './event-queue.ts';
import { LIMITS } from './limits.ts';
import { LatencyRecorder, type FinishedOperation, type QueueSample } from './metrics.ts';
import { KIND_REPLY, KIND_REQUEST, Network, type Envelope, type NetworkOptions } from './network.ts';
import { Context } from './node-context.ts';
import type { NodeFactory, NodeHandlers, NodeOptions } from './node.ts';
import { Random } from './random.ts';
import {
  receiveReply,
  reply,
  replyError,
  replyOverloaded,
  REPLY_OK,
  rpcTimeout,
} from './rpc.ts';
import { SimNode } from './sim-node.ts';
import { fireTimer, type TimerRecord } from './timers.ts';
import { Trace } from './trace.ts';

/** One settled promise to wait on: awaiting it yields exactly one microtask turn. */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Queues `callback` to run one microtask turn from now, as a reaction to a settled promise.
 * (`queueMicrotask` goes on the same queue, but costs about 20 times more in a browser's
 * worker, where it calls out of the script engine, and more in Node, where it is a script
 * wrapper.)
 */
function nextTurn(callback: () => void): void {
  void RESOLVED.then(callback);
}

/** How often, in events, a run reports its progress (a power of two). */
export const PROGRESS_EVERY_EVENTS = 1 << 16;

/** Options for a new simulation. */
export interface SimulationOptions {
  /** The seed every random choice derives from. Print it with a failure to replay the run. */
  readonly seed: number | string;
  /** Defaults for every link. */
  readonly network?: NetworkOptions;
  /** What to trace. @default { enabled: true, capacity: 200_000 } */
  readonly trace?: { readonly enabled?: boolean; readonly capacity?: number };
  /**
   * Stop the run with a `NodeHandlerError` when `onStart`, `onMessage` or a timer throws.
   * When `false`, errors are only traced and collected in `sim.errors`. Errors thrown by
   * `onRequest` never stop the run: the caller receives them as `RemoteError`.
   * @default true
   */
  readonly failOnHandlerError?: boolean;
  /** Sample every node's queue depth every this many milliseconds (0 turns sampling off). @default 0 */
  readonly sampleIntervalMs?: number;
  /** Most events one `run*` call may process before it stops with an error. @default 50_000_000 */
  readonly maxEventsPerRun?: number;
  /**
   * After an event that settled a promise, the run loop lets microtasks run until this many
   * turns pass without learner code touching the simulation. The default covers chains of
   * about 25 nested async functions that return without calling the simulation; raise it
   * if node code nests deeper (the symptom: a send that happens "late", at a later event's
   * time, or after `runUntilIdle` has returned).
   * @default 32
   */
  readonly microtaskQuietTurns?: number;
  /**
   * Called every {@link PROGRESS_EVERY_EVENTS} events a run call takes from the queue (dead
   * ones included), with the
   * simulated time reached and the time the call runs until (`Infinity` for
   * `runUntilIdle`): for a host's progress bar. It must not call into the simulation.
   */
  readonly onProgress?: (simulatedMs: number, untilMs: number) => void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Counts of what workloads observed, kept by the engine for `sim.summary()`. */
export class OperationCounters {
  /** Latencies of successful operations. */
  readonly latency = new LatencyRecorder();
  /** Operations that succeeded. */
  ok = 0;
  /** Operations definitely refused. */
  failed = 0;
  /** Operations closed without an answer. */
  unknown = 0;
  /** Earliest invocation seen, in milliseconds. */
  firstInvokeMs = Infinity;
  /** Latest completion seen, in milliseconds. */
  lastReturnMs = -Infinity;
  /** Told of every operation as it is counted (see `Simulation.onOperation`). */
  readonly listeners: ((operation: FinishedOperation) => void)[] = [];
}

/** A source of operations that may still be open; workloads register one for the summary. */
export interface OpenOperations {
  /** Operations issued so far. */
  readonly issued: number;
  /** Operations still waiting for an outcome. */
  readonly open: number;
}

/**
 * Lets promise continuations run until learner code has stopped calling into the simulation
 * for `quietTurns` consecutive microtask turns, then calls `done` one turn later (where an
 * `await` of a promise settled then would resume), or `fail` when the code never lets go.
 *
 * A chain of reactions on a settled promise, one per turn, rather than an `await` in a loop:
 * the same turns in the same order, without a promise or an async function's resumption per
 * drain. Its state lives in fields and its turn is one function made once, so that the run
 * loop, whose drains never overlap (a run waits for the one before), reuses one drain.
 */
class Drain {
  readonly #engine: Engine;
  readonly #quietTurns: number;
  #quiet = 0;
  #turns = 0;
  #before = 0;
  #done: () => void = () => undefined;
  #fail: (error: Error) => void = () => undefined;

  constructor(engine: Engine, quietTurns: number) {
    this.#engine = engine;
    this.#quietTurns = quietTurns;
  }

  start(done: () => void, fail: (error: Error) => void): void {
    this.#engine.asyncPending = false;
    if (this.#quietTurns <= 0) {
      nextTurn(done);
      return;
    }
    this.#quiet = 0;
    this.#turns = 0;
    this.#before = this.#engine.activity;
    this.#done = done;
    this.#fail = fail;
    nextTurn(this.#turn);
  }

  readonly #turn = (): void => {
    const engine = this.#engine;
    if (++this.#turns > LIMITS.maxMicrotaskTurns) {
      this.#fail(
        new Error(
          `Learner code kept the microtask queue busy for ${LIMITS.maxMicrotaskTurns} turns at t=${engine.now} ms ` +
            'without simulated time passing. Is there an async loop that never awaits a timer, sleep or RPC?',
        ),
      );
      return;
    }
    this.#quiet = engine.activity === this.#before && !engine.asyncPending ? this.#quiet + 1 : 0;
    engine.asyncPending = false;
    if (this.#quiet >= this.#quietTurns) {
      nextTurn(this.#done);
      return;
    }
    this.#before = engine.activity;
    nextTurn(this.#turn);
  };
}

/** The engine. One per `Simulation`. */
export class Engine {
  /** True simulation time, in milliseconds. */
  now = 0;
  /** Bumped by every call learner code makes into the simulation; the run loop watches it. */
  activity = 0;
  readonly trace: Trace;
  readonly root: Random;
  readonly counters = new OperationCounters();
  readonly workloads: OpenOperations[] = [];
  readonly queueSamples: QueueSample[] = [];
  readonly errors: NodeHandlerError[] = [];
  /** Every future event. The modules that schedule events push them here; the run loop takes them. */
  readonly queue = new EventQueue();
  readonly #nodes: SimNode[] = [];
  readonly #byName = new Map<string, SimNode>();
  #names: readonly string[] = [];
  /** Links, partitions, and the messages in flight. */
  readonly network: Network;
  #daemonEvents = 0;
  /**
   * Queued events that will do nothing when they come up: timeouts of answered RPCs and
   * cancelled timers. A binary heap cannot remove them cheaply, so they are counted instead
   * and ignored when deciding whether the simulation is idle.
   */
  deadEvents = 0;
  /**
   * Set when an event settled a promise or started async learner code: the run loop then
   * lets microtasks run before it takes the next event.
   */
  asyncPending = false;
  /**
   * Handlers (and timer callbacks) whose promise has not settled yet. While there are any,
   * learner code that returns synchronously may still have resolved a promise one of them
   * awaits (an `onMessage` that settles what an async `onRequest` is waiting for), so the
   * run lets continuations run after it as it does after an async event.
   */
  #openHandlers = 0;
  #failure: Error | undefined;
  readonly #failOnHandlerError: boolean;
  readonly #maxEventsPerRun: number;
  readonly #onProgress: ((simulatedMs: number, untilMs: number) => void) | undefined;
  readonly #quietTurns: number;
  #running = false;
  /** The run loop's drain, made once: a busy run drains after most of its millions of events. */
  readonly #runDrain: Drain;
  /** Events that did something (dead events are not counted). */
  eventsProcessed = 0;

  constructor(options: SimulationOptions) {
    this.root = new Random(options.seed);
    const netRng = this.root.fork('network');
    this.trace = new Trace(options.trace);
    this.network = new Network(this, options.network ?? {}, netRng, this.queue, this.trace, this.#nodes);
    this.#failOnHandlerError = options.failOnHandlerError ?? true;
    this.#maxEventsPerRun = options.maxEventsPerRun ?? 50_000_000;
    this.#quietTurns = options.microtaskQuietTurns ?? 32;
    this.#runDrain = new Drain(this, this.#quietTurns);
    this.#onProgress = options.onProgress;
    // A call answered long before its timeout leaves the timeout's lane without a heap operation.
    this.queue.dropDeadLaneEvents(
      (kind, payload, target) => kind === EV_RPC_TIMEOUT && !this.#nodes[target]!.pending.has(payload as number),
      () => this.deadEvents--,
    );
    const interval = options.sampleIntervalMs ?? 0;
    if (interval > 0) this.#scheduleSampler(interval);
  }

  get nodeNames(): readonly string[] {
    return this.#names;
  }

  get nodes(): readonly SimNode[] {
    return this.#nodes;
  }

  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Time of the next event, or `Infinity`. */
  get nextEventMs(): number {
    return this.queue.peekTime();
  }

  node(name: string): SimNode {
    const node = this.#byName.get(name);
    if (node === undefined) {
      throw new RangeError(`There is no node named "${name}". Nodes: ${this.#names.join(', ') || '(none)'}.`);
    }
    return node;
  }

  hasNode(name: string): boolean {
    return this.#byName.has(name);
  }

  // ---------------------------------------------------------------- nodes

  addNode(name: string, factory: NodeFactory, options: NodeOptions, internal: boolean): SimNode {
    if (this.#byName.has(name)) throw new RangeError(`A node named "${name}" already exists.`);
    if (this.#nodes.length >= LIMITS.maxNodes) throw new RangeError(`At most ${LIMITS.maxNodes} nodes are allowed.`);
    const node = new SimNode(this.#nodes.length, name, factory, options, this.root, internal);
    this.#nodes.push(node);
    this.#byName.set(name, node);
    this.#names = this.#nodes.map((n) => n.name);
    node.up = true;
    node.ctx = new Context(this, node);
    // The node's code first runs inside the run loop, at the current time, so that an
    // async onStart is driven like any other handler.
    if (!internal) this.schedule(this.now, () => this.#boot(node, node.incarnation));
    return node;
  }

  #boot(node: SimNode, incarnation: number): void {
    if (!node.up || node.incarnation !== incarnation) return;
    const ctx = node.ctx!;
    let handlers: NodeHandlers;
    try {
      handlers = node.factory(ctx);
    } catch (error) {
      this.#handlerFailed(node, error);
      return;
    }
    if (handlers === null || typeof handlers !== 'object') {
      this.#handlerFailed(node, new TypeError(`The factory of ${node.name} must return an object of handlers.`));
      return;
    }
    node.handlers = handlers;
    if (handlers.onStart) this.invokeOneWay(node, () => handlers.onStart!(ctx));
  }

  crash(node: SimNode): void {
    if (!node.up) return;
    node.up = false;
    node.paused = false;
    node.incarnation++;
    // Events parked while paused vanish with the backlog, so they must not be counted dead.
    const parked = new Set(node.backlog.map((event) => event.payload));
    node.backlog = [];
    node.queue.length = 0;
    node.queueHead = 0;
    node.inService = 0;
    // Their events stay in the queue but are now dead; count them so idleness is exact.
    for (const pending of node.pending.values()) if (!parked.has(pending.requestId)) this.deadEvents++;
    for (const timer of node.timers.values()) {
      timer.cancelled = true;
      if (!parked.has(timer)) this.deadEvents++;
    }
    node.pending.clear();
    node.timers.clear();
    node.disk.loseUnsynced();
    node.handlers = {};
    if (this.trace.enabled) this.trace.record({ t: this.now, type: 'crash', node: node.name });
  }

  restart(node: SimNode): void {
    if (node.up) return;
    node.up = true;
    node.restarts++;
    node.ctx = new Context(this, node);
    if (this.trace.enabled) this.trace.record({ t: this.now, type: 'restart', node: node.name });
    this.schedule(this.now, () => this.#boot(node, node.incarnation));
  }

  pause(node: SimNode): void {
    if (!node.up || node.paused) return;
    node.paused = true;
    if (this.trace.enabled) this.trace.record({ t: this.now, type: 'pause', node: node.name });
  }

  resume(node: SimNode): void {
    if (!node.paused) return;
    node.paused = false;
    if (this.trace.enabled) this.trace.record({ t: this.now, type: 'resume', node: node.name });
    // Parked events run now, in the order they were parked, after anything already due now.
    const parked = node.backlog;
    node.backlog = [];
    for (const event of parked) this.queue.push(this.now, event.kind, node.id, event.payload);
  }

  // ---------------------------------------------------------------- messages

  sendByName(from: SimNode, toName: string, body: unknown, kind: number, sizeBytes: number | undefined): Envelope {
    const to = this.#byName.get(toName);
    if (to === undefined) {
      throw new RangeError(`${from.name} sent to "${toName}", which is not a node. Nodes: ${this.#names.join(', ')}.`);
    }
    return this.network.send(from, to, body, kind, 0, REPLY_OK, sizeBytes ?? this.network.messageSizeBytes);
  }

  #deliver(envelope: Envelope): void {
    const node = this.#nodes[envelope.toId]!;
    if (!this.network.arrives(node, envelope)) return;
    if (node.paused) {
      node.park(EV_ARRIVED, envelope);
      return;
    }
    this.#arrived(node, envelope);
  }

  #arrived(node: SimNode, envelope: Envelope): void {
    this.network.handOver(envelope);
    if (envelope.kind === KIND_REPLY) {
      receiveReply(this, node, envelope);
    } else if (node.workers === Infinity) {
      this.#handle(node, envelope);
    } else if (node.inService < node.workers) {
      this.#startService(node, envelope);
    } else if (node.queueDepth < node.queueCapacity) {
      node.queue.push(envelope);
      const depth = node.queueDepth;
      if (depth > node.maxQueueDepth) node.maxQueueDepth = depth;
      if (this.trace.enabled) this.trace.record({ t: this.now, type: 'enqueue', node: node.name, id: envelope.id, depth });
    } else {
      node.rejected++;
      if (this.trace.enabled) this.trace.record({ t: this.now, type: 'reject', node: node.name, id: envelope.id });
      if (envelope.kind === KIND_REQUEST) {
        replyOverloaded(this, node, envelope);
      }
    }
  }

  #startService(node: SimNode, envelope: Envelope): void {
    node.inService++;
    envelope.incarnation = node.incarnation;
    this.queue.push(this.now + node.serviceTime!(node.serviceRng), EV_SERVICE_DONE, node.id, envelope);
  }

  /** A worker became free: start the next queued request, if any. */
  #finishService(node: SimNode, incarnation: number): void {
    if (node.workers === Infinity || node.incarnation !== incarnation) return;
    node.inService--;
    if (node.queueHead < node.queue.length) {
      const next = node.queue[node.queueHead]!;
      node.queue[node.queueHead++] = undefined as unknown as Envelope;
      // Compact now and then so that a long-lived queue does not grow without bound.
      if (node.queueHead > 1024 && node.queueHead * 2 > node.queue.length) {
        node.queue.splice(0, node.queueHead);
        node.queueHead = 0;
      }
      this.#startService(node, next);
    }
  }

  /** Runs a node's handler for a message or request. */
  #handle(node: SimNode, envelope: Envelope): void {
    node.served++;
    const handlers = node.handlers;
    const ctx = node.ctx!;
    const incarnation = node.incarnation;
    if (envelope.kind === KIND_REQUEST) {
      let result: unknown;
      try {
        if (handlers.onRequest === undefined) {
          throw new Error(`${node.name} received a request but has no onRequest handler.`);
        }
        result = handlers.onRequest(envelope, ctx);
      } catch (error) {
        replyError(this, node, envelope, error);
        this.#finishService(node, incarnation);
        return;
      }
      if (isThenable(result)) {
        this.asyncPending = true;
        this.#openHandlers++;
        // An event-loop server's worker is free now; a thread per request waits for the answer.
        const holdsWorker = !node.eventLoop;
        if (!holdsWorker) this.#finishService(node, incarnation);
        result.then(
          (value) => {
            this.activity++;
            this.#openHandlers--;
            if (node.incarnation !== incarnation || !node.up) return;
            reply(this, node, envelope, value);
            if (holdsWorker) this.#finishService(node, incarnation);
          },
          (error: unknown) => {
            this.activity++;
            this.#openHandlers--;
            if (node.incarnation !== incarnation || !node.up) return;
            replyError(this, node, envelope, error);
            if (holdsWorker) this.#finishService(node, incarnation);
          },
        );
      } else {
        if (this.#openHandlers > 0) this.asyncPending = true;
        reply(this, node, envelope, result);
        this.#finishService(node, incarnation);
      }
      return;
    }
    const onMessage = handlers.onMessage;
    if (onMessage === undefined) {
      this.#handlerFailed(node, new Error(`${node.name} received a message but has no onMessage handler.`));
      this.#finishService(node, incarnation);
      return;
    }
    // Called here rather than through invokeOneWay: this runs once per message, and the
    // closure invokeOneWay would need was a large share of a message-heavy run's garbage.
    let result: unknown;
    try {
      result = onMessage.call(handlers, envelope, ctx);
    } catch (error) {
      this.#handlerFailed(node, error);
      this.#finishService(node, incarnation);
      return;
    }
    if (node.eventLoop) {
      this.#finishService(node, incarnation);
      this.#followOneWay(node, result, incarnation, false);
    } else {
      this.#followOneWay(node, result, incarnation, true);
    }
  }

  /**
   * Runs learner code that answers nobody (start-up, one-way messages, timers): errors stop
   * the run (or are collected), and an async result is followed until it settles.
   */
  invokeOneWay(node: SimNode, run: () => unknown, incarnation = node.incarnation, holdsWorker = false): void {
    let result: unknown;
    try {
      result = run();
    } catch (error) {
      this.#handlerFailed(node, error);
      if (holdsWorker) this.#finishService(node, incarnation);
      return;
    }
    this.#followOneWay(node, result, incarnation, holdsWorker);
  }

  /** What {@link invokeOneWay} does once the code has returned `result` without throwing. */
  #followOneWay(node: SimNode, result: unknown, incarnation: number, holdsWorker: boolean): void {
    if (isThenable(result)) {
      this.asyncPending = true;
      this.#openHandlers++;
      result.then(
        () => {
          this.activity++;
          this.#openHandlers--;
          if (holdsWorker) this.#finishService(node, incarnation);
        },
        (error: unknown) => {
          this.activity++;
          this.#openHandlers--;
          if (node.incarnation !== incarnation) return;
          this.#handlerFailed(node, error);
          if (holdsWorker) this.#finishService(node, incarnation);
        },
      );
    } else {
      if (this.#openHandlers > 0) this.asyncPending = true;
      if (holdsWorker) this.#finishService(node, incarnation);
    }
  }

  // ---------------------------------------------------------------- scheduling

  /** Runs `action` at `timeMs` (not before now), after events already due then. */
  schedule(timeMs: number, action: () => void): void {
    if (!(timeMs >= this.now)) {
      throw new RangeError(`Cannot schedule at t=${timeMs} ms: the clock already reads ${this.now} ms.`);
    }
    this.queue.push(timeMs, EV_CALL, -1, action);
  }

  /** Like {@link schedule}, but the action does not keep `runUntilIdle` running. */
  #scheduleDaemon(timeMs: number, action: () => void): void {
    this.#daemonEvents++;
    this.queue.push(timeMs, EV_DAEMON, -1, action);
  }

  #scheduleSampler(intervalMs: number): void {
    const sample = (): void => {
      if (this.queueSamples.length + this.#nodes.length > LIMITS.maxQueueSamples) return;
      for (const node of this.#nodes) {
        if (node.internal) continue;
        this.queueSamples.push({
          tMs: this.now,
          node: node.name,
          queueDepth: node.queueDepth,
          inService: node.inService,
          served: node.served,
        });
      }
      this.#scheduleDaemon(this.now + intervalMs, sample);
    };
    this.#scheduleDaemon(this.now, sample);
  }

  // ---------------------------------------------------------------- errors

  /** Traces an error thrown by `node`'s code. */
  traceError(node: SimNode, error: unknown): void {
    if (this.trace.enabled) this.trace.record({ t: this.now, type: 'error', node: node.name, message: messageOf(error) });
  }

  #handlerFailed(node: SimNode, error: unknown): void {
    this.traceError(node, error);
    const failure = new NodeHandlerError(node.name, this.now, error);
    this.errors.push(failure);
    if (this.#failOnHandlerError && this.#failure === undefined) this.#failure = failure;
  }

  // ---------------------------------------------------------------- the run loop

  /**
   * Processes the next event that does something (dead events, such as the timeout of an
   * RPC already answered, are skipped). Returns `false` when there is none.
   */
  step(): boolean {
    this.#throwIfFailed();
    const before = this.eventsProcessed;
    const queue = this.queue;
    while (queue.size > this.deadEvents) {
      this.#processNext();
      this.#throwIfFailed();
      if (this.eventsProcessed !== before) return true;
    }
    return false;
  }

  /** Processes the next event, live or dead. Returns `false` when the queue is empty. */
  #processNext(): boolean {
    const queue = this.queue;
    if (!queue.pop()) return false;
    this.now = queue.poppedTime;
    const payload = queue.poppedPayload;
    const kind = queue.poppedKind;
    // Dead events are skipped without counting, so that the event count measures work done.
    // (A call's timeout carries the call's request id: the call is answered once its node's
    // pending calls no longer hold it.)
    if (
      kind === EV_RPC_TIMEOUT
        ? !this.#nodes[queue.poppedTarget]!.pending.has(payload as number)
        : kind === EV_TIMER && (payload as TimerRecord).cancelled
    ) {
      this.deadEvents--;
      return true;
    }
    this.eventsProcessed++;
    switch (kind) {
      case EV_DELIVER:
        this.#deliver(payload as Envelope);
        break;
      case EV_TIMER:
        fireTimer(this, payload as TimerRecord);
        break;
      case EV_RPC_TIMEOUT:
        rpcTimeout(this, this.#nodes[queue.poppedTarget]!, payload as number);
        break;
      case EV_SERVICE_DONE: {
        const envelope = payload as Envelope;
        const node = this.#nodes[queue.poppedTarget]!;
        if (!node.up || node.incarnation !== envelope.incarnation) break;
        if (node.paused) node.park(EV_SERVICE_DONE, envelope);
        else this.#handle(node, envelope);
        break;
      }
      case EV_ARRIVED: {
        const node = this.#nodes[queue.poppedTarget]!;
        if (node.paused) node.park(EV_ARRIVED, payload);
        else if (node.up) this.#arrived(node, payload as Envelope);
        break;
      }
      case EV_SYNC_DONE:
        syncDone(this, payload as SyncRecord);
        break;
      case EV_CALL: {
        const result = (payload as () => unknown)();
        // An async scenario action is followed like learner code; its failure stops the run.
        if (isThenable(result)) {
          this.asyncPending = true;
          result.then(undefined, (error: unknown) => {
            this.#failure ??= error instanceof Error ? error : new Error(messageOf(error));
          });
        }
        break;
      }
      case EV_DAEMON:
        this.#daemonEvents--;
        (payload as () => void)();
        break;
    }
    return true;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Lets pending continuations run (after `step()`, for example). */
  settle(): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      new Drain(this, this.#quietTurns).start(() => {
        try {
          this.#throwIfFailed();
          resolve();
        } catch (error) {
          reject(error);
        }
      }, reject),
    );
  }

  /**
   * Processes events while the next one is due no later than `untilMs`, and, with `idleOnly`,
   * only while some event other than a daemon's or a dead one is queued (checked before each
   * event). Then advances the clock to `untilMs` if finite.
   *
   * A loop that returns to the microtask queue only when an event settled a promise, and
   * resumes from the drain's last turn: the same order of events and continuations as an
   * `await` of each drain, without the cost of one.
   */
  run(untilMs: number, idleOnly: boolean): Promise<void> {
    if (this.#running) return Promise.reject(new Error('The simulation is already running: await the previous run call first.'));
    this.#running = true;
    return new Promise<void>((resolve, reject) => {
      const queue = this.queue;
      const limit = this.#maxEventsPerRun;
      let processed = 0;
      const fail = (error: unknown): void => {
        this.#running = false;
        reject(error);
      };
      const loop = (): void => {
        try {
          this.#throwIfFailed();
          while (queue.size > 0 && queue.peekTime() <= untilMs) {
            if (idleOnly && queue.size === this.#daemonEvents + this.deadEvents) break;
            this.#processNext();
            if ((++processed & (PROGRESS_EVERY_EVENTS - 1)) === 0 && this.#onProgress !== undefined) this.#onProgress(this.now, untilMs);
            if (processed > limit) {
              throw new Error(
                `This run processed ${limit} events and is still going at t=${this.now} ms. ` +
                  'Use runUntil/runFor to stop at a time, or raise maxEventsPerRun.',
              );
            }
            if (this.asyncPending) {
              this.#runDrain.start(loop, fail);
              return;
            }
            this.#throwIfFailed();
          }
          if (Number.isFinite(untilMs) && untilMs > this.now) this.now = untilMs;
          this.#running = false;
          resolve();
        } catch (error) {
          fail(error);
        }
      };
      try {
        this.#throwIfFailed();
      } catch (error) {
        fail(error);
        return;
      }
      if (this.asyncPending) this.#runDrain.start(loop, fail);
      else loop();
    });
  }

  // ---------------------------------------------------------------- workload support

  /** Records a finished operation for `sim.summary()`. */
  recordOperation(status: 'ok' | 'failed' | 'unknown', invokeMs: number, returnMs: number | undefined): void {
    const counters = this.counters;
    if (invokeMs < counters.firstInvokeMs) counters.firstInvokeMs = invokeMs;
    if (returnMs !== undefined && returnMs > counters.lastReturnMs) counters.lastReturnMs = returnMs;
    if (status === 'ok') {
      counters.ok++;
      counters.latency.record(returnMs! - invokeMs);
    } else if (status === 'failed') counters.failed++;
    else counters.unknown++;
    const listeners = counters.listeners;
    if (listeners.length > 0) {
      const operation: FinishedOperation = { status, invokeMs, returnMs, countedAtMs: this.now };
      for (const listener of listeners) listener(operation);
    }
  }
}
