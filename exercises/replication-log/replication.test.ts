/**
 * Your replica group in the simulator (`group.ts`): r1 leads in zone a, r2 and r3 follow in
 * zones b and c, and clients next to the leader write 3,000 times a second for 0.6 s. Each
 * setting runs once per test file and the tests read numbers from it. Every run's seed
 * derives from the exercise's seed, so the cases are the same on every practice run and
 * different when the grade is for the record.
 */
import { assert, describe, inject, it } from 'vitest';
import {
  FOLLOWERS,
  LEADER,
  ackLatencies,
  ackedTooEarly,
  lags,
  lostIfLeaderZoneFailsAt,
  percentile,
  runGroup,
  type GroupOptions,
  type GroupRun,
} from './group.ts';
import { createReplica } from './replica.ts';
import type { AckMode } from './types.ts';
import { Random, constant } from '@faultlines/sim';

const seed = inject('seed');

const runs = new Map<string, Promise<GroupRun>>();
/** Runs a setting once (by name) and shares it between the tests that read it. */
function run(name: string, options: Omit<GroupOptions, 'createReplica' | 'seed'> & { seed?: number }): Promise<GroupRun> {
  let found = runs.get(name);
  if (found === undefined) {
    found = runGroup({ seed, createReplica, ...options });
    runs.set(name, found);
  }
  return found;
}

const healthy = (ackMode: AckMode): Promise<GroupRun> => run(`healthy ${ackMode}`, { ackMode });

const ms = (value: number): string =>
  Number.isFinite(value) ? `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms` : 'never';
const count = (n: number): string => n.toLocaleString('en-US');
const entries = (n: number): string => `${count(n)} ${n === 1 ? 'entry' : 'entries'}`;

function assertNoErrors(r: GroupRun): void {
  assert(
    r.errors.length === 0,
    `Your replicas threw ${count(r.errors.length)} error(s) inside the simulation; the first: ${r.errors[0]}`,
  );
}

function assertAllAcknowledged(r: GroupRun, what: string): void {
  const failed = r.history.filter((op) => op.status !== 'ok');
  assert(
    failed.length === 0,
    `${what}: ${count(failed.length)} of ${count(r.history.length)} writes were not acknowledged, ` +
      `e.g. one sent at ${ms(failed[0]?.invokeMs ?? 0)}: ${failed[0]?.error ?? ''}. ` +
      'Every write the leader takes must be acknowledged (a client gives up after 1 s).',
  );
}

/** Each follower's durable log must hold the leader's entries, all of them, in order. */
function assertFollowersComplete(r: GroupRun, what: string): void {
  const leader = r.logs[LEADER]!;
  for (const f of FOLLOWERS) {
    const log = r.logs[f]!;
    let firstBad = 0;
    for (let i = 1; i <= leader.lastIndex; i++) {
      if (i > log.durableIndex || log.entries[i]?.value !== leader.entries[i]?.value) {
        firstBad = i;
        break;
      }
    }
    assert(
      firstBad === 0,
      `${what}: at the end of the run ${f} has ${entries(log.durableIndex)} on disk, and the leader ${entries(leader.lastIndex)}; ` +
        `entry ${count(firstBad)} is ${log.entries[firstBad] === undefined ? 'missing' : 'different'}. ` +
        'A follower must end up with every entry, in the leader\'s order, even when messages overtake each other or are lost: ' +
        'keep entries that arrive early until the gap is filled, and have the leader re-send what a follower says it lacks.',
    );
  }
}

/** Latency bounds mean something only once the mode's wait is really there. */
function assertWaitsAsTheModeSays(r: GroupRun, what: string): void {
  const early = ackedTooEarly(r).length;
  assert(
    early === 0,
    `Not checked yet: ${what}. ${count(early)} writes were acknowledged before the followers that ${r.config.ackMode} mode waits for ` +
      `had them on disk; make "acknowledges in ${r.config.ackMode} mode only once …" pass first.`,
  );
}

