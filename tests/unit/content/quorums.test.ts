/**
 * Checks the lesson "Quorums" (the second of the CAP and quorums module): the figures it quotes
 * from papers, documentation, source and Jepsen analyses are printed exactly as cited, every
 * piece of quorum arithmetic is recomputed, every citation marker has a reference entry, the
 * small histories it draws get the verdicts it gives them from the course's own
 * linearizability checker, and the page embeds the module's exercise and both simulations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel, registerModel } from '../../../src/sim/checker/index.ts';
import type { History, KvInput, KvOutput } from '../../../src/sim/history.ts';
import { bruteForceLinearizable, get, put, rejected, timedOut } from '../sim/fixtures-checker.ts';
import { expectIn, lessonSource } from './lesson-source.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = lessonSource('quorums/quorums.mdx');
const expectInLesson = expectIn(lesson);
const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '';

type KvHistory = History<KvInput, KvOutput>;

const verdict = (history: KvHistory): string => checkLinearizability(kvModel(), history).verdict;

/** Every subset of `n` replicas of size `k`, as bitmasks. */
function subsets(n: number, k: number): number[] {
  const out: number[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let m = mask; m !== 0; m &= m - 1) bits++;
    if (bits === k) out.push(mask);
  }
  return out;
}
const popcount = (mask: number): number => {
  let bits = 0;
  for (let m = mask; m !== 0; m &= m - 1) bits++;
  return bits;
};
/** The smallest overlap of any read set of size r with any write set of size w among n replicas. */
function minOverlap(n: number, r: number, w: number): number {
  let min = Infinity;
  for (const a of subsets(n, r)) for (const b of subsets(n, w)) min = Math.min(min, popcount(a & b));
  return min;
}
const majority = (n: number): number => Math.floor(n / 2) + 1;

/** The histories the lesson draws as timelines (x starts absent). */
const histories = {
  // H: two concurrent puts with the same version; later reads flip between them.
  H: {
    history: [put(1, 'x', 'a', 0, 20), put(2, 'x', 'b', 0, 20), get(3, 'x', 'a', 30, 35), get(4, 'x', 'b', 40, 45)] as KvHistory,
    linearizable: false,
  },
  // G: a put refused after one replica stored it, then read.
  G: { history: [rejected(put(1, 'x', '1', 0, 60)), get(2, 'x', '1', 70, 80)] as KvHistory, linearizable: false },
  // G, reported honestly: the same put with an unknown outcome.
  'G (unknown outcome)': { history: [timedOut(put(1, 'x', '1', 0, 60)), get(2, 'x', '1', 70, 80)] as KvHistory, linearizable: true },
  // E: new then old, two quorum reads without write-back.
  E: { history: [put(1, 'x', '1', 0, 50), get(2, 'x', '1', 10, 20), get(3, 'x', null, 30, 40)] as KvHistory, linearizable: false },
  // F: the same reads with ABD's write-back.
  F: { history: [put(1, 'x', '1', 0, 50), get(2, 'x', '1', 10, 25), get(3, 'x', '1', 30, 40)] as KvHistory, linearizable: true },
  // I: last writer wins with a fast clock; the later put loses.
  I: { history: [put(1, 'x', '1', 0, 10), put(2, 'x', '2', 20, 30), get(3, 'x', '1', 40, 50)] as KvHistory, linearizable: false },
} satisfies Record<string, { history: KvHistory; linearizable: boolean }>;

