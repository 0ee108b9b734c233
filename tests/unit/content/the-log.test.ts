/**
 * Checks the lesson "The log" (the second of the consensus module): the figures
 * it quotes from the Raft paper, etcd's documentation and source and HashiCorp's Raft library
 * are printed exactly as cited; the log-repair example and the Figure 8 scenario are replayed
 * here from the logs the lesson prints, and every statement the lesson makes about them (how
 * many refusals, which entries a majority holds, who can win which election) is checked; every
 * piece of arithmetic (fsync bounds, batching, pipelining, the lease example, the quiz answers)
 * is recomputed; every citation marker has a reference entry; each quiz has exactly one right
 * answer; and the page embeds its three simulations and its two exercises (the lease one
 * optional) where the text introduces them. The figures it quotes from the simulations are checked in
 * tests/unit/scenarios/raft-log-{repair,throughput}.test.ts and raft-figure-8.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { expectIn, lessonSource } from './lesson-source.ts';
import { describeLessonStructure, lessonParts } from './lesson-checks.ts';
import { MAX_CLOCK_DRIFT } from '../../../exercises/raft-lease-read/types.ts';

const lesson = lessonSource('consensus/the-log.mdx');
const expectInLesson = expectIn(lesson);
const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '';
const n = (x: number): string => x.toLocaleString('en-US');

/** A log as the terms of its entries, index 1 first. */
type Log = number[];

const majority = (servers: number): number => Math.floor(servers / 2) + 1;

/** Raft's AppendEntries consistency check: does `follower` hold term `prevTerm` at `prevIndex`? */
const consistent = (follower: Log, prevIndex: number, prevTerm: number): boolean =>
  prevIndex === 0 || follower[prevIndex - 1] === prevTerm;

/**
 * How a leader finds the point where a follower's log matches its own, starting at nextIndex =
 * last index + 1. Returns the nextIndex values at which the follower refused, and the nextIndex
 * at which the check first passed. With `optimised`, a follower that refuses reports the term of
 * its conflicting entry and the first index it holds for that term (the paper's optimisation),
 * or its log length when it has no entry at prevLogIndex, and the leader jumps there.
 */
function repair(leader: Log, follower: Log, optimised: boolean): { refusedAt: number[]; passedAt: number } {
  let nextIndex = leader.length + 1;
  const refusedAt: number[] = [];
  for (;;) {
    const prevIndex = nextIndex - 1;
    if (consistent(follower, prevIndex, prevIndex === 0 ? 0 : leader[prevIndex - 1]!)) return { refusedAt, passedAt: nextIndex };
    refusedAt.push(nextIndex);
    if (!optimised) {
      nextIndex -= 1;
    } else if (prevIndex > follower.length) {
      nextIndex = follower.length + 1;
    } else {
      const conflictTerm = follower[prevIndex - 1]!;
      nextIndex = follower.indexOf(conflictTerm) + 1;
    }
  }
}

/** The follower's log after the repair: the matching prefix, then the leader's entries. */
const repaired = (leader: Log, follower: Log, passedAt: number): Log => [
  ...follower.slice(0, passedAt - 1),
  ...leader.slice(passedAt - 1),
];

/** Raft's election restriction: is log `a` at least as up to date as log `b`? */
function atLeastAsUpToDate(a: Log, b: Log): boolean {
  const lastA = a.at(-1) ?? 0;
  const lastB = b.at(-1) ?? 0;
  return lastA !== lastB ? lastA > lastB : a.length >= b.length;
}

/** Servers (among those alive) that would vote for `candidate` by the election restriction, itself included. */
const voters = (logs: Record<string, Log>, candidate: string, alive: string[]): string[] =>
  alive.filter((s) => s === candidate || atLeastAsUpToDate(logs[candidate]!, logs[s]!));

/** The servers whose log holds term `term` at `index`. */
const holders = (logs: Record<string, Log>, index: number, term: number): string[] =>
  Object.keys(logs).filter((s) => logs[s]![index - 1] === term);

