import { Random } from '@faultlines/sim';
import { assert, describe, expect, inject, it } from 'vitest';
import { hash32 } from './hash.ts';
import { createRing } from './ring.ts';
import type { Ring } from './types.ts';

const seed = inject('seed');

/**
 * Distinct key names drawn from the exercise's seed. Thirty thousand keep the sampling noise
 * of a node's share near 2%, well inside every bound below (over 30 key sets, the reference
 * ring's busiest/mean stayed under 1.09 and its share moved on a join within 0.6 points of
 * 1/11).
 */
function makeKeys(count: number): string[] {
  const rng = new Random(seed).fork('keys');
  const keys = new Set<string>();
  while (keys.size < count) keys.add(`user:${rng.nextUint32().toString(36)}`);
  return [...keys];
}

const KEYS = makeKeys(30_000);
const TEN = Array.from({ length: 10 }, (_, i) => `cache-${i + 1}`);

function ringOf(nodes: readonly string[], vnodesPerNode: number): Ring {
  const ring = createRing({ vnodesPerNode });
  for (const node of nodes) ring.addNode(node);
  return ring;
}

/** `n` with its noun and verb: "1 key was", "23,991 keys were". */
function keys(n: number, verb?: [singular: string, plural: string]): string {
  const text = `${n.toLocaleString('en-US')} ${n === 1 ? 'key' : 'keys'}`;
  return verb ? `${text} ${n === 1 ? verb[0] : verb[1]}` : text;
}

/** How many positions two owner lists disagree on. */
function differences(a: readonly string[], b: readonly string[]): number {
  return a.filter((owner, i) => owner !== b[i]).length;
}

function owners(ring: Ring, keys: readonly string[]): string[] {
  return keys.map((key) => ring.ownerOf(key));
}

/**
 * Two node ids whose virtual node 0 hashes to the same position: the first collision among
 * ids `cache-<random>` drawn from the seed (about 80,000 of them on average, 250,000 at
 * most over 200 seeds), so that a grade for the record meets a pair of its own.
 */
function collidingPair(avoid: readonly string[]): [string, string] {
  const rng = new Random(seed).fork('colliding pair');
  const seen = new Map<number, string>();
  for (;;) {
    const id = `cache-${rng.nextUint32().toString(36)}`;
    if (avoid.includes(id)) continue;
    const position = hash32(`${id}#0`);
    const other = seen.get(position);
    if (other !== undefined && other !== id) return [other, id];
    seen.set(position, id);
  }
}

/** Largest node's key count divided by the mean count. */
function maxOverMean(ownerList: readonly string[], nodes: readonly string[]): number {
  const counts = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const owner of ownerList) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return Math.max(...counts.values()) / (ownerList.length / nodes.length);
}

