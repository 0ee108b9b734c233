/**
 * The network between the nodes: links (latency, loss, duplication, FIFO order,
 * bandwidth), partitions (directed link cuts), and the trip of each message from its send
 * to its arrival. It knows nodes only as endpoints: what a node does with a message that
 * arrives is the engine's business (engine.ts).
 */
import { constant, samplerFor, type Distribution, type Sampler } from './distributions.ts';
import type { Engine } from './engine.ts';
import { EV_DELIVER } from './event-kinds.ts';
import type { EventQueue } from './event-queue.ts';
import { LIMITS } from './limits.ts';
import type { Message } from './node.ts';
import type { Random } from './random.ts';
import type { SimNode } from './sim-node.ts';
import type { DropReason, MessageKind, Trace } from './trace.ts';

// Message kinds.
export const KIND_MESSAGE = 0;
export const KIND_REQUEST = 1;
export const KIND_REPLY = 2;
const KIND_NAMES: readonly MessageKind[] = ['message', 'request', 'reply'];

/** Default properties of every link, overridden per link with `sim.setLink`. */
export interface LinkOptions {
  /** One-way delay of a message, in milliseconds. @default constant(1) */
  readonly latency?: Distribution;
  /** Probability in [0, 1] that a message is lost. @default 0 */
  readonly dropProbability?: number;
  /** Probability in [0, 1] that a message is delivered twice (each copy with its own delay). @default 0 */
  readonly duplicateProbability?: number;
  /**
   * Deliver messages in the order they were sent, as TCP does. When `false`, a message
   * with a shorter sampled delay may overtake an earlier one.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Transfer rate, in bytes per millisecond (1 MB/s is 1000). Messages queue behind one
   * another on the link and each takes `sizeBytes / bandwidthBytesPerMs` to send.
   * @default Infinity (no limit)
   */
  readonly bandwidthBytesPerMs?: number;
}

/** Network-wide settings: the defaults for every link. */
export interface NetworkOptions extends LinkOptions {
  /** Size of a message whose sender gives none, in bytes. @default 256 */
  readonly messageSizeBytes?: number;
}

/** A message on its way or delivered. Learners see it through the `Message` interface. */
export class Envelope implements Message {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly body: unknown;
  readonly kind: number;
  readonly fromId: number;
  readonly toId: number;
  /** For a reply: the id of the request it answers. */
  readonly requestId: number;
  /** For a reply: `REPLY_OK` or an error code (rpc.ts). */
  readonly errorCode: number;
  /** The receiver's incarnation when its service began, to drop work a crash interrupted. */
  incarnation = 0;

  constructor(
    id: number,
    from: SimNode,
    to: SimNode,
    body: unknown,
    kind: number,
    requestId: number,
    errorCode: number,
  ) {
    this.id = id;
    this.from = from.name;
    this.to = to.name;
    this.fromId = from.id;
    this.toId = to.id;
    this.body = body;
    this.kind = kind;
    this.requestId = requestId;
    this.errorCode = errorCode;
  }
}

/** One direction between two nodes, as the sender's `links` table holds it. */
export class Link {
  latency: Sampler;
  dropProbability: number;
  duplicateProbability: number;
  fifo: boolean;
  bandwidthBytesPerMs: number;
  /** Latest arrival time scheduled on this link, for FIFO ordering. */
  lastArrivalMs = -Infinity;
  /** When the link finishes transmitting what it already has, for bandwidth limits. */
  busyUntilMs = 0;

  constructor(options: Required<LinkOptions>) {
    this.latency = samplerFor(options.latency);
    this.dropProbability = options.dropProbability;
    this.duplicateProbability = options.duplicateProbability;
    this.fifo = options.fifo;
    this.bandwidthBytesPerMs = options.bandwidthBytesPerMs;
  }
}

/** A directed set of link cuts, applied and healed as one. */
export class PartitionState {
  /** Name in the trace. */
  readonly label: string;
  /** Directed cuts, as `[fromNodeId, toNodeId]`. */
  readonly cuts: readonly (readonly [number, number])[];
  /** Scheduled, in force, or over. */
  state: 'pending' | 'active' | 'healed' = 'pending';

  constructor(label: string, cuts: readonly (readonly [number, number])[]) {
    this.label = label;
    this.cuts = cuts;
  }
}

