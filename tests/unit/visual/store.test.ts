import { describe, expect, it } from 'vitest';
import type { MetricBucket, RunMeta } from '../../../src/runtime/visual/protocol.ts';
import { RunStore } from '../../../src/runtime/visual/store.ts';

const meta: RunMeta = {
  scenarioId: 'test',
  title: 't',
  description: 'd',
  params: [],
  seed: 1,
  nodes: ['a', 'b', 'c'],
  groups: [{ name: 'nodes', nodes: [0, 1, 2] }],
  durationMs: 100,
  bucketMs: 10,
  slo: {},
  traced: true,
};

function batch(messages: [id: number, send: number, from: number, to: number][], ends: [id: number, end: number, outcome: number][], untilMs: number, extra: Partial<{ buckets: MetricBucket[]; done: boolean }> = {}) {
  return {
    untilMs,
    messages: {
      id: Int32Array.from(messages.map((m) => m[0])),
      sendMs: Float64Array.from(messages.map((m) => m[1])),
      from: Uint16Array.from(messages.map((m) => m[2])),
      to: Uint16Array.from(messages.map((m) => m[3])),
      kind: Uint8Array.from(messages.map(() => 1)),
      body: messages.map((m) => `body ${m[0]}`),
    },
    ends: { id: Int32Array.from(ends.map((e) => e[0])), endMs: Float64Array.from(ends.map((e) => e[1])), outcome: Uint8Array.from(ends.map((e) => e[2])) },
    lanes: [],
    cuts: [],
    buckets: extra.buckets ?? [],
    traceTruncated: false,
    done: extra.done ?? false,
  };
}

describe('the run store', () => {
  it('pairs a message with its ending even when the ending arrives in a later batch', () => {
    const store = new RunStore(meta);
    store.ingest(batch([[1, 5, 0, 1]], [], 10));
    expect(store.message(0).outcome).toBe('pending');
    store.ingest(batch([], [[1, 12, 1]], 20));
    expect(store.message(0)).toMatchObject({ id: 1, sendMs: 5, endMs: 12, outcome: 'delivered', body: 'body 1' });
    expect(store.maxFlightMs).toBe(7);
  });

  it('lists only the messages visible in a window, including long flights that span it', () => {
    const store = new RunStore(meta);
    store.ingest(
      batch(
        [
          [1, 1, 0, 1],
          [2, 2, 0, 2],
          [3, 30, 1, 0],
          [4, 60, 2, 0],
        ],
        [
          [1, 3, 1],
          [2, 45, 1],
          [3, 31, 1],
          [4, 61, 1],
        ],
        100,
      ),
    );
    expect(store.messagesInWindow(20, 40)).toEqual([1, 2]);
    expect(store.messagesInWindow(0, 100, 2)).toEqual([0, 1]);
    expect(store.inFlightAt(30.5)).toEqual([1, 2]);
    expect(store.inFlightAt(50)).toEqual([]);
  });

  it('keeps a message whose fate is unknown in flight, however long ago it was sent', () => {
    const store = new RunStore(meta);
    store.ingest(batch([[1, 1, 0, 1], [2, 2, 0, 1]], [[2, 3, 1]], 100));
    expect(store.inFlightAt(90)).toEqual([0]);
    expect(store.messagesInWindow(80, 90)).toEqual([0]);
  });

  it('marks dropped messages and finds the next one after a time', () => {
    const store = new RunStore(meta);
    store.ingest(batch([[1, 1, 0, 1], [2, 2, 0, 1], [3, 3, 0, 1]], [[1, 2, 1], [2, 2.5, 2], [3, 4, 5]], 10));
    expect(store.dropped(0)).toBe(false);
    expect(store.outcome(1)).toBe('loss');
    expect(store.outcome(2)).toBe('queue-full');
    expect(store.nextDropped(0)).toBe(1);
    expect(store.nextDropped(2.5)).toBe(2);
    expect(store.nextDropped(3.5)).toBe(-1);
  });

  it('knows which links a partition cuts, and that a heal restores them', () => {
    const store = new RunStore(meta);
    store.ingest({
      ...batch([], [], 100),
      cuts: [
        { t: 10, type: 'partition', label: 'p1', cuts: [[0, 1], [1, 0]] },
        { t: 50, type: 'heal', label: 'p1', cuts: [] },
      ],
      lanes: [
        { t: 20, node: 2, type: 'crash', detail: 'crash' },
        { t: 40, node: 2, type: 'restart', detail: 'restart' },
      ],
    });
    expect(store.cutLinksAt(5).size).toBe(0);
    expect([...store.cutLinksAt(30)].sort()).toEqual(['0>1', '1>0']);
    expect(store.cutLinksAt(60).size).toBe(0);
    expect(store.nodesDownAt(30).has(2)).toBe(true);
    expect(store.nodesDownAt(45).has(2)).toBe(false);
  });

  it('finds the metrics bucket that ended at or before the playhead', () => {
    const store = new RunStore(meta);
    const bucket = (i: number): MetricBucket => ({
      startMs: i * 10, endMs: i * 10 + 10, ok: 0, failed: 0, unknown: 0, p50Ms: Number.NaN, p99Ms: Number.NaN,
      totalOk: 0, totalFailed: 0, totalUnknown: 0, totalOpen: 0, totalP50Ms: Number.NaN, totalP99Ms: Number.NaN, bins: [], nodes: [],
    });
    store.ingest(batch([], [], 30, { buckets: [bucket(0), bucket(1), bucket(2)] }));
    expect(store.bucketIndexAt(5)).toBe(-1);
    expect(store.bucketIndexAt(10)).toBe(0);
    expect(store.bucketIndexAt(29)).toBe(1);
    expect(store.bucketIndexAt(100)).toBe(2);
  });

  it('pairs endings with their messages whatever the ids: small, past the first thousand, negative or huge', () => {
    const store = new RunStore(meta);
    const ids = [1, 5_000, -3, 2 ** 30];
    store.ingest(batch(ids.map((id, i) => [id, i, 0, 1]), [], 10));
    store.ingest(batch([], ids.map((id, i) => [id, 20 + i, 1]), 30));
    expect(ids.map((_, row) => store.endMs(row))).toEqual([20, 21, 22, 23]);
    expect(ids.map((_, row) => store.message(row).id)).toEqual(ids);
  });
});
