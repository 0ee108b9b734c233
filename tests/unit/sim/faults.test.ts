import { describe, expect, it } from 'vitest';
import {
  Simulation,
  applyFaults,
  clockTime,
  constant,
  describeFaults,
  faultWindows,
  type ScheduledFault,
} from '../../../src/sim/index.ts';

/** Three nodes a, b, c: a pings b and c every 10 ms and records which answered. */
function pinging(sim: Simulation, answered: string[]): void {
  for (const name of ['b', 'c']) sim.addNode(name, () => ({ onRequest: () => 'pong' }));
  sim.addNode('a', (ctx) => ({
    onStart() {
      for (let t = 0; t < 200; t += 10) {
        ctx.setTimer(t, () => {
          for (const to of ['b', 'c']) {
            ctx.rpc(to, 'ping', { timeoutMs: 5 }).then(
              () => answered.push(`${t}:${to}`),
              () => {},
            );
          }
        });
      }
    },
  }));
}

const schedule: ScheduledFault[] = [
  { kind: 'loss', label: 'background loss: 0.1% of messages', atMs: 0, untilMs: 200, dropProbability: 0.001 },
  { kind: 'partition', label: 'c cut off', atMs: 50, untilMs: 80, groups: [['a', 'b'], ['c']] },
  { kind: 'crash', label: 'b crashes', atMs: 120, untilMs: 150, node: 'b' },
  { kind: 'slow-disk', label: 'c syncs slowly', atMs: 30, untilMs: 60, node: 'c', syncLatency: constant(40) },
  { kind: 'event', label: 'a rebalance', atMs: 100, untilMs: 110 },
];

describe('fault schedules', () => {
  it('apply each fault in its window', async () => {
    const sim = new Simulation({ seed: 1 });
    const answered: string[] = [];
    pinging(sim, answered);
    applyFaults(sim, schedule.filter((f) => f.kind !== 'loss'));
    await sim.runUntilIdle();
    const missing = [];
    for (let t = 0; t < 200; t += 10) for (const to of ['b', 'c']) if (!answered.includes(`${t}:${to}`)) missing.push(`${t}:${to}`);
    expect(missing).toEqual(['50:c', '60:c', '70:c', '120:b', '130:b', '140:b']);
  });

  it('lose every message of a window of total loss, and none after it', async () => {
    const sim = new Simulation({ seed: 1 });
    const answered: string[] = [];
    pinging(sim, answered);
    applyFaults(sim, [{ kind: 'loss', label: 'the network drops everything', atMs: 0, untilMs: 95, dropProbability: 1 }]);
    await sim.runUntilIdle();
    expect(answered.map((a) => Number(a.split(':')[0])).sort((x, y) => x - y)[0]).toBe(100);
    expect(answered).toHaveLength(20);
  });

  it('slow a disk for its window only', async () => {
    const sim = new Simulation({ seed: 1 });
    const took: [number, number][] = [];
    sim.addNode('c', (ctx) => ({
      onStart() {
        for (const at of [0, 40, 70]) ctx.setTimer(at, async () => {
          const start = sim.nowMs;
          await ctx.disk.sync();
          took.push([start, sim.nowMs - start]);
        });
      },
    }));
    applyFaults(sim, [schedule[3]!]);
    await sim.runUntilIdle();
    expect(took.sort((x, y) => x[0] - y[0])).toEqual([
      [0, 1],
      [40, 40],
      [70, 1],
    ]);
  });

  it('refuse a schedule naming an unknown node or ending before it starts, before applying any of it', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('a', () => ({}));
    expect(() => applyFaults(sim, [{ kind: 'crash', label: 'x crashes', atMs: 5, node: 'x' }])).toThrow(
      'The fault "x crashes" names the node x, which the simulation does not have.',
    );
    expect(() => applyFaults(sim, [{ kind: 'event', label: 'backwards', atMs: 5, untilMs: 2 }])).toThrow(
      'The fault "backwards" ends at 2 ms, before it starts (5 ms).',
    );
    expect(() =>
      applyFaults(sim, [
        { kind: 'crash', label: 'a crashes', atMs: 0, node: 'a' },
        { kind: 'crash', label: 'x crashes', atMs: 5, node: 'x' },
      ]),
    ).toThrow(/node x/);
    expect(sim.node('a').state).toBe('up');
  });

  it('give windows in start order, a crash without a restart lasting to the end of the run', () => {
    const windows = faultWindows([...schedule, { kind: 'crash', label: 'a crashes for good', atMs: 150, node: 'a' }], 500);
    expect(windows.map((w) => [w.label, w.startMs, w.endMs])).toEqual([
      ['background loss: 0.1% of messages', 0, 200],
      ['c syncs slowly', 30, 60],
      ['c cut off', 50, 80],
      ['a rebalance', 100, 110],
      ['b crashes', 120, 150],
      ['a crashes for good', 150, 500],
    ]);
  });

  it('print with the seed that drew them, one line per fault in start order', () => {
    expect(describeFaults(schedule, 42, 200)).toBe(
      [
        'Faults of seed 42:',
        '  0:00.0–0:00.2  background loss: 0.1% of messages (loss)',
        '  0:00.0–0:00.1  c syncs slowly (slow-disk)',
        '  0:00.1–0:00.1  c cut off (partition)',
        '  0:00.1–0:00.1  a rebalance (event)',
        '  0:00.1–0:00.2  b crashes (crash)',
      ].join('\n'),
    );
    expect(describeFaults([], 'abc', 10)).toBe('Faults of seed abc:\n  none');
    expect([clockTime(0), clockTime(65_340), clockTime(59_960), clockTime(3_600_000)]).toEqual(['0:00.0', '1:05.3', '1:00.0', '60:00.0']);
  });
});
