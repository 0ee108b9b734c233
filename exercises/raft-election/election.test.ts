/**
 * Your five servers in the simulator (`cluster.ts`), over 50 seeds of each kind of run:
 *
 * - **chaos**: 8 s with 5% of messages lost, 5% duplicated, delays of 0.5–5 ms (so messages
 *   overtake each other), and from 0.5 s to 7 s a crash or a partition every 300–900 ms,
 *   some aimed at the leader of the moment. Safety must hold on every seed.
 * - **failover**: a quiet network; the leader crashes at 1.5 s and at 3 s (each back after
 *   1 s), and is cut off alone from 4.5 s to 5.5 s. The times to elect a leader are measured.
 * - **lossy**: 10 s with 5% of messages lost and nothing else going wrong.
 * - **zone**: a quiet network; the leader's whole availability zone loses power at 1.5 s (back
 *   at 2.5 s), and is cut off from the other zones from 3 s to 4 s. With two servers in each of
 *   two zones and one in the third, the three left are a bare majority: a new leader needs all
 *   of their votes.
 *
 * Each run happens once per test file and the tests read what it recorded. The seeds derive
 * from the exercise's seed, so the runs are the same on every practice run and different
 * when the grade is for the record. A safety test stops at the first seed that breaks it,
 * and a timing test runs its slowest seed again last, so that Show trace draws that run.
 */
import { assert, describe, inject, it } from 'vitest';
import { atMostOneLeaderPerTerm, uniform } from '@faultlines/sim';
import {
  ELECTION_TIMEOUT_MS,
  HEARTBEAT_EVERY_MS,
  drive,
  fmt,
  nextLeader,
  percentile,
  runCluster,
  type AppliedFault,
  type ClusterOptions,
  type ClusterRun,
} from './cluster.ts';
import { createNode } from './node.ts';

const seed = inject('seed');
const SEEDS = 50;

/**
 * Bounds on the time to elect a leader. Without a split vote, a new leader takes one election
 * timeout (at most 300 ms) and a round of votes; a split vote costs another timeout, so the
 * p99 allows for one, and the median shows whether timeouts are drawn from the whole range.
 *
 * Margins over seeds 1–20 (69 distinct failover and lossy runs), the reference / alt-prevote
 * / alt-ticks: first leader p99 225–259 / 227–251 / 225–261 ms; new leader p50 159–163 /
 * 163–165 / 151–155 ms and p99 249–367 / 249 / 245 ms; every one of the 150 failovers found a
 * leader (147 required); 1–2 / 0 / 0 leader changes over the lossy runs (bound 8); a cut-off
 * leader stepped down 34.8–41.7 / 40.7 / 39.7–40.4 ms after the heal (bound 120).
 */
const FIRST_LEADER_P99_MS = 600;
const NEW_LEADER_P99_MS = 600;
const NEW_LEADER_P50_MS = 220;
/** A cut-off leader that can talk again must stop leading its old term within this long. */
const STEP_DOWN_MS = 120;
/** Leaders that may replace a live one over every lossy run together. */
const LOSSY_CHANGES = 8;

type Kind = 'chaos' | 'failover' | 'lossy' | 'zone';
const settings: Record<Kind, (s: number) => Omit<ClusterOptions, 'createNode'>> = {
  chaos: (s) => ({
    seed: s,
    endMs: 8_000,
    lossRate: 0.05,
    duplicateRate: 0.05,
    latency: uniform(0.5, 5),
    chaos: { fromMs: 500, toMs: 7_000 },
  }),
  failover: (s) => ({
    seed: s,
    endMs: 6_000,
    faults: [
      { kind: 'crash', server: 'leader', atMs: 1_500, downMs: 1_000 },
      { kind: 'crash', server: 'leader', atMs: 3_000, downMs: 1_000 },
      { kind: 'partition', side: 'leader', atMs: 4_500, healAtMs: 5_500 },
    ],
  }),
  lossy: (s) => ({ seed: s, endMs: 10_000, lossRate: 0.05 }),
  zone: (s) => ({
    seed: s,
    endMs: 4_500,
    faults: [
      { kind: 'zone', how: 'power', atMs: 1_500, untilMs: 2_500 },
      { kind: 'zone', how: 'cut', atMs: 3_000, untilMs: 4_000 },
    ],
  }),
};
const salts: Record<Kind, number> = { chaos: 10_000, failover: 20_000, lossy: 30_000, zone: 40_000 };
const seedOf = (kind: Kind, i: number): number => seed + salts[kind] + i;

