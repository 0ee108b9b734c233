/**
 * Recomputes every model number the lesson "Partitioning keys" prints — keys moved by
 * hash-mod-N, the ring's load spread for 1 to 1,000 virtual nodes, rendezvous and jump
 * hashing, the hottest Zipf key, the capacities and measured spread of consistent hashing
 * with bounded loads — and checks that the lesson prints exactly those strings.
 * Quoted production figures (DynamoDB, Cassandra, CockroachDB…) are cited, not recomputed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// The hash the lesson describes: FNV-1a, then MurmurHash3's finaliser (as in the exercise).
import { hash32 } from '../../../src/sim/index.ts';
import { ring as makeRing } from '../../../src/scenarios/sharding-ring-balance.ts';
import { describeReferences, lessonParts } from './lesson-checks.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/sharding/partitioning-keys.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) {
    expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
  }
}


const KEYS = Array.from({ length: 100_000 }, (_, i) => `key-${i}`);
const TEN = Array.from({ length: 10 }, (_, i) => `node-${i + 1}`);
const ELEVEN = [...TEN, 'node-11'];

type Placement = (key: string) => string;

function busiestOverMean(place: Placement, nodes: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const key of KEYS) {
    const owner = place(key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / (KEYS.length / nodes.length);
}

/** Fraction of keys that change owner, and how many of those went somewhere other than `newcomer`. */
function movement(before: Placement, after: Placement, newcomer: string): { fraction: number; elsewhere: number } {
  let moved = 0;
  let elsewhere = 0;
  for (const key of KEYS) {
    const a = before(key);
    const b = after(key);
    if (a === b) continue;
    moved++;
    if (b !== newcomer) elsewhere++;
  }
  return { fraction: moved / KEYS.length, elsewhere };
}

const pct = (x: number, digits: number): string => `${(x * 100).toFixed(digits)}%`;
const num = (x: number): string => x.toLocaleString('en-US');

function harmonic(n: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / i;
  return sum;
}

describe('Partitioning keys: hash-mod-N', () => {
  it('moves N/(N+1) of the keys when a node joins: 90.9% from 10 to 11, and measured the same', () => {
    expectInLesson(`Growing from 10 to 11 nodes moves ${pct(10 / 11, 1)} of the keys`);
    const mod = (n: number): Placement => (key) => String(hash32(key) % n);
    const { fraction } = movement(mod(10), mod(11), '10');
    expect(Math.abs(fraction - 10 / 11)).toBeLessThan(0.005);
    expectInLesson(`measured over 100,000 keys it moved ${pct(fraction, 2)}`);
  });

  it('the quiz: from 20 to 19 servers keeps 1 key in 20', () => {
    const mod = (n: number): Placement => (key) => String(hash32(key) % n);
    const { fraction } = movement(mod(20), mod(19), 'none');
    expect(Math.abs(fraction - 19 / 20)).toBeLessThan(0.005);
    expectInLesson(`About 19/20 (${Math.round((19 / 20) * 100)}%)`);
  });
});

describe('Partitioning keys: the ring', () => {
  it('one point per node: the expected busiest/mean is H(10)', () => {
    expectInLesson(`about H(10) = ${harmonic(10).toFixed(2)} times its fair share`);
  });

  it('prints the measured spread and movement for 1, 10, 100 and 1000 virtual nodes', () => {
    expectInLesson(`| Virtual nodes per node | Busiest node / mean | Keys moved when an 11th node joins (ideal ${pct(1 / 11, 2)}) |`);
    const rows: Record<number, { ratio: number; moved: number }> = {};
    for (const v of [1, 10, 100, 1000]) {
      const before = makeRing(TEN, v);
      const after = makeRing(ELEVEN, v);
      const ratio = busiestOverMean(before, TEN);
      const { fraction, elsewhere } = movement(before, after, 'node-11');
      expect(elsewhere, 'a ring moves keys only onto the newcomer').toBe(0);
      rows[v] = { ratio, moved: fraction };
      expectInLesson(`| ${v} | ${ratio.toFixed(2)} | ${pct(fraction, 2)} |`);
    }
    expect(rows[1]!.ratio).toBeGreaterThan(rows[100]!.ratio);
    expectInLesson(`At 100 points per node the busiest is within ${Math.round((rows[100]!.ratio - 1) * 100)}% of the mean`);
    expectInLesson(`(${(10 * 1000).toLocaleString('en-US')} entries for 10 nodes at 1,000 each)`);
  });
});