describe('Quorums: the page', () => {
  it('is lesson 2 of the quorums module, published, after Partitions happen', () => {
    expect(frontmatter).toMatch(/^title: Quorums$/m);
    expect(frontmatter).toMatch(/^module: quorums$/m);
    expect(frontmatter).toMatch(/^order: 2$/m);
    expect(frontmatter).not.toMatch(/^draft: true$/m);
    expect(frontmatter).toMatch(/^prerequisites: \[partitions-happen\]$/m);
    const modules = JSON.parse(readFileSync(new URL('../../../content/modules.json', import.meta.url), 'utf8')) as {
      id: string;
      coming?: boolean;
    }[];
    expect(modules.find((m) => m.id === 'quorums')?.coming).toBeUndefined();
  });

  it('keeps MDX-special characters out of the prose, has no H1, four quizzes or more, and embeds the module\'s exercise', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose)).toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect([...body.matchAll(/<Exercise id="([^"]+)"/g)].map((m) => m[1])).toEqual(['quorum-store']);
    expect(frontmatter).toMatch(/^exercises: \[quorum-store\]$/m);
  });

  it('embeds the two simulations, each after a paragraph saying what to try', () => {
    expect([...body.matchAll(/<Simulation scenario="([^"]+)"/g)].map((m) => m[1])).toEqual(['quorum-partition', 'quorum-latency']);
    const before = (marker: string): string => body.split(marker)[0]!.trimEnd().split('\n\n').at(-1)!;
    const partition = before('<Simulation scenario="quorum-partition" />');
    expect(partition).toContain('mode cp');
    expect(partition).toContain('mode ap');
    const latency = before('<Simulation scenario="quorum-latency" />');
    expect(latency).toContain('Set R and W anywhere from 1 to 5');
    // The paragraphs name settings, and what the views show, without figures from the runs.
    expect(partition.match(/\d+/g) ?? []).toEqual([]);
    expect(latency.match(/\d+/g)).toEqual(['1', '5', '99', '1', '3', '5']); // R and W from 1 to 5; p99; R = 1, 3, 5
  });

  it('is about as long as the failover lesson: 2,500 to 3,500 words of prose', () => {
    const words = proseOf(lesson.split('## References')[0]!).match(/\S+/g)?.length ?? 0;
    expect(words).toBeGreaterThanOrEqual(2_500);
    expect(words).toBeLessThanOrEqual(3_500);
  });
});

describe('Quorums: citations', () => {
  const [text, references] = body.split(/^## References$/m) as [string, string];
  const entries = new Map<number, string>();
  for (const m of references.matchAll(/^(\d+)\. (.+)$/gm)) entries.set(Number(m[1]), m[2]!);
  const cited = new Set([...text.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1])));
  const entry = (n: number): string => entries.get(n) ?? '';

  it('numbers its references 1, 2, 3, … with no gaps', () => {
    expect(entries.size).toBe(11);
    expect([...entries.keys()]).toEqual(Array.from({ length: entries.size }, (_, i) => i + 1));
  });

  it('has a reference entry for every citation marker, and cites every entry', () => {
    for (const n of cited) expect(entries.has(n), `[[${n}]] has no entry in References`).toBe(true);
    for (const n of entries.keys()) expect(cited.has(n), `reference ${n} is never cited`).toBe(true);
  });

  it('names each source the figures come from', () => {
    expect(entry(1)).toContain('"Dynamo: Amazon\'s Highly Available Key-value Store." SOSP 2007');
    expect(entry(1)).toContain('the common (N, R, W) configuration (3, 2, 2), section 6; 99.9% of requests within 300 ms, section 6.1');
    expect(entry(2)).toContain('Attiya, A. Bar-Noy and D. Dolev. "Sharing Memory Robustly in Message-Passing Systems." Journal of the ACM 42(1), 1995, pages 124–142');
    expect(entry(2)).toContain('https://doi.org/10.1145/200836.200869');
    expect(entry(3)).toContain('Lynch and A. Shvartsman');
    expect(entry(3)).toContain('FTCS 1997');
    expect(entry(4)).toContain('dynamo.adoc` at commit 098ab9f044cd02967d1d182d5d3293ac6dbc4a0c');
    expect(entry(5)).toContain('Java driver 4.18.1');
    expect(entry(5)).toContain('`basic.request.consistency = LOCAL_ONE`');
    expect(entry(5)).toContain('https://github.com/apache/cassandra-java-driver/blob/4.18.1/core/src/main/resources/reference.conf');
    expect(entry(6)).toContain('https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html');
    expect(entry(7)).toContain('default `n_val` of 3, quorum as the default R and W');
    expect(entry(8)).toContain('`allow_mult` true by default for bucket types since Riak 2.0');
    expect(entry(9)).toContain('Abadi. "Consistency Tradeoffs in Modern Distributed Database System Design: CAP is Only Part of the Story." IEEE Computer 45(2), 2012, pages 37–42');
    expect(entry(10)).toContain('"Call me maybe: Riak," Jepsen, May 2013 (Riak 1.2.1');
    expect(entry(11)).toContain('"Call me maybe: Cassandra," Jepsen, September 24, 2013 (Cassandra 2.0.0');
  });
});

