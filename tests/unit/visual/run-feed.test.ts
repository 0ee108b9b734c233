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
import { buildRaftElection, scenario as raftElection } from '../../../src/scenarios/raft-election.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';
import { Simulation } from '../../../src/sim/index.ts';

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

  it('carries each node’s note in every bucket of a scenario that keeps notes, without changing the run', async () => {
    const built = buildRaftElection(defaultParams(raftElection), 1);
    const feed = new RunFeed(raftElection, built, 1);
    expect(feed.meta.notes).toBe(true);
    const { store } = await play(feed);
    const servers = feed.meta.nodes.map((n, i) => [n, i] as const).filter(([n]) => n !== 'clients');
    const clients = feed.meta.nodes.indexOf('clients');
    for (const b of store.buckets) {
      for (const [name, i] of servers) expect(b.nodes[i]!.note, `${name} at ${b.endMs} ms`).toMatch(/^(down|(follower|candidate|leader) · term \d+)$/);
      // The scenario has no note for its clients: the sample has no such field at all.
      expect('note' in b.nodes[clients]!).toBe(false);
    }
    // Each bucket holds the notes as they were at its end: one leader at 1 s, the crashed one down at 4.1 s.
    const at = (ms: number) => store.buckets.find((b) => b.endMs >= ms)!;
    const leaders = (ms: number) => servers.filter(([, i]) => at(ms).nodes[i]!.note!.startsWith('leader')).map(([n]) => n);
    expect(leaders(1_000)).toEqual(['n2']);
    expect(at(4_100).nodes[feed.meta.nodes.indexOf('n2')]!.note).toBe('down');
    // Sampling every bucket leaves the run exactly as an unobserved one.
    const quiet = buildRaftElection(defaultParams(raftElection), 1);
    await quiet.sim.runUntil(quiet.durationMs);
    expect(built.sim.trace.hash).toBe(quiet.sim.trace.hash);
  });

  it('sends no notes for a scenario that keeps none, and none for a node missing from the record', async () => {
    const plain = buildRebalance(defaultParams(rebalance), SEED, { trace: false });
    const feed = new RunFeed(rebalance, plain.built, SEED);
    expect(feed.meta.notes).toBe(false);
    await feed.step();
    const [bucket] = feed.take().batch.buckets;
    expect(bucket!.nodes.length).toBeGreaterThan(0);
    for (const sample of bucket!.nodes) expect(Object.keys(sample)).toEqual(['queueDepth', 'inService', 'served', 'rejected', 'up', 'paused']);

    // A node whose name an object inherits ("toString") is not in the record either.
    const sim = new Simulation({ seed: SEED });
    sim.addNode('a', () => ({}));
    sim.addNode('toString', () => ({}));
    const noted = new RunFeed({ id: 'noted', title: 'Noted', description: '', params: [] }, { sim, durationMs: 100, nodeNotes: () => ({ a: 'primary · epoch 2' }) }, SEED);
    expect(noted.meta.notes).toBe(true);
    await noted.step();
    const samples = noted.take().batch.buckets[0]!.nodes;
    expect(samples[noted.meta.nodes.indexOf('a')]!.note).toBe('primary · epoch 2');
    expect('note' in samples[noted.meta.nodes.indexOf('toString')]!).toBe(false);
  });

  it('cuts a run into the scenario’s own chart buckets when it names them, and refuses a width that makes no chart', async () => {
    const sim = (): Simulation => {
      const s = new Simulation({ seed: SEED });
      s.addNode('a', () => ({}));
      return s;
    };
    const plain = new RunFeed({ id: 'plain', title: 'Plain', description: '', params: [] }, { sim: sim(), durationMs: 8_000 }, SEED);
    expect(plain.meta.bucketMs).toBe(20);
    expect(plain.meta.latencyScale).toBe('linear');
    const sparse = new RunFeed(
      { id: 'sparse', title: 'Sparse', description: '', params: [] },
      { sim: sim(), durationMs: 8_000, charts: { bucketMs: 100, latencyScale: 'log' } },
      SEED,
    );
    expect(sparse.meta.bucketMs).toBe(100);
    expect(sparse.meta.latencyScale).toBe('log');
    const store = new RunStore(sparse.meta);
    while (!sparse.done) await sparse.step();
    store.ingest(sparse.take().batch);
    expect(store.buckets.length).toBe(80);
    expect(store.buckets.at(-1)!.endMs).toBe(8_000);
    for (const bucketMs of [0, -5, Number.NaN, 1, 1_000]) {
      expect(() => new RunFeed({ id: 'odd', title: 'Odd', description: '', params: [] }, { sim: sim(), durationMs: 8_000, charts: { bucketMs } }, SEED)).toThrow(
        /scenario odd asks for chart buckets of .* ms; a run of 8000 ms takes buckets from 2 ms to 400 ms/,
      );
    }
  });
});