describe('Partitioning keys: rendezvous and jump hashing', () => {
  it('rendezvous: busiest/mean and keys moved on a join, all to the newcomer', () => {
    const hrw =
      (nodes: readonly string[]): Placement =>
      (key) => {
        let best = '';
        let bestScore = -1;
        for (const node of nodes) {
          const score = hash32(`${node}/${key}`);
          if (score > bestScore) {
            bestScore = score;
            best = node;
          }
        }
        return best;
      };
    const ratio = busiestOverMean(hrw(TEN), TEN);
    const { fraction, elsewhere } = movement(hrw(TEN), hrw(ELEVEN), 'node-11');
    expect(elsewhere).toBe(0);
    expectInLesson(`it gives a busiest/mean of ${ratio.toFixed(3)} and moves ${pct(fraction, 2)} of the keys`);
  });

  it('jump consistent hash (Lamping & Veach): busiest/mean and keys moved from 10 to 11 buckets', () => {
    // The paper's algorithm, with 64-bit arithmetic done in BigInt.
    function jump(key: bigint, buckets: number): number {
      let b = -1n;
      let j = 0n;
      while (j < BigInt(buckets)) {
        b = j;
        key = (key * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
        j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((key >> 33n) + 1n))));
      }
      return Number(b);
    }
    const place =
      (n: number): Placement =>
      (key) =>
        String(jump(BigInt(hash32(key)), n));
    const ratio = busiestOverMean(place(10), TEN);
    const { fraction, elsewhere } = movement(place(10), place(11), '10');
    expect(elsewhere).toBe(0);
    expectInLesson(`10 buckets gave a busiest/mean of ${ratio.toFixed(3)}, and going to 11 buckets moved ${pct(fraction, 2)} of the keys`);
    // The move is 1/(n+1) only in expectation: on these keys it is not exactly 1/11.
    expect(fraction).not.toBe(1 / 11);
    expectInLesson('the new bucket takes, in expectation, 1/(n + 1) of the keys', '| Jump hash | near perfect | 1/(N + 1) in expectation, to the newcomer |');
    expect(lesson.includes('takes exactly its fair share')).toBe(false);
  });
});

describe('Partitioning keys: hot keys', () => {
  it('the hottest of 10,000 Zipf(1) keys gets 1/H(10,000) of the traffic', () => {
    expectInLesson(`receives 1/H(10,000) = ${pct(1 / harmonic(10_000), 1)} of all requests`);
    expect(1 / harmonic(10_000)).toBeGreaterThan(1 / 10);
  });

  it("the hot key's owner on 10 nodes serves the key plus a tenth of the rest: about 1.9 times the mean", () => {
    const hot = 1 / harmonic(10_000);
    const owner = hot + (1 - hot) / 10;
    const mean = 1 / 10;
    expectInLesson(
      `even if the other ${pct(1 - hot, 1)} of the traffic spreads perfectly`,
      `${pct(owner, 1)} of all requests against a mean of ${pct(mean, 0)}, about ${(owner / mean).toFixed(1)} times the mean`,
    );
    expect(owner / mean).toBeLessThan(2);
    expect(lesson.includes('at least twice as busy')).toBe(false);
  });

  it('ten write shards of a 1,000 WCU/s item give up to 10,000 writes per second', () => {
    expectInLesson(`up to ${(10 * 1_000).toLocaleString('en-US')} writes per second`);
  });
});

