/**
 * Checks the lesson "Partitions happen" (the first of the CAP and quorums module): the figures
 * it quotes from studies and post-mortems are printed exactly as cited, the arithmetic it does
 * on them is recomputed, every citation marker has a reference entry, the example histories
 * get the verdicts the lesson gives them from the course's own linearizability checker, and
 * the page embeds the module's zone-cut simulation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel, parseEtcdLog, registerModel } from '../../../src/sim/checker/index.ts';
import type { History, KvInput, KvOutput } from '../../../src/sim/history.ts';
import { bruteForceLinearizable, get, put } from '../sim/fixtures-checker.ts';
import { expectIn, lessonSource } from './lesson-source.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = lessonSource('quorums/partitions-happen.mdx');
const expectInLesson = expectIn(lesson);
const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '';

type KvHistory = History<KvInput, KvOutput>;

/** The four histories of one key the lesson draws as timelines (x starts absent). */
const histories: Record<'A' | 'B' | 'C' | 'D', { history: KvHistory; linearizable: boolean }> = {
  // A: the put returned at 10 ms; the get called at 20 ms still sees x absent.
  A: { history: [put(1, 'x', '1', 0, 10), get(2, 'x', null, 20, 30)], linearizable: false },
  // B: the same read, overlapping the put.
  B: { history: [put(1, 'x', '1', 0, 10), get(2, 'x', null, 5, 15)], linearizable: true },
  // C: new then old, the second read called after the first returned.
  C: { history: [put(1, 'x', '1', 0, 50), get(2, 'x', '1', 10, 20), get(3, 'x', null, 30, 40)], linearizable: false },
  // D: new and old, the two reads overlapping.
  D: { history: [put(1, 'x', '1', 0, 50), get(2, 'x', '1', 10, 20), get(3, 'x', null, 15, 25)], linearizable: true },
};

describe('Partitions happen: the page', () => {
  it('is lesson 1 of the quorums module, published, and the module is no longer coming', () => {
    expect(frontmatter).toMatch(/^title: Partitions happen$/m);
    expect(frontmatter).toMatch(/^module: quorums$/m);
    expect(frontmatter).toMatch(/^order: 1$/m);
    expect(frontmatter).not.toMatch(/^draft: true$/m);
    const modules = JSON.parse(readFileSync(new URL('../../../content/modules.json', import.meta.url), 'utf8')) as {
      id: string;
      coming?: boolean;
    }[];
    expect(modules.find((m) => m.id === 'quorums')?.coming).toBeUndefined();
  });

  it('keeps MDX-special characters out of the prose, has no H1, has quizzes, and embeds the zone-cut simulation after saying what to watch', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose)).toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect([...body.matchAll(/<Simulation scenario="([^"]+)"/g)].map((m) => m[1])).toEqual(['quorum-partition']);
    const before = body.split('<Simulation scenario="quorum-partition" />')[0]!.trimEnd().split('\n\n').at(-1)!;
    expect(before).toContain('In mode cp');
    expect(before).toContain('In mode ap');
    // The module's exercise comes with the quorums lesson, which teaches what it needs.
    expect(body).not.toMatch(/<Exercise\b/);
    expect(frontmatter).not.toMatch(/^exercises:/m);
  });

  it('is about as long as the other lessons: 2,000 to 3,000 words of prose', () => {
    const words = proseOf(lesson.split('## References')[0]!).match(/\S+/g)?.length ?? 0;
    expect(words).toBeGreaterThanOrEqual(2_000);
    expect(words).toBeLessThanOrEqual(3_000);
  });
});

