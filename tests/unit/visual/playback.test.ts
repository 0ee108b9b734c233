import { describe, expect, it } from 'vitest';
import { Playback, nextEventTime } from '../../../src/runtime/visual/playback.ts';

describe('the playhead', () => {
  it('moves by the speed in virtual ms per real second', () => {
    const p = new Playback(20_000, 1_000);
    p.playing = true;
    p.tick(16, 20_000);
    expect(p.playheadMs).toBe(16);
    p.speed = 5_000;
    p.tick(20, 20_000);
    expect(p.playheadMs).toBe(116);
  });

  it('waits for the worker instead of running past what has been simulated', () => {
    const p = new Playback(20_000, 10_000);
    p.playing = true;
    const r = p.tick(50, 300);
    expect(p.playheadMs).toBe(300);
    expect(r.buffering).toBe(true);
  });

  it('does not fast-forward after a long pause of the page, and stops at the end', () => {
    const p = new Playback(1_000, 1_000);
    p.playing = true;
    p.tick(10_000, 1_000);
    expect(p.playheadMs).toBe(100);
    for (let i = 0; i < 20; i++) p.tick(100, 1_000);
    expect(p.playheadMs).toBe(1_000);
    expect(p.playing).toBe(false);
  });

  it('asks the worker for a couple of seconds of playback ahead, never past the end', () => {
    const p = new Playback(20_000, 1_000);
    expect(p.demandMs()).toBe(2_000);
    p.seek(19_000);
    expect(p.demandMs()).toBe(20_000);
  });

  it('steps to the next thing that happens after the playhead', () => {
    expect(nextEventTime(5, [3, 9, 7, 5])).toBe(7);
    expect(nextEventTime(10, [3, 9])).toBeUndefined();
  });
});