describe('Partitioning keys: consistent hashing with bounded loads', () => {
  /** Mirrokni, Thorup and Zadimoghaddam: every server holds at most ⌈(1 + ε) · m / n⌉. */
  const capacity = (epsilon: number, m: number, n: number): number => Math.ceil(((1 + epsilon) * m) / n);

  it('the worked example: ε = 0.25, 1,000 keys, 8 servers gives a capacity of 157, 1.256 times the mean', () => {
    const cap = capacity(0.25, 1_000, 8);
    expect(cap).toBe(157);
    expect(8 * cap).toBeGreaterThanOrEqual(1.25 * 1_000);
    expectInLesson(
      'capacity = ⌈(1 + ε) × m / n⌉',
      `Take ε = 0.25, m = ${num(1_000)} keys and n = 8 servers: the mean is ${1_000 / 8} keys, the capacity is ⌈1.25 × ${1_000 / 8}⌉ = ⌈${(1.25 * 1_000) / 8}⌉ = ${cap}, and no server ever holds more than ${cap} / ${1_000 / 8} = ${cap / (1_000 / 8)} times the mean`,
    );
  });

  /** The lesson's ring (hash32 of `node#i`), walked clockwise past full servers. */
  function place(nodes: readonly string[], vnodes: number, keys: readonly string[], cap: number) {
    const points: { position: number; node: string }[] = [];
    for (const node of nodes) for (let i = 0; i < vnodes; i++) points.push({ position: hash32(`${node}#${i}`), node });
    points.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    const firstAtOrAfter = (h: number): number => {
      let low = 0;
      let high = points.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (points[mid]!.position < h) low = mid + 1;
        else high = mid;
      }
      return low === points.length ? 0 : low;
    };
    const plain = new Map<string, number>();
    const bounded = new Map<string, number>();
    const plainOwner: string[] = [];
    let elsewhere = 0;
    for (const key of keys) {
      let i = firstAtOrAfter(hash32(key));
      const owner = points[i]!.node;
      plainOwner.push(owner);
      plain.set(owner, (plain.get(owner) ?? 0) + 1);
      while ((bounded.get(points[i]!.node) ?? 0) >= cap) i = (i + 1) % points.length;
      const chosen = points[i]!.node;
      bounded.set(chosen, (bounded.get(chosen) ?? 0) + 1);
      if (chosen !== owner) elsewhere++;
    }
    return { plainOwner, plainMax: Math.max(...plain.values()), boundedMax: Math.max(...bounded.values()), elsewhere };
  }

  it('prints the measured busiest server and overflow for 1, 10 and 100 points per server', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => `node-${i + 1}`);
    const keys = Array.from({ length: 1_000 }, (_, i) => `key-${i}`);
    const cap = capacity(0.25, keys.length, nodes.length);
    expectInLesson('placing `key-0` to `key-999` in that order on 8 servers');
    const rows: Record<number, ReturnType<typeof place>> = {};
    for (const v of [1, 10, 100]) {
      const r = place(nodes, v, keys, cap);
      // The plain owners are the lesson's own ring.
      const reference = makeRing(nodes, v);
      expect(keys.every((key, i) => reference(key) === r.plainOwner[i])).toBe(true);
      expect(r.boundedMax).toBeLessThanOrEqual(cap);
      rows[v] = r;
      expectInLesson(`| ${v} | ${r.plainMax} | ${r.boundedMax} | ${r.elsewhere} (${pct(r.elsewhere / keys.length, 1)}) |`);
    }
    const one = rows[1]!;
    expect(one.plainMax).toBeGreaterThan(cap);
    expectInLesson(
      `With one point per server the plain ring gives its busiest server ${one.plainMax} keys, ${(one.plainMax / (keys.length / nodes.length)).toFixed(2)} times the mean; the cap holds it to ${cap}, at the price of sending ${one.elsewhere} keys to a server other than their first choice.`,
      `with 10 points per server only ${rows[10]!.elsewhere} keys overflow, and at 100 points no server reaches the cap at all`,
    );
    expect(rows[100]!.elsewhere).toBe(0);
    expect(rows[100]!.plainMax).toBeLessThan(cap);
  });

  it('the quiz: ε = 0.25 over 2,000 requests on 10 servers caps each server at 250, 2,500 in all', () => {
    const cap = capacity(0.25, 2_000, 10);
    expect(cap).toBe(250);
    expectInLesson(
      `What happens once s3 holds ${cap} requests?`,
      `The capacity is ⌈1.25 × ${num(2_000)} / 10⌉ = ${cap}.`,
      `the capacities add up to ${num(10 * cap)}, more than the ${num(2_000)} requests in flight`,
    );
  });

  it('cites the paper, the Vimeo post and the authors’ Google post for production use', () => {
    const { references } = lessonParts(lesson);
    const entry = (needle: string): number => [...references].find(([, e]) => e.includes(needle))?.[0] ?? -1;
    const paper = entry('"Consistent Hashing with Bounded Loads." SODA 2018');
    const vimeo = entry('https://medium.com/vimeo-engineering-blog/');
    const blog = entry('https://research.google/blog/consistent-hashing-with-bounded-loads/');
    for (const n of [paper, vimeo, blog]) expect(n).toBeGreaterThan(0);
    expectInLesson(
      `the way linear probing moves along a hash table [[${paper}]](#references)`,
      `sends that file to [[${vimeo}]](#references)`,
      `cut Vimeo's cache bandwidth by a factor of almost 8, and Google Cloud Pub/Sub uses the same algorithm, with a substantially more uniform load across its servers [[${blog}]](#references)`,
    );
  });
});