describe('Partitions happen: citations', () => {
  const [text, references] = body.split(/^## References$/m) as [string, string];
  const entries = new Map<number, string>();
  for (const m of references.matchAll(/^(\d+)\. (.+)$/gm)) entries.set(Number(m[1]), m[2]!);
  const cited = new Set([...text.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1])));

  it('numbers its references 1, 2, 3, … with no gaps', () => {
    expect([...entries.keys()]).toEqual(Array.from({ length: entries.size }, (_, i) => i + 1));
  });

  it('has a reference entry for every citation marker, and cites every entry', () => {
    for (const n of cited) expect(entries.has(n), `[[${n}]] has no entry in References`).toBe(true);
    for (const n of entries.keys()) expect(cited.has(n), `reference ${n} is never cited`).toBe(true);
  });

  it('names each source the figures come from', () => {
    const entry = (n: number): string => entries.get(n) ?? '';
    expect(entry(1)).toContain('Bailis and K. Kingsbury. "The Network is Reliable');
    expect(entry(1)).toContain('https://queue.acm.org/detail.cfm?id=2655736');
    expect(entry(2)).toContain('Gill, N. Jain and N. Nagappan. "Understanding Network Failures in Data Centers');
    expect(entry(2)).toContain('ACM SIGCOMM 2011');
    expect(entry(3)).toContain('https://github.blog/2018-10-30-oct21-post-incident-analysis/');
    expect(entry(4)).toContain('https://github.blog/2012-12-26-downtime-last-saturday/');
    expect(entry(5)).toContain('https://www.twilio.com/blog/2013/07/billing-incident-post-mortem-breakdown-analysis-and-root-cause.html');
    expect(entry(6)).toContain('Gilbert and N. Lynch');
    expect(entry(6)).toContain('ACM SIGACT News, 2002');
    expect(entry(7)).toContain('Herlihy and J. Wing. "Linearizability: A Correctness Condition for Concurrent Objects."');
    expect(entry(7)).toContain('1990');
    expect(entry(8)).toContain('Wing and C. Gong');
    expect(entry(9)).toContain('Lowe. "Testing for linearizability."');
    expect(entry(10)).toContain('Gibbons and E. Korach. "Testing Shared Memories." SIAM Journal on Computing 26(4), 1997, pages 1208–1244');
  });
});

describe('Partitions happen: figures from studies, as cited', () => {
  it('quotes Gill et al. with the section each figure comes from', () => {
    expectInLesson(
      'more than four 9\'s of availability for about 80% of the links and for about 60% of the devices (section 4.5.3)',
      'reduces the median impact of a failure, in lost bytes or packets, by only up to 40% (section 5.1 and the abstract)',
      'loss of many small packets such as keep-alive messages',
      '[[2]](#references)',
    );
  });

  it('quotes the study as Bailis and Kingsbury summarise it, and recomputes the failure rate', () => {
    const devices = 5.2;
    const links = 40.8;
    const perDay = devices + links;
    expect(perDay).toBeCloseTo(46, 10);
    const minutesBetween = (24 * 60) / perDay;
    expectInLesson(
      'an average of 5.2 device failures and 40.8 link failures per day, with a median time to repair of about five minutes and a maximum of one week, and an estimated median of 59,000 packets lost per failure [[1]](#references)',
      `That is ${devices} + ${links} = ${Math.round(perDay)} failures a day, one about every ${Math.round(minutesBetween)} minutes`,
    );
  });

  it("counts Chubby's network-caused long outages", () => {
    const maintenance = 4;
    const connectivity = 2;
    expectInLesson(
      'the causes of 61 outages over 700 days of operation across several clusters; of the nine that lasted more than 30 seconds, four were caused by network maintenance and two by suspected network connectivity problems',
      `so ${maintenance} + ${connectivity} = ${maintenance + connectivity} of the 9 long outages came from the network [[1]](#references)`,
    );
  });

  it('quotes the one-way network card and the paused process from the survey', () => {
    expectInLesson(
      'a network card (the Broadcom BCM5709) that dropped incoming packets but still sent outgoing ones',
      'never took over; the service was down for five hours [[1]](#references)',
      'stops answering for seconds or, in bad cases, minutes [[1]](#references)',
    );
  });
});