describe('Quorums: the arithmetic of overlapping sets', () => {
  it('R + W > N makes every read set meet every write set, by at least R + W − N replicas', () => {
    for (let n = 1; n <= 5; n++) {
      for (let r = 1; r <= n; r++) {
        for (let w = 1; w <= n; w++) {
          expect(minOverlap(n, r, w), `N=${n} R=${r} W=${w}`).toBe(Math.max(0, r + w - n));
        }
      }
    }
    expect(minOverlap(3, 2, 2)).toBe(1);
    expect(minOverlap(5, 3, 3)).toBe(1);
    expectInLesson(
      'With N = 3 and R = W = 2, the overlap is at least 2 + 2 − 3 = 1 replica. With N = 5 and R = W = 3, it is 3 + 3 − 5 = 1.',
    );
  });

  it('the majority table: majorities, R + W and failures tolerated for N = 3 and N = 5', () => {
    for (const n of [3, 5]) {
      const q = majority(n);
      expect(minOverlap(n, q, q)).toBeGreaterThanOrEqual(1);
      expectInLesson(`| ${n} | ${q} | ${2 * q} | ${n - q} |`);
    }
    expect(majority(4)).toBe(3);
    expect(4 - majority(4)).toBe(1);
    expectInLesson('N = 4 needs 3 for a majority and still tolerates only one failure');
  });

  it('Dynamo’s (3, 2, 2) overlaps, and the exercise’s zone cut leaves exactly a majority', () => {
    expect(2 + 2).toBeGreaterThan(3);
    expectInLesson(
      'the common (N, R, W) configuration among its instances was (3, 2, 2), chosen to meet the services\' performance, durability, consistency and availability targets [[1]](#references); 2 + 2 = 4 is greater than 3',
    );
    const left = 5 - 2;
    expect(left).toBe(majority(5));
    expect(2).toBeLessThan(majority(5));
    expectInLesson(`the other side keeps 5 − 2 = ${left} replicas, exactly a majority`);
  });

  it('the first quiz: N = 5, W = 2 needs R = 4', () => {
    const n = 5;
    const w = 2;
    const smallest = [1, 2, 3, 4, 5].find((r) => minOverlap(n, r, w) >= 1);
    expect(smallest).toBe(4);
    expect(minOverlap(n, 3, w)).toBe(0);
    expectInLesson(
      'N = 5 and writes are acknowledged after W = 2 replicas have stored them. What is the smallest R',
      '{ text: "R = 4", correct: true',
      'R + 2 > 5 means R is at least 4. Then the read set and the write set share at least 4 + 2 − 5 = 1 replica.',
      '3 + 2 = 5 is not greater than N',
    );
  });

  it('Cassandra’s QUORUM is n/2 + 1: 2 of 3 replicas, 3 of 5', () => {
    expect(Math.floor(3 / 2) + 1).toBe(2);
    expect(Math.floor(5 / 2) + 1).toBe(3);
    expectInLesson('With a replication factor of 3, QUORUM means 2 replicas; with 5, it means 3.');
  });
});

describe('Quorums: waiting for the k-th fastest answer', () => {
  const p = 0.01;
  const choose = (n: number, k: number): number => (k === 0 ? 1 : (n * choose(n - 1, k - 1)) / k);
  /** Probability that at least `k` of `n` independent replicas are slow. */
  const atLeast = (n: number, k: number): number => {
    let sum = 0;
    for (let i = k; i <= n; i++) sum += choose(n, i) * p ** i * (1 - p) ** (n - i);
    return sum;
  };

  it('recomputes the illustration: all 5 about 4.9%, 3 of 5 about 0.001%, 1 of 5 one in ten billion', () => {
    const all = 1 - (1 - p) ** 5;
    expect(all).toBeCloseTo(atLeast(5, 1), 12);
    expect((all * 100).toFixed(1)).toBe('4.9');
    const three = atLeast(5, 3);
    expect((three * 100).toFixed(3)).toBe('0.001');
    expect(atLeast(5, 5)).toBeCloseTo(1e-10, 20);
    expectInLesson(
      'each of 5 replicas is independently slow on a given request with probability 1%',
      'A request that needs all 5 is slow with probability 1 − 0.99^5, about 4.9%.',
      'slow only if at least 3 replicas are slow at once, about 0.001%',
      'A request that needs 1 is slow only if all five are, one in ten billion.',
    );
  });
});

