import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_LANES } from '../../../src/sim/event-queue.ts';

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

  it('keeps that order with events pushed a delay ahead (in lanes, or the heap past the last lane), and drops dead ones only from lanes', () => {
    // Steps: a time ahead for push, a delay (one of more than MAX_LANES) for pushAfter, a
    // pop, or killing an event still queued. The clock is the time of the last pop.
    const step = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ after: fc.constantFrom(...Array.from({ length: MAX_LANES + 3 }, (_, i) => 3 + 2 * i)) }),
      fc.record({ pop: fc.constant(true) }),
      fc.record({ kill: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), (script) => {
        const queue = new EventQueue(1_000_000, 16);
        let dropped = 0;
        queue.dropDeadLaneEvents((kind, payload) => kind === 6 && (payload as { dead: boolean }).dead, () => dropped++);
        const model: { time: number; seq: number; payload: { dead: boolean }; lane: boolean }[] = [];
        let seq = 0;
        let now = 0;
        /** Model events passed over because the queue had dropped them. */
        let skipped = 0;
        const popOne = () => {
          expect(queue.pop()).toBe(true);
          // The queue may have dropped dead lane events before this one, never a live one.
          model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          let expected = model.shift()!;
          while (expected.seq !== queue.poppedTarget) {
            expect(expected.payload.dead && expected.lane).toBe(true);
            skipped++;
            expected = model.shift()!;
          }
          expect(queue.poppedTime).toBe(expected.time);
          now = expected.time;
        };
        for (const s of script) {
          if ('push' in s) {
            const payload = { dead: false };
            queue.push(now + s.push, 1, seq, payload);
            model.push({ time: now + s.push, seq: seq++, payload, lane: false });
          } else if ('after' in s) {
            const payload = { dead: false };
            queue.pushAfter(now, s.after, 6, seq, payload);
            model.push({ time: now + s.after, seq: seq++, payload, lane: true });
          } else if ('kill' in s) {
            const alive = model.filter((e) => !e.payload.dead);
            if (alive.length > 0) alive[s.kill % alive.length]!.payload.dead = true;
          } else if (queue.size > 0) popOne();
          // What the queue holds is what the model holds but the events it dropped.
          expect(queue.size).toBe(model.length - (dropped - skipped));
        }
        while (queue.size > 0) popOne();
        // What is left in the model, the queue dropped: dead events of lanes, all of them.
        expect(model.every((e) => e.payload.dead && e.lane)).toBe(true);
        expect(dropped).toBe(skipped + model.length);
        expect(queue.pop()).toBe(false);
      }),
      { seed: 11, numRuns: 300 },
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

  it('grows a lane past its first ring while it wraps around, and keeps order', () => {
    const queue = new EventQueue(100_000, 16);
    const model: { time: number; seq: number }[] = [];
    const popAndCheck = () => {
      model.sort((a, b) => a.time - b.time || a.seq - b.seq);
      const expected = model.shift()!;
      expect(queue.pop()).toBe(true);
      expect([queue.poppedTime, queue.poppedTarget]).toEqual([expected.time, expected.seq]);
    };
    let now = 0;
    // Three lanes; pops now and then move each ring's front, so the rings wrap before they grow.
    for (let seq = 0; seq < 3000; seq++) {
      const delay = 100 + (seq % 3);
      queue.pushAfter(now, delay, 6, seq, null);
      model.push({ time: now + delay, seq });
      if (seq % 4 === 3) {
        popAndCheck();
        now = queue.poppedTime;
      }
    }
    while (model.length > 0) popAndCheck();
    expect(queue.pop()).toBe(false);
  });

  it('refuses to hold more events than its limit', () => {
    const queue = new EventQueue(32, 16);
    for (let i = 0; i < 32; i++) queue.push(i, 1, 0, null);
    expect(() => queue.push(99, 1, 0, null)).toThrow(/event queue is full/);
  });
});
