/**
 * Errors the simulator hands to learner code. Each is a distinct class so that code can
 * tell "no answer in time" (the request may still have happened) from "the server said no"
 * (it did not).
 */

/**
 * `ctx.rpc` got no reply within its timeout. The request may or may not have been
 * processed: the reply, or the request itself, may have been lost or delayed.
 *
 * @example
 * try {
 *   await ctx.rpc('kv1', { kind: 'get', key: 'x' }, { timeoutMs: 100 });
 * } catch (error) {
 *   if (error instanceof RpcTimeoutError) retryElsewhere();
 * }
 */
export class RpcTimeoutError extends Error {
  /** The node that was called. */
  readonly to: string;
  /** The timeout that expired, in milliseconds of the caller's local clock. */
  readonly timeoutMs: number;
  /** The message id of the request. */
  readonly requestId: number;

  constructor(to: string, timeoutMs: number, requestId: number) {
    super(rpcTimeoutMessage(to, timeoutMs, requestId));
    this.name = 'RpcTimeoutError';
    this.to = to;
    this.timeoutMs = timeoutMs;
    this.requestId = requestId;
  }
}

/** The message of an {@link RpcTimeoutError}. */
export function rpcTimeoutMessage(to: string, timeoutMs: number, requestId: number): string {
  return `RPC to ${to} timed out after ${timeoutMs} ms (request ${requestId}).`;
}

/**
 * The called node answered with an error: its `onRequest` handler threw or rejected. The
 * `message` is the remote error's message.
 *
 * Whether the request took effect depends on `rejected`: a handler that threw a
 * {@link Rejection} said it did not; any other error leaves that unknown (the handler may
 * have changed state before it failed), and workloads record the operation as `'unknown'`.
 */
export class RemoteError extends Error {
  /** The node whose handler failed. */
  readonly from: string;
  /** Whether the remote handler declared that the request did not take effect. */
  readonly rejected: boolean;

  constructor(from: string, message: string, rejected = false) {
    super(message);
    this.name = 'RemoteError';
    this.from = from;
    this.rejected = rejected;
  }
}

/**
 * Throw this from `onRequest` to refuse a request that did not (and will not) take
 * effect, such as "I am not the leader". The caller gets a `RemoteError` with
 * `rejected: true`, and workloads record the operation as `'failed'` rather than
 * `'unknown'`, which gives a checker more to work with.
 *
 * @example
 * onRequest(request) {
 *   if (!isLeader) throw new Rejection(`not the leader; try ${leaderHint}`);
 *   …
 * }
 */
export class Rejection extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Rejection';
  }
}

/**
 * Whether an error says for certain that a request did not take effect: a
 * {@link Rejection}, an {@link OverloadedError}, or a {@link RemoteError} carrying one.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  return (
    error instanceof Rejection ||
    error instanceof OverloadedError ||
    (error instanceof RemoteError && error.rejected)
  );
}

/**
 * The called node's bounded request queue was full, so it rejected the request without
 * processing it. Safe to retry elsewhere: the request did not happen.
 */
export class OverloadedError extends Error {
  /** The node that rejected the request. */
  readonly from: string;

  constructor(from: string) {
    super(`${from} rejected the request: its queue is full.`);
    this.name = 'OverloadedError';
    this.from = from;
  }
}

/**
 * A node's handler (`onStart`, `onMessage` or a timer callback) threw. The run stops with
 * this error unless the simulation was created with `failOnHandlerError: false`.
 */
export class NodeHandlerError extends Error {
  /** The node whose code threw. */
  readonly node: string;
  /** True simulation time of the failure, in milliseconds. */
  readonly atMs: number;

  constructor(node: string, atMs: number, cause: unknown) {
    super(`${node} threw at t=${atMs} ms: ${messageOf(cause)}`, { cause });
    this.name = 'NodeHandlerError';
    this.node = node;
    this.atMs = atMs;
  }
}

/** The message of any thrown value: an error's own, anything else as a string. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
