import { describe, expect, it } from 'vitest';
import { scenario } from '../../../src/scenarios/queueing-utilisation.ts';
import { RunStore } from '../../../src/runtime/visual/store.ts';
import { OUTCOMES, TraceBatcher, describeBody, transferables } from '../../../src/sim/index.ts';

describe('turning a trace into batches', () => {
  it('streams a real run in batches that add up to the whole trace, with one ending per message', async () => {
    const built = scenario.build({ ratePerS: 300, workers: 1 }, 7);
    const nodes = [...built.sim.nodes];
    const batcher = new TraceBatcher(nodes);
    const store = new RunStore({
      scenarioId: scenario.id, title: '', description: '', params: [], seed: 7, nodes, groups: [{ name: 'all', nodes: nodes.map((_, i) => i) }],
      durationMs: 2_000, bucketMs: 50, slo: {}, traced: true,
    });
    let cursor = 0;
    for (let t = 100; t <= 2_000; t += 100) {
      await built.sim.runUntil(t);
      const events = built.sim.trace.events;
      for (; cursor < events.length; cursor++) batcher.add(events[cursor]!);
      const b = batcher.take();
      expect(transferables(b)).toHaveLength(8);
      store.ingest({ ...b, untilMs: t, buckets: [], traceTruncated: false, done: false });
    }
    const sends = built.sim.trace.ofType('send').length;
    expect(store.count).toBe(sends);
    const drops = built.sim.trace.ofType('drop');
    const rejects = built.sim.trace.ofType('reject');
    // 300 QPS into one worker of 100/s overflows the queue: the rejected requests are drawn as dropped.
    expect(rejects.length).toBeGreaterThan(0);
    expect(drops.every((d) => OUTCOMES.includes(d.reason))).toBe(true);
    let dropped = 0;
    let queueFull = 0;
    for (let row = 0; row < store.count; row++) {
      if (store.dropped(row)) dropped++;
      if (store.outcome(row) === 'queue-full') queueFull++;
    }
    expect(queueFull).toBe(rejects.length);
    expect(dropped).toBe(drops.length + rejects.length);
  });

  it('describes message bodies briefly, whatever they hold', () => {
    expect(describeBody({ kind: 'put', key: 'k1', value: 'v' })).toBe('put key=k1 value=v');
    expect(describeBody('ping')).toBe('ping');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeBody(circular)).toBe('[object Object]');
    expect(describeBody('x'.repeat(500)).length).toBeLessThanOrEqual(120);
  });
});
