/**
 * The playhead: where in virtual time the views are, how fast it moves, and how far
 * ahead the worker should have run. Pure, driven by the frame loop with real elapsed
 * time, so it can be tested without a browser.
 */

/** Speeds offered, in virtual ms per real second. */
export const SPEEDS = [10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000] as const;

/** A frame longer than this (a background tab, a breakpoint) does not fast-forward the run. */
const MAX_FRAME_MS = 100;
/** The worker keeps this much real time of playback ready ahead of the playhead. */
const LOOKAHEAD_REAL_S = 2;

export interface TickResult {
  /** The playhead moved. */
  readonly moved: boolean;
  /** Playback waits for the worker. */
  readonly buffering: boolean;
  /** The playhead reached the end of the run (and playback stopped). */
  readonly finished: boolean;
}

export class Playback {
  playheadMs = 0;
  playing = false;
  /** Virtual ms per real second. */
  speed: number;
  readonly durationMs: number;

  constructor(durationMs: number, speed = 1_000) {
    this.durationMs = durationMs;
    this.speed = speed;
  }

  /** Advances by `realMs` of wall time, never past what has arrived (`availableMs`). */
  tick(realMs: number, availableMs: number): TickResult {
    if (!this.playing) return { moved: false, buffering: false, finished: false };
    const step = (Math.min(Math.max(realMs, 0), MAX_FRAME_MS) * this.speed) / 1000;
    const limit = Math.min(availableMs, this.durationMs);
    const before = this.playheadMs;
    this.playheadMs = Math.min(before + step, limit);
    const finished = this.playheadMs >= this.durationMs;
    if (finished) this.playing = false;
    return { moved: this.playheadMs !== before, buffering: !finished && before + step > limit, finished };
  }

  /** Jumps to `t`, clamped to the run. */
  seek(t: number): void {
    this.playheadMs = Math.min(Math.max(t, 0), this.durationMs);
  }

  /** How far the worker should have run: the playhead plus a couple of seconds of playback. */
  demandMs(): number {
    const ahead = Math.max(this.speed * LOOKAHEAD_REAL_S, this.durationMs / 200);
    return Math.min(this.durationMs, this.playheadMs + ahead);
  }
}

/**
 * The time of the next thing to look at after `t`: the next message sent or ended, or a
 * lane event, from the sorted candidates given. Used by the Step button.
 */
export function nextEventTime(t: number, candidates: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const c of candidates) if (c > t + 1e-9 && (best === undefined || c < best)) best = c;
  return best;
}
