import { describe, expect, it } from 'vitest';
import { arrowEnd, defaultWindowMs, describeMessage, nearestSegment, segmentDistance } from '../../../src/runtime/visual/sequence-data.ts';
import type { MessageView } from '../../../src/runtime/visual/store.ts';

const base: MessageView = { row: 0, id: 12, from: 0, to: 1, kind: 'request', body: 'put key=k1', sendMs: 1_200, endMs: 1_200.4, outcome: 'delivered' };

describe('message details', () => {
  it('says who sent what to whom, when, and what became of it', () => {
    expect(describeMessage(base, ['clients', 'server'])).toBe('1.20 s · request #12 clients → server: put key=k1 — delivered at 1.20 s (400 µs later)');
    expect(describeMessage({ ...base, outcome: 'queue-full' }, ['clients', 'server'])).toContain("✕ rejected at 1.20 s: the receiver's queue was full");
    expect(describeMessage({ ...base, outcome: 'loss' }, ['clients', 'server'])).toContain('✕ lost by the network');
    expect(describeMessage({ ...base, outcome: 'pending', endMs: Number.NaN }, ['a', 'b'])).toContain('still in flight');
  });
});

describe('arrows', () => {
  it('ends a delivered arrow on the receiver’s lane and a dropped one part of the way', () => {
    expect(arrowEnd({ x: 0, y: 0 }, { x: 0, y: 100 }, 50, false)).toEqual({ x: 50, y: 100 });
    expect(arrowEnd({ x: 0, y: 0 }, { x: 0, y: 100 }, 50, true)).toEqual({ x: 50, y: 60 });
  });

  it('finds the arrow under the pointer, and none when the pointer is far from all', () => {
    const segments = [
      { a: { x: 0, y: 0 }, b: { x: 100, y: 0 } },
      { a: { x: 0, y: 50 }, b: { x: 100, y: 50 } },
    ];
    expect(segmentDistance({ x: 50, y: 3 }, segments[0]!.a, segments[0]!.b)).toBe(3);
    expect(nearestSegment({ x: 50, y: 45 }, segments, 8)).toBe(1);
    expect(nearestSegment({ x: 50, y: 25 }, segments, 8)).toBe(-1);
  });

  it('opens on a hundredth of the run', () => {
    expect(defaultWindowMs(20_000)).toBe(200);
    expect(defaultWindowMs(10)).toBe(1);
  });
});