const runs = new Map<string, Promise<ClusterRun>>();
/** The run of `kind` on its `i`-th seed, run once and shared by the tests that read it. */
function run(kind: Kind, i: number): Promise<ClusterRun> {
  const key = `${kind}/${i}`;
  let found = runs.get(key);
  if (found === undefined) {
    found = runCluster({ ...settings[kind](seedOf(kind, i)), createNode });
    runs.set(key, found);
  }
  return found;
}
/** Runs `kind` on seed `i` again, unshared, so that it is the latest run Show trace draws. */
const replay = (kind: Kind, i: number): Promise<ClusterRun> => runCluster({ ...settings[kind](seedOf(kind, i)), createNode });

const count = (n: number): string => n.toLocaleString('en-US');
const describeFault = (f: AppliedFault): string => {
  const who = `${f.servers.join(', ') || 'nobody'}${f.zone ? ` (${f.zone})` : ''}`;
  const what = f.kind === 'crash' ? `${who} crashed` : `${who} cut off`;
  return `${what} ${fmt(f.atMs)}–${fmt(f.untilMs)}${f.leader ? ` (the leader of term ${f.leader.term})` : ''}`;
};
/** The faults under way within 1 s before `atMs`, in words. */
const faultsNear = (r: ClusterRun, atMs: number): string => {
  const near = r.faults.filter((f) => f.servers.length > 0 && f.atMs <= atMs && f.untilMs >= atMs - 1_000);
  return near.length === 0 ? 'No crash or partition was under way.' : `Faults under way: ${near.map(describeFault).join('; ')}.`;
};
const where = (kind: Kind, i: number): string => `Seed ${seedOf(kind, i)} (${kind} run ${i + 1} of ${SEEDS}; Show trace draws it)`;

function assertSound(r: ClusterRun, kind: Kind, i: number): void {
  assert(r.errors.length === 0, `${where(kind, i)}: ${count(r.errors.length)} error(s) in your servers; the first: ${r.errors[0]}`);
  assert(
    r.claims.length > 0,
    `${where(kind, i)}: no server ever sent a heartbeat, so none ever led. Safety is easy when nobody leads; ` +
      'a candidate with a majority of votes must start sending heartbeats at once.',
  );
}

describe('safety: one leader per term, whatever the network does', () => {
  it('raises no errors, sends only well-formed messages, and elects leaders at all', async () => {
    for (const kind of ['chaos', 'failover', 'lossy', 'zone'] as const) {
      for (let i = 0; i < SEEDS; i++) assertSound(await run(kind, i), kind, i);
    }
  });

  it('never has two leaders in one term, through loss, duplicates, reordering, crashes and partitions (50 seeds)', async () => {
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('chaos', i);
      const result = atMostOneLeaderPerTerm(r.claims);
      if (!result.ok) {
        await replay('chaos', i);
        const { term, leaders } = result.details;
        assert.fail(
          `${where('chaos', i)}: ${result.message} ${faultsNear(r, leaders[1]?.firstSeenMs ?? 0)} ` +
            `Term ${term} needs a majority of 3 votes for each of them, and two sets of 3 among 5 servers always share one: ` +
            'so some server voted twice in that term, or someone led without a majority. The next two tests say which.',
        );
      }
    }
  });

  it('grants at most one vote per term, and saves its term and vote to disk before sending them (50 seeds)', async () => {
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('chaos', i);
      const twice = r.doubleVotes[0];
      if (twice !== undefined) {
        await replay('chaos', i);
        assert.fail(
          `${where('chaos', i)}: ${twice.server} voted for ${twice.candidates[0]} and then for ${twice.candidates[1]} in term ${twice.term} ` +
            `(the second vote at ${fmt(twice.atMs)}). ${faultsNear(r, twice.atMs)} ` +
            'A server votes once per term, for the first candidate that asks, and must remember that vote, through a crash too: save { term, votedFor } and grant a vote only if votedFor is null or already that candidate.',
        );
      }
      const early = r.undurable[0];
      if (early !== undefined) {
        await replay('chaos', i);
        const disk = early.durable === undefined ? 'nothing' : `term ${early.durable.term}, votedFor ${JSON.stringify(early.durable.votedFor)}`;
        assert.fail(
          `${where('chaos', i)}: at ${fmt(early.atMs)} ${early.server} sent ${early.what === 'vote' ? `its vote for ${early.to}` : `a request for votes to ${early.to}`} ` +
            `in term ${early.term} while its disk held ${disk}. A crash at that moment would make it forget the vote, and after a restart it could vote again in the same term. ` +
            'Call env.save({ term, votedFor }) and wait for it to resolve before you send the vote (or, as a candidate, before you ask for votes).',
        );
      }
    }
  });

  it('leads a term only once the votes of a majority have reached it (50 seeds)', async () => {
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('chaos', i);
      const bad = r.unelected[0];
      if (bad !== undefined) {
        await replay('chaos', i);
        assert.fail(
          `${where('chaos', i)}: ${bad.server} sent heartbeats of term ${bad.term} at ${fmt(bad.atMs)}, but the only votes for it in that term that had reached it came from ` +
            `${bad.votesFrom.length === 0 ? 'nobody' : bad.votesFrom.join(', ')}: with its own, ${bad.votesFrom.length + 1} of the 3 it needs. ${faultsNear(r, bad.atMs)} ` +
            'Count the distinct servers that granted their vote in your current term (a duplicated vote counts once) and lead only at 3.',
        );
      }
    }
  });
});

