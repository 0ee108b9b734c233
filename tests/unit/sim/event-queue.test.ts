import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/sim/event-queue.ts';

describe('EventQueue', () => {
  it('pops events in time order, ties in insertion order, across pushes and pops in any mix', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 400 }),
        (script) => {
          const queue = new EventQueue(1_000_000, 16);
          const model: { time: number; seq: number }[] = [];
          let seq = 0;
          for (const step of script) {
            if (step >= 0) {
              queue.push(step, 1, seq, null);
              model.push({ time: step, seq: seq++ });
            } else if (model.length > 0) {
              model.sort((a, b) => a.time - b.time || a.seq - b.seq);
              const expected = model.shift()!;
              expect(queue.pop()).toBe(true);
              expect([queue.poppedTime, queue.poppedTarget]).toEqual([expected.time, expected.seq]);
            }
          }
          expect(queue.size).toBe(model.length);
        },
      ),
    );
  });

  it('grows past its initial capacity and keeps order', () => {
    const queue = new EventQueue(100_000, 16);
    for (let i = 0; i < 5000; i++) queue.push((i * 7919) % 5000, 2, i, { i });
    let last = -1;
    for (let i = 0; i < 5000; i++) {
      queue.pop();
      expect(queue.poppedTime).toBeGreaterThanOrEqual(last);
      expect(queue.poppedKind).toBe(2);
      last = queue.poppedTime;
    }
    expect(queue.pop()).toBe(false);
    expect(queue.peekTime()).toBe(Infinity);
  });

  it('refuses to hold more events than its limit', () => {
    const queue = new EventQueue(32, 16);
    for (let i = 0; i < 32; i++) queue.push(i, 1, 0, null);
    expect(() => queue.push(99, 1, 0, null)).toThrow(/event queue is full/);
  });
});
