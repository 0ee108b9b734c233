/**
 * What the live views are fed: the numbers must be the simulator's own (its summary), and
 * they must not depend on whether the scenario records a message trace.
 */
import { describe, expect, it } from 'vitest';
import { snapshot, histogramUpTo } from '../../../src/runtime/visual/metrics-data.ts';
import { RunFeed } from '../../../src/runtime/visual/run-feed.ts';
import { untracedNote } from '../../../src/runtime/visual/sequence-data.ts';
import { RunStore } from '../../../src/runtime/visual/store.ts';
import { buildRebalance, scenario as rebalance } from '../../../src/scenarios/sharding-rebalance.ts';
import { listScenarios } from '../../../src/scenarios/index.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';

const SEED = 7;

/** Feeds a whole run into a store, checking the summary row against the simulator after every batch. */
async function play(feed: RunFeed, everyBuckets = 10): Promise<{ store: RunStore; checked: number }> {
  const store = new RunStore(feed.meta);
  const sim = feed.built.sim;
  let checked = 0;
  while (!feed.done) {
    for (let i = 0; i < everyBuckets && !feed.done; i++) await feed.step();
    store.ingest(feed.take().batch);
    const last = store.buckets.length - 1;
    const shown = snapshot(feed.meta, store.buckets, last, store.buckets[last]!.endMs);
    const summary = sim.summary();
    expect(shown.ok).toBe(summary.ok);
    expect(shown.p99Ms).toBe(summary.latency.count > 0 ? summary.latency.p99Ms : Number.NaN);
    // While the run goes on, requests still in flight are not judged yet.
    if (!feed.done) expect(shown.completed).toBe(summary.operations - summary.open);
    checked++;
  }
  return { store, checked };
}

describe('the numbers a live simulation shows', () => {
  it('equal the simulator’s own summary for a scenario run with its trace off, at the end and along the way', async () => {
    // The stale router loses requests, so availability is neither 0 nor 1.
    const run = buildRebalance({ ...defaultParams(rebalance), router: 'stale' }, SEED, { trace: false });
    const feed = new RunFeed(rebalance, run.built, SEED);
    expect(feed.meta.traced).toBe(false);
    const { store, checked } = await play(feed);
    expect(checked).toBeGreaterThan(5);

    const summary = run.built.sim.summary();
    expect(summary.ok).toBeGreaterThan(1_000);
    expect(summary.availability).toBeLessThan(0.99);
    const end = snapshot(feed.meta, store.buckets, store.buckets.length - 1, feed.meta.durationMs);
    expect(end.ok).toBe(summary.ok);
    expect(end.completed).toBe(summary.operations);
    expect(end.availability).toBe(summary.availability);
    expect(end.p50Ms).toBe(summary.latency.p50Ms);
    expect(end.p99Ms).toBe(summary.latency.p99Ms);
    expect(end.slo).toEqual([
      { label: 'p99 latency', target: '≤ 25 ms', pass: summary.latency.p99Ms <= 25 },
      { label: 'availability', target: '≥ 99.9%', pass: false },
    ]);

    // The charts add up to the same totals: per-bucket outcomes, and one histogram entry per success.
    const sum = (pick: (b: (typeof store.buckets)[number]) => number) => store.buckets.reduce((a, b) => a + pick(b), 0);
    expect(sum((b) => b.ok)).toBe(summary.ok);
    expect(sum((b) => b.failed)).toBe(summary.failed);
    expect(sum((b) => b.unknown) + store.buckets.at(-1)!.totalOpen).toBe(summary.unknown);
    expect(histogramUpTo(store.buckets, store.buckets.length - 1).reduce((a, b) => a + b, 0)).toBe(summary.latency.count);
    // No trace, no messages: the message view says so in words instead.
    expect(store.count).toBe(0);
    expect(untracedNote(feed.meta)).toMatch(/without a message trace/);
    expect(store.done).toBe(true);
  });

  it('are the same with the trace on, and then the messages come too', async () => {
    const untraced = buildRebalance({ ...defaultParams(rebalance), router: 'retry' }, SEED, { trace: false });
    const traced = buildRebalance({ ...defaultParams(rebalance), router: 'retry' }, SEED, { trace: true });
    const a = await play(new RunFeed(rebalance, untraced.built, SEED), 40);
    const tracedFeed = new RunFeed(rebalance, traced.built, SEED);
    const b = await play(tracedFeed, 40);
    expect(b.store.buckets).toEqual(a.store.buckets);
    expect(b.store.count).toBe(traced.built.sim.trace.ofType('send').length);
    expect(b.store.count).toBeGreaterThan(0);
    expect(untracedNote(tracedFeed.meta)).toBeUndefined();
  });

  it('has every registered scenario build a run that records its messages, as the lessons draw them', () => {
    for (const s of listScenarios()) {
      const built = s.build(defaultParams(s), SEED);
      expect(new RunFeed(s, built, SEED).meta.traced, `${s.id} records no message trace: its sequence diagram would only show a note`).toBe(true);
    }
  });
});
