/**
 * Checks the lesson "Why agreement is hard" (the first of the consensus module):
 * the figures it quotes from the Raft paper, etcd's source and documentation and HashiCorp's
 * Raft library are printed exactly as cited, every piece of arithmetic it does (the majority
 * table, the election-cost examples, the quiz answers) is recomputed here, every citation
 * marker has a reference entry, each quiz has exactly one right answer, and the page, published
 * with its module, embeds the election simulation and the module's exercise where it should. The
 * figures it quotes from the simulation are checked in tests/unit/scenarios/raft-election.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectIn, lessonSource } from './lesson-source.ts';
import { describeLessonStructure, lessonParts } from './lesson-checks.ts';

const lesson = lessonSource('consensus/why-agreement-is-hard.mdx');
const expectInLesson = expectIn(lesson);
const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '';

const majority = (n: number): number => Math.floor(n / 2) + 1;
const tolerated = (n: number): number => n - majority(n);

/**
 * How long a Raft group is without a leader after its leader crashes: the first follower
 * stands when its timer runs out (its timeout, counted from the last heartbeat, minus the time
 * already elapsed between that heartbeat and the crash), then the election takes `rounds`
 * rounds of `roundMs` each.
 */
const noLeaderMs = (sinceHeartbeatMs: number, shortestTimeoutMs: number, rounds: number, roundMs: number): number =>
  shortestTimeoutMs - sinceHeartbeatMs + rounds * roundMs;

/** Every subset of `n` servers of size `k`, as bitmasks. */
function subsets(n: number, k: number): number[] {
  const out: number[] = [];
  for (let mask = 0; mask < 1 << n; mask++) if (popcount(mask) === k) out.push(mask);
  return out;
}
function popcount(mask: number): number {
  let bits = 0;
  for (let m = mask; m !== 0; m &= m - 1) bits++;
  return bits;
}


describeLessonStructure(lesson, { title: 'Why agreement is hard', links: ['failover', 'rebalancing-and-routing', 'partitions-happen', 'quorums'], references: 9 });