describe('liveness: a leader soon, and the same leader while it lives', () => {
  it(`elects a first leader within ${fmt(FIRST_LEADER_P99_MS)} of the start (p99 over the 100 failover and lossy runs)`, async () => {
    const times: { ms: number; i: number; kind: Kind }[] = [];
    for (const kind of ['failover', 'lossy'] as const) {
      for (let i = 0; i < SEEDS; i++) times.push({ ms: (await run(kind, i)).claims[0]?.atMs ?? Infinity, i, kind });
    }
    const p99 = percentile(times.map((t) => t.ms), 99);
    if (!(p99 <= FIRST_LEADER_P99_MS)) {
      const worst = times.reduce((a, b) => (b.ms > a.ms ? b : a));
      await replay(worst.kind, worst.i);
      assert.fail(
        `The first leader took ${fmt(p99)} at p99 (median ${fmt(percentile(times.map((t) => t.ms), 50))}); at most ${fmt(FIRST_LEADER_P99_MS)} is expected. ` +
          `The slowest: ${where(worst.kind, worst.i)}, ${Number.isFinite(worst.ms) ? fmt(worst.ms) : 'no leader at all'}. ` +
          'Every server starts as a follower with its own random timeout; the first to time out should win in one round of votes. ' +
          'Repeated rounds mean split votes: two servers whose timeouts end within a message delay of each other. Draw each timeout anew, at random in the whole range.',
      );
    }
  });

  it(`elects a new leader within ${fmt(NEW_LEADER_P50_MS)} (median) and ${fmt(NEW_LEADER_P99_MS)} (p99) when the leader crashes or is cut off (150 failovers on 50 seeds)`, async () => {
    const times: { ms: number; i: number; fault: AppliedFault }[] = [];
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('failover', i);
      for (const fault of r.faults) {
        if (fault.leader === undefined) continue;
        const next = nextLeader(r, fault.atMs, fault.leader.term);
        times.push({ ms: next === undefined ? Infinity : next.atMs - fault.atMs, i, fault });
      }
    }
    assert(times.length >= SEEDS * 3 - 3, `Only ${times.length} of the ${SEEDS * 3} failovers found a leader to crash or cut off: at the others, 1.5 s, 3 s or 4.5 s into a run, no server that was up had sent the heartbeats of the highest term so far.`);
    const p99 = percentile(times.map((t) => t.ms), 99);
    const p50 = percentile(times.map((t) => t.ms), 50);
    if (!(p99 <= NEW_LEADER_P99_MS && p50 <= NEW_LEADER_P50_MS)) {
      const worst = times.reduce((a, b) => (b.ms > a.ms ? b : a));
      await replay('failover', worst.i);
      assert.fail(
        `A new leader took ${fmt(p50)} at the median and ${fmt(p99)} at p99 after the leader crashed or was cut off; at most ${fmt(NEW_LEADER_P50_MS)} and ${fmt(NEW_LEADER_P99_MS)} are expected. ` +
          `The slowest: ${where('failover', worst.i)}, ${Number.isFinite(worst.ms) ? fmt(worst.ms) : 'no new leader at all'} after ${describeFault(worst.fault)}. ` +
          `With timeouts of ${ELECTION_TIMEOUT_MS.min}–${ELECTION_TIMEOUT_MS.max} ms, the first follower to time out should stand within ${ELECTION_TIMEOUT_MS.max} ms and win a round of votes in a few milliseconds. ` +
          'A server that restarts, or a candidate whose round failed, must draw a fresh timeout and stand again; followers must grant their vote to a candidate of a higher term.',
      );
    }
  });

  // Over seeds 1128, 7, 5000 and 123456 (50 runs each), the reference's p99 was at most 411.8 ms
  // and its median at most 168.2 ms; the alternatives' p99 at most 541.7 ms (alt-ticks) and
  // median at most 169.7 ms; no run had two leaders in a term.
  it(`elects a new leader outside the lost zone within ${fmt(NEW_LEADER_P50_MS)} (median) and ${fmt(NEW_LEADER_P99_MS)} (p99) when the leader's whole zone loses power or is cut off (100 failovers on 50 seeds)`, async () => {
    const times: { ms: number; i: number; fault: AppliedFault }[] = [];
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('zone', i);
      const safe = atMostOneLeaderPerTerm(r.claims);
      if (!safe.ok) {
        await replay('zone', i);
        assert.fail(`${where('zone', i)}: ${safe.message} ${faultsNear(r, safe.details.leaders[1]?.firstSeenMs ?? 0)} A zone of two servers is a minority: neither of them can gather 3 votes while it is cut off.`);
      }
      for (const fault of r.faults) {
        if (fault.leader === undefined) continue;
        const next = nextLeader(r, fault.atMs, fault.leader.term);
        times.push({ ms: next === undefined ? Infinity : next.atMs - fault.atMs, i, fault });
      }
    }
    assert(times.length >= SEEDS * 2 - 2, `Only ${times.length} of the ${SEEDS * 2} zone failures found a leader whose zone to take: at the others, 1.5 s or 3 s into a run, no server that was up had sent the heartbeats of the highest term so far.`);
    const p99 = percentile(times.map((t) => t.ms), 99);
    const p50 = percentile(times.map((t) => t.ms), 50);
    if (!(p99 <= NEW_LEADER_P99_MS && p50 <= NEW_LEADER_P50_MS)) {
      const worst = times.reduce((a, b) => (b.ms > a.ms ? b : a));
      await replay('zone', worst.i);
      assert.fail(
        `A new leader took ${fmt(p50)} at the median and ${fmt(p99)} at p99 after the leader's zone failed; at most ${fmt(NEW_LEADER_P50_MS)} and ${fmt(NEW_LEADER_P99_MS)} are expected. ` +
          `The slowest: ${where('zone', worst.i)}, ${Number.isFinite(worst.ms) ? fmt(worst.ms) : 'no new leader at all'} after ${describeFault(worst.fault)}. ` +
          'Three servers are left, exactly a majority, so a candidate needs the votes of both others: a vote withheld from a candidate of a higher term, or two candidates standing together again and again, stall the election.',
      );
    }
  });

  it(`stands for election only after hearing no leader for ${ELECTION_TIMEOUT_MS.min} ms`, async () => {
    for (const kind of ['failover', 'lossy'] as const) {
      for (let i = 0; i < SEEDS; i++) {
        const r = await run(kind, i);
        const early = r.earlyStands[0];
        if (early !== undefined) {
          await replay(kind, i);
          assert.fail(
            `${where(kind, i)}: ${early.server} stood for election in term ${early.term} at ${fmt(early.atMs)}, only ${fmt(early.atMs - early.heardLeaderAtMs)} after ` +
              `it last heard a heartbeat of its term (or restarted), at ${fmt(early.heardLeaderAtMs)}. ` +
              `A follower waits a whole election timeout, at least ${ELECTION_TIMEOUT_MS.min} ms, after each heartbeat from its leader before it stands: ` +
              'sooner, and a leader that merely lost a heartbeat or two is deposed. Restart the timer on every heartbeat of the current term.',
          );
        }
      }
    }
  });

  it(`keeps its leader through 10 s of 5% message loss (at most ${LOSSY_CHANGES} changes over 50 seeds)`, async () => {
    let changes = 0;
    let worst = { changes: -1, i: 0 };
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('lossy', i);
      const terms = new Set(r.claims.map((c) => c.term)).size;
      changes += Math.max(0, terms - 1);
      if (terms - 1 > worst.changes) worst = { changes: terms - 1, i };
    }
    if (changes > LOSSY_CHANGES) {
      await replay('lossy', worst.i);
      assert.fail(
        `With 5% of messages lost and no server down, a new leader took over ${count(changes)} times over the 50 runs; at most ${LOSSY_CHANGES} is expected. ` +
          `The most: ${where('lossy', worst.i)}, ${count(worst.changes)} times. ` +
          `Heartbeats go out every ${HEARTBEAT_EVERY_MS} ms; a follower should stand only after several in a row are lost, so wait the whole election timeout, ` +
          'and restart it on every heartbeat of the current term. A leader must send its heartbeats on time, to every follower, every interval.',
      );
    }
  });

  it(`a leader cut off from the others stops leading within ${fmt(STEP_DOWN_MS)} of the network healing (50 seeds)`, async () => {
    for (let i = 0; i < SEEDS; i++) {
      const r = await run('failover', i);
      const cut = r.faults.find((f) => f.kind === 'partition' && f.leader !== undefined);
      if (cut?.leader === undefined) continue;
      const { server, term } = cut.leader;
      const late = r.heartbeats.find((h) => h.server === server && h.term === term && h.atMs > cut.untilMs + STEP_DOWN_MS);
      if (late !== undefined) {
        await replay('failover', i);
        assert.fail(
          `${where('failover', i)}: ${server} led term ${term} until it was cut off at ${fmt(cut.atMs)}; the others elected a new leader, and the network healed at ${fmt(cut.untilMs)}. ` +
            `Yet ${server} still sent heartbeats of term ${term} at ${fmt(late.atMs)}. ` +
            'A server that sees a higher term in any message (a heartbeat of the new leader, or a reply to its own heartbeat) moves to that term and becomes a follower.',
        );
      }
    }
  });
});

