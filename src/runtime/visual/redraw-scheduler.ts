/**
 * Which of a live simulation's views to redraw in an animation frame, and when, as plain
 * state and arithmetic a unit test can drive with made-up clocks. simulation.ts asks it once
 * per frame and does the drawing.
 *
 * While playing, at most one of the heavier redraws happens per frame (the sequence diagram,
 * one chart, or the text tables), taking turns, so that no single frame carries them all;
 * paused or scrubbing, everything is drawn at once, so the picture is whole at once.
 */

/**
 * While playing, the views redraw at most this often (real ms), about 30 times a second.
 * Every redrawn frame costs the browser a style, layout, paint and commit pass over the
 * whole lesson page, whatever changed; at 1,000 virtual ms a second the eye gains nothing
 * from 60 of them, and a busy machine loses half its main thread to them.
 */
export const PLAY_DRAW_INTERVAL_MS = 30;
/** Charts redraw at most this often (real ms); they change per bucket, not per frame. */
export const CHART_INTERVAL_MS = 250;
/**
 * The sequence diagram redraws at most this often while playing: its canvas is the
 * largest, and repainting it every frame costs the compositor more than the eye gains.
 */
export const SEQUENCE_INTERVAL_MS = 50;
/** The text tables update at most this often, so a screen reader is not flooded. */
export const TABLE_INTERVAL_MS = 400;
/**
 * The time readout's text changes at most this often while playing (the scrubber's thumb
 * still moves every frame): new text means a new layout, and nobody reads 60 a second.
 */
export const TIME_TEXT_INTERVAL_MS = 100;

/** The one heavy redraw of a frame while playing. */
export type HeavyRedraw =
  /** The sequence diagram. */
  | 'sequence'
  /** The next of the charts still waiting from an earlier update. */
  | 'next-chart'
  /** Every chart, with new data. */
  | 'charts'
  /** The summary and per-node tables. */
  | 'tables'
  | 'none';

export class RedrawScheduler {
  #lastDraw = -Infinity;
  #lastSequence = 0;
  #lastChart = 0;
  #lastTable = 0;
  #lastTimeText = 0;
  /** Whether the last heavy redraw while playing was the sequence diagram's (they take turns). */
  #sequenceLast = false;

  /**
   * Whether to draw this frame at all: a change while playing waits for the play interval;
   * any other change (a pause, a seek, a button) is drawn in the very next frame.
   */
  drawDue(now: number, changed: boolean, playing: boolean): boolean {
    if (!changed || (playing && now - this.#lastDraw < PLAY_DRAW_INTERVAL_MS)) return false;
    this.#lastDraw = now;
    return true;
  }

  /** Whether the time readout's text may change this frame. */
  timeTextDue(now: number, playing: boolean): boolean {
    if (playing && now - this.#lastTimeText < TIME_TEXT_INTERVAL_MS) return false;
    this.#lastTimeText = now;
    return true;
  }

  /** The charts were rebuilt (a new theme): while playing, they are due at the next turn. */
  chartsChanged(): void {
    this.#lastChart = 0;
  }

  /** Paused or scrubbing: every view is drawn now, and their intervals start again. */
  drewEverything(now: number): void {
    this.#lastSequence = this.#lastChart = this.#lastTable = now;
  }

  /**
   * Playing: the heavy redraw due this frame, if any. The sequence diagram and the others
   * take turns when both are due; charts left waiting by an earlier update come first among
   * the others; between charts and tables, whichever is more overdue.
   */
  heavyRedraw(now: number, chartsPending: boolean): HeavyRedraw {
    const sequenceDue = now - this.#lastSequence >= SEQUENCE_INTERVAL_MS;
    const chartDue = now - this.#lastChart > CHART_INTERVAL_MS;
    const tableDue = now - this.#lastTable > TABLE_INTERVAL_MS;
    const otherDue = chartsPending || chartDue || tableDue;
    if (sequenceDue && !(otherDue && this.#sequenceLast)) {
      this.#sequenceLast = true;
      this.#lastSequence = now;
      return 'sequence';
    }
    if (!otherDue) return 'none';
    this.#sequenceLast = false;
    if (chartsPending) return 'next-chart';
    if (chartDue && (!tableDue || now - this.#lastChart - CHART_INTERVAL_MS >= now - this.#lastTable - TABLE_INTERVAL_MS)) {
      this.#lastChart = now;
      return 'charts';
    }
    this.#lastTable = now;
    return 'tables';
  }
}