describe('Quorums: figures from papers, documentation and source, as cited', () => {
  it('quotes Dynamo: sloppy quorum, hinted handoff, the latency target', () => {
    expectInLesson(
      'reads and writes go to the first N *healthy* nodes on it',
      'a strict quorum would make the store unavailable during server failures and network partitions [[1]](#references)',
      '99.9% of reads and writes within 300 ms [[1]](#references)',
      'an item deleted in one branch can come back after the merge [[1]](#references)',
    );
  });

  it('quotes Cassandra’s documentation on timestamps and its consistency levels, and the driver’s default', () => {
    expectInLesson(
      'its documentation warns that "Cassandra\'s correctness does depend on these clocks"',
      'QUORUM for a majority, n/2 + 1 of the replicas; ALL for every replica; LOCAL_QUORUM for a majority within the coordinator\'s datacenter',
      'Writes go to all replicas whatever the level',
      'its ANY consistency level, accepted only for writes, lets the coordinator store a hint',
      'sends every request at LOCAL_ONE (`basic.request.consistency` in its `reference.conf`, version 4.18.1) [[5]](#references)',
    );
  });

  it('quotes DynamoDB’s read units and recomputes the factor of two', () => {
    const strong = 1;
    const eventual = 0.5;
    expect(strong / eventual).toBe(2);
    expect(1_000 * strong).toBe(1_000);
    expect(1_000 * eventual).toBe(500);
    expectInLesson(
      'DynamoDB** reads are eventually consistent by default',
      'a strongly consistent read of an item up to 4 KB takes one read capacity unit, an eventually consistent one takes half a unit [[6]](#references), so strong reads cost twice as much: 1,000 strongly consistent reads a second of 4 KB items need 1,000 read units, eventually consistent ones 500.',
    );
  });

  it('quotes Riak’s defaults and its documentation on last-writer-wins and siblings', () => {
    expectInLesson(
      'stores three replicas of each object by default (`n_val` 3) and, like Dynamo, defaults R and W to a quorum [[7]](#references)',
      'since Riak 2.0 that is the default for bucket types you create [[8]](#references)',
      'because it necessarily drops some writes under concurrent updates',
    );
  });

  it('quotes the Jepsen analyses with their dates and versions', () => {
    expectInLesson(
      '**Riak, last-writer-wins (Jepsen, May 2013).**',
      'Jepsen analysis of Riak 1.2.1',
      'LWW dropped 30–70% of writes even with the strongest consistency settings, R, W, PR and PW all set to ALL, and even with a perfect lock service',
      '**Cassandra, timestamps (Jepsen, September 24, 2013).** The Jepsen analysis of Cassandra 2.0.0',
      'uses pure last-writer-wins instead of vector clocks [[11]](#references)',
    );
  });

  it('cites ABD and PACELC where it uses them', () => {
    expectInLesson(
      'Attiya, Bar-Noy and Dolev showed in 1995',
      'while any minority of processes has crashed [[2]](#references)',
      'Lynch and Shvartsman gave this multi-writer form [[3]](#references)',
      'if there is a partition (P), a system trades availability (A) against consistency (C); else (E), it trades latency (L) against consistency (C) [[9]](#references)',
    );
  });

  it('states the exercise’s own numbers as the exercise has them', () => {
    const store = readFileSync(new URL('../../../exercises/quorum-store/store.ts', import.meta.url), 'utf8');
    const tests = readFileSync(new URL('../../../exercises/quorum-store/store.test.ts', import.meta.url), 'utf8');
    expect(store).toContain("ZONE_REPLICAS: Readonly<Record<string, readonly string[]>> = { a: ['n1', 'n2'], b: ['n3', 'n4'], c: ['n5'] }");
    expect(store).toContain('deadlineMs: 1_000');
    expect(store).toContain('const skewMs = options.skewMs ?? 5;');
    expect(tests).toContain('const NOTICE_MS = 500;');
    expect(tests).toContain('const FAST_REFUSAL_MS = 50;');
    expect(tests).toContain('share >= 0.99');
    expectInLesson(
      'zone a holds two, zone b two and zone c one',
      'In the exercise a client gives up after 1 s.',
      'refusing at least 99% of their requests within 50 ms, once they have had half a second to notice the cut',
      'each replica\'s clock is off by up to 5 ms either way',
    );
  });
});

