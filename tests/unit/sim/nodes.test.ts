import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeHandlerError, Simulation, constant } from '../../../src/sim/index.ts';

describe('timers', () => {
  it('fire in time order, and timers due at the same moment fire in the order they were set', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), async (delays) => {
        const sim = new Simulation({ seed: 1 });
        const fired: { index: number; atMs: number }[] = [];
        sim.addNode('n', (ctx) => ({
          onStart() {
            delays.forEach((delay, index) => ctx.setTimer(delay, () => void fired.push({ index, atMs: sim.nowMs })));
          },
        }));
        await sim.runUntilIdle();
        const expected = delays.map((delay, index) => ({ index, atMs: delay })).sort((a, b) => a.atMs - b.atMs || a.index - b.index);
        expect(fired).toEqual(expected);
      }),
    );
  });

  it('do not fire once cancelled', async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: string[] = [];
    sim.addNode('n', (ctx) => ({
      onStart() {
        const a = ctx.setTimer(10, () => void fired.push('a'));
        ctx.setTimer(5, () => ctx.cancelTimer(a));
        ctx.setTimer(20, () => void fired.push('b'));
      },
    }));
    await sim.runUntilIdle();
    expect(fired).toEqual(['b']);
    expect(sim.trace.ofType('timer-cancel')).toHaveLength(1);
  });

  it('let async code sleep', async () => {
    const sim = new Simulation({ seed: 1 });
    const times: number[] = [];
    sim.addNode('n', (ctx) => ({
      async onStart() {
        for (let i = 0; i < 3; i++) {
          await ctx.sleep(100);
          times.push(ctx.now());
        }
      },
    }));
    await sim.runUntilIdle();
    expect(times).toEqual([100, 200, 300]);
  });
});

describe('clocks', () => {
  it('read true time plus an offset when skewed', async () => {
    const sim = new Simulation({ seed: 1 });
    let reading = 0;
    sim.addNode('n', (ctx) => ({ onStart: () => void ctx.setTimer(100, () => void (reading = ctx.now())) }), {
      clock: { offsetMs: -40 },
    });
    await sim.runUntilIdle();
    // The delay is measured on the local clock, which an offset does not slow down.
    expect(sim.nowMs).toBe(100);
    expect(reading).toBe(60);
  });

  it('run fast when drifting, so a fast node fires its timers early in true time', async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: Record<string, number> = {};
    for (const [name, rate] of [
      ['fast', 1.25],
      ['true', 1],
      ['slow', 0.8],
    ] as const) {
      sim.addNode(name, (ctx) => ({ onStart: () => void ctx.setTimer(1000, () => void (fired[name] = sim.nowMs)) }), {
        clock: { rate },
      });
    }
    await sim.runUntilIdle();
    expect(fired).toEqual({ fast: 800, true: 1000, slow: 1250 });
    expect(sim.node('fast').localTimeMs).toBe(1250 * 1.25);
  });

  it('can be changed mid-run without jumping', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('n', () => ({}));
    await sim.runUntil(1000);
    sim.setClock('n', { rate: 2 });
    expect(sim.node('n').localTimeMs).toBe(1000);
    await sim.runUntil(1500);
    expect(sim.node('n').localTimeMs).toBe(2000);
  });

  it('moves timers already set: each waits out the local time it has left at the new rate', async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: Record<string, number> = {};
    sim.addNode('n', (ctx) => ({
      onStart() {
        ctx.setTimer(1000, () => void (fired['timer'] = sim.nowMs));
        void ctx.sleep(700).then(() => void (fired['sleep'] = sim.nowMs));
        const cancelled = ctx.setTimer(900, () => void (fired['cancelled'] = sim.nowMs));
        ctx.setTimer(600, () => ctx.cancelTimer(cancelled));
      },
    }));
    await sim.runUntil(500);
    // 500 ms of local time left on the timer, 200 on the sleep: at rate 2 they take half as long.
    sim.setClock('n', { rate: 2 });
    await sim.runUntilIdle();
    expect(fired).toEqual({ sleep: 600, timer: 750 });
  });
});

