/**
 * Node timers: what `ctx.setTimer`, `ctx.cancelTimer` and `ctx.sleep` do, and the deadlines
 * workloads put on their operations. A delay runs on the node's own clock, which may be
 * fast or slow, and is scheduled in true time; a timer dies with the incarnation that set
 * it, and waits while its node is paused.
 */
import type { Engine } from './engine.ts';
import { EV_TIMER } from './event-kinds.ts';
import type { SimNode } from './sim-node.ts';

/** A timer set by a node, queued under `EV_TIMER`. */
export class TimerRecord {
  readonly id: number;
  readonly node: SimNode;
  readonly incarnation: number;
  readonly callback: () => unknown;
  /** Whether firing settles a promise (a `sleep`). */
  readonly settles: boolean;
  cancelled = false;
  /** When it fires, in true time. */
  atMs = 0;

  constructor(id: number, node: SimNode, callback: () => unknown, settles: boolean) {
    this.id = id;
    this.node = node;
    this.incarnation = node.incarnation;
    this.callback = callback;
    this.settles = settles;
  }
}

/** Sets a timer on `node` that calls `callback` after `delayMs` of the node's clock; returns its id. */
export function setTimer(engine: Engine, node: SimNode, delayMs: number, callback: () => unknown, settles: boolean): number {
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
    throw new RangeError(`${node.name}: a timer delay must be a finite number >= 0; got ${delayMs}.`);
  }
  const timer = new TimerRecord(node.nextTimerId++, node, callback, settles);
  node.timers.set(timer.id, timer);
  const atMs = engine.now + delayMs / node.clockRate;
  timer.atMs = atMs;
  engine.queue.push(atMs, EV_TIMER, node.id, timer);
  if (engine.trace.enabled) engine.trace.record({ t: engine.now, type: 'timer-set', node: node.name, timer: timer.id, atMs });
  return timer.id;
}

/**
 * After `node`'s clock changed rate (it ran at `oldRate`), moves its pending timers so that
 * each still fires when the node's own clock has run the rest of its delay.
 */
export function retimeTimers(engine: Engine, node: SimNode, oldRate: number): void {
  if (oldRate === node.clockRate) return;
  const now = engine.now;
  for (const [id, timer] of node.timers) {
    if (timer.cancelled || timer.atMs <= now) continue;
    const remainingLocalMs = (timer.atMs - now) * oldRate;
    timer.cancelled = true;
    engine.deadEvents++;
    const moved = new TimerRecord(id, node, timer.callback, timer.settles);
    moved.atMs = now + remainingLocalMs / node.clockRate;
    node.timers.set(id, moved);
    engine.queue.push(moved.atMs, EV_TIMER, node.id, moved);
  }
}

/** Cancels one of `node`'s timers; an unknown or spent id is ignored. */
export function cancelTimer(engine: Engine, node: SimNode, timerId: number): void {
  const timer = node.timers.get(timerId);
  if (timer === undefined) return;
  timer.cancelled = true;
  engine.deadEvents++;
  node.timers.delete(timerId);
  if (engine.trace.enabled) engine.trace.record({ t: engine.now, type: 'timer-cancel', node: node.name, timer: timerId });
}

/** Handles an `EV_TIMER` event that is not dead (the run loop skips cancelled timers). */
export function fireTimer(engine: Engine, timer: TimerRecord): void {
  const node = timer.node;
  if (node.incarnation !== timer.incarnation) return;
  if (node.paused) {
    node.park(EV_TIMER, timer);
    return;
  }
  node.timers.delete(timer.id);
  if (engine.trace.enabled) engine.trace.record({ t: engine.now, type: 'timer-fire', node: node.name, timer: timer.id });
  if (timer.settles) engine.asyncPending = true;
  engine.invokeOneWay(node, timer.callback);
}