describe('Partitioning keys: range splits', () => {
  it("HBase 2.x: SteppingSplitPolicy splits a table's only region on a server at 2 × the flush size, others at max.filesize", () => {
    // hbase-default.xml: hbase.hregion.memstore.flush.size = 134217728 bytes; the policy's initial size is twice that.
    const flushMb = 134_217_728 / 2 ** 20;
    expectInLesson(
      'Its default split policy since 2.0, `SteppingSplitPolicy`, splits a table\'s only region on a server',
      `twice the memstore flush size (2 × ${flushMb} MB = ${2 * flushMb} MB by default)`,
      'any other region splits once it passes `hbase.hregion.max.filesize`, 10 GB by default',
    );
    // The size compared: the largest store (2.x default), or the sum of the stores with
    // hbase.hregion.split.overallfiles on (HBASE-24664; true in the current reference guide).
    expectInLesson(
      "the region's largest store (the files of one column family) by default in HBase 2.x, or the sum of all its stores when `hbase.hregion.split.overallfiles` is on",
      'https://issues.apache.org/jira/browse/HBASE-24664',
    );
    expect(lesson.includes('splits a region once a store file exceeds'), 'the old one-threshold claim').toBe(false);
  });
});

describe('Partitioning keys: the exercise section', () => {
  it("describes the next lesson's shard router as its code is: 32 fixed shards, hash32(key) % 32, and a shard map built with the ring", () => {
    const router = (file: string): string =>
      readFileSync(new URL(`../../../exercises/sharding-router/${file}`, import.meta.url), 'utf8');
    const shards = router('shards.ts');
    const count = Number(/export const SHARD_COUNT = (\d+);/.exec(shards)?.[1]);
    expect(count).toBe(32);
    expect(shards).toContain('return hash32(key) % SHARD_COUNT;');
    expect(router('router.ts')).toContain('map.owners[shardOf(key)]');
    const cluster = router('cluster.ts');
    expect(cluster).toContain("import { createRing } from '../sharding-ring/ring.ts';");
    expect(cluster).toContain('ring.ownerOf(shardKey(shard))');
    expect(cluster).toContain("return `shard-${String(shard).padStart(2, '0')}`;");
    expect(/\bring\b/i.test(router('router.ts')), 'the router itself only holds maps; the cluster builds them with the ring').toBe(false);
    expectInLesson(
      'The shard router of the next lesson builds on your ring.',
      `It splits the key space into ${count} fixed shards, \`hash32(key) % ${count}\` with the same 32-bit hash`,
      "which its cluster builds with your ring: shard 7 belongs to the group that `ring.ownerOf('shard-07')` names.",
    );
    expect(lesson.includes('does not use this ring yet')).toBe(false);
  });
});

describe('Partitioning keys: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('gives the bounded-loads quiz one correct option and an explanation for each option', () => {
    const quiz = lessonParts(lesson).quizzes.find((q) => q.includes('consistent hashing with bounded loads and ε = 0.25'));
    expect(quiz).toBeDefined();
    expect(quiz!.match(/correct: true/g)).toHaveLength(1);
    expect((quiz!.match(/explanation: "/g) ?? []).length).toBe((quiz!.match(/\{ text: "/g) ?? []).length);
  });
});

describeReferences(lesson, { title: 'Partitioning keys' });
