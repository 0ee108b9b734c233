/**
 * The raft-log-throughput scenario measures what the lesson "The log" computes in "Why fsync
 * bounds throughput": one commit per fsync without batching (500 a second at 2 ms, 100 at
 * 10 ms), a batch per fsync with it, and a round trip per batch when the leader stops and
 * waits. The clients keep the log saturated, so with batching every fsync finds its full
 * batch of 50 waiting and the figures are the lesson's: 50 / 2 ms = 25,000 a second, and
 * 50 / (1 + 2) ms ≈ 16,667 stop and wait.
 *
 * Rates are entries committed per second between {@link FROM_MS} (after the first batches)
 * and the moment the clients stop, read from the cluster's record of the leader's commits;
 * the answers the throughput chart counts are checked against them. Tolerance: 5%, for the
 * ±10% drawn around each fsync time and the edges of the window.
 */
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../../src/runtime/visual/metrics-data.ts';
import { RunFeed } from '../../../src/runtime/visual/run-feed.ts';
import { RunStore } from '../../../src/runtime/visual/store.ts';
import { getScenario } from '../../../src/scenarios/index.ts';
import { MAX_BATCH, SERVERS } from '../../../src/scenarios/consensus/throughput.ts';
import { buildRaftLogThroughput, CLIENTS, LOAD_MS, scenario } from '../../../src/scenarios/raft-log-throughput.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

/** The seed the lesson's simulation starts with (`DEFAULT_SEED` of the live view). */
const SEED = 1;
/** The measuring window starts here: the first batches have gone through by then. */
const FROM_MS = 100;
const TOLERANCE = 0.05;

async function run(overrides: ParamValues, seed = SEED, trace = false) {
  const built = buildRaftLogThroughput({ ...defaultParams(scenario), ...overrides }, seed, { trace });
  await built.sim.runUntil(built.durationMs);
  const { cluster } = built;
  const history = cluster.load.history;
  const answered = history.filter((op) => op.status === 'ok' && op.returnMs! > FROM_MS && op.returnMs! <= LOAD_MS).length;
  return {
    built,
    summary: built.sim.summary(),
    errors: built.sim.errors,
    /** Entries committed per second in the window. */
    commitRate: cluster.commitRate(FROM_MS, LOAD_MS),
    /** Answers the clients received per second in the window: what the throughput chart shows. */
    answerRate: (answered * 1_000) / (LOAD_MS - FROM_MS),
  };
}

/** `actual` within {@link TOLERANCE} of `expected`. */
function near(actual: number, expected: number, what: string): void {
  const message = `${what}: ${actual.toPrecision(5)}, expected ${expected.toPrecision(5)} ± ${TOLERANCE * 100}%`;
  expect(actual, message).toBeGreaterThan(expected * (1 - TOLERANCE));
  expect(actual, message).toBeLessThan(expected * (1 + TOLERANCE));
}