describe('Why agreement is hard: the page', () => {
  it('is lesson 1 of the consensus module, published after Quorums, and the module is live', () => {
    expect(frontmatter).toMatch(/^title: Why agreement is hard$/m);
    expect(frontmatter).toMatch(/^module: consensus$/m);
    expect(frontmatter).toMatch(/^order: 1$/m);
    expect(frontmatter).not.toMatch(/^draft:/m);
    expect(frontmatter).toMatch(/^prerequisites: \[quorums\]$/m);
    expect(frontmatter).toMatch(/^minutes: \d+$/m);
    expect(frontmatter).toMatch(/^summary: .{20,300}$/m);
    const objectives = frontmatter.split(/^objectives:\n/m)[1]!.split(/^\S/m)[0]!.match(/^ {2}- /gm) ?? [];
    expect(objectives.length).toBeGreaterThanOrEqual(2);
    expect(objectives.length).toBeLessThanOrEqual(8);
    const modules = JSON.parse(readFileSync(new URL('../../../content/modules.json', import.meta.url), 'utf8')) as {
      id: string;
      coming?: boolean;
    }[];
    expect(modules.find((m) => m.id === 'consensus')?.coming).toBeUndefined();
  });

  it('embeds the raft-election simulation in "Why the timeouts are random", after a paragraph saying what to watch and try', () => {
    expect(body.match(/<Simulation\b[^>]*\/>/g)).toEqual(['<Simulation scenario="raft-election" />']);
    const section = body.split(/^## /m).find((s) => s.startsWith('Why the timeouts are random\n'))!;
    expect(section).toContain('<Simulation scenario="raft-election" />');
    const before = section.split('<Simulation')[0]!.trimEnd().split(/\n\n/).at(-1)!;
    // What to watch: terms, votes, heartbeats, the time without a leader, and split votes.
    for (const word of ['term', 'vote requests and votes', 'heartbeats', 'time without one', 'split vote']) {
      expect(before, `the paragraph before the simulation names ${word}`).toContain(word);
    }
    // What to try: each of the reader's controls.
    for (const control of ['fixed timeouts', '20% loss', 'partition']) {
      expect(before, `the paragraph before the simulation suggests ${control}`).toContain(control);
    }
  });

  it('lists the raft-election exercise and embeds it at the end of "What comes next"', () => {
    expect(frontmatter).toMatch(/^exercises: \[raft-election\]$/m);
    expect(body.match(/<Exercise\b[^>]*\/>/g)).toEqual(['<Exercise id="raft-election" />']);
    const next = body.split(/^## /m).find((s) => s.startsWith('What comes next\n'))!;
    expect(next.trimEnd().endsWith('<Exercise id="raft-election" />')).toBe(true);
    expectInLesson("The module's exercise asks you to build the election described here");
    expect(existsSync(new URL('../../../exercises/raft-election/exercise.json', import.meta.url))).toBe(true);
  });
});

describe('Why agreement is hard: citations', () => {
  const entries = lessonParts(lesson).references;
  const entry = (n: number): string => entries.get(n) ?? '';

  it('names each source the figures come from', () => {
    expect(entry(1)).toContain('Site Reliability Engineering: How Google Runs Production Systems. O\'Reilly, 2016. Chapter 23, "Managing Critical State: Distributed Consensus for Reliability"');
    expect(entry(1)).toContain('https://sre.google/sre-book/managing-critical-state/');
    expect(entry(2)).toContain('Fischer, N. A. Lynch and M. S. Paterson. "Impossibility of Distributed Consensus with One Faulty Process." Journal of the ACM 32(2), April 1985, pages 374–382');
    expect(entry(3)).toContain('Dwork, N. Lynch and L. Stockmeyer. "Consensus in the Presence of Partial Synchrony." Journal of the ACM 35(2), April 1988, pages 288–323');
    expect(entry(4)).toContain('Aspnes. "Randomized protocols for asynchronous consensus." Distributed Computing 16(2–3), September 2003, pages 165–175');
    expect(entry(5)).toContain('Ongaro and J. Ousterhout. "In Search of an Understandable Consensus Algorithm." USENIX ATC 2014');
    expect(entry(5)).toContain('timing and availability, section 5.6; persistent state, Figure 2; election measurements, section 9.3 and Figure 16');
    expect(entry(6)).toContain('`server/embed/config.go` at commit c34dc7ee0048fd2bcc44d50beff002e5e8069b69');
    expect(entry(6)).toContain('`TickMs: 100`, `ElectionMs: 1000` and `PreVote: true`');
    expect(entry(6)).toContain('`maxElectionMs = 50000`');
    expect(entry(7)).toContain('`raft.go` at commit cdfbeed3149e6dd1c7881853d8ed5993ffcd6be2');
    expect(entry(7)).toContain('between electiontimeout and 2 * electiontimeout - 1 ticks');
    expect(entry(7)).toContain('`HeartbeatTick: 1`');
    expect(entry(8)).toContain('`content/en/docs/v3.6/tuning.md` in etcd-io/website at commit 824597935df6e95992ef61c07e3222f4f796ca6c');
    expect(entry(8)).toContain('https://etcd.io/docs/v3.6/tuning/');
    expect(entry(9)).toContain('at commit 1837036daf50bd973bcb0f3fc536b2d451cebf5d');
    expect(entry(9)).toContain('`DefaultConfig`: `HeartbeatTimeout`, `ElectionTimeout` and `LeaderLeaseTimeout`');
  });
});

describe('Why agreement is hard: figures from sources, as cited', () => {
  it('quotes the SRE book and the two impossibility papers with their sources', () => {
    expectInLesson(
      'lists leader election, group membership, distributed locks and leases, reliable queues and messaging',
      'keep failing in production [[1]](#references)',
      'In 1985 Fischer, Lynch and Paterson proved',
      'if even one process may crash [[2]](#references)',
      'decide once the system has behaved within the bounds for long enough [[3]](#references)',
      'a line of work that Aspnes surveys [[4]](#references)',
    );
  });

  it("quotes the Raft paper's rules for terms, votes and persistence", () => {
    expectInLesson(
      'Terms work as a logical clock (section 5.1 of the paper)',
      'An election runs like this (section 5.2 of the paper)',
      'Each server votes for at most one candidate per term, the first that asks',
      'AppendEntries messages that carry no log entries',
      'Raft\'s summary of the protocol (Figure 2 of the paper) lists the current term and the vote among the state that every server keeps on stable storage, written before it answers any message [[5]](#references)',
    );
  });

  it("quotes the Raft paper's election measurements (section 9.3, Figure 16) exactly", () => {
    expectInLesson(
      'the paper suggests 150–300 ms as an example',
      'on a cluster of five servers with a broadcast time of roughly 15 ms',
      '1000 times for most configurations (section 9.3 and Figure 16)',
      'elections consistently took more than 10 seconds in their tests',
      'Only 5 ms of randomness brought the median downtime down to 287 ms',
      '50 ms of randomness held the worst of 1000 trials to 513 ms',
      'with timeouts of 12–24 ms a leader was elected in 35 ms on average, and the longest trial took 152 ms',
      'conservative values such as 150–300 ms',
    );
  });

  it("quotes the Raft paper's timing requirement (section 5.6)", () => {
    expectInLesson(
      "Raft's **timing requirement** (section 5.6 of the paper): broadcastTime ≪ electionTimeout ≪ MTBF.",
      'The paper puts the broadcast time at 0.5 ms to 20 ms',
      'somewhere between 10 ms and 500 ms',
      'several months or more',
    );
    // An election timeout 10 to 20 times the broadcast time, as the paper's ranges imply.
    expect(10 / 0.5).toBe(20);
    expect(500 / 20).toBe(25);
  });

  it("quotes etcd's defaults from its source and its tuning guide", () => {
    expectInLesson(
      'a default heartbeat interval of 100 ms and a default election timeout of 1000 ms: `TickMs: 100` and `ElectionMs: 1000` in its `server/embed/config.go`',
      'shorter than 5 times the heartbeat interval or longer than 50000 ms, and turns on pre-vote by default [[6]](#references)',
      'between the election timeout and 2 × the election timeout − 1 ticks [[7]](#references)',
      'a heartbeat interval around the round-trip time between members, normally 0.5 to 1.5 times it, and an election timeout of at least 10 times the round-trip time: with a 10 ms round trip, at least 100 ms [[8]](#references)',
    );
    expect(10 * 10).toBe(100);
    // The defaults pass etcd's own check: the election timeout is at least 5 heartbeats.
    expect(1000).toBeGreaterThanOrEqual(5 * 100);
  });

  it("quotes HashiCorp Raft's defaults and recomputes their randomized ranges", () => {
    const heartbeatTimeoutMs = 1000;
    const electionTimeoutMs = 1000;
    expectInLesson(
      `Its \`DefaultConfig\` sets \`HeartbeatTimeout\` to ${heartbeatTimeoutMs} ms`,
      `\`ElectionTimeout\` to ${electionTimeoutMs} ms`,
      '`LeaderLeaseTimeout` to 500 ms',
      `between their value and twice their value, ${(1000).toLocaleString('en-US')} to ${(2 * 1000).toLocaleString('en-US')} ms by default`,
      `between a tenth and a fifth of \`HeartbeatTimeout\`, ${heartbeatTimeoutMs / 10} to ${(2 * heartbeatTimeoutMs) / 10} ms by default [[9]](#references)`,
    );
  });
});

describe('Why agreement is hard: majorities', () => {
  it('prints the majority table for 1 to 7 servers, recomputed', () => {
    for (let n = 1; n <= 7; n++) {
      expect(tolerated(n)).toBe(Math.floor((n - 1) / 2));
      expectInLesson(`| ${n} | ${majority(n)} | ${tolerated(n)} |`);
    }
    expect(body.match(/^\| \d \| \d \| \d \|$/gm)).toHaveLength(7);
  });

  it('any two majorities share a server, and a smaller set than a majority does not always', () => {
    for (let n = 1; n <= 7; n++) {
      const m = majority(n);
      for (const a of subsets(n, m)) for (const b of subsets(n, m)) expect(a & b).not.toBe(0);
      if (n >= 2) {
        const smaller = subsets(n, m - 1);
        expect(smaller.some((a) => smaller.some((b) => (a & b) === 0))).toBe(true);
      }
    }
  });

  it('2f + 1 servers are the fewest that survive f failures, and an even N tolerates no more than N − 1', () => {
    for (let f = 0; f <= 3; f++) {
      const fewest = Array.from({ length: 10 }, (_, i) => i + 1).find((n) => n - f >= majority(n));
      expect(fewest).toBe(2 * f + 1);
      expect(2 * f + 1 - f).toBe(f + 1);
    }
    for (const n of [2, 4, 6]) expect(tolerated(n)).toBe(tolerated(n - 1));
    expectInLesson(
      'so it tolerates N − majority failures, which is floor((N − 1) / 2)',
      'after f crashes, f + 1 remain, still a majority of 2f + 1',
    );
  });

  it('the N = 4 quiz answer is the table', () => {
    expect(majority(4)).toBe(3);
    expect(tolerated(4)).toBe(1);
    expect(tolerated(3)).toBe(1);
    expectInLesson(
      '{ text: "One, the same as with three servers", correct: true',
      'so the group tolerates 4 − 3 = 1 failure, exactly as 3 servers do with a majority of 2',
    );
  });
});

describe('Why agreement is hard: the election story and its quiz', () => {
  it('has two leaders in term 7 only because B forgot its vote', () => {
    // Three servers; a leader needs 2 votes. B votes for A in term 7, restarts, votes for C in term 7.
    const votes = { A: ['A', 'B'], C: ['C', 'B'] };
    expect(votes.A.length).toBeGreaterThanOrEqual(majority(3));
    expect(votes.C.length).toBeGreaterThanOrEqual(majority(3));
    expect(votes.A.filter((v) => votes.C.includes(v))).toEqual(['B']);
    expectInLesson(
      'Three servers, A, B and C, are in term 6.',
      'C has two of three votes and also leads term 7.',
      '{ text: "A server that crashes after voting can vote again in the same term after restarting, so two candidates can each collect a majority and both lead that term", correct: true',
    );
  });
});

describe('Why agreement is hard: what an election costs, recomputed', () => {
  // The paper's timeouts: five servers, 150–300 ms, heartbeats every 50 ms, 15 ms per round.
  const paper = { minMs: 150, maxMs: 300, heartbeatMs: 50, roundMs: 15, followers: 5 - 1 };

  it('computes the best, average and worst rows of the table', () => {
    const best = noLeaderMs(paper.heartbeatMs, paper.minMs, 1, paper.roundMs);
    const worst = noLeaderMs(0, paper.maxMs, 1, paper.roundMs);
    const shortestAverage = paper.minMs + (paper.maxMs - paper.minMs) / (paper.followers + 1);
    const sinceAverage = paper.heartbeatMs / 2;
    const average = noLeaderMs(sinceAverage, shortestAverage, 1, paper.roundMs);
    expect([best, shortestAverage, average, worst]).toEqual([115, 180, 170, 315]);
    expectInLesson(
      `| Best | ${paper.heartbeatMs} ms | ${paper.minMs} ms | ${paper.minMs} − ${paper.heartbeatMs} + ${paper.roundMs} = ${best} ms |`,
      `| Average | ${sinceAverage} ms | ${shortestAverage} ms | ${shortestAverage} − ${sinceAverage} + ${paper.roundMs} = ${average} ms |`,
      `| Worst, no split vote | 0 ms | ${paper.maxMs} ms | ${paper.maxMs} − 0 + ${paper.roundMs} = ${worst} ms |`,
      `averages ${paper.minMs} + ${paper.maxMs - paper.minMs} / (${paper.followers} + 1) = ${shortestAverage} ms`,
      `the worst case with one split vote is ${worst} + ${paper.maxMs} = ${worst + paper.maxMs} ms`,
      'A split vote adds between 150 and 300 ms more',
    );
  });

  it('the average shortest timeout of four uniform draws over 150–300 ms is 180 ms (numerically)', () => {
    // E[min] = min + ∫ P(all four exceed min + t) dt over the range, by the midpoint rule.
    const range = paper.maxMs - paper.minMs;
    const steps = 150_000;
    let integral = 0;
    for (let i = 0; i < steps; i++) {
      const t = ((i + 0.5) / steps) * range;
      integral += (1 - t / range) ** paper.followers * (range / steps);
    }
    expect(paper.minMs + integral).toBeCloseTo(180, 6);
  });

  it("computes etcd's randomized timeouts and the gap without a leader from its defaults", () => {
    const tickMs = 100;
    const electionMs = 1000;
    const electionTicks = electionMs / tickMs; // etcd's ElectionTicks()
    const [lowTicks, highTicks] = [electionTicks, 2 * electionTicks - 1];
    expect([lowTicks, highTicks]).toEqual([10, 19]);
    const [lowMs, highMs] = [lowTicks * tickMs, highTicks * tickMs];
    expect([lowMs, highMs]).toEqual([1000, 1900]);
    const rttMs = 10;
    const rounds = 2; // pre-vote, then the vote
    const best = noLeaderMs(tickMs, lowMs, rounds, rttMs);
    const worst = noLeaderMs(0, highMs, rounds, rttMs);
    expect([best, worst]).toEqual([920, 1920]);
    const n = (x: number): string => x.toLocaleString('en-US');
    expectInLesson(
      `With the defaults that is ${lowTicks} to ${highTicks} ticks of ${tickMs} ms, so a follower waits between ${n(lowMs)} and ${n(highMs)} ms.`,
      `Each follower's timeout is ${n(lowMs)} to ${n(highMs)} ms, and pre-vote makes the election two rounds, ${rounds} × ${rttMs} = ${rounds * rttMs} ms.`,
      `${n(lowMs)} − ${tickMs} + ${rounds * rttMs} = ${best} ms without a leader`,
      `${n(highMs)} + ${rounds * rttMs} = ${n(worst)} ms`,
      'roughly one to two seconds after a crash, and a split vote adds another 1,000 to 1,900 ms',
    );
  });

  it('the election-cost quiz answer is recomputed', () => {
    const answer = noLeaderMs(0, 200, 1, 15);
    expect(answer).toBe(215);
    expect(200 + 50 + 15).toBe(265);
    expectInLesson(
      '{ text: "215 ms", correct: true',
      `200 − 0 + 15 = ${answer} ms`,
      '{ text: "265 ms, the timeout plus the heartbeat interval plus the election round"',
    );
  });
});