describe('Quorums: the example histories, as the course checker classifies them', () => {
  for (const [name, { history, linearizable }] of Object.entries(histories)) {
    it(`history ${name} is ${linearizable ? '' : 'not '}linearizable, as the lesson says`, () => {
      const expected = linearizable ? 'linearizable' : 'not-linearizable';
      expect(checkLinearizability(kvModel(), history).verdict).toBe(expected);
      expect(checkLinearizability(registerModel(), history).verdict).toBe(expected);
      expect(bruteForceLinearizable(registerModel(), history)).toBe(linearizable);
    });
  }

  it('draws each history with the times and answers used here, and says the verdict the checker gives', () => {
    expectInLesson(
      '  client 1  [ 0 -- put x = a, version 5 -- 20 ]\n  client 2  [ 0 -- put x = b, version 5 -- 20 ]\n  client 3                                [ 30 - get x -> a - 35 ]\n  client 4                                               [ 40 - get x -> b - 45 ]\n```\n\nNot linearizable.',
      '  client 1  [ 0 -- put x = 1: A stores it, B and C do not answer -> refused -- 60 ]\n  client 2                                             [ 70 -- get x from A, B -> 1 -- 80 ]\n```',
      'If the coordinator told client 1 "refused", the history is not linearizable',
      'If it reported an **unknown outcome**, the history is linearizable',
      '  client 1  [ 0 ---------- put x = 1 (A stores it at 5, B at 45) ---------- 50 ]\n  client 2       [ 10 - get x from A, B -> 1 - 20 ]\n  client 3                                [ 30 - get x from B, C -> absent - 40 ]\n```',
      'history C of the previous lesson, not linearizable',
      '  client 1  [ 0 ---------- put x = 1 ---------- 50 ]\n  client 2       [ 10 - get x -> 1, writes 1 back to B - 25 ]\n  client 3                                [ 30 - get x from B, C -> 1 - 40 ]\n```\n\nLinearizable',
      '  client 1  [ 0 -- put x = 1 via n1, stamped 32 -- 10 ]\n  client 2                   [ 20 -- put x = 2 via n3, stamped 21 -- 30 ]\n  client 3                                                [ 40 -- get x -> 1 -- 50 ]\n```',
    );
  });

  it('history E is the previous lesson’s history C, with the same verdict', () => {
    const previous = lessonSource('quorums/partitions-happen.mdx');
    expect(previous).toContain('C: new, then old');
    expect(previous).toContain('client 3                                [ 30 - get x -> absent - 40 ]');
    expect(verdict(histories.E.history)).toBe('not-linearizable');
  });

  it('history I: a clock 30 ms fast stamps the earlier write above the later one', () => {
    const fastBy = 30;
    const firstAt = 2;
    const secondAt = 21;
    const firstStamp = firstAt + fastBy;
    expect(firstStamp).toBe(32);
    expect(secondAt).toBeLessThan(firstStamp);
    // The stamps fall inside each put's window: the first in 0–10 ms, the second in 20–30 ms.
    expect(firstAt).toBeGreaterThanOrEqual(0);
    expect(firstAt).toBeLessThanOrEqual(10);
    expect(secondAt).toBeGreaterThanOrEqual(20);
    expect(secondAt).toBeLessThanOrEqual(30);
    expectInLesson(
      "n1's clock reads 32 ms when the true time is 2 ms; n3's clock is right and stamps 21. Both writes were acknowledged, 21 is lower than 32, so every replica keeps 1. Not linearizable",
    );
    // Had the replicas kept the later write, the history would have been fine.
    expect(verdict([put(1, 'x', '1', 0, 10), put(2, 'x', '2', 20, 30), get(3, 'x', '2', 40, 50)])).toBe('linearizable');
  });

  it('the quizzes on histories give the checker’s answers', () => {
    // "A put of x = 1 runs from 0 to 50 ms. A read from 10 to 20 ms ... returns 1. A read from 30 to 40 ms ... returns x absent."
    expectInLesson(
      'A put of x = 1 runs from 0 to 50 ms. A read from 10 to 20 ms asks replicas A and B and returns 1. A read from 30 to 40 ms asks B and C and returns x absent. Is the history linearizable?',
      '{ text: "No: the second read started after the first returned 1, so it must also see 1", correct: true',
    );
    expect(verdict(histories.E.history)).toBe('not-linearizable');
    // "Two stored it ... What may it tell the client?" — refused fails the checker, unknown passes.
    expectInLesson('{ text: "That the outcome is unknown", correct: true');
    expect(verdict([rejected(put(1, 'x', '1', 0, 60)), get(2, 'x', '1', 70, 80)])).toBe('not-linearizable');
    expect(verdict([timedOut(put(1, 'x', '1', 0, 60)), get(2, 'x', '1', 70, 80)])).toBe('linearizable');
    // LWW with R = W = N = 3 still loses the later write of history I.
    expectInLesson('R = W = N = 3 (every replica, for every read and write). Can it still lose an acknowledged write?');
    expect(verdict(histories.I.history)).toBe('not-linearizable');
  });
});
