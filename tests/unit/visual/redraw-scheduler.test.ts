/**
 * The live simulation's frame scheduler (src/runtime/visual/redraw-scheduler.ts), driven with
 * made-up clocks: what is drawn in which frame while playing, and that a pause or a seek is
 * drawn at once.
 */
import { describe, expect, it } from 'vitest';
import {
  CHART_INTERVAL_MS,
  PLAY_DRAW_INTERVAL_MS,
  RedrawScheduler,
  SEQUENCE_INTERVAL_MS,
  TABLE_INTERVAL_MS,
  TIME_TEXT_INTERVAL_MS,
  type HeavyRedraw,
} from '../../../src/runtime/visual/redraw-scheduler.ts';

describe('RedrawScheduler', () => {
  it('draws a change while playing at most every PLAY_DRAW_INTERVAL_MS, and any other change at once', () => {
    const s = new RedrawScheduler();
    expect(s.drawDue(1_000, false, true)).toBe(false);
    expect(s.drawDue(1_000, true, true)).toBe(true);
    expect(s.drawDue(1_000 + PLAY_DRAW_INTERVAL_MS - 1, true, true)).toBe(false);
    expect(s.drawDue(1_000 + PLAY_DRAW_INTERVAL_MS - 1, true, false)).toBe(true);
    expect(s.drawDue(1_000 + 2 * PLAY_DRAW_INTERVAL_MS - 2, true, true)).toBe(false);
    expect(s.drawDue(1_000 + 2 * PLAY_DRAW_INTERVAL_MS - 1, true, true)).toBe(true);
  });

  it('changes the time text at most every TIME_TEXT_INTERVAL_MS while playing, every time when not', () => {
    const s = new RedrawScheduler();
    expect(s.timeTextDue(500, true)).toBe(true);
    expect(s.timeTextDue(500 + TIME_TEXT_INTERVAL_MS - 1, true)).toBe(false);
    expect(s.timeTextDue(500 + TIME_TEXT_INTERVAL_MS - 1, false)).toBe(true);
    expect(s.timeTextDue(500 + TIME_TEXT_INTERVAL_MS, true)).toBe(false);
    expect(s.timeTextDue(500 + 2 * TIME_TEXT_INTERVAL_MS, true)).toBe(true);
  });

  it('while playing, does one heavy redraw per frame: the sequence diagram and the others take turns', () => {
    const s = new RedrawScheduler();
    s.drewEverything(0);
    const frames: HeavyRedraw[] = [];
    for (let now = 16; now <= 2_000; now += 16) frames.push(s.heavyRedraw(now, false));
    const count = (kind: HeavyRedraw) => frames.filter((f) => f === kind).length;
    // Every kind gets its turns, each no more often than its interval allows.
    expect(count('sequence')).toBeGreaterThan(0);
    expect(count('sequence')).toBeLessThanOrEqual(Math.ceil(2_000 / SEQUENCE_INTERVAL_MS));
    expect(count('charts')).toBeGreaterThan(0);
    expect(count('charts')).toBeLessThanOrEqual(Math.ceil(2_000 / CHART_INTERVAL_MS));
    expect(count('tables')).toBeGreaterThan(0);
    expect(count('tables')).toBeLessThanOrEqual(Math.ceil(2_000 / TABLE_INTERVAL_MS));
    // When the sequence diagram and another view are both due, they alternate: never two
    // sequence redraws in a row while something else waits.
    for (let i = 1; i < frames.length; i++) {
      if (frames[i - 1] === 'sequence' && frames[i] === 'sequence') throw new Error(`two sequence redraws in a row at frame ${i}`);
    }
  });

  it('draws charts left waiting by an earlier update before anything else but a due sequence turn', () => {
    const s = new RedrawScheduler();
    s.drewEverything(0);
    expect(s.heavyRedraw(10, true)).toBe('next-chart');
    expect(s.heavyRedraw(SEQUENCE_INTERVAL_MS, true)).toBe('sequence');
    expect(s.heavyRedraw(SEQUENCE_INTERVAL_MS + 16, true)).toBe('next-chart');
    expect(s.heavyRedraw(SEQUENCE_INTERVAL_MS + 32, false)).toBe('none');
  });

  it('between charts and tables picks the more overdue, and a theme change makes the charts due', () => {
    const s = new RedrawScheduler();
    s.drewEverything(0);
    // Both overdue, the charts by more (their interval is shorter): charts first, then tables.
    const late = TABLE_INTERVAL_MS + 10;
    expect(s.heavyRedraw(late, false)).toBe('sequence');
    expect(s.heavyRedraw(late + 1, false)).toBe('charts');
    expect(s.heavyRedraw(late + 2, false)).toBe('tables');
    expect(s.heavyRedraw(late + 3, false)).toBe('none');
    s.chartsChanged();
    expect(s.heavyRedraw(late + 4, false)).toBe('charts');
  });
});