describe('the raft-log-throughput scenario', { timeout: 60_000 }, () => {
  it('is registered and builds through the Scenario interface without starting the run', () => {
    expect(getScenario('raft-log-throughput')).toBe(scenario);
    expect(scenario.params.map((p) => p.name)).toEqual(['fsyncMs', 'batching', 'pipelining']);
    expect(defaultParams(scenario)).toEqual({ fsyncMs: 2, batching: false, pipelining: true });
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    expect(built.sim.trace.enabled, 'the lesson draws the messages').toBe(true);
    expect(built.groups).toEqual({ clients: ['clients'], leader: ['n1'], followers: ['n2', 'n3'] });
    expect(built.nodeNotes!()).toEqual({
      n1: 'leader · commit 0 · 0/fsync',
      n2: 'follower · synced 0 · 0/fsync',
      n3: 'follower · synced 0 · 0/fsync',
    });
  });

  it('gives the same trace and numbers for the same seed, and another trace for another seed', async () => {
    const cases: ParamValues[] = [{}, { batching: true, fsyncMs: 5 }, { batching: true, pipelining: false, fsyncMs: 10 }];
    for (const overrides of cases) {
      const a = await run(overrides, SEED, true);
      const b = await run(overrides, SEED, true);
      expect(b.built.sim.trace.hash).toBe(a.built.sim.trace.hash);
      expect(b.summary).toEqual(a.summary);
      expect(b.commitRate).toBe(a.commitRate);
      expect(b.built.nodeNotes!()).toEqual(a.built.nodeNotes!());
      const c = await run(overrides, SEED + 1, true);
      expect(c.built.sim.trace.hash).not.toBe(a.built.sim.trace.hash);
    }
  });

  it('answers every command before the run ends, on any seed', async () => {
    // The slowest drains, without batching; `drainMs` leaves 2% of spare time for them.
    for (let seed = 1; seed <= 10; seed++) {
      for (const pipelining of [false, true]) {
        const { summary } = await run({ fsyncMs: 10, pipelining }, seed);
        expect(summary.ok, `seed ${seed}, pipelining ${pipelining}`).toBe(summary.operations);
      }
    }
  });

  it('answers every command the clients send, in every corner of the controls', async () => {
    for (const fsyncMs of [2, 10]) {
      for (const batching of [false, true]) {
        for (const pipelining of [false, true]) {
          const { summary, errors, built } = await run({ fsyncMs, batching, pipelining });
          const where = `fsync ${fsyncMs} ms, batching ${batching}, pipelining ${pipelining}`;
          expect(errors, where).toEqual([]);
          expect(summary.operations, where).toBeGreaterThan(CLIENTS);
          expect(summary.ok, where).toBe(summary.operations);
          expect(summary.availability, where).toBe(1);
          // Every server ends with the whole log durable, and the leader has committed all of it.
          const notes = built.nodeNotes!();
          const committed = built.cluster.servers['n1']!.commit;
          expect(committed, where).toBe(summary.ok);
          for (const s of SERVERS) expect(built.cluster.servers[s]!.synced, where).toBe(committed);
          for (const line of Object.values(notes)) expect(line.length, where).toBeLessThanOrEqual(40);
        }
      }
    }
  });

  it('without batching commits one entry per fsync: 500 a second at 2 ms, 100 at 10 ms, and the clients queue', async () => {
    const fast = await run({ fsyncMs: 2 });
    near(fast.commitRate, 500, 'unbatched, 2 ms');
    near(fast.answerRate, 500, 'answers, unbatched, 2 ms');
    // 150 clients wait in line for one fsync each: about 150 × 2 ms.
    expect(fast.summary.latency.p50Ms).toBeGreaterThan(CLIENTS * 2 * 0.9);
    expect(fast.summary.latency.p50Ms).toBeLessThan(CLIENTS * 2 * 1.1);
    expect(fast.built.nodeNotes!()['n1']).toMatch(/ · 1\/fsync$/);

    const slow = await run({ fsyncMs: 10 });
    near(slow.commitRate, 100, 'unbatched, 10 ms');
    near(slow.answerRate, 100, 'answers, unbatched, 10 ms');
  });

  it('with batching commits a full batch of 50 per fsync: about 25,000 a second at 2 ms, in about 6 ms', async () => {
    const unbatched = await run({ fsyncMs: 2 });
    const batched = await run({ fsyncMs: 2, batching: true });
    expect(MAX_BATCH).toBe(50);
    near(batched.commitRate, 25_000, 'batched, 2 ms');
    near(batched.answerRate, 25_000, 'answers, batched, 2 ms');
    expect(batched.built.cluster.meanLeaderBatch()).toBeGreaterThan(49);
    expect(batched.commitRate / unbatched.commitRate).toBeGreaterThan(45);
    // Same clients, a fiftieth of the wait: about 1 ms to and from the leader, a wait for the
    // fsync under way, and the leader's fsync alongside a follower's.
    expect(batched.summary.latency.p50Ms).toBeGreaterThan(4);
    expect(batched.summary.latency.p50Ms).toBeLessThan(8);
    // With a 10 ms disk the batches stay full: 50 / 10 ms = 5,000 a second.
    near((await run({ fsyncMs: 10, batching: true })).commitRate, 5_000, 'batched, 10 ms');
  });

  it('without pipelining a follower syncs one batch per round trip and fsync: about 16,667 a second at 2 ms', async () => {
    const pipelined = await run({ fsyncMs: 2, batching: true, pipelining: true });
    const stopAndWait = await run({ fsyncMs: 2, batching: true, pipelining: false });
    near(stopAndWait.commitRate, 50 / 0.003, 'batched, stop and wait, 2 ms');
    near(stopAndWait.answerRate, 50 / 0.003, 'answers, batched, stop and wait, 2 ms');
    // The followers' batches are full; the leader's own fsyncs run every 2 ms, so they hold less.
    expect(stopAndWait.built.nodeNotes!()['n2']).toMatch(/ · 50\/fsync$/);
    // Pipelining gives back the round trip: 3 ms per batch against 2.
    near(pipelined.commitRate / stopAndWait.commitRate, 1.5, 'pipelined rate over stop-and-wait rate');
    // And without batching: one entry per 1 + 2 ms.
    near((await run({ fsyncMs: 2, pipelining: false })).commitRate, 1 / 0.003, 'unbatched, stop and wait, 2 ms');
  });

  it('shows the same figures on other seeds', async () => {
    for (const seed of [2, 3]) {
      near((await run({ fsyncMs: 2 }, seed)).commitRate, 500, `unbatched, seed ${seed}`);
      near((await run({ fsyncMs: 2, batching: true }, seed)).commitRate, 25_000, `batched, seed ${seed}`);
      near((await run({ fsyncMs: 2, batching: true, pipelining: false }, seed)).commitRate, 50 / 0.003, `stop and wait, seed ${seed}`);
    }
  });

  it('shows the bound on the page: the throughput chart and the throughput of the last second', async () => {
    const cases: { params: ParamValues; bound: number }[] = [
      { params: { fsyncMs: 2 }, bound: 500 },
      { params: { fsyncMs: 10 }, bound: 100 },
      { params: { fsyncMs: 2, batching: true }, bound: 25_000 },
      { params: { fsyncMs: 2, batching: true, pipelining: false }, bound: 50 / 0.003 },
    ];
    for (const { params, bound } of cases) {
      const built = buildRaftLogThroughput({ ...defaultParams(scenario), ...params }, SEED, { trace: false });
      const feed = new RunFeed(scenario, built, SEED);
      const store = new RunStore(feed.meta);
      while (!feed.done) {
        await feed.step();
        store.ingest(feed.take().batch);
      }
      const where = JSON.stringify(params);
      // The chart's buckets while the clients send, after the first batches: answers per second.
      const loaded = store.buckets.filter((b) => b.startMs >= FROM_MS && b.endMs <= LOAD_MS);
      const perS = (loaded.reduce((n, b) => n + b.ok, 0) * 1_000) / (loaded.at(-1)!.endMs - loaded[0]!.startMs);
      near(perS, bound, `throughput chart, ${where}`);
      // Each bucket holds ten fsyncs, so the line is steady, not a zigzag of whole commits
      // per bucket: every loaded bucket within 15% of the bound.
      expect(feed.meta.bucketMs, where).toBe(Math.min(10 * Number(params['fsyncMs']), feed.meta.durationMs / 20));
      for (const b of loaded) {
        const rate = (b.ok * 1_000) / (b.endMs - b.startMs);
        expect(Math.abs(rate - bound) / bound, `${where}: ${Math.round(rate)} a second in the bucket at ${b.startMs} ms`).toBeLessThanOrEqual(0.15);
      }
      // The run ends a little after the last answer (up to about 60 ms at 10 ms without
      // batching: see `drainMs`), so the last second holds a few idle milliseconds.
      const end = snapshot(feed.meta, store.buckets, store.buckets.length - 1, feed.meta.durationMs);
      expect(end.throughputPerS, `throughput in the last second, ${where}`).toBeGreaterThan(bound * 0.9);
      expect(end.throughputPerS, `throughput in the last second, ${where}`).toBeLessThan(bound * (1 + TOLERANCE));
      expect(end.availability, where).toBe(1);
    }
  });

  it('keeps its whole message trace in the busiest setting, so the message view is complete', async () => {
    const { built } = await run({ fsyncMs: 2, batching: true }, SEED, true);
    expect(built.sim.trace.truncated).toBe(false);
  });
});