/** The network of one simulation: its links, its cuts, and the messages it carries. */
export class Network {
  /** Messages put on the network, duplicates included. */
  sent = 0;
  /** Messages handed to a live, unpaused node. */
  delivered = 0;
  /** Messages lost, cut, refused or arriving too late. */
  dropped = 0;
  /** Size of a message whose sender gives none, in bytes. */
  readonly messageSizeBytes: number;
  /** The engine, for its clock. */
  readonly #engine: Engine;
  readonly #queue: EventQueue;
  readonly #trace: Trace;
  /** The engine's nodes, by id. */
  readonly #nodes: readonly SimNode[];
  readonly #rng: Random;
  #defaultLink: Required<LinkOptions>;
  readonly #linkOverrides = new Map<number, LinkOptions>();
  /** The one `Link` shared by every stateless link without an override. */
  #sharedLink: Link | undefined;
  /** How many partitions cut each directed link, keyed by `from * maxNodes + to`. */
  readonly #cuts = new Map<number, number>();
  #activeCutCount = 0;
  #nextMessageId = 1;

  constructor(
    engine: Engine,
    options: NetworkOptions,
    rng: Random,
    queue: EventQueue,
    trace: Trace,
    nodes: readonly SimNode[],
  ) {
    this.#engine = engine;
    this.#rng = rng;
    this.#queue = queue;
    this.#trace = trace;
    this.#nodes = nodes;
    this.#defaultLink = {
      latency: options.latency ?? constant(1),
      dropProbability: options.dropProbability ?? 0,
      duplicateProbability: options.duplicateProbability ?? 0,
      fifo: options.fifo ?? false,
      bandwidthBytesPerMs: options.bandwidthBytesPerMs ?? Infinity,
    };
    checkLinkOptions(this.#defaultLink);
    this.messageSizeBytes = options.messageSizeBytes ?? 256;
  }

  // ---------------------------------------------------------------- links