describe('Partitions happen: post-mortems, with dates and recomputed durations', () => {
  it('GitHub, December 22, 2012: 90 seconds, then five hours of recovery', () => {
    expectInLesson(
      '**GitHub, December 22, 2012: a whole network for 90 seconds.**',
      'blocked all traffic between the access switches below them for about 90 seconds',
      'took five hours, during which GitHub was badly degraded [[1]](#references) [[4]](#references)',
    );
  });

  it('GitHub, October 21, 2018: 43 seconds of lost connectivity, 24 hours and 11 minutes degraded', () => {
    const cutS = 43;
    const degradedS = 24 * 3_600 + 11 * 60;
    const ratio = degradedS / cutS;
    expect(ratio).toBeGreaterThan(2_000);
    expect(ratio).toBeLessThan(2_100);
    expectInLesson(
      '**GitHub, October 21, 2018: 43 seconds between two sites.**',
      '43 seconds of lost connectivity between the US East Coast network hub and the primary East Coast data centre',
      '24 hours and 11 minutes of degraded service [[3]](#references)',
      'more than 2,000 times as long as the network was cut',
    );
    // The failover lesson quotes the same incident with the same figures.
    const failover = lessonSource('replication/failover.mdx');
    expect(failover).toContain('Connectivity came back after 43 seconds');
    expect(failover).toContain('24 hours and 11 minutes');
  });

  it('Twilio, July 18, 2013: from the cut at 1:35 to failing services at 2:39', () => {
    const minutes = (h: number, m: number): number => h * 60 + m;
    const elapsed = minutes(2, 39) - minutes(1, 35);
    expectInLesson(
      '**Twilio, July 18, 2013: a partial partition.**',
      "At 1:35 AM PDT, Twilio's billing Redis master lost connectivity to all of its replicas",
      `by 2:39 AM, ${elapsed} minutes after the cut`,
      "1.4% of Twilio's customers affected, some charged repeatedly [[5]](#references)",
    );
  });
});

describe('Partitions happen: definitions', () => {
  it('gives Gilbert and Lynch’s definitions and their theorem', () => {
    expectInLesson(
      '**Availability:** every request received by a non-failing node must result in a response.',
      'each operation appears to take effect at a single instant',
      '"Atomic" here is what Herlihy and Wing call linearizable',
      'Their Theorem 1 says that in an asynchronous network',
      'Split the nodes into two non-empty groups, G1 and G2, and lose every message between them.',
    );
  });

  it('states the complexity result with its source', () => {
    expectInLesson('is NP-complete in general [[10]](#references)');
  });
});

