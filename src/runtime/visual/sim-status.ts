/**
 * The live simulation's status line and time readout, as pure functions: the words change
 * with the playback state, and a unit test can read them without a page.
 */
import type { Snapshot } from './metrics-data.ts';
import { formatMs, formatPercent } from './scales.ts';

const speedText = (speed: number) => `${speed.toLocaleString('en-US')} virtual ms per second`;

/** Said when a run is ready, or when it starts playing by itself after a change of parameters. */
export function readyText(seed: number, durationMs: number, playing: boolean, speed: number): string {
  return playing ? `Playing seed ${seed} at ${speedText(speed)}.` : `Ready: seed ${seed}, ${formatMs(durationMs)} of virtual time. Press Play.`;
}

/** Said when the reader presses Play. */
export function playingText(speed: number): string {
  return `Playing at ${speedText(speed)}.`;
}

/** Said when the playhead reaches the end of the run: what it came to. */
export function finishedText(s: Pick<Snapshot, 'ok' | 'p99Ms' | 'availability'>): string {
  return `Finished: ${s.ok.toLocaleString('en-US')} requests succeeded, p99 ${formatMs(s.p99Ms)}, availability ${formatPercent(s.availability)}.`;
}

/** The scrubber's readout and aria-valuetext, e.g. "1.25 s of 10.0 s". */
export function timeText(t: number, durationMs: number): string {
  return `${formatMs(t)} of ${formatMs(durationMs)}`;
}

/** Said after "Next ✕" finds no dropped message from where it looked. */
export function noDropText(done: boolean): string {
  return done ? 'No message was dropped in this run.' : 'No dropped message yet in what has been simulated.';
}
