/**
 * Where the playhead goes next and how far the worker should run: the decisions behind the
 * Step button, the "Next ✕" button and the requests for more of the run, as pure functions
 * of the run store and the playback state.
 */
import { nextEventTime } from './playback.ts';
import type { RunStore } from './store.ts';

/** In-flight messages looked at for their endings when stepping; enough for any frame. */
const STEP_IN_FLIGHT_LIMIT = 200;
/** A step past what has been simulated asks the worker for this many buckets more. */
const STEP_AHEAD_BUCKETS = 20;
/** While playing, the worker is asked for more only once the want has grown by this many buckets. */
const DEMAND_STEP_BUCKETS = 4;

/**
 * What a step from the playhead `t` does: move to the next thing that happens (a message
 * sent or ending, a lane event); report that nothing more happens; or, when the next thing
 * may lie beyond what the worker has run, wait for the worker to run `untilMs` first.
 */
export type StepTarget = { readonly kind: 'seek'; readonly atMs: number } | { readonly kind: 'end' } | { readonly kind: 'wait'; readonly untilMs: number };

export function nextStep(store: RunStore, t: number): StepTarget {
  const candidates: number[] = [];
  const row = store.lowerBound(t + 1e-6);
  if (row < store.count) candidates.push(store.sendMs(row));
  const lane = store.laneLowerBound(t + 1e-6);
  if (lane < store.lanes.length) candidates.push(store.lanes[lane]!.t);
  for (const r of store.inFlightAt(t, STEP_IN_FLIGHT_LIMIT)) if (!Number.isNaN(store.endMs(r))) candidates.push(store.endMs(r));
  const next = nextEventTime(t, candidates);
  if (next !== undefined && next <= store.availableMs) return { kind: 'seek', atMs: next };
  if (store.done) return { kind: 'end' };
  return { kind: 'wait', untilMs: Math.min(store.meta.durationMs, store.availableMs + store.meta.bucketMs * STEP_AHEAD_BUCKETS) };
}

/**
 * How far to ask the worker to run, or undefined to ask nothing now. `force` (a seek, a new
 * run) always asks for `wantMs`; otherwise a request goes out only when the want has moved
 * on by a few buckets, or reached the end of the run, so playing sends one message per few
 * buckets rather than one per frame.
 */
export function demandTarget(o: {
  readonly wantMs: number;
  /** What was last asked for. */
  readonly lastMs: number;
  readonly force: boolean;
  /** Whether the worker has run to the end already. */
  readonly done: boolean;
  readonly bucketMs: number;
  readonly durationMs: number;
}): number | undefined {
  if (o.force) return o.wantMs;
  if (o.done || o.wantMs <= o.lastMs) return undefined;
  if (o.wantMs - o.lastMs < o.bucketMs * DEMAND_STEP_BUCKETS && o.wantMs < o.durationMs) return undefined;
  return o.wantMs;
}

/**
 * Where "Next ✕" looks for a dropped message from: the start of the run while the message
 * view follows the playhead, else just after the middle of the window the reader moved to,
 * so that pressing it again moves on to the next one.
 */
export function dropSearchFromMs(follow: boolean, window: { readonly startMs: number; readonly endMs: number }): number {
  return follow ? 0 : window.startMs + (window.endMs - window.startMs) / 2 + 1e-6;
}
