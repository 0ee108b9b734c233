import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atMostOneLeaderPerTerm,
  noAcknowledgedWriteLost,
  replicasConverge,
  writesFromHistory,
} from '../../../src/sim/checker/index.ts';
import { cas, get, put, rejected, timedOut } from './fixtures-checker.ts';

describe('at most one leader per term', () => {
  it('passes when each term has a single leader, even seen many times and out of order', () => {
    const result = atMostOneLeaderPerTerm([
      { nodeId: 'n2', term: 2, atMs: 300 },
      { nodeId: 'n1', term: 1, atMs: 100 },
      { nodeId: 'n1', term: 1, atMs: 150 },
      { nodeId: 'n2', term: 2, atMs: 250 },
    ]);
    expect(result).toEqual({ ok: true });
  });

  it('passes on no observations at all', () => {
    expect(atMostOneLeaderPerTerm([])).toEqual({ ok: true });
  });

  it('reports two leaders in one term with when each was first seen', () => {
    const result = atMostOneLeaderPerTerm([
      { nodeId: 1, term: 3, atMs: 120 },
      { nodeId: 4, term: 3, atMs: 180 },
      { nodeId: 1, term: 3, atMs: 200 },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^Term 3 had two leaders: node 1 \(from 120 ms\) and node 4 \(from 180 ms\)\./);
    expect(result.message).toContain('majority');
    expect(result.details).toEqual({
      term: 3,
      leaders: [
        { nodeId: 1, firstSeenMs: 120 },
        { nodeId: 4, firstSeenMs: 180 },
      ],
      termsWithConflicts: [3],
    });
  });

  it('prints simulated times to 0.1 ms, and keeps them exact in the details', () => {
    const result = atMostOneLeaderPerTerm([
      { nodeId: 'n2', term: 1, atMs: 151.90114764263853 },
      { nodeId: 'n5', term: 1, atMs: 1_155.03236003185157 },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^Term 1 had two leaders: node n2 \(from 151\.9 ms\) and node n5 \(from 1,155 ms\)\./);
    expect(result.details.leaders[0]!.firstSeenMs).toBe(151.90114764263853);
  });

  it('reports the term whose rule broke first when several terms have two leaders', () => {
    const result = atMostOneLeaderPerTerm([
      { nodeId: 'a', term: 2, atMs: 10 },
      { nodeId: 'b', term: 2, atMs: 500 },
      { nodeId: 'c', term: 5, atMs: 50 },
      { nodeId: 'd', term: 5, atMs: 60 },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details.term).toBe(5);
    expect(result.details.termsWithConflicts).toEqual([2, 5]);
    expect(result.message).toContain('2 terms broke this rule in all');
  });
});

describe('no acknowledged write lost', () => {
  it('passes when the final value is the last acknowledged write', () => {
    const result = noAcknowledgedWriteLost({
      writes: [
        { key: 'x', value: 'a', invokeMs: 0, ackMs: 10 },
        { key: 'x', value: 'b', invokeMs: 20, ackMs: 30 },
      ],
      finalStates: [{ source: 'node 1', values: { x: 'b' } }],
    });
    expect(result).toEqual({ ok: true });
  });

  it('accepts either of two concurrent acknowledged writes as the final value', () => {
    const writes = [
      { key: 'x', value: 'a', invokeMs: 0, ackMs: 30 },
      { key: 'x', value: 'b', invokeMs: 10, ackMs: 20 },
    ];
    expect(noAcknowledgedWriteLost({ writes, finalStates: [{ source: 'n1', values: { x: 'a' } }] }).ok).toBe(true);
    expect(noAcknowledgedWriteLost({ writes, finalStates: [{ source: 'n1', values: { x: 'b' } }] }).ok).toBe(true);
  });

  it('accepts a write of unknown outcome as the final value, even one issued before the last acknowledged write', () => {
    const result = noAcknowledgedWriteLost({
      writes: [
        { key: 'x', value: 'late', invokeMs: 5 },
        { key: 'x', value: 'a', invokeMs: 100, ackMs: 110 },
      ],
      finalStates: [{ source: 'node 2', values: { x: 'late' } }],
    });
    expect(result.ok).toBe(true);
  });

  it('reports an acknowledged write whose key ends absent', () => {
    const result = noAcknowledgedWriteLost({
      writes: [{ key: 'x', value: 'a', invokeMs: 0, ackMs: 10 }],
      finalStates: [{ source: 'node 3', values: {} }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^The acknowledged write put\("x", "a"\) \(acknowledged at 10 ms\) is lost: node 3 ends with no value for "x"\./);
    expect(result.details).toMatchObject({ source: 'node 3', key: 'x', finalValue: null, allowedValues: ['a'], violations: 1 });
  });

  it('reports a replica that ends with a value an acknowledged write had already replaced', () => {
    const result = noAcknowledgedWriteLost({
      writes: [
        { key: 'x', value: 'old', invokeMs: 0, ackMs: 10 },
        { key: 'x', value: 'new', invokeMs: 20, ackMs: 30 },
      ],
      finalStates: [
        { source: 'node 1', values: { x: 'new' } },
        { source: 'node 2', values: { x: 'old' } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('put("x", "new")');
    expect(result.message).toContain('node 2 ends with "x" = "old", a value that an acknowledged write had already replaced');
    expect(result.details.latestAcknowledged.map((w) => w.value)).toEqual(['new']);
  });

  it('reports a value that no write produced and counts every lost write', () => {
    const result = noAcknowledgedWriteLost({
      writes: [
        { key: 'x', value: 'a', invokeMs: 0, ackMs: 10 },
        { key: 'y', value: 'b', invokeMs: 0, ackMs: 10 },
      ],
      finalStates: [{ source: 'final read', values: { x: 'zzz', y: null } }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('a value no write of this run produced');
    expect(result.details.violations).toBe(2);
  });

  it('does not check keys that never had an acknowledged write', () => {
    const result = noAcknowledgedWriteLost({
      writes: [{ key: 'x', value: 'a', invokeMs: 0 }],
      finalStates: [{ source: 'node 1', values: {} }],
    });
    expect(result.ok).toBe(true);
  });

  it('allows exactly the values of writes no other acknowledged write was issued after (the definition, checked write by write)', () => {
    // Overlapping writes of one key, some unacknowledged, with ties in their times; the
    // final value is each written value in turn, then one nobody wrote.
    const write = fc.record({
      invokeMs: fc.integer({ min: 0, max: 20 }),
      takesMs: fc.integer({ min: 0, max: 10 }),
      acked: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 12 }), (drawn) => {
        const writes = drawn.map((w, i) => ({ key: 'x', value: `v${i}`, invokeMs: w.invokeMs, ...(w.acked ? { ackMs: w.invokeMs + w.takesMs } : {}) }));
        const acked = writes.filter((w) => w.ackMs !== undefined);
        const superseded = (w: (typeof writes)[number]) => w.ackMs !== undefined && acked.some((o) => o !== w && o.invokeMs > w.ackMs!);
        for (const final of [...writes.map((w) => w.value), 'nobody']) {
          const result = noAcknowledgedWriteLost({ writes, finalStates: [{ source: 'n1', values: { x: final } }] });
          const expected = acked.length === 0 || writes.some((w) => w.value === final && !superseded(w));
          expect(result.ok).toBe(expected);
        }
      }),
      { seed: 17, numRuns: 500 },
    );
  });

  it('takes acknowledged writes from a history: puts and swapped compare-and-sets, not failed ones', () => {
    const writes = writesFromHistory([
      put(1, 'x', 'a', 0, 10),
      cas(2, 'x', 'a', 'b', true, 20, 30),
      cas(3, 'x', 'q', 'c', false, 40, 50),
      rejected(put(4, 'x', 'd', 60, 70)),
      timedOut(put(5, 'x', 'e', 80, 90)),
      get(6, 'x', 'b', 100, 110),
    ]);
    expect(writes).toEqual([
      { key: 'x', value: 'a', invokeMs: 0, ackMs: 10 },
      { key: 'x', value: 'b', invokeMs: 20, ackMs: 30 },
      { key: 'x', value: 'e', invokeMs: 80 },
    ]);
  });
});

describe('replicas converge', () => {
  it('passes when every replica holds the same data', () => {
    const values = { x: 'a', log: [1, 2, { term: 3 }] };
    const result = replicasConverge([
      { replicaId: 1, values },
      { replicaId: 2, values: { log: [1, 2, { term: 3 }], x: 'a' } },
    ]);
    expect(result).toEqual({ ok: true });
  });

  it('passes trivially for a single replica', () => {
    expect(replicasConverge([{ replicaId: 'only', values: { x: 1 } }])).toEqual({ ok: true });
  });

  it('reports the first key on which replicas differ, with every replica value', () => {
    const result = replicasConverge([
      { replicaId: 'n1', values: { a: '1', b: '2', c: '3' } },
      { replicaId: 'n2', values: { a: '1', b: '2', c: '3' } },
      { replicaId: 'n3', values: { a: '1', b: 'stale', c: '4' } },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(
      /^Replicas have not converged: on key "b", replica n1 has "2" but replica n3 has "stale" \(2 keys differ in all\)\./,
    );
    expect(result.details).toEqual({
      key: 'b',
      values: [
        { replicaId: 'n1', value: '2' },
        { replicaId: 'n2', value: '2' },
        { replicaId: 'n3', value: 'stale' },
      ],
      differingKeys: ['b', 'c'],
    });
  });

  it('treats a key missing on one replica as a difference', () => {
    const result = replicasConverge([
      { replicaId: 1, values: { x: 'a' } },
      { replicaId: 2, values: {} },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('replica 2 has no value');
  });
});
