import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation, constant, exponential, uniform, type Message, type TraceEvent } from '../../../src/sim/index.ts';

/** A node that records what it receives; `sink` fills in arrival times. */
function recorder(sim: Simulation, name: string, received: { from: string; body: unknown; atMs: number }[] = []) {
  sim.addNode(name, () => ({
    onMessage(message: Message) {
      received.push({ from: message.from, body: message.body, atMs: sim.nowMs });
    },
  }));
  return received;
}

/** A node that sends `bodies` to `to`, one every `gapMs`, starting at time 0. */
function sender(sim: Simulation, name: string, to: string, bodies: readonly unknown[], gapMs = 0): void {
  sim.addNode(name, (ctx) => ({
    onStart() {
      bodies.forEach((body, i) => {
        if (gapMs === 0) ctx.send(to, body);
        else ctx.setTimer(i * gapMs, () => ctx.send(to, body));
      });
    },
  }));
}

describe('the network', () => {
  it('delivers a message after the link latency', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(7) } });
    const received = recorder(sim, 'b');
    sender(sim, 'a', 'b', ['hello']);
    await sim.runUntilIdle();
    expect(received).toEqual([{ from: 'a', body: 'hello', atMs: 7 }]);
  });

  it('uses a per-link latency where one is set, in the chosen direction only', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    const atB = recorder(sim, 'b');
    const atA: { from: string; body: unknown; atMs: number }[] = [];
    sim.addNode('a', (ctx) => ({
      onStart: () => ctx.send('b', 'ping'),
      onMessage: (m) => void atA.push({ from: m.from, body: m.body, atMs: sim.nowMs }),
    }));
    sim.setLink('a', 'b', { latency: constant(50), oneWay: true });
    await sim.runUntilIdle();
    expect(atB[0]?.atMs).toBe(50);
    expect(atA).toEqual([]);
  });

  it('delivers nothing across a partition, whatever its shape and timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
        async (seed, startMs, lengthMs, groupOf) => {
          const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
          const sim = new Simulation({ seed, network: { latency: uniform(0.5, 6) } });
          for (const name of names) {
            sim.addNode(name, (ctx) => ({
              onStart() {
                for (let i = 0; i < 30; i++) {
                  ctx.setTimer(i * 3, () => ctx.send(names[ctx.random.int(names.length)]!, i));
                }
              },
              onMessage() {},
            }));
          }
          const groups = [0, 1, 2, 3, 4].map((g) => names.filter((_, i) => groupOf[i] === g)).filter((g) => g.length);
          sim.partition(groups, { atMs: startMs, healAtMs: startMs + lengthMs });
          await sim.runUntilIdle();
          const group = (name: string): number => groupOf[names.indexOf(name)]!;
          for (const event of sim.trace.events) {
            if (event.type !== 'deliver') continue;
            const inWindow = event.t >= startMs && event.t < startMs + lengthMs;
            if (inWindow) expect(group(event.from)).toBe(group(event.to));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('drops a message that was in flight when the partition started', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(10) } });
    const received = recorder(sim, 'b');
    sender(sim, 'a', 'b', ['lost']);
    sim.partition([['a'], ['b']], { atMs: 5, healAtMs: 20 });
    await sim.runUntilIdle();
    expect(received).toEqual([]);
    expect(sim.trace.ofType('drop')).toEqual([{ t: 10, type: 'drop', from: 'a', to: 'b', id: 1, reason: 'partition' }]);
  });

  it('delivers again once the partition heals', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    const received = recorder(sim, 'b');
    sender(sim, 'a', 'b', [0, 1, 2, 3], 10);
    const partition = sim.partition([['a'], ['b']], { atMs: 5, healAtMs: 25 });
    await sim.runUntil(6);
    expect(partition.active).toBe(true);
    await sim.runUntilIdle();
    expect(partition.active).toBe(false);
    expect(received.map((r) => r.body)).toEqual([0, 3]);
  });

  it('cuts a link one way only: replies still flow back', async () => {
    const sim = new Simulation({ seed: 1 });
    const atA = recorder(sim, 'a');
    const atB = recorder(sim, 'b');
    sim.addNode('driver', (ctx) => ({
      onStart() {
        ctx.send('a', 'to a');
        ctx.send('b', 'to b');
      },
    }));
    sim.cutLink('driver', 'a');
    await sim.runUntilIdle();
    expect(atA).toEqual([]);
    expect(atB.map((r) => r.body)).toEqual(['to b']);
  });

  it('isolates one node from everybody, both ways', async () => {
    const sim = new Simulation({ seed: 1 });
    const atLonely = recorder(sim, 'lonely');
    const atOther = recorder(sim, 'other');
    sim.addNode('x', (ctx) => ({ onStart: () => (ctx.send('lonely', 1), ctx.send('other', 2)) }));
    sim.addNode('y', (ctx) => ({ onStart: () => ctx.send('other', 3) }));
    sim.isolate('lonely');
    await sim.runUntilIdle();
    expect(atLonely).toEqual([]);
    expect(atOther.map((r) => r.body).sort()).toEqual([2, 3]);
  });

  it('keeps send order on a FIFO link even with random latency', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const sim = new Simulation({ seed, network: { latency: exponential(5), fifo: true } });
        const received = recorder(sim, 'b');
        const bodies = Array.from({ length: 50 }, (_, i) => i);
        sender(sim, 'a', 'b', bodies, 0.5);
        await sim.runUntilIdle();
        expect(received.map((r) => r.body)).toEqual(bodies);
      }),
      { numRuns: 30 },
    );
  });

  it('lets messages overtake each other on a non-FIFO link', async () => {
    const sim = new Simulation({ seed: 2, network: { latency: exponential(5) } });
    const received = recorder(sim, 'b');
    const bodies = Array.from({ length: 50 }, (_, i) => i);
    sender(sim, 'a', 'b', bodies, 0.5);
    await sim.runUntilIdle();
    expect(received.map((r) => r.body)).not.toEqual(bodies);
    expect(received.map((r) => r.body).sort((x, y) => Number(x) - Number(y))).toEqual(bodies);
  });

  it('loses about the configured fraction of messages', async () => {
    const sim = new Simulation({ seed: 3, network: { dropProbability: 0.2 }, trace: { enabled: false } });
    const received = recorder(sim, 'b');
    sender(sim, 'a', 'b', Array.from({ length: 20_000 }, (_, i) => i));
    await sim.runUntilIdle();
    expect(received.length / 20_000).toBeGreaterThan(0.79);
    expect(received.length / 20_000).toBeLessThan(0.81);
    expect(sim.summary().messagesDropped).toBe(20_000 - received.length);
  });

  it('loses messages network-wide for a window with setLoss, except on links with a loss of their own', async () => {
    const sim = new Simulation({ seed: 5, trace: { enabled: false } });
    const toB = recorder(sim, 'b');
    const toC = recorder(sim, 'c');
    // 1,000 messages each to b and c, one per ms; the loss lasts from 300 to 700 ms.
    sim.addNode('a', (ctx) => ({
      onStart() {
        for (let i = 0; i < 1000; i++) {
          ctx.setTimer(i, () => {
            ctx.send('b', i);
            ctx.send('c', i);
          });
        }
      },
    }));
    sim.setLink('a', 'c', { dropProbability: 0 });
    sim.setLoss(0.5, { atMs: 300, untilMs: 700 });
    await sim.runUntilIdle();
    const lostB = new Set(Array.from({ length: 1000 }, (_, i) => i));
    for (const r of toB) lostB.delete(r.body as number);
    // Sent at t, arriving at t + 1: lost only for sends in [300, 700).
    expect([...lostB].every((i) => i >= 300 && i < 700)).toBe(true);
    expect(lostB.size).toBeGreaterThan(160);
    expect(lostB.size).toBeLessThan(240);
    expect(toC).toHaveLength(1000);
    expect(() => sim.setLoss(1.5)).toThrow('dropProbability must be in [0, 1]; got 1.5.');
  });

  it('keeps the loss a network was built with once a setLoss window ends', async () => {
    const sim = new Simulation({ seed: 6, network: { dropProbability: 0.1 }, trace: { enabled: false } });
    const received = recorder(sim, 'b');
    sim.setLoss(1, { atMs: 0, untilMs: 100 });
    sender(sim, 'a', 'b', Array.from({ length: 10_000 }, (_, i) => i));
    sim.at(100, () => {
      const late = Array.from({ length: 10_000 }, (_, i) => i);
      sim.addNode('a2', (ctx) => ({ onStart: () => late.forEach((i) => ctx.send('b', i)) }));
    });
    await sim.runUntilIdle();
    // Everything sent at 0 is lost; of what a2 sends after 100 ms, about 10%.
    expect(received.length / 10_000).toBeGreaterThan(0.88);
    expect(received.length / 10_000).toBeLessThan(0.92);
  });

  it('duplicates about the configured fraction of messages, keeping their ids', async () => {
    const sim = new Simulation({ seed: 4, network: { duplicateProbability: 0.1 } });
    const ids: number[] = [];
    sim.addNode('b', () => ({ onMessage: (m) => void ids.push(m.id) }));
    sender(sim, 'a', 'b', Array.from({ length: 5000 }, (_, i) => i));
    await sim.runUntilIdle();
    const extra = ids.length - new Set(ids).size;
    expect(extra / 5000).toBeGreaterThan(0.09);
    expect(extra / 5000).toBeLessThan(0.11);
    expect(sim.trace.ofType('duplicate')).toHaveLength(extra);
  });

  it('queues messages behind each other on a link with limited bandwidth', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: constant(1) } });
    const received: number[] = [];
    sim.addNode('b', () => ({ onMessage: () => void received.push(sim.nowMs) }));
    sim.addNode('a', (ctx) => ({
      onStart() {
        for (let i = 0; i < 3; i++) ctx.send('b', i, { sizeBytes: 1000 });
      },
    }));
    // 100 bytes per millisecond: each 1000-byte message takes 10 ms to put on the wire.
    sim.setLink('a', 'b', { bandwidthBytesPerMs: 100 });
    await sim.runUntilIdle();
    expect(received).toEqual([11, 21, 31]);
  });

  it('drops messages to a crashed node and says why', async () => {
    const sim = new Simulation({ seed: 1 });
    const received = recorder(sim, 'b');
    sender(sim, 'a', 'b', ['x']);
    sim.crash('b');
    await sim.runUntilIdle();
    expect(received).toEqual([]);
    const drops = sim.trace.ofType('drop') as Extract<TraceEvent, { type: 'drop' }>[];
    expect(drops.map((d) => d.reason)).toEqual(['node-down']);
  });

  it('refuses to send to a node that does not exist, naming the known nodes', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode('a', (ctx) => ({ onStart: () => ctx.send('nobody', 1) }));
    await expect(sim.runUntilIdle()).rejects.toThrow(/"nobody", which is not a node\. Nodes: a/);
  });
});
