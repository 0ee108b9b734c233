import { describe, expect, it } from 'vitest';
import { SegmentList, arrowEnd, arrowHead, defaultWindowMs, describeMessage, nearestSegment, segmentDistance } from '../../../src/runtime/visual/sequence-data.ts';
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

describe('the arrows of one redraw', () => {
  it('keeps rows and ends packed, finds the one under the pointer, and starts empty again', () => {
    const list = new SegmentList().reserve(1);
    list.push(7, 0, 0, 100, 0);
    list.push(9, 0, 50, 100, 50);
    list.push(11, 0, 90, 100, 90);
    expect(list.length).toBe(3);
    expect([list.row(1), list.ax(1), list.ay(1), list.bx(1), list.by(1)]).toEqual([9, 0, 50, 100, 50]);
    expect(list.nearest({ x: 50, y: 45 }, 8)).toBe(1);
    expect(list.nearest({ x: 50, y: 25 }, 8)).toBe(-1);
    expect(list.reserve(10).length).toBe(0);
    expect(list.nearest({ x: 50, y: 45 }, 8)).toBe(-1);
  });

  it('puts an arrowhead at the end, pointing along the arrow', () => {
    const calls: string[] = [];
    const path = { moveTo: (x: number, y: number) => calls.push(`M${x},${y}`), lineTo: (x: number, y: number) => calls.push(`L${Math.round(x)},${Math.round(y)}`), closePath: () => calls.push('Z') };
    arrowHead(path, 0, 0, 100, 0, 10);
    expect(calls[0]).toBe('M100,0');
    // Both barbs lie behind the tip, either side of the shaft.
    expect(calls.slice(1, 3)).toEqual(['L91,4', 'L91,-4']);
    expect(calls[3]).toBe('Z');
  });
});