describe('crashes and restarts', () => {
  it('drop timers and memory, and run onStart again with what the disk kept', async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    sim.addNode('n', (ctx) => {
      let counter = 0;
      return {
        async onStart() {
          log.push(`start with disk=${String(ctx.disk.read('saved'))} counter=${counter}`);
          counter++;
          ctx.disk.write('saved', 'yes');
          await ctx.disk.sync();
          ctx.disk.write('unsaved', 'no');
          ctx.setTimer(50, () => void log.push('timer fired'));
        },
      };
    });
    sim.crash('n', { atMs: 10, restartAtMs: 20 });
    await sim.runUntilIdle();
    expect(log).toEqual(['start with disk=undefined counter=0', 'start with disk=yes counter=0', 'timer fired']);
    expect(sim.node('n').restarts).toBe(1);
    expect([...sim.node('n').durableDisk().keys()]).toEqual(['saved']);
  });

  it('lose exactly the writes that no finished sync covered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant<'sync'>('sync'), fc.integer({ min: 0, max: 4 })), { maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        async (script, crashAtMs) => {
          const sim = new Simulation({ seed: 1 });
          // The model: what a sync covers is fixed when it starts; it is durable when it ends.
          const model = new Map<string, string>();
          const durable = new Map<string, string>();
          const pendingSyncs: { doneAtMs: number; snapshot: Map<string, string> }[] = [];
          sim.addNode(
            'n',
            (ctx) => ({
              onStart() {
                if (sim.node('n').restarts > 0) return;
                script.forEach((step, i) => {
                  ctx.setTimer(i, () => {
                    if (step === 'sync') {
                      pendingSyncs.push({ doneAtMs: sim.nowMs + 3, snapshot: new Map(model) });
                      void ctx.disk.sync();
                    } else {
                      model.set(`k${step}`, `v${i}`);
                      ctx.disk.write(`k${step}`, `v${i}`);
                    }
                  });
                });
              },
            }),
            { disk: { syncLatency: constant(3) } },
          );
          sim.crash('n', { atMs: crashAtMs + 0.5 });
          await sim.runUntilIdle();
          for (const sync of pendingSyncs) {
            if (sync.doneAtMs < crashAtMs + 0.5) for (const [k, v] of sync.snapshot) durable.set(k, v);
          }
          expect(sim.node('n').durableDisk()).toEqual(durable);
        },
      ),
    );
  });

  it('stop a crashed incarnation from acting, even from a pending continuation', async () => {
    const sim = new Simulation({ seed: 1 });
    const received: unknown[] = [];
    sim.addNode('sink', () => ({ onMessage: (m) => void received.push(m.body) }));
    sim.addNode('n', (ctx) => ({
      async onStart() {
        if (sim.node('n').restarts > 0) return;
        await ctx.sleep(1);
        ctx.send('sink', 'before crash');
        // Hold on to the context past the crash: a zombie must not be able to send.
        tryToSendAfterTheCrash(ctx);
      },
    }));
    function tryToSendAfterTheCrash(ctx: { alive: boolean; send(to: string, body: unknown): void }): void {
      sim.at(10, () => {
        expect(ctx.alive).toBe(false);
        ctx.send('sink', 'zombie');
      });
    }
    sim.crash('n', { atMs: 5, restartAtMs: 6 });
    await sim.runUntilIdle();
    expect(received).toEqual(['before crash']);
  });
});

describe('slow disks', () => {
  it('take the new sync time from atMs, and the old one again from untilMs', async () => {
    const sim = new Simulation({ seed: 1 });
    const took: [number, number][] = [];
    sim.addNode(
      'n',
      (ctx) => ({
        onStart() {
          for (const at of [0, 10, 25, 40]) {
            ctx.setTimer(at, async () => {
              const start = sim.nowMs;
              await ctx.disk.sync();
              took.push([start, sim.nowMs - start]);
            });
          }
        },
      }),
      { disk: { syncLatency: constant(2) } },
    );
    sim.setDisk('n', { syncLatency: constant(30) }, { atMs: 10, untilMs: 40 });
    await sim.runUntilIdle();
    // The sync started at 25 keeps its 30 ms although the disk recovers at 40.
    expect(took.sort((a, b) => a[0] - b[0])).toEqual([
      [0, 2],
      [10, 30],
      [25, 30],
      [40, 2],
    ]);
  });

  it('change at once without a time, and refuse a recovery before the slowdown', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('n', () => ({}));
    expect(() => sim.setDisk('n', { syncLatency: constant(5) }, { atMs: 20, untilMs: 10 })).toThrow(
      'untilMs (10) must not be before atMs (20).',
    );
    expect(() => sim.setDisk('nope', { syncLatency: constant(5) })).toThrow(/nope/);
  });
});

describe('pause and resume', () => {
  it('hold messages and timers while paused and run them, in order, on resume', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    const seen: string[] = [];
    sim.addNode('n', (ctx) => ({
      onStart: () => void ctx.setTimer(20, () => void seen.push(`timer at ${sim.nowMs}`)),
      onMessage: (m) => void seen.push(`${String(m.body)} at ${sim.nowMs}`),
    }));
    sim.addNode('a', (ctx) => ({
      onStart() {
        ctx.setTimer(10, () => ctx.send('n', 'm1'));
        ctx.setTimer(30, () => ctx.send('n', 'm2'));
        ctx.setTimer(60, () => ctx.send('n', 'm3'));
      },
    }));
    sim.pause('n', { atMs: 5, resumeAtMs: 50 });
    await sim.runUntil(40);
    expect(sim.node('n').paused).toBe(true);
    expect(seen).toEqual([]);
    await sim.runUntilIdle();
    expect(seen).toEqual(['m1 at 50', 'timer at 50', 'm2 at 50', 'm3 at 61']);
  });
});

describe('node views', () => {
  it('stay live across a crash and a restart, and show the node as it is now when logged', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('n', () => ({ onRequest: () => 'ok' }));
    const view = sim.node('n');
    expect(sim.node('n')).toBe(view);
    expect(view.state).toBe('up');
    sim.crash('n', { atMs: 10, restartAtMs: 20 });
    await sim.runUntil(15);
    expect(view.state).toBe('down');
    expect(JSON.parse(JSON.stringify(view))).toMatchObject({ name: 'n', state: 'down', restarts: 0 });
    await sim.runUntil(25);
    expect([view.state, view.restarts]).toEqual(['up', 1]);
    expect(() => sim.node('missing')).toThrow(/no node named "missing"/);
  });
});

describe('handler errors', () => {
  it('stop the run with the node name and time by default', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('n', (ctx) => ({
      onStart: () => void ctx.setTimer(5, () => {
        throw new Error('boom');
      }),
    }));
    await expect(sim.runUntilIdle()).rejects.toThrow(new NodeHandlerError('n', 5, new Error('boom')).message);
  });

  it('are collected instead when failOnHandlerError is false', async () => {
    const sim = new Simulation({ seed: 1, failOnHandlerError: false });
    sim.addNode('n', () => ({
      async onStart() {
        throw new Error('async boom');
      },
    }));
    await sim.runUntilIdle();
    expect(sim.errors.map((e) => e.message)).toEqual(['n threw at t=0 ms: async boom']);
    expect(sim.trace.ofType('error')).toHaveLength(1);
  });
});