function assertLagUnder(r: GroupRun, boundMs: number, from: number, to: number, what: string): void {
  for (const f of FOLLOWERS) {
    const values = lags(r, f, from, to);
    const p99 = percentile(values, 99);
    const never = values.filter((v) => !Number.isFinite(v)).length;
    assert(
      p99 <= boundMs,
      `${what}: replication lag p99 on ${f} is ${ms(p99)} (from the leader's append to ${f}'s sync, over ${count(values.length)} entries` +
        `${never > 0 ? `; ${count(never)} never reached its disk` : ''}); it must be at most ${ms(boundMs)}. ` +
        'Ship each entry when the leader appends it (or in small, frequent batches), and sync on the follower as soon as entries are in.',
    );
  }
}

describe('a healthy group: three zones, 3,000 writes/s', () => {
  it('raises no errors inside the simulation, in any mode', async () => {
    for (const mode of ['async', 'semi-sync', 'sync'] as const) assertNoErrors(await healthy(mode));
  });

  it('hears of each entry only through the network', async () => {
    for (const mode of ['async', 'semi-sync', 'sync'] as const) {
      const early = (await healthy(mode)).fasterThanNetwork[0];
      assert(
        early === undefined,
        `In ${mode} mode ${early?.replica} appended entry ${early?.index} ${ms(early?.earlyByMs ?? 0)} sooner after the leader than any message ` +
          'could have brought it (a message between zones takes at least 0.4 ms). Replicas talk only through env.send; they share no memory.',
      );
    }
  });

  it('acknowledges every write, in every mode', async () => {
    for (const mode of ['async', 'semi-sync', 'sync'] as const) assertAllAcknowledged(await healthy(mode), `In ${mode} mode`);
  });

  it('ends with every entry on both followers’ disks, in the leader’s order', async () => {
    for (const mode of ['async', 'semi-sync', 'sync'] as const) assertFollowersComplete(await healthy(mode), `In ${mode} mode`);
  });

  it('keeps replication lag p99 under 10 ms', async () => {
    // Reference: about 3 ms (leader append → message 0.4–1 ms → follower sync 0.5–1.5 ms).
    // 10 ms leaves room for batching every few ms; shipping only on a slow timer fails.
    const r = await healthy('semi-sync');
    assertLagUnder(r, 10, 0, 600, 'In semi-sync mode');
  });

  it('acknowledges in async mode without waiting for followers: p99 at most 3 ms', async () => {
    // Reference: about 1.9 ms (leader sync 0.5–1.5 ms plus the client's round trip 0.2–0.6 ms).
    // Waiting for a follower adds a cross-zone round trip and a follower sync, about 1.5 ms more.
    const p99 = percentile(ackLatencies(await healthy('async')), 99);
    assert(
      p99 <= 3,
      `Write p99 in async mode is ${ms(p99)}; it must be at most 3 ms. Async acknowledges a write once it is on the leader's disk, ` +
        'without waiting for any follower: that is the whole point of async, and what it pays for in lost writes.',
    );
  });

  for (const mode of ['semi-sync', 'sync'] as const) {
    it(`acknowledges in ${mode} mode only once ${mode === 'sync' ? 'both followers have' : 'a follower has'} the write on disk`, async () => {
      const r = await healthy(mode);
      const early = ackedTooEarly(r);
      const first = early[0];
      assert(
        early.length === 0,
        `${count(early.length)} writes were acknowledged in ${mode} mode before ${mode === 'sync' ? 'every follower' : 'any follower'} ` +
          `had them on disk${first ? `, e.g. entry ${count(first.index)}, acknowledged at ${ms(first.resolvedMs)}` : ''}. ` +
          `The leader may resolve a write only once its own sync is done and ${mode === 'sync' ? 'each follower' : 'at least one follower'} ` +
          'has said the entry is durable (after its own sync), or, in semi-sync mode, once the timeout has passed.',
      );
    });

    it(`costs a cross-zone round trip and no more in ${mode} mode: p99 at most 8 ms`, async () => {
      // Reference: about 4 ms for semi-sync and 4.5 ms for sync.
      const r = await healthy(mode);
      assertWaitsAsTheModeSays(r, `what waiting for ${mode === 'sync' ? 'both followers' : 'a follower'} costs`);
      const p99 = percentile(ackLatencies(r), 99);
      assert(
        p99 <= 8,
        `Write p99 in ${mode} mode is ${ms(p99)}; it must be at most 8 ms. Ship entries at once (not on a timer) and have followers ` +
          'confirm as soon as their sync is done.',
      );
    });
  }

  it('sends each entry to each follower about once: at most 1.2 copies when nothing is lost', async () => {
    // Reference: 1.00 copies. Cross-zone traffic is paid for by the byte and shares the
    // links with the clients; re-sending what is still in flight on every tick doubles it.
    for (const mode of ['async', 'semi-sync', 'sync'] as const) {
      const r = await healthy(mode);
      const appended = r.logs[LEADER]!.lastIndex;
      for (const f of FOLLOWERS) {
        const copies = r.shipped[f]! / Math.max(appended, 1);
        assert(
          copies <= 1.2,
          `In ${mode} mode the leader's messages carried ${count(r.shipped[f]!)} entries to ${f}, for ${entries(appended)} in its log: ` +
            `${copies.toFixed(2)} copies of each, on a network that lost nothing; at most 1.2 are allowed. Re-send only what a follower ` +
            'still lacks once it should have arrived (a few round trips after it was sent), not everything after its last report on every tick.',
        );
      }
    }
  });

  it('would lose no acknowledged write in semi-sync mode, whenever the leader’s zone went dark', async () => {
    // Evaluated every 5 ms of the run: what the best follower had then is what it would keep.
    const r = await healthy('semi-sync');
    for (let t = 20; t <= 600; t += 5) {
      const { lost, acknowledged, from } = lostIfLeaderZoneFailsAt(r, t);
      assert(
        lost === 0,
        `Had zone a gone dark at ${ms(t)}, ${count(lost)} of the ${count(acknowledged)} writes acknowledged by then would be lost: ` +
          `${from}, the follower with the longest log, did not have them. Semi-sync promises that every acknowledged write is on a second machine.`,
      );
    }
  });
});