describe('consistent-hash ring', () => {
  it('maps every key to a node that is in the ring, and refuses lookups on an empty ring', () => {
    const ring = ringOf(TEN, 50);
    ring.removeNode('cache-3');
    ring.removeNode('cache-7');
    ring.addNode('cache-11');
    const present = new Set(ring.nodes());
    expect([...present].sort(), 'nodes() should list exactly the nodes added and not removed').toEqual(
      [...TEN.filter((n) => n !== 'cache-3' && n !== 'cache-7'), 'cache-11'].sort(),
    );
    const strays = owners(ring, KEYS.slice(0, 20_000)).filter((owner) => !present.has(owner));
    assert(
      strays.length === 0,
      `${keys(strays.length, ['was', 'were'])} mapped to nodes not in the ring (e.g. ${strays[0]}); every key must map to a member`,
    );
    expect(() => createRing({ vnodesPerNode: 10 }).ownerOf('x'), 'an empty ring has no owner: throw').toThrow();
  });

  it('spreads 30,000 keys over 10 nodes with max/mean below 1.25 at 200 virtual nodes each', () => {
    const ratio = maxOverMean(owners(ringOf(TEN, 200), KEYS), TEN);
    assert(
      ratio < 1.25,
      `the busiest node holds ${ratio.toFixed(3)}× the mean number of keys; the bound is 1.25 — ` +
        'are all 200 virtual nodes of every node on the ring, at well-spread positions?',
    );
  });

  // With one point per node, over seeds 1–20: the reference 3.01–3.10, alt-hash-chain
  // 1.84–1.91, alt-linear-scan 3.41–3.48 times the mean (bound: above 1.5).
  it('honours vnodesPerNode: one point per node is much less even than 200', () => {
    const one = maxOverMean(owners(ringOf(TEN, 1), KEYS), TEN);
    const many = maxOverMean(owners(ringOf(TEN, 200), KEYS), TEN);
    assert(
      one > 1.5,
      `with 1 virtual node per node the busiest node holds ${one.toFixed(2)}× the mean (with 200: ${many.toFixed(2)}×); ` +
        'it should be above 1.5: with one random point per node, arcs differ a lot and the ratio is usually above 2 ' +
        '— is vnodesPerNode used?',
    );
  });

  it('moves about 1/11 of the keys when an eleventh node joins, all of them to the new node', () => {
    const ring = ringOf(TEN, 200);
    const before = owners(ring, KEYS);
    ring.addNode('cache-11');
    const after = owners(ring, KEYS);
    let moved = 0;
    let movedElsewhere = 0;
    for (let i = 0; i < KEYS.length; i++) {
      if (before[i] === after[i]) continue;
      moved++;
      if (after[i] !== 'cache-11') movedElsewhere++;
    }
    const fraction = moved / KEYS.length;
    // The share moved may differ from 1/11 by at most 3 percentage points either way.
    const distance = Math.abs(fraction - 1 / 11);
    assert(
      distance <= 0.03,
      `${(fraction * 100).toFixed(1)}% of the keys moved (${moved.toLocaleString('en-US')} of ` +
        `${KEYS.length.toLocaleString('en-US')}); the ideal is 1/11 = 9.1%, and 6.1%–12.1% is allowed ` +
        `(that share's distance from 1/11 is ${(distance * 100).toFixed(1)} points; at most 3). Hash-mod-N moves ` +
        "about 10/11 of them, because almost every key's remainder changes when N does.",
    );
    assert(
      movedElsewhere === 0,
      `${keys(movedElsewhere)} moved between two old nodes; none may: a join should only move keys onto the new node`,
    );
  });

  it("moves only the leaving node's keys when a node is removed, and restores them when it returns", () => {
    const ring = ringOf(TEN, 200);
    const before = owners(ring, KEYS);
    ring.removeNode('cache-4');
    const after = owners(ring, KEYS);
    let wronglyMoved = 0;
    let stillOnRemoved = 0;
    for (let i = 0; i < KEYS.length; i++) {
      if (after[i] === 'cache-4') stillOnRemoved++;
      if (before[i] !== 'cache-4' && before[i] !== after[i]) wronglyMoved++;
    }
    assert(
      stillOnRemoved === 0,
      `${keys(stillOnRemoved, ['is', 'are'])} still mapped to cache-4 after it was removed; none may be`,
    );
    assert(
      wronglyMoved === 0,
      `${keys(wronglyMoved)} that cache-4 did not own changed owner when it left; none may: only its own keys should move`,
    );
    ring.addNode('cache-4');
    const differ = differences(owners(ring, KEYS), before);
    assert(
      differ === 0,
      `${keys(differ, ['has', 'have'])} a different owner after cache-4 left and came back; every key should be back with its old owner`,
    );
  });

  it('gives the same owners whatever order the nodes were added in, on every run', () => {
    const forward = owners(ringOf(TEN, 100), KEYS.slice(0, 20_000));
    const backward = owners(ringOf([...TEN].reverse(), 100), KEYS.slice(0, 20_000));
    const again = owners(ringOf(TEN, 100), KEYS.slice(0, 20_000));
    const orderDiffs = differences(forward, backward);
    const runDiffs = differences(forward, again);
    assert(
      runDiffs === 0,
      `two rings built the same way disagree on ${runDiffs.toLocaleString('en-US')} of 20,000 keys; they should agree on ` +
        'every key — is something random or time-based?',
    );
    assert(
      orderDiffs === 0,
      `${orderDiffs.toLocaleString('en-US')} of 20,000 keys have a different owner when the nodes are added in reverse order; ` +
        'none should: an owner should depend on the set of nodes, not on the order they joined',
    );
  });

  it('ignores adding a node twice or removing one that is not there, and can remove any node', () => {
    const ring = ringOf(TEN, 50);
    const before = owners(ring, KEYS.slice(0, 20_000));
    ring.addNode('cache-5');
    expect(ring.nodes(), 'adding cache-5 a second time must change nothing: nodes() lists it once').toEqual(TEN);
    ring.removeNode('cache-99');
    expect(
      ring.nodes(),
      'removing cache-99, which was never added, must change nothing — beware `splice(indexOf(id), 1)`: ' +
        'indexOf returns -1 for a missing id, and splice(-1, 1) removes the last node',
    ).toEqual(TEN);
    const moved = differences(owners(ring, KEYS.slice(0, 20_000)), before);
    assert(
      moved === 0,
      `${keys(moved)} changed owner after a repeated add and a removal of an unknown node; none should`,
    );
    ring.removeNode('cache-1');
    expect(ring.nodes(), 'cache-1, the first node added, should be gone after removeNode').toEqual(TEN.slice(1));
    const stillOnFirst = owners(ring, KEYS.slice(0, 20_000)).filter((owner) => owner === 'cache-1').length;
    assert(stillOnFirst === 0, `${keys(stillOnFirst, ['still maps', 'still map'])} to cache-1 after it was removed; none may`);
  });

  it('gives the same owners whatever the order of addition, even when two virtual nodes land on the same position', () => {
    // Two node ids whose virtual node 0 hashes to the same point, found by searching from the seed: with one
    // virtual node each, which of the two owns the keys before that point must not depend on which joined first.
    const others = ['cache-1', 'cache-2', 'cache-3'];
    const [a, b] = collidingPair(others);
    expect(hash32(`${a}#0`), 'the test relies on these two positions colliding').toBe(hash32(`${b}#0`));
    const orders = [
      [a, b, ...others],
      [b, a, ...others],
      [...others, a, b],
      [...others, b, a],
      [a, ...others, b],
      [b, ...others, a],
    ];
    const sample = KEYS.slice(0, 20_000);
    const reference = owners(ringOf(orders[0]!, 1), sample);
    for (const order of orders.slice(1)) {
      const differ = differences(owners(ringOf(order, 1), sample), reference);
      assert(
        differ === 0,
        `${differ.toLocaleString('en-US')} of 20,000 keys have a different owner when the nodes join in the order ${order.join(', ')} ` +
          `instead of ${orders[0]!.join(', ')}; ${a} and ${b} have points at the same position. Sorting by position ` +
          'alone leaves tied points in whatever order the sort found them: break ties by node id.',
      );
    }
  });
});
