/**
 * Request and reply over the network: what `ctx.rpc` and workloads do to call a node, and
 * how a node's answer (a value, a thrown error, or a full queue) travels back. A request is
 * a message of kind `request`; the reply names it and carries an outcome code. A caller
 * stops waiting at its deadline, after which a reply that still comes is dropped as late.
 */
import type { Engine } from './engine.ts';
import { isDefiniteRefusal, messageOf, OverloadedError, RemoteError, RpcTimeoutError, rpcTimeoutMessage } from './errors.ts';
import { EV_RPC_TIMEOUT } from './event-kinds.ts';
import { KIND_REPLY, KIND_REQUEST, type Envelope } from './network.ts';
import type { SimNode } from './sim-node.ts';

// Outcome codes carried by replies (and `REPLY_OK` by every message that is not one).
export const REPLY_OK = 0;
const REPLY_REMOTE_ERROR = 1;
const REPLY_OVERLOADED = 2;
const REPLY_REJECTED = 3;

/** Receives the outcome of an RPC; `ctx.rpc` wraps one in a promise, workloads use it directly. */
export interface RpcWaiter {
  /** Whether settling this waiter settles a promise (so the run loop must let microtasks run). */
  readonly settlesPromise: boolean;
  /** Called with the reply body. */
  resolve(value: unknown): void;
  /** Called with `RpcTimeoutError`, `RemoteError` or `OverloadedError`. */
  reject(error: Error): void;
  /**
   * If present, called instead of `reject` when the call times out, with the message the
   * `RpcTimeoutError` would carry. A waiter that keeps only the message (a workload's
   * operation) so spares the error and the stack trace it captures, which cost a run
   * with thousands of timeouts several per cent of its time.
   */
  timedOut?(message: string): void;
}

/** A call waiting for its reply, in its caller's `pending` map; its timeout is queued under `EV_RPC_TIMEOUT` by request id. */
export class PendingRpc {
  readonly requestId: number;
  readonly node: SimNode;
  readonly to: string;
  readonly timeoutMs: number;
  readonly waiter: RpcWaiter;

  constructor(requestId: number, node: SimNode, to: string, timeoutMs: number, waiter: RpcWaiter) {
    this.requestId = requestId;
    this.node = node;
    this.to = to;
    this.timeoutMs = timeoutMs;
    this.waiter = waiter;
  }
}

/** Sends a request from `node` to the node named `toName`; `waiter` hears the reply or the timeout. */
export function startRpc(
  engine: Engine,
  node: SimNode,
  toName: string,
  body: unknown,
  timeoutMs: number,
  sizeBytes: number | undefined,
  waiter: RpcWaiter,
): void {
  if (!(timeoutMs > 0)) throw new RangeError(`${node.name}: rpc timeoutMs must be > 0; got ${timeoutMs}.`);
  const request = engine.sendByName(node, toName, body, KIND_REQUEST, sizeBytes);
  const pending = new PendingRpc(request.id, node, toName, timeoutMs, waiter);
  node.pending.set(request.id, pending);
  // In the lane of its delay: timeouts of one length come due in the order they were set.
  // The event carries the request id, not the call: an answered call leaves `pending` and
  // dies young, instead of living in the queue until its timeout.
  engine.queue.pushAfter(engine.now, timeoutMs / node.clockRate, EV_RPC_TIMEOUT, node.id, request.id);
}

/** Answers `request` with the value its handler returned. */
export function reply(engine: Engine, node: SimNode, request: Envelope, body: unknown): void {
  sendReply(engine, node, request, body, REPLY_OK);
}

/** Answers `request` with the error its handler threw: a refusal if it was a definite one. */
export function replyError(engine: Engine, node: SimNode, request: Envelope, error: unknown): void {
  engine.traceError(node, error);
  const code = isDefiniteRefusal(error) ? REPLY_REJECTED : REPLY_REMOTE_ERROR;
  sendReply(engine, node, request, messageOf(error), code);
}

/** Refuses `request` because `node`'s queue is full. */
export function replyOverloaded(engine: Engine, node: SimNode, request: Envelope): void {
  sendReply(engine, node, request, undefined, REPLY_OVERLOADED);
}

function sendReply(engine: Engine, node: SimNode, request: Envelope, body: unknown, errorCode: number): void {
  const network = engine.network;
  const caller = engine.nodes[request.fromId]!;
  network.send(node, caller, body, KIND_REPLY, request.id, errorCode, network.messageSizeBytes);
}

/** Hands a reply that reached `node` to the call waiting for it, or drops it as late. */
export function receiveReply(engine: Engine, node: SimNode, reply: Envelope): void {
  const pending = node.pending.get(reply.requestId);
  if (pending === undefined) {
    // The request timed out already (or was answered by a duplicate's reply).
    // A late reply was delivered by the network; it is counted as dropped by the caller.
    engine.network.drop(reply, 'late-reply');
    return;
  }
  node.pending.delete(reply.requestId);
  // Its timeout is still queued; it no longer counts as pending work.
  engine.deadEvents++;
  const waiter = pending.waiter;
  if (waiter.settlesPromise) engine.asyncPending = true;
  if (reply.errorCode === REPLY_OK) waiter.resolve(reply.body);
  else if (reply.errorCode === REPLY_OVERLOADED) waiter.reject(withoutStack(() => new OverloadedError(reply.from)));
  else waiter.reject(withoutStack(() => new RemoteError(reply.from, String(reply.body), reply.errorCode === REPLY_REJECTED)));
}

/** Handles an `EV_RPC_TIMEOUT` event of `node`'s call `requestId`, not answered yet (the run loop skips answered calls). */
export function rpcTimeout(engine: Engine, node: SimNode, requestId: number): void {
  // Still pending, so sent by this incarnation: a crash clears the node's pending calls.
  const pending = node.pending.get(requestId)!;
  // A paused caller cannot notice its timeout until it runs again.
  if (node.paused) {
    node.park(EV_RPC_TIMEOUT, requestId);
    return;
  }
  node.pending.delete(pending.requestId);
  if (engine.trace.enabled) {
    engine.trace.record({ t: engine.now, type: 'rpc-timeout', node: node.name, to: pending.to, id: pending.requestId });
  }
  const waiter = pending.waiter;
  if (waiter.settlesPromise) engine.asyncPending = true;
  if (waiter.timedOut !== undefined) waiter.timedOut(rpcTimeoutMessage(pending.to, pending.timeoutMs, pending.requestId));
  else waiter.reject(withoutStack(() => new RpcTimeoutError(pending.to, pending.timeoutMs, pending.requestId)));
}

/**
 * Makes an error the run loop hands to a caller without capturing a stack trace: its stack
 * would show only the simulator's own frames, and capturing one for each of a busy run's
 * tens of thousands of timeouts and refusals cost several per cent of its time. (Where the
 * engine does not support `Error.stackTraceLimit`, the error keeps its stack.)
 */
function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