describe('slow and missing followers (semi-sync)', () => {
  it('is not slowed by one follower with a slow disk (40 ms syncs): p99 at most 8 ms', async () => {
    // Seeds 1–30: the reference's p99 3.44–3.58 ms, alt-batched-pull 5.14–5.39 ms,
    // alt-ship-after-sync 4.66–4.78 ms.
    const r = await run('slow r3', { ackMode: 'semi-sync', syncLatency: { r3: constant(40) } });
    assertNoErrors(r);
    assertWaitsAsTheModeSays(r, 'whether a slow follower slows the writes');
    assertAllAcknowledged(r, 'With r3 slow');
    const p99 = percentile(ackLatencies(r), 99);
    assert(
      p99 <= 8,
      `With r3's disk taking 40 ms per sync, write p99 is ${ms(p99)}; it must stay at most 8 ms. ` +
        'Semi-sync needs one follower, whichever answers first: r2 is as fast as ever.',
    );
    assertFollowersComplete(r, 'With r3 slow');
  });

  it('falls back after its timeout when no follower answers, instead of stalling', async () => {
    const r = await run('both cut', {
      ackMode: 'semi-sync',
      cuts: [
        { replica: 'r2', fromMs: 200, toMs: 450 },
        { replica: 'r3', fromMs: 200, toMs: 450 },
      ],
    });
    assertNoErrors(r);
    assertWaitsAsTheModeSays(r, 'whether the leader stops waiting after the timeout');
    assertAllAcknowledged(r, 'With both followers cut off from 200 to 450 ms');
    // Seeds 1–30: the slowest acknowledgement took 52.0–52.1 ms with the reference (a 50 ms
    // timeout), 50.6 ms with alt-ship-after-sync; the bound is 60.
    const bound = r.config.semiSyncTimeoutMs + 10;
    const during = ackLatencies(r, 200, 450);
    const worst = Math.max(...during);
    assert(
      worst <= bound,
      `With both followers cut off from 200 to 450 ms, a write took ${ms(worst)} to be acknowledged; with a semi-sync timeout of ` +
        `${ms(r.config.semiSyncTimeoutMs)} none may take more than ${ms(bound)}. After the timeout, acknowledge it anyway (MySQL then runs async until a replica catches up).`,
    );
  });

  it('brings back a follower whose crash lost entries it had already reported (slow disk)', async () => {
    // r2's syncs take 25 ms: it reports how far its log goes after each one, by which time
    // more entries have arrived that are not on its disk yet. The crash loses those, so
    // after the restart r2 lacks entries the leader believes it has.
    const r = await run('slow r2 crashes', {
      ackMode: 'semi-sync',
      syncLatency: { r2: constant(25) },
      crashes: [{ replica: 'r2', atMs: 300, restartAtMs: 350 }],
    });
    assertNoErrors(r);
    assertAllAcknowledged(r, 'With r2 (25 ms syncs) crashed from 300 to 350 ms');
    assertFollowersComplete(r, 'With r2 (25 ms syncs) crashed from 300 to 350 ms');
  });

  it('brings followers back up to date after a cut and after a crash', async () => {
    const r = await run('cut and crash', {
      ackMode: 'semi-sync',
      stopMs: 900,
      cuts: [{ replica: 'r3', fromMs: 150, toMs: 400 }],
      crashes: [{ replica: 'r2', atMs: 450, restartAtMs: 600 }],
    });
    assertNoErrors(r);
    const learned = r.learnedWhileCut[0];
    assert(
      learned === undefined,
      `${learned?.replica} appended entry ${learned?.index} at ${ms(learned?.atMs ?? 0)}, while it was cut off from every other node, ` +
        'and the leader appended that entry after the cut began: it cannot have heard of it. Replicas talk only through env.send; no shared memory between them.',
    );
    assertAllAcknowledged(r, 'With r3 cut off (150–400 ms) and r2 crashed (450–600 ms)');
    assertFollowersComplete(r, 'With r3 cut off and r2 crashed');
    // Back to normal 150 ms after the restart: a backlog of ~450 entries must be re-sent by then.
    // Seeds 1–30, reference and both alternatives: lag p99 2.24–4.33 ms from 750 ms (bound 10).
    assertLagUnder(r, 10, 750, 900, 'From 750 ms on, after r3 rejoined and r2 restarted');
  });
});