describe('Partitions happen: the example histories, as the course checker classifies them', () => {
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
      'client 1  [ 0 -- put x = 1 -- 10 ]\n  client 2                            [ 20 -- get x -> absent -- 30 ]\n```\n\nNot linearizable.',
      'client 1  [ 0 -- put x = 1 -- 10 ]\n  client 2          [ 5 -- get x -> absent -- 15 ]\n```\n\nLinearizable.',
      '  client 2       [ 10 - get x -> 1 - 20 ]\n  client 3                                [ 30 - get x -> absent - 40 ]\n```\n\nNot linearizable',
      '  client 2       [ 10 - get x -> 1 - 20 ]\n  client 3            [ 15 - get x -> absent - 25 ]\n```\n\nLinearizable.',
      'client 1  [ 0 -------------- put x = 1 -------------- 50 ]',
    );
  });

  it('the linearizability quiz is history D, and its answer is the checker’s', () => {
    expectInLesson(
      'Client 1 puts x = 1 from 0 to 50 ms. Client 2 gets x from 10 to 20 ms and sees 1. Client 3 gets x from 15 to 25 ms and sees it absent. Is the history linearizable?',
      '{ text: "Yes: client 3\'s read takes effect first, then the put, then client 2\'s read", correct: true',
    );
    expect(histories.D.linearizable).toBe(true);
    // "Move client 3's call to after 20 ms and the history stops being linearizable."
    const moved: KvHistory = [put(1, 'x', '1', 0, 50), get(2, 'x', '1', 10, 20), get(3, 'x', null, 21, 25)];
    expect(checkLinearizability(kvModel(), moved).verdict).toBe('not-linearizable');
  });

  it('cuts history C, buried in ten operations on two keys, down to the four operations the lesson lists', () => {
    const history: KvHistory = [
      put(1, 'x', 'a', 0, 10),
      get(2, 'x', 'a', 12, 18),
      put(4, 'y', 'q', 5, 25),
      get(3, 'y', 'q', 30, 35),
      put(1, 'x', 'b', 20, 70),
      get(2, 'x', 'b', 30, 40),
      get(3, 'x', 'a', 45, 55),
      put(1, 'x', 'c', 80, 90),
      get(2, 'x', 'c', 95, 100),
      get(4, 'y', 'q', 95, 100),
    ];
    expect(history).toHaveLength(10);
    expect(new Set(history.map((o) => o.input.key)).size).toBe(2);
    const result = checkLinearizability(kvModel(), history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    const ce = result.counterexample;
    expect(ce.part).toBe('key "x"');
    // The earlier put of the old value, the new put, the read of the new value, the read of the old one.
    expect(ce.operations.map((o) => o.index)).toEqual([0, 4, 5, 6]);
    expect(ce.operations.find((o) => o.role === 'unplaceable')?.index).toBe(6);
    // The four fail by themselves, from an empty store, and without the unplaceable read they pass.
    const alone = ce.operations.map((o) => o.operation);
    expect(checkLinearizability(kvModel(), alone).verdict).toBe('not-linearizable');
    expect(checkLinearizability(kvModel(), alone.filter((o) => o !== history[6])).verdict).toBe('linearizable');
    expectInLesson(
      'Given a history of ten operations on two keys with history C buried in it, the checker reports four operations on x: the earlier put that wrote the old value, the new put, the read that saw the new value, and the read that saw the old one afterwards.',
    );
  });

  it('checks keys separately: a stale read on one key fails that key alone', () => {
    const history: KvHistory = [put(1, 'x', '1', 0, 10), put(2, 'y', '2', 0, 10), get(3, 'x', '1', 20, 30), get(3, 'y', null, 20, 30)];
    const result = checkLinearizability(kvModel(), history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict === 'not-linearizable') expect(result.counterexample.part).toBe('key "y"');
    expect(result.stats.parts).toBe(2);
    expectInLesson('It splits a key-value history by key, using the locality property above');
  });
});

describe('Partitions happen: the recorded counterexample', () => {
  it('embeds etcd_000 and tells its story with the numbers the checker reports', () => {
    expect(body).toContain('<Counterexample history="etcd/etcd_000.log"');
    const history = parseEtcdLog(readFileSync(new URL('../../fixtures/linearizability/etcd/etcd_000.log', import.meta.url), 'utf8'));
    const result = checkLinearizability(registerModel(), history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    const ops = result.counterexample.operations;
    expect(history).toHaveLength(85);
    expect(ops.map((o) => [o.operation.clientId, o.description, o.role])).toEqual([
      [2, 'write("2")', 'linearized'],
      [3, 'write("3")', 'linearized'],
      [14, 'write("4") (outcome unknown)', 'linearized'],
      [11, 'read() → "2"', 'unplaceable'],
    ]);
    // Client 3's write returned before client 11's read began; client 2's before client 3's.
    expect(ops[1]!.operation.returnMs!).toBeLessThan(ops[3]!.operation.invokeMs);
    expect(ops[0]!.operation.returnMs!).toBeLessThan(ops[1]!.operation.invokeMs);
    expect(lesson).toContain('85 operations in its log. The checker keeps four of them.');
    expect(lesson).toContain('four of its 85 operations');
  });
});