  setLink(from: SimNode, to: SimNode, options: LinkOptions): void {
    const key = from.id * LIMITS.maxNodes + to.id;
    const merged = { ...this.#linkOverrides.get(key), ...options };
    this.#linkOverrides.set(key, merged);
    const resolved = { ...this.#defaultLink, ...merged };
    checkLinkOptions(resolved);
    const existing = from.links[to.id];
    if (existing !== undefined && existing === this.#sharedLink) {
      // Stop sharing: this link now has settings of its own.
      from.links[to.id] = new Link(resolved);
    } else if (existing !== undefined) {
      existing.latency = samplerFor(resolved.latency);
      existing.dropProbability = resolved.dropProbability;
      existing.duplicateProbability = resolved.duplicateProbability;
      existing.fifo = resolved.fifo;
      existing.bandwidthBytesPerMs = resolved.bandwidthBytesPerMs;
    }
  }

  /**
   * Changes the loss of every link that has no `dropProbability` of its own (set with
   * `setLink`), from now on: background loss across the whole network.
   */
  setDefaultDropProbability(dropProbability: number): void {
    this.#defaultLink = { ...this.#defaultLink, dropProbability };
    checkLinkOptions(this.#defaultLink);
    if (this.#sharedLink !== undefined) this.#sharedLink.dropProbability = dropProbability;
    for (const from of this.#nodes) {
      from.links.forEach((link, toId) => {
        if (link === undefined || link === this.#sharedLink) return;
        const override = this.#linkOverrides.get(from.id * LIMITS.maxNodes + toId);
        if (override?.dropProbability === undefined) link.dropProbability = dropProbability;
      });
    }
  }

  /** The loss of links without one of their own. */
  get defaultDropProbability(): number {
    return this.#defaultLink.dropProbability;
  }

  #link(from: SimNode, toId: number): Link {
    const override = this.#linkOverrides.get(from.id * LIMITS.maxNodes + toId);
    let link: Link;
    if (override !== undefined) {
      link = new Link({ ...this.#defaultLink, ...override });
    } else if (this.#defaultLink.fifo || this.#defaultLink.bandwidthBytesPerMs !== Infinity) {
      // FIFO order and bandwidth need state per direction, so each link gets its own.
      link = new Link(this.#defaultLink);
    } else {
      // Stateless default links share one object: thousands of node pairs then touch one
      // small object instead of thousands, which keeps the send path in cache.
      link = this.#sharedLink ??= new Link(this.#defaultLink);
    }
    from.links[toId] = link;
    return link;
  }

  // ---------------------------------------------------------------- partitions

  isCut(fromId: number, toId: number): boolean {
    return this.#activeCutCount > 0 && (this.#cuts.get(fromId * LIMITS.maxNodes + toId) ?? 0) > 0;
  }

  applyPartition(partition: PartitionState): void {
    if (partition.state !== 'pending') return;
    partition.state = 'active';
    for (const [from, to] of partition.cuts) {
      const key = from * LIMITS.maxNodes + to;
      this.#cuts.set(key, (this.#cuts.get(key) ?? 0) + 1);
      this.#activeCutCount++;
    }
    if (this.#trace.enabled) {
      const nodes = this.#nodes;
      this.#trace.record({
        t: this.#engine.now,
        type: 'partition',
        label: partition.label,
        cuts: partition.cuts.map(([a, b]) => [nodes[a]!.name, nodes[b]!.name] as const),
      });
    }
  }

  healPartition(partition: PartitionState): void {
    const wasActive = partition.state === 'active';
    partition.state = 'healed';
    if (!wasActive) return;
    for (const [from, to] of partition.cuts) {
      const key = from * LIMITS.maxNodes + to;
      const count = (this.#cuts.get(key) ?? 0) - 1;
      if (count > 0) this.#cuts.set(key, count);
      else this.#cuts.delete(key);
      this.#activeCutCount--;
    }
    if (this.#trace.enabled) this.#trace.record({ t: this.#engine.now, type: 'heal', label: partition.label });
  }

  // ---------------------------------------------------------------- messages

  /** Puts a message on the link `from → to`: it is lost, or scheduled to arrive (maybe twice). */
  send(
    from: SimNode,
    to: SimNode,
    body: unknown,
    kind: number,
    requestId: number,
    errorCode: number,
    sizeBytes: number,
  ): Envelope {
    const envelope = new Envelope(this.#nextMessageId++, from, to, body, kind, requestId, errorCode);
    this.sent++;
    const trace = this.#trace;
    const tracing = trace.enabled;
    if (tracing) {
      trace.record({
        t: this.#engine.now,
        type: 'send',
        from: from.name,
        to: to.name,
        id: envelope.id,
        kind: KIND_NAMES[kind]!,
        body,
      });
    }
    if (this.#activeCutCount > 0 && this.isCut(from.id, to.id)) {
      this.drop(envelope, 'partition');
      return envelope;
    }
    const link = from.links[to.id] ?? this.#link(from, to.id);
    const rng = this.#rng;
    if (link.dropProbability > 0 && rng.next() < link.dropProbability) {
      this.drop(envelope, 'loss');
      return envelope;
    }
    this.#transmit(link, envelope, sizeBytes);
    if (link.duplicateProbability > 0 && rng.next() < link.duplicateProbability) {
      this.sent++;
      if (tracing) trace.record({ t: this.#engine.now, type: 'duplicate', from: from.name, to: to.name, id: envelope.id });
      this.#transmit(link, envelope, sizeBytes);
    }
    return envelope;
  }

  #transmit(link: Link, envelope: Envelope, sizeBytes: number): void {
    let departMs = this.#engine.now;
    if (link.bandwidthBytesPerMs !== Infinity) {
      // The link sends one message at a time: this one starts when the previous finished.
      const start = link.busyUntilMs > departMs ? link.busyUntilMs : departMs;
      departMs = start + sizeBytes / link.bandwidthBytesPerMs;
      link.busyUntilMs = departMs;
    }
    let arriveMs = departMs + link.latency(this.#rng);
    if (link.fifo) {
      // Equal arrival times keep send order through the queue's insertion tie-break.
      if (arriveMs < link.lastArrivalMs) arriveMs = link.lastArrivalMs;
      link.lastArrivalMs = arriveMs;
    }
    this.#queue.push(arriveMs, EV_DELIVER, envelope.toId, envelope);
  }

  /** Counts and traces a message that will not reach its handler. */
  drop(envelope: Envelope, reason: DropReason): void {
    this.dropped++;
    if (this.#trace.enabled) {
      this.#trace.record({ t: this.#engine.now, type: 'drop', from: envelope.from, to: envelope.to, id: envelope.id, reason });
    }
  }

  /**
   * Whether a message coming off the wire reaches `node`, its destination: not when the
   * node is down, nor when a partition began while it was in flight (then it is lost on
   * arrival). A message that does not arrive is dropped.
   */
  arrives(node: SimNode, envelope: Envelope): boolean {
    if (!node.up) {
      this.drop(envelope, 'node-down');
      return false;
    }
    if (this.#activeCutCount > 0 && this.isCut(envelope.fromId, envelope.toId)) {
      this.drop(envelope, 'partition');
      return false;
    }
    return true;
  }

  /** Counts and traces a message handed to its node, live and unpaused. */
  handOver(envelope: Envelope): void {
    this.delivered++;
    if (this.#trace.enabled) {
      this.#trace.record({ t: this.#engine.now, type: 'deliver', from: envelope.from, to: envelope.to, id: envelope.id });
    }
  }
}

function checkLinkOptions(options: Required<LinkOptions>): void {
  const probability = (value: number, name: string): void => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1]; got ${value}.`);
  };
  probability(options.dropProbability, 'dropProbability');
  probability(options.duplicateProbability, 'duplicateProbability');
  if (!(options.bandwidthBytesPerMs > 0)) {
    throw new RangeError(`bandwidthBytesPerMs must be > 0 (or Infinity); got ${options.bandwidthBytesPerMs}.`);
  }
  samplerFor(options.latency);
}
