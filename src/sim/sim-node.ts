/**
 * `SimNode`: the simulator's record of one node — its status (up, paused, incarnation), its
 * clock, its capacity and request queue, the RPCs and timers it has outstanding, the events
 * parked while it is paused, its disk, its random streams, its outgoing links and its
 * counters. The engine and the modules beside it (network, RPC, timers, disk) act on it.
 */
import { constant, samplerFor, type Sampler } from './distributions.ts';
import { DiskState } from './disk.ts';
import { LIMITS } from './limits.ts';
import type { Envelope, Link } from './network.ts';
import type { Context } from './node-context.ts';
import type { NodeFactory, NodeHandlers, NodeOptions } from './node.ts';
import type { Random } from './random.ts';
import type { PendingRpc } from './rpc.ts';
import type { TimerRecord } from './timers.ts';

/** An event parked while its node was paused. */
interface Parked {
  readonly kind: number;
  readonly payload: unknown;
}

/**
 * Everything the engine knows about one node. Internal: learner code sees a node only
 * through its `NodeContext`, and scenarios through `sim.node(name)`.
 */
export class SimNode {
  readonly id: number;
  readonly name: string;
  readonly factory: NodeFactory;
  up = false;
  paused = false;
  /** Bumped at every crash; work tagged with an older incarnation is dropped. */
  incarnation = 0;
  restarts = 0;
  ctx: Context | undefined;
  handlers: NodeHandlers = {};
  clockRate: number;
  clockOffsetMs: number;
  readonly workers: number;
  readonly serviceTime: Sampler | undefined;
  readonly queueCapacity: number;
  /** Whether a worker is free once the service time is over (`capacity.eventLoop`). */
  readonly eventLoop: boolean;
  readonly queue: Envelope[] = [];
  queueHead = 0;
  inService = 0;
  readonly pending = new Map<number, PendingRpc>();
  readonly timers = new Map<number, TimerRecord>();
  nextTimerId = 1;
  backlog: Parked[] = [];
  readonly disk = new DiskState();
  /** How long a sync takes; `sim.setDisk` changes it (a disk that slows down, then recovers). */
  syncLatency: Sampler;
  readonly rng: Random;
  readonly serviceRng: Random;
  served = 0;
  rejected = 0;
  maxQueueDepth = 0;
  /** Outgoing links by destination id, created on first use. */
  readonly links: (Link | undefined)[] = [];
  /** Internal nodes (workload clients) start without a factory call of their own. */
  readonly internal: boolean;

  constructor(id: number, name: string, factory: NodeFactory, options: NodeOptions, root: Random, internal: boolean) {
    this.id = id;
    this.name = name;
    this.factory = factory;
    this.internal = internal;
    this.clockRate = options.clock?.rate ?? 1;
    this.clockOffsetMs = options.clock?.offsetMs ?? 0;
    if (!(this.clockRate > 0) || !Number.isFinite(this.clockRate)) {
      throw new RangeError(`${name}: clock.rate must be a finite number > 0; got ${this.clockRate}.`);
    }
    const capacity = options.capacity;
    if (capacity) {
      if (!(Number.isInteger(capacity.workers) && capacity.workers >= 1)) {
        throw new RangeError(`${name}: capacity.workers must be an integer >= 1; got ${capacity.workers}.`);
      }
      const queueCapacity = capacity.queueCapacity ?? LIMITS.maxQueueLength;
      if (!(queueCapacity >= 0 && queueCapacity <= LIMITS.maxQueueLength)) {
        throw new RangeError(`${name}: capacity.queueCapacity must be in [0, ${LIMITS.maxQueueLength}].`);
      }
      this.workers = capacity.workers;
      this.serviceTime = samplerFor(capacity.serviceTime);
      this.queueCapacity = queueCapacity;
      this.eventLoop = capacity.eventLoop === true;
    } else {
      this.eventLoop = false;
      this.workers = Infinity;
      this.serviceTime = undefined;
      this.queueCapacity = 0;
    }
    this.syncLatency = samplerFor(options.disk?.syncLatency ?? constant(1));
    this.rng = root.fork(`node:${name}`);
    this.serviceRng = root.fork(`service:${name}`);
  }

  get queueDepth(): number {
    return this.queue.length - this.queueHead;
  }

  localTime(trueMs: number): number {
    return this.clockOffsetMs + this.clockRate * trueMs;
  }

  /** Keeps an event for later while the node is paused; `resume` replays the backlog in order. */
  park(kind: number, payload: unknown): void {
    if (this.backlog.length >= LIMITS.maxBacklog) {
      throw new RangeError(`${this.name} has been paused with ${LIMITS.maxBacklog} events waiting; resume it sooner.`);
    }
    this.backlog.push({ kind, payload });
  }
}
