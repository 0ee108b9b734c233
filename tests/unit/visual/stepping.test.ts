/** Stepping through a run, and asking the worker for more of it (stepping.ts). */
import { describe, expect, it } from 'vitest';
import type { RunMeta } from '../../../src/runtime/visual/protocol.ts';
import { RunStore } from '../../../src/runtime/visual/store.ts';
import { demandTarget, dropSearchFromMs, nextStep } from '../../../src/runtime/visual/stepping.ts';

const meta: RunMeta = {
  scenarioId: 'test',
  title: 't',
  description: 'd',
  params: [],
  seed: 1,
  nodes: ['a', 'b'],
  groups: [{ name: 'nodes', nodes: [0, 1] }],
  durationMs: 1_000,
  bucketMs: 10,
  slo: {},
  traced: true,
};

/** A store that has run to `untilMs`, holding messages sent at the given times and ended at the given ones. */
function storeWith(messages: [send: number, end?: number][], untilMs: number, done = false): RunStore {
  const store = new RunStore(meta);
  const ended = messages.flatMap(([, end], i) => (end === undefined ? [] : [[i + 1, end] as const]));
  store.ingest({
    untilMs,
    messages: {
      id: Int32Array.from(messages.map((_, i) => i + 1)),
      sendMs: Float64Array.from(messages.map(([send]) => send)),
      from: Uint16Array.from(messages.map(() => 0)),
      to: Uint16Array.from(messages.map(() => 1)),
      kind: Uint8Array.from(messages.map(() => 1)),
      body: messages.map(() => 'ping'),
    },
    ends: { id: Int32Array.from(ended.map((e) => e[0])), endMs: Float64Array.from(ended.map((e) => e[1])), outcome: Uint8Array.from(ended.map(() => 1)) },
    lanes: [],
    cuts: [],
    buckets: [],
    traceTruncated: false,
    done,
  });
  return store;
}

describe('the Step button', () => {
  it('moves to the next message sent after the playhead', () => {
    expect(nextStep(storeWith([[10, 50], [30, 60]], 100), 10)).toEqual({ kind: 'seek', atMs: 30 });
  });

  it('stops at a message in flight arriving before the next one is sent', () => {
    expect(nextStep(storeWith([[10, 20], [30, 60]], 100), 12)).toEqual({ kind: 'seek', atMs: 20 });
  });

  it('waits for the worker when the next thing may lie beyond what it has run', () => {
    expect(nextStep(storeWith([[10, 20]], 100), 20)).toEqual({ kind: 'wait', untilMs: 100 + 10 * 20 });
    expect(nextStep(storeWith([[10, 20]], 950), 20)).toEqual({ kind: 'wait', untilMs: 1_000 });
  });

  it('says the run is over when nothing more happens in a finished run', () => {
    expect(nextStep(storeWith([[10, 20]], 1_000, true), 20)).toEqual({ kind: 'end' });
  });
});

describe('asking the worker for more of the run', () => {
  const base = { wantMs: 200, lastMs: 100, force: false, done: false, bucketMs: 10, durationMs: 1_000 };

  it('asks once the want has moved on by a few buckets', () => {
    expect(demandTarget(base)).toBe(200);
    expect(demandTarget({ ...base, wantMs: 130 })).toBeUndefined();
  });

  it('asks for the end of the run however close it is', () => {
    expect(demandTarget({ ...base, lastMs: 995, wantMs: 1_000 })).toBe(1_000);
  });

  it('asks nothing of a finished worker, or for less than was asked, unless forced', () => {
    expect(demandTarget({ ...base, done: true })).toBeUndefined();
    expect(demandTarget({ ...base, wantMs: 50 })).toBeUndefined();
    expect(demandTarget({ ...base, wantMs: 50, force: true })).toBe(50);
  });
});

describe('the Next ✕ button', () => {
  it('searches from the start while following the playhead, else past the middle of the window', () => {
    expect(dropSearchFromMs(true, { startMs: 100, endMs: 300 })).toBe(0);
    expect(dropSearchFromMs(false, { startMs: 100, endMs: 300 })).toBeCloseTo(200, 3);
    expect(dropSearchFromMs(false, { startMs: 100, endMs: 300 })).toBeGreaterThan(200);
  });
});