describe('one server, driven message by message', () => {
  const votesTo = (sent: ReturnType<typeof drive>['sent'], to: string, term: number) =>
    sent.filter((s) => s.to === to && s.message.type === 'vote' && s.message.term === term && s.message.granted);

  it('after a restart, keeps the term and vote it saved: no second vote in that term, none for an older one', async () => {
    const server = drive(createNode, { name: 'n1', saved: { term: 5, votedFor: 'n2' } });
    await server.deliver('n3', { type: 'requestVote', term: 5 });
    await server.deliver('n4', { type: 'requestVote', term: 4 });
    assert(server.errors.length === 0, `Your server threw: ${server.errors[0]}`);
    const wrong = [...votesTo(server.sent, 'n3', 5), ...votesTo(server.sent, 'n4', 4)][0];
    assert(
      wrong === undefined,
      `n1 restarted with { term: 5, votedFor: 'n2' } on its disk (env.saved), then granted its vote to ${wrong?.to} in term ${wrong?.message.term}. ` +
        'It had already voted in term 5, and term 4 is behind it: start from env.saved, term and vote both.',
    );
    const fresh = drive(createNode, { name: 'n1', saved: { term: 5, votedFor: null } });
    await fresh.deliver('n4', { type: 'requestVote', term: 4 });
    const stale = fresh.sent.find((s) => s.to === 'n4' && s.message.type === 'vote' && s.message.granted);
    assert(stale === undefined, `n1, at term 5 and not yet voted, granted its vote to n4, a candidate of term 4: a request of an older term is refused.`);
    await server.deliver('n3', { type: 'requestVote', term: 6 });
    const granted = votesTo(server.sent, 'n3', 6)[0];
    assert(granted !== undefined, 'n1, at term 5, was asked for its vote in term 6 by n3, the first candidate of that term, and did not grant it.');
    assert(
      granted.durable?.term === 6 && granted.durable.votedFor === 'n3',
      `n1 granted its vote in term 6 while its disk held ${JSON.stringify(granted.durable)}: save { term: 6, votedFor: 'n3' } and wait for it first.`,
    );
  });

  it('stands in the next term after a silent election timeout, and leads at three distinct votes of that term', async () => {
    const server = drive(createNode, { name: 'n1', saved: { term: 2, votedFor: null } });
    await server.advance(ELECTION_TIMEOUT_MS.max + 50);
    const asks = server.sent.filter((s) => s.message.type === 'requestVote');
    assert(asks.length > 0, `n1 heard nothing for ${ELECTION_TIMEOUT_MS.max + 50} ms and did not ask for votes.`);
    const term = asks[0]!.message.term;
    assert(term === 3, `n1 was at term 2 and stood in term ${term}: a candidate moves to the next term, 3.`);
    assert.deepEqual(
      asks.filter((s) => s.message.term === term).map((s) => s.to).sort(),
      ['n2', 'n3', 'n4', 'n5'],
      'A candidate asks every other server for its vote.',
    );
    const heartbeats = () => server.sent.filter((s) => s.message.type === 'heartbeat' && s.message.term === term);
    await server.deliver('n4', { type: 'vote', term: term - 1, granted: true });
    await server.deliver('n2', { type: 'vote', term, granted: true });
    await server.deliver('n2', { type: 'vote', term, granted: true });
    await server.deliver('n5', { type: 'vote', term, granted: false });
    assert(
      heartbeats().length === 0,
      `n1 led term ${term} with its own vote, n2's (delivered twice), a refusal from n5 and n4's vote of term ${term - 1}: two distinct votes of the term, not three.`,
    );
    await server.deliver('n3', { type: 'vote', term, granted: true });
    assert.deepEqual(
      heartbeats().map((s) => s.to).sort(),
      ['n2', 'n3', 'n4', 'n5'],
      `With votes from itself, n2 and n3 in term ${term}, n1 leads: it must send a heartbeat of term ${term} to every other server at once.`,
    );
  });

  it('stands again in a new term when an election fails, and is not held back by heartbeats of an older term', async () => {
    const candidate = drive(createNode, { name: 'n1', saved: { term: 2, votedFor: null } });
    await candidate.advance(2 * (ELECTION_TIMEOUT_MS.max + 50));
    const terms = [...new Set(candidate.sent.filter((s) => s.message.type === 'requestVote').map((s) => s.message.term))];
    assert(
      terms.length >= 2 && terms[1] === terms[0]! + 1,
      `n1 stood in term ${terms[0]}, got no votes, and ${terms.length < 2 ? 'never stood again' : `stood next in term ${terms[1]}`} within ${2 * (ELECTION_TIMEOUT_MS.max + 50)} ms. ` +
        'A candidate whose election fails (a split vote, lost messages) waits a fresh timeout and stands again in the next term.',
    );

    const follower = drive(createNode, { name: 'n1', saved: { term: 5, votedFor: null } });
    for (let t = 0; t < ELECTION_TIMEOUT_MS.max + 100; t += HEARTBEAT_EVERY_MS) {
      await follower.deliver('n4', { type: 'heartbeat', term: 3 });
      await follower.advance(HEARTBEAT_EVERY_MS);
    }
    const stood = follower.sent.find((s) => s.message.type === 'requestVote' || s.message.type === 'preVote');
    assert(
      stood !== undefined,
      `n1, at term 5, heard only heartbeats of term 3 (a deposed leader's) for ${ELECTION_TIMEOUT_MS.max + 100} ms and never stood. A heartbeat of an older term is stale: answer it with your term, but do not restart your timer for it.`,
    );
  });

  it('as leader, steps down at a higher term and stops its heartbeats; as candidate, follows the leader of its term', async () => {
    const leader = drive(createNode, { name: 'n1', saved: { term: 2, votedFor: null } });
    await leader.advance(ELECTION_TIMEOUT_MS.max + 50);
    const term = leader.sent.find((s) => s.message.type === 'requestVote')!.message.term;
    for (const voter of ['n2', 'n3']) await leader.deliver(voter, { type: 'vote', term, granted: true });
    await leader.deliver('n4', { type: 'heartbeat', term: term + 4 });
    const since = leader.sent.length;
    await leader.advance(HEARTBEAT_EVERY_MS * 4);
    const late = leader.sent.slice(since).find((s) => s.message.type === 'heartbeat' && s.message.term === term);
    assert(late === undefined, `n1 led term ${term}, heard a heartbeat of term ${term + 4} from n4, and still sent a heartbeat of term ${term} ${fmt(late?.atMs ?? 0)} in.`);

    const candidate = drive(createNode, { name: 'n1', saved: { term: 2, votedFor: null } });
    await candidate.advance(ELECTION_TIMEOUT_MS.max + 50);
    const standing = candidate.sent.find((s) => s.message.type === 'requestVote')!.message.term;
    await candidate.deliver('n4', { type: 'heartbeat', term: standing });
    const before = candidate.sent.length;
    await candidate.advance(ELECTION_TIMEOUT_MS.min - 10);
    const again = candidate.sent.slice(before).find((s) => s.message.type === 'requestVote' || s.message.type === 'preVote');
    assert(
      again === undefined,
      `n1 stood in term ${standing}, then heard a heartbeat of term ${standing} from n4, its leader; yet it stood again ${fmt(again?.atMs ?? 0)} in. A candidate that hears the leader of its term follows it and waits a whole timeout.`,
    );
  });
});