/** The rows of a Markdown table in the lesson whose first cell matches `first`, split into cells. */
function tableRow(first: string): string[] {
  const line = body.split('\n').find((l) => l.startsWith(`| ${first} |`));
  expect(line, `a table row starting with ${first}`).toBeDefined();
  return line!.split('|').slice(1, -1).map((c) => c.trim());
}


describeLessonStructure(lesson, { title: 'The log', links: ['why-agreement-is-hard', 'the-replicated-log', 'failover', 'failover'], references: 7 });

describe('The log: the page', () => {
  it('is lesson 2 of the consensus module, published after Why agreement is hard', () => {
    expect(frontmatter).toMatch(/^title: The log$/m);
    expect(frontmatter).toMatch(/^module: consensus$/m);
    expect(frontmatter).toMatch(/^order: 2$/m);
    expect(frontmatter).not.toMatch(/^draft:/m);
    expect(frontmatter).toMatch(/^prerequisites: \[why-agreement-is-hard\]$/m);
    expect(frontmatter).toMatch(/^minutes: \d+$/m);
    expect(frontmatter).toMatch(/^summary: .{20,300}$/m);
    const objectives = frontmatter.split(/^objectives:\n/m)[1]!.split(/^\S/m)[0]!.match(/^ {2}- /gm) ?? [];
    expect(objectives.length).toBeGreaterThanOrEqual(2);
    expect(objectives.length).toBeLessThanOrEqual(8);
  });

  it('embeds the log replication exercise at the end, then the optional lease exercise that builds on it, each after introducing it', () => {
    expect(frontmatter).toMatch(/^exercises: \[raft-log, raft-lease-read\]$/m);
    expect([...body.matchAll(/<Exercise id="([^"]+)"/g)].map((m) => m[1])).toEqual(['raft-log', 'raft-lease-read']);
    expectInLesson("The module's next exercise asks you to build log replication with a key-value store on top");
    const sectionOf = (tag: string): string => body.split(tag)[0]!.split(/^## /m).at(-1)!.split('\n')[0]!;
    const paragraphBefore = (tag: string): string => body.split(tag)[0]!.trimEnd().split('\n\n').at(-1)!;
    expect(paragraphBefore('<Exercise id="raft-log" />')).toMatch(/^The module's next exercise/);
    expect(sectionOf('<Exercise id="raft-lease-read" />')).toBe('What comes next');
    expect(sectionOf('<Exercise id="raft-log" />')).toBe('What comes next');
    // The drift is the exercise's (exercises/raft-lease-read/types.ts).
    expect(MAX_CLOCK_DRIFT).toBe(0.1);
    expect(paragraphBefore('<Exercise id="raft-lease-read" />')).toBe(
      'Optional, for more: a lease layer over the log server you just built (or the reference), safe on clocks drifting by up to 10%, as in "Reads, leases and clocks" above; the tests cut the leader off with its clock at its slowest.',
    );
  });

  it('embeds its three simulations in their sections, each after a paragraph that says what to watch with the figures its scenario test checks', () => {
    expect(body.match(/<Simulation\b[^>]*\/>/g)).toEqual([
      '<Simulation scenario="raft-log-repair" />',
      '<Simulation scenario="raft-figure-8" />',
      '<Simulation scenario="raft-log-throughput" />',
    ]);
    const sectionOf = (tag: string): string => body.split(tag)[0]!.split(/^## /m).at(-1)!.split('\n')[0]!;
    const paragraphBefore = (tag: string): string => body.split(tag)[0]!.trimEnd().split('\n\n').at(-1)!;
    // Figures checked in tests/unit/scenarios/raft-log-repair.test.ts ("the figures for the default seed").
    expect(sectionOf('<Simulation scenario="raft-log-repair" />')).toBe('Repairing a follower');
    expect(paragraphBefore('<Simulation scenario="raft-log-repair" />')).toContain(
      'With the default seed, each is refused 24 times, once per entry stepped back over; with the conflict hint, twice.',
    );
    // Checked in tests/unit/scenarios/raft-figure-8.test.ts (the notes at the end of each run).
    expect(sectionOf('<Simulation scenario="raft-figure-8" />')).toBe('The Figure 8 case');
    expect(paragraphBefore('<Simulation scenario="raft-figure-8" />')).toContain(
      "Under Raft's rule, n1 commits x=A at 1.5 s only with its no-op of term 4, n5 never wins again, and c4 reads A. Switch the leader to counting any entry: n1 answers c1 at the same moment, then n5 wins term 5 and overwrites the write, and c4 reads nothing.",
    );
    // Checked in tests/unit/scenarios/raft-log-throughput.test.ts.
    expect(sectionOf('<Simulation scenario="raft-log-throughput" />')).toBe('Why fsync bounds throughput');
    expect(paragraphBefore('<Simulation scenario="raft-log-throughput" />')).toContain(
      'Unbatched, it commits one entry per fsync: 500 a second at 2 ms, 100 at 10 ms. With batching on, 50 entries share each fsync, about 25,000 a second; without pipelining, about 16,667.',
    );
  });
});

describe('The log: citations', () => {
  const entries = lessonParts(lesson).references;
  const entry = (i: number): string => entries.get(i) ?? '';

  it('names each source the facts and figures come from', () => {
    expect(entry(1)).toContain('Ongaro and J. Ousterhout. "In Search of an Understandable Consensus Algorithm." USENIX ATC 2014');
    expect(entry(1)).toContain('section 5.3; the election restriction, section 5.4.1; committing entries from previous terms and Figure 8, section 5.4.2');
    expect(entry(1)).toContain('joint consensus and Figure 10, section 6; client interaction and read-only operations, section 8');
    expect(entry(2)).toContain('`raft.go` at commit cdfbeed3149e6dd1c7881853d8ed5993ffcd6be2');
    expect(entry(2)).toContain('`ReadOnlySafe`, the default and suggested option, and `ReadOnlyLeaseBased`, which can be affected by clock drift');
    expect(entry(3)).toContain('"Hardware recommendations"');
    expect(entry(3)).toContain('typically 50 sequential IOPS, e.g. a 7200 RPM disk, and 500 sequential IOPS, e.g. a typical local SSD, for heavily loaded clusters');
    expect(entry(3)).toContain('`content/en/docs/v3.6/op-guide/hardware.md` in etcd-io/website at commit 824597935df6e95992ef61c07e3222f4f796ca6c');
    expect(entry(4)).toContain('`wal_fsync_duration_seconds`, p99 duration should be less than 10ms');
    expect(entry(4)).toContain('`content/en/docs/v3.6/faq.md` in etcd-io/website at commit 824597935df6e95992ef61c07e3222f4f796ca6c');
    expect(entry(5)).toContain('`maxSizePerMsg = 1 * 1024 * 1024`, `maxInflightMsgs = 4096 / 8`');
    expect(entry(5)).toContain('`CheckQuorum: true`, no read-only option set');
    expect(entry(5)).toContain('`PreVote: true`) at commit c34dc7ee0048fd2bcc44d50beff002e5e8069b69');
    expect(entry(6)).toContain('`MaxAppendEntries: 64`, refused above 1024; `LeaderLeaseTimeout: 500 * time.Millisecond`');
    expect(entry(6)).toContain('at commit 1837036daf50bd973bcb0f3fc536b2d451cebf5d');
    expect(entry(7)).toContain('Ongaro. "Consensus: Bridging Theory and Practice." PhD dissertation, Stanford University, 2014');
    expect(entry(7)).toContain('chapter 4; processing read-only queries more efficiently, section 6.4');
    expect(entry(7)).toContain('section 6.4.1; preventing disruptions when a server rejoins the cluster, section 9.6');
  });
});

describe('The log: facts from sources, as cited', () => {
  it("cites the Raft paper's sections for replication, commitment, Figure 8, membership and reads", () => {
    expectInLesson(
      'otherwise it refuses, and the leader has learned that this follower\'s log differs somewhere earlier (section 5.3 of the paper) [[1]](#references)',
      "Raft's **election restriction** (section 5.4.1 of the paper)",
      'and if the last terms are equal, the longer log is [[1]](#references)',
      "The paper's Figure 8 shows why (section 5.4.2) [[1]](#references)",
      'The fix (section 5.4.2): a leader commits by counting replicas **only entries of its own term**',
      '(Figure 10 of the paper) [[1]](#references)',
      'The paper\'s answer is **joint consensus** (section 6)',
      'The paper gives three ways out (section 8) [[1]](#references)',
      'the paper notes that this assumes bounded clock skew [[1]](#references)',
    );
  });

  it("quotes etcd's disk guidance exactly", () => {
    expectInLesson(
      'a majority of the members must write every request to disk',
      'etcd\'s FAQ asks operators to check `wal_fsync_duration_seconds` and says its p99 should be less than 10ms [[4]](#references)',
      'Its hardware guide says 50 sequential IOPS, as from a 7200 RPM disk, is typically required, and 500 sequential IOPS, as from a typical local SSD, is recommended for heavily loaded clusters [[3]](#references)',
    );
  });

  it("quotes etcd's and HashiCorp's batching, pipelining and read settings exactly", () => {
    expectInLesson(
      "etcd's server caps an append message at 1 MiB (`maxSizePerMsg`) [[5]](#references)",
      "HashiCorp's Raft library sends at most 64 entries per message by default (`MaxAppendEntries`, which it refuses to set above 1024) [[6]](#references)",
      "etcd's Raft library limits the number of append messages in flight to one follower (`MaxInflightMsgs`) [[2]](#references)",
      "and etcd's server sets it to 4096 / 8 = 512 [[5]](#references)",
      '`ReadOnlySafe`, which confirms each read with a quorum and which the library calls the default and suggested option, and `ReadOnlyLeaseBased`, which it warns can be affected by clock drift [[2]](#references)',
      "etcd's server leaves the option at its default [[5]](#references)",
      'its `LeaderLeaseTimeout`, 500 ms by default, is a different thing: a leader that has not heard from a majority for that long steps down [[6]](#references)',
      "etcd's server turns both on by default [[5]](#references)",
    );
    expect(1 * 1024 * 1024).toBe(1_048_576); // 1 MiB
    expect(4096 / 8).toBe(512);
  });

  it("cites Ongaro's thesis for ReadIndex, leases, pre-vote and single-server changes", () => {
    expectInLesson(
      "Ongaro's thesis calls this **ReadIndex** (section 6.4) [[7]](#references)",
      '(section 6.4.1) [[7]](#references)',
      "Ongaro's thesis adds a **pre-vote** round (section 9.6) [[7]](#references)",
      '(chapter 4) [[7]](#references)',
    );
  });
});

describe('The log: repairing a follower, replayed', () => {
  const leader: Log = [1, 1, 1, 4, 4, 5, 5, 6];
  const followerA: Log = [1, 1, 1, 4];
  const followerB: Log = [1, 1, 1, 2, 2, 2, 3, 3];
  const cells = (log: Log): string[] => Array.from({ length: 8 }, (_, i) => (log[i] === undefined ? '–' : String(log[i])));

  it('prints the three logs the replay uses', () => {
    expect(tableRow('Server')).toEqual(['Server', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(tableRow('Leader')).toEqual(['Leader', ...cells(leader)]);
    expect(tableRow('Follower A')).toEqual(['Follower A', ...cells(followerA)]);
    expect(tableRow('Follower B')).toEqual(['Follower B', ...cells(followerB)]);
  });

  it('backs up one entry per refusal as the lesson says', () => {
    const a = repair(leader, followerA, false);
    expect(a).toEqual({ refusedAt: [9, 8, 7, 6], passedAt: 5 });
    const b = repair(leader, followerB, false);
    expect(b).toEqual({ refusedAt: [9, 8, 7, 6, 5], passedAt: 4 });
    expect(repaired(leader, followerA, a.passedAt)).toEqual(leader);
    expect(repaired(leader, followerB, b.passedAt)).toEqual(leader);
    expectInLesson(
      'The leader starts both at nextIndex 9, so its first message names index 8, term 6.',
      'the leader is refused at nextIndex 9, 8, 7 and 6, and the check first passes at nextIndex 5, where index 4 holds term 4 in both logs: 4 refusals',
      'Follower B holds terms 3, 3, 2, 2 at indexes 8 to 5, none matching the leader\'s 6, 5, 5, 4, so it refuses at nextIndex 9, 8, 7, 6 and 5, and the check passes at nextIndex 4: 5 refusals, after which B deletes indexes 4 to 8',
    );
    expect(followerB.slice(4, 8).reverse()).toEqual([3, 3, 2, 2]);
    expect(leader.slice(4, 8).reverse()).toEqual([6, 5, 5, 4]);
  });

  it('needs one refusal per conflicting term with the optimisation', () => {
    const b = repair(leader, followerB, true);
    expect(b).toEqual({ refusedAt: [9, 7], passedAt: 4 });
    expect(followerB.indexOf(3) + 1).toBe(7);
    expect(followerB.indexOf(2) + 1).toBe(4);
    // B's stale terms are exactly the terms of its entries after the matching prefix.
    expect(new Set(followerB.slice(b.passedAt - 1)).size).toBe(b.refusedAt.length);
    const a = repair(leader, followerA, true);
    expect(a).toEqual({ refusedAt: [9], passedAt: 5 });
    expectInLesson(
      'B refuses index 8 saying "term 3, from index 7", and the leader jumps to nextIndex 7; B refuses index 6 saying "term 2, from index 4", and the leader jumps to nextIndex 4, which passes: 2 refusals, one for each of B\'s two stale terms',
      'then A refuses once and the leader jumps straight to nextIndex 5',
    );
  });

  it('the consistency-check quiz is answered by the check', () => {
    const follower: Log = [1, 1, 2, 2, 3, 4, 4, 4, 4];
    expect(follower.length).toBe(9);
    expect(follower[7 - 1]).toBe(4);
    expect(consistent(follower, 7, 5)).toBe(false);
    expectInLesson(
      'prevLogIndex 7 and prevLogTerm 5. Its log has 9 entries, and the entry at index 7 has term 4.',
      '{ text: "Refuses the message: its entry at index 7 has a different term, so its log differs from the leader\'s at or before that point", correct: true',
    );
  });
});

describe('The log: the Figure 8 scenario, replayed', () => {
  const servers = ['S1', 'S2', 'S3', 'S4', 'S5'];
  const need = majority(servers.length);
  // The logs after each step of the lesson's table; step 5 is the alternative ending the
  // prose describes (S1 gets its term 4 entry onto S2 and S3 before it crashes).
  const steps: Record<string, Log>[] = [
    { S1: [1, 2], S2: [1, 2], S3: [1], S4: [1], S5: [1] },
    { S1: [1, 2], S2: [1, 2], S3: [1], S4: [1], S5: [1, 3] },
    { S1: [1, 2, 4], S2: [1, 2], S3: [1, 2], S4: [1], S5: [1, 3] },
    { S1: [1, 2, 4], S2: [1, 3], S3: [1, 3], S4: [1, 3], S5: [1, 3] },
  ];
  const alternative: Record<string, Log> = { S1: [1, 2, 4], S2: [1, 2, 4], S3: [1, 2, 4], S4: [1], S5: [1, 3] };

  it('prints the logs the replay uses, step by step', () => {
    steps.forEach((logs, i) => {
      const row = tableRow(String(i + 1));
      expect(row.slice(2)).toEqual(servers.map((s) => logs[s]!.join(' ')));
    });
    expect(body.match(/^\| \d \| /gm)).toHaveLength(steps.length);
    expect(need).toBe(3);
  });

  it('step 1: the term 2 entry reaches only S1 and S2', () => {
    expect(holders(steps[0]!, 2, 2)).toEqual(['S1', 'S2']);
    expect(holders(steps[0]!, 2, 2).length).toBeLessThan(need);
    expectInLesson('| 1 | S1 leads term 2, appends an entry at index 2 and reaches only S2 |');
  });

  it('step 2: S5 can win term 3 with S3, S4 and itself', () => {
    const before = steps[0]!;
    expect(voters(before, 'S5', ['S2', 'S3', 'S4', 'S5'])).toEqual(['S3', 'S4', 'S5']);
    expect(atLeastAsUpToDate(before.S5!, before.S3!) && atLeastAsUpToDate(before.S3!, before.S5!)).toBe(true);
    expectInLesson(
      'S5 wins term 3 with votes from S3, S4 and itself',
      'In step 2, S5 can win because S3 and S4 hold only index 1, term 1, as S5 does: its log is as up to date as theirs.',
    );
  });

  it('step 3: S1 can win term 4, and the term 2 entry then sits on a majority', () => {
    const before = steps[1]!;
    expect(voters(before, 'S1', ['S1', 'S2', 'S3', 'S4'])).toEqual(['S1', 'S2', 'S3', 'S4']);
    const after = steps[2]!;
    expect(holders(after, 2, 2)).toEqual(['S1', 'S2', 'S3']);
    expect(holders(after, 2, 2).length).toBeGreaterThanOrEqual(need);
    expectInLesson(
      'S1 restarts and wins term 4 with votes from S2, S3 and itself',
      'the term 2 entry at index 2 sits on S1, S2 and S3, 3 of 5 servers, a majority',
    );
  });

  it('step 4: S5 wins term 5 without the majority-held entry and overwrites it', () => {
    const before = steps[2]!;
    // S1 has crashed; S5's last term 3 beats S2's and S3's last term 2 and S4's term 1.
    expect(voters(before, 'S5', ['S2', 'S3', 'S4', 'S5'])).toEqual(['S2', 'S3', 'S4', 'S5']);
    expect(voters(before, 'S5', ['S2', 'S3', 'S4', 'S5']).length).toBeGreaterThanOrEqual(need);
    expect(holders(before, 2, 2)).not.toContain('S5');
    const after = steps[3]!;
    for (const s of ['S2', 'S3', 'S4']) {
      const { passedAt } = repair(after.S5!, before[s]!, false);
      expect(repaired(after.S5!, before[s]!, passedAt)).toEqual(after[s]);
    }
    expect(holders(after, 2, 2)).toEqual(['S1']);
    expect(holders(after, 2, 3)).toEqual(['S2', 'S3', 'S4', 'S5']);
    expectInLesson(
      'S1 crashes; S5 wins term 5 with votes from S2, S3, S4 and itself, and overwrites index 2 everywhere',
      "S5's last term is 3, later than the last term 2 of S2 and S3 and the term 1 of S4, so all three vote for it and it wins",
    );
  });

  it('the fix: once the term 4 entry is on a majority, S5 gets 2 of 5 votes and every possible winner holds index 2', () => {
    expect(holders(alternative, 3, 4)).toEqual(['S1', 'S2', 'S3']);
    expect(holders(alternative, 3, 4).length).toBeGreaterThanOrEqual(need);
    const s5 = voters(alternative, 'S5', servers);
    expect(s5).toEqual(['S4', 'S5']);
    expect(s5.length).toBeLessThan(need);
    // Any server that could collect a majority holds index 3 and, with it, index 2 of term 2.
    for (const candidate of servers) {
      if (voters(alternative, candidate, servers).length >= need) {
        expect(alternative[candidate]!.slice(0, 3)).toEqual([1, 2, 4]);
      }
    }
    expectInLesson(
      'It must first get its term 4 entry at index 3 onto a majority, say S1, S2 and S3.',
      'S1, S2 and S3 each end in term 4 and refuse it, leaving only S4 and itself, 2 of 5',
    );
  });

  it('the commitment quiz says the old-term entry is not yet committed', () => {
    expectInLesson(
      '{ text: "Nothing yet: the entry becomes committed once an entry of term 7 after it is stored on a majority", correct: true',
    );
  });
});

describe('The log: what fsync costs, recomputed', () => {
  /** Commits per second when each fsync makes `batch` entries durable, one fsync at a time. */
  const commitsPerSecond = (fsyncMs: number, batch = 1): number => (batch * 1000) / fsyncMs;

  it('computes the unbatched bound from the fsync latency', () => {
    expect(commitsPerSecond(2)).toBe(500);
    expect(commitsPerSecond(10)).toBe(100);
    expect(1000 / 50).toBe(20);
    expectInLesson(
      '**throughput ≤ 1 / fsync latency**',
      `With a 2 ms fsync that is 1 / 0.002 s = ${commitsPerSecond(2)} commits per second per log`,
      `a disk right at that limit allows 1 / 0.010 s = ${commitsPerSecond(10)} unbatched commits per second`,
      '50 synced writes per second is one every 1,000 / 50 = 20 ms',
    );
  });

  it('computes batching and pipelining', () => {
    const batch = 50;
    const fsyncMs = 2;
    const rttMs = 1;
    const batched = commitsPerSecond(fsyncMs, batch);
    expect(batched).toBe(25_000);
    // Stop-and-wait: one batch per round trip plus the follower's fsync.
    const stopAndWait = (batch * 1000) / (rttMs + fsyncMs);
    expect(Math.round(stopAndWait)).toBe(16_667);
    expectInLesson(
      `With a 2 ms fsync and batches of 50 entries, the bound becomes 50 / 0.002 s = ${n(batched)} commits per second.`,
      `that is one batch every ${rttMs} + ${fsyncMs} = ${rttMs + fsyncMs} ms, so batches of 50 give 50 / 0.003 s ≈ ${n(Math.round(stopAndWait))} commits per second`,
      `keeps the follower's disk busy all the time and restores the ${n(batched)}`,
      `the same disk that allows ${commitsPerSecond(2)} separate commits per second`,
    );
  });

  it('the fsync quiz answer is recomputed', () => {
    expect(commitsPerSecond(4)).toBe(250);
    expect(commitsPerSecond(4, 20)).toBe(5_000);
    expect(Math.round(commitsPerSecond(4) / 3)).toBe(83);
    expectInLesson(
      '{ text: "250 unbatched, and 5,000 with batches of 20", correct: true',
      '1 / 0.004 s = 250 fsyncs per second, each committing one entry. With 20 entries per fsync, 20 × 250 = 5,000 entries per second.',
      '{ text: "About 83, since three servers each need an fsync"',
    );
  });
});

describe('The log: the lease example, recomputed', () => {
  it('a slow clock stretches a 900 ms lease past the 1,000 ms election timeout', () => {
    const electionMs = 1000;
    const leaseMs = 900;
    const clockRate = 0.8;
    expect(leaseMs / electionMs).toBe(0.9);
    const realMs = leaseMs / clockRate;
    expect(realMs).toBe(1125);
    expect(realMs - electionMs).toBe(125);
    // At exactly the lesson's safe limit the lease ends as the followers may start an election.
    expect(leaseMs / (leaseMs / electionMs)).toBe(electionMs);
    expectInLesson(
      'Followers wait at least 1,000 ms after a heartbeat before they start an election, and the leader, to be careful, counts its lease as 900 ms',
      `no slower than 900 / 1,000 = ${leaseMs / electionMs} of the followers' rate`,
      `its 900 ms lease lasts 900 / ${clockRate} = ${n(realMs)} ms of real time, and for the last ${n(realMs)} − ${n(electionMs)} = ${realMs - electionMs} ms`,
    );
  });

  it('the pause quiz says the lease read can be stale', () => {
    expect(2000).toBeGreaterThan(1000); // the pause outlasts the followers' election timeout
    expectInLesson(
      '{ text: "It can answer with stale data, because a new leader may have been elected and accepted writes during the pause", correct: true',
    );
  });
});

describe('The log: membership changes', () => {
  it('going from three to five servers directly can give two disjoint majorities; one server at a time cannot', () => {
    // Old configuration: servers 1–3 (majority 2). New: servers 1–5 (majority 3).
    const oldSet = [1, 2, 3];
    const newSet = [1, 2, 3, 4, 5];
    const oldMajority = [1, 2];
    const newMajority = [3, 4, 5];
    expect(oldMajority.length).toBe(majority(oldSet.length));
    expect(newMajority.length).toBe(majority(newSet.length));
    expect(oldMajority.filter((s) => newMajority.includes(s))).toEqual([]);
    // Adding or removing one server: every majority of the old set meets every majority of the new one.
    for (let size = 1; size <= 7; size++) {
      for (const next of [size - 1, size + 1]) {
        if (next < 1) continue;
        expect(majority(size) + majority(next)).toBeGreaterThan(Math.max(size, next));
      }
    }
    expectInLesson(
      'at some moment two servers still using the old configuration form a majority of three while three servers using the new one form a majority of five',
      'add or remove **one server at a time**',
    );
  });
});