describe('a follower cut off in sync mode', () => {
  it('waits for it, as sync promises, and acknowledges the writes once it is back', async () => {
    // Sync trades availability for durability: with r3 unreachable, no write may be
    // acknowledged until r3 has it on disk, however long that takes (PostgreSQL does the same
    // when synchronous_standby_names asks for every standby: commits wait, with no timeout).
    const r = await run('sync, r3 cut', {
      ackMode: 'sync',
      stopMs: 500,
      cuts: [{ replica: 'r3', fromMs: 200, toMs: 320 }],
    });
    assertNoErrors(r);
    const early = ackedTooEarly(r);
    assert(
      early.length === 0,
      `With r3 cut off from 200 to 320 ms, ${count(early.length)} writes were acknowledged in sync mode before r3 had them on disk, ` +
        `e.g. entry ${count(early[0]?.index ?? 0)} at ${ms(early[0]?.resolvedMs ?? 0)}. Sync mode has no timeout: only semi-sync gives up waiting.`,
    );
    assertAllAcknowledged(r, 'With r3 cut off from 200 to 320 ms in sync mode');
    assertFollowersComplete(r, 'With r3 cut off from 200 to 320 ms in sync mode');
  });
});

describe('the leader’s zone goes dark (semi-sync, 2,000 writes/s, 20 seeds)', () => {
  it('loses no acknowledged write: the follower with the longest log has them all', async () => {
    for (let i = 0; i < 20; i++) {
      const runSeed = seed * 100 + i;
      // The outage falls anywhere in 80–250 ms of a 300 ms run, depending on the seed.
      const atMs = 80 + new Random(runSeed).fork('outage').uniform(0, 170);
      const r = await runGroup({
        seed: runSeed,
        createReplica,
        ackMode: 'semi-sync',
        writesPerS: 2_000,
        stopMs: 300,
        endMs: 450,
        leaderZoneFailsAtMs: atMs,
      });
      assertNoErrors(r);
      const { lost, acknowledged, from } = lostIfLeaderZoneFailsAt(r, r.endMs);
      assert(
        lost === 0,
        `Seed ${runSeed}: zone a went dark at ${ms(atMs)}; ${count(lost)} of the ${count(acknowledged)} acknowledged writes are not in ` +
          `${from}'s log, the longest of the followers', at the end of the run.`,
      );
    }
  });
});
