import { checkLinearizability, kvModel, type KvInput, type Operation } from '@faultlines/sim';
import { assert, beforeAll, describe, inject, it } from 'vitest';
import {
  buildCluster,
  INITIAL_VALUE,
  KEY_COUNT,
  MIGRATION_BYTES_PER_MS,
  RECORD_BYTES,
  type ClusterRun,
  type MoveRecord,
} from './cluster.ts';
import { createRouter } from './router.ts';
import type { ShardReply } from './types.ts';

const seed = inject('seed');

/** The longest a request may wait in a paused shard, in ms. */
const MAX_HOLD_MS = 35;
/** Bytes shipped, against the rows the moved shards held when their moves began plus the rows written during them. */
const MAX_BYTES_RATIO = 1.1;
/** Each move, from its start to its commit, against the time the bytes it shipped take on the link. */
const MAX_TIME_RATIO = 1.5;
const TIME_SLACK_MS = 20;

/** "1.2 ms", "1,234.5 ms". */
const ms = (value: number): string =>
  Number.isFinite(value) ? `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms` : 'forever';

let run: ClusterRun;

/** Whether the zone cut fell within an attempt (from its start to its end). */
function overlapsCut(m: MoveRecord): boolean {
  return run.cut.fromMs !== undefined && m.startMs < run.cut.toMs! && (m.endMs ?? Infinity) > run.cut.fromMs;
}

beforeAll(async () => {
  run = buildCluster({ seed, createRouter });
  await run.sim.runUntilIdle();
});

describe('moving shards to g4 while clients read and write them (your moveShard)', () => {
  it('moves every shard the new map gives g4: a move commits, on its first attempt or a retry', () => {
    // Measured with the reference over seeds 1–200, and with the alternatives (other rings,
    // routers, alt-big-batches) over seeds 1–60 each: every shard committed, the one the zone
    // cut hit on its second attempt and every other on its first.
    const uncommitted = run.movedShards.filter((shard) => !run.moves.some((m) => m.shard === shard && m.committedAtMs !== undefined));
    const shard = uncommitted[0];
    const attempts = run.moves.filter((m) => m.shard === shard);
    const last = attempts[attempts.length - 1];
    assert(
      uncommitted.length === 0,
      `${uncommitted.length} of ${run.movedShards.length} shards never moved: shard ${String(shard)} from ` +
        `${String(last?.from)} to ${String(last?.to)}, after ${attempts.length} ${attempts.length === 1 ? 'attempt' : 'attempts'}; the last ${
          last?.error !== undefined ? `failed with "${last.error}"` : 'ended without a commit at the configuration service'
        }. Each move must end with donor.commit(shard, to).`,
    );
  });

  it('gives up cleanly when the zone cut stops a move: no shard is left paused, and the move commits later', () => {
    // Just after the first move begins, the donor's zone and g4's lose each other for 300 ms,
    // and the batches in flight are lost. Measured with the reference over seeds 1–200: its
    // first attempt fails when a batch times out (500 ms), before it has paused anything, and
    // the balancer's retry commits; no shard is ever left paused. A move that pauses the shard
    // and then fails without resuming it (the starter) leaves every request for the shard
    // waiting for good.
    const cutShard = run.cut.shard;
    assert(cutShard !== undefined, 'the zone cut did not happen: no move began');
    const left = run.moves.find((m) => m.leftPaused === true);
    const stuck = run.paused();
    assert(
      left === undefined && stuck.length === 0,
      left !== undefined
        ? `attempt ${left.attempt} at moving shard ${left.shard} ${left.error !== undefined ? `failed ("${left.error}")` : 'ended'} ` +
            `and left the shard paused on ${left.from}: the requests for it waited until something resumed it. When a ` +
            'move gives up (a batch lost in the zone cut rejects ship), resume the shard before you rethrow: ' +
            'try { … } finally { donor.resume(shard) } around the critical section.'
        : `shard ${stuck[0]?.shard} is still paused on ${stuck[0]?.server} at the end of the run, and the requests for it wait for good.`,
    );
    const committed = run.moves.some((m) => m.shard === cutShard && m.committedAtMs !== undefined);
    assert(
      committed,
      `shard ${cutShard}, whose move the zone cut (${run.cut.zones?.join(' | ')}) interrupted, never moved: ` +
        'a move that fails must leave the shard as it was, so that the balancer can try it again.',
    );
  });

  it('loses no write: after the moves, every key holds a value the clients could have read last', () => {
    // The clients' history, with one more get of every key at the end of the run that reads
    // what the key's owner holds then, checked by the simulator's linearizability checker:
    // each key's last value must be its last write (or one of the writes still under way
    // when the run ended). A write the donor accepted after the last changes were shipped,
    // or one a donor that had not heard of the new map took after the commit, is missing
    // from the new owner. Measured with the reference over seeds 1–200: every run passed.
    const history = run.load.history;
    const end = Math.max(...history.map((op) => op.returnMs ?? op.invokeMs)) + 1;
    const finals: Operation<KvInput, ShardReply>[] = Array.from({ length: KEY_COUNT }, (_, i) => ({
      clientId: 1_000_000 + i,
      input: { kind: 'get', key: `k${i}` },
      invokeMs: end,
      returnMs: end,
      status: 'ok',
      output: { kind: 'get', value: run.finalValue(`k${i}`), servedBy: 'audit', servedAtMs: end, epoch: 0 },
    }));
    const result = checkLinearizability(kvModel({ initialValue: INITIAL_VALUE }), [...history, ...finals]);
    assert(result.verdict !== 'unknown', `the checker gave up: ${result.verdict === 'unknown' ? result.reason : ''}`);
    if (result.verdict === 'linearizable') return;
    const final = result.counterexample.operations.find((o) => o.operation.clientId >= 1_000_000);
    assert(
      false,
      `a write was lost in a move: ${result.counterexample.explanation} ${
        final !== undefined ? `At the end of the run, the owner of ${result.counterexample.part} holds ${final.description}. ` : ''
      }Ship every change made while you copied (changesSince), pause the shard for the last of them, and make the donor ` +
        'adopt the new map before it resumes: the push from the configuration service comes a second later.',
    );
  });

  it(`makes no request for a moving shard wait more than ${MAX_HOLD_MS} ms`, () => {
    // A request that reaches the donor while its shard is paused waits until it resumes.
    // The hot shard is the test: 1,000 rows a second change while it is copied. Measured
    // with the reference over seeds 1–200: at most 19.8 ms (the catch-up rounds leave at
    // most a few rows for the pause); the alternatives (seeds 1–60 each): at most 28.7 ms
    // (alt-big-batches; the others at most 19.8); rings that move 1, 2 or 16 shards (seeds
    // 1–40): at most 21.7 ms. Shipping every
    // change inside the pause, with no catch-up round before it
    // (tests/fixtures/components/sharding-router/bug-catches-up-in-the-pause): 46.5–63.5 ms
    // over seeds 1–100. Pausing for the whole copy (the starter) holds the hot shard's requests
    // for 227–241 ms (seeds 1–10), and for about a second when the zone cut stops it with the shard paused.
    const waits = run.held.map((h) => (h.releasedAtMs ?? Infinity) - h.arrivedAtMs);
    const longest = waits.length === 0 ? 0 : Math.max(...waits);
    const worst = run.held[waits.indexOf(longest)];
    assert(
      longest <= MAX_HOLD_MS,
      `a request for shard ${String(worst?.shard)} waited ${ms(longest)} at ${String(worst?.server)} while the shard was ` +
        `paused (${run.held.length} requests waited in all); the bound is ${MAX_HOLD_MS} ms. Pause only for the last ` +
        'changes and the commit: copy the shard, and catch up in rounds while it serves, until few rows are left.',
    );
  });

  it(`ships at most ${Math.round((MAX_BYTES_RATIO - 1) * 100)}% more than the rows the moved shards held and the rows written while they moved`, () => {
    // Each committed move's batches, weighed against the shard's rows when that attempt
    // began plus the writes the donor took for it during the attempt: each of those may have
    // to travel once more. The attempt the zone cut overlapped is not weighed (a design that
    // sends its lost batches again is as right as one that starts over). Measured with the
    // reference over seeds 1–200: 0.982–0.993; the alternatives at most 0.994 (seeds 1–60), and
    // rings that move 1, 2 or 16 shards at most 0.997 (seeds 1–40). Shipping the whole
    // shard again to catch up (bug-recopies-the-shard) ships 1.92–1.95 times (seeds 1–5).
    const weighed = run.moves.filter((m) => m.committedAtMs !== undefined && !overlapsCut(m));
    const rows = weighed.reduce((sum, m) => sum + m.recordsAtStart + m.writesDuring, 0);
    const held = rows * RECORD_BYTES;
    const bytes = weighed.reduce((sum, m) => sum + m.bytesShipped, 0);
    const ratio = held === 0 ? 0 : bytes / held;
    assert(
      ratio <= MAX_BYTES_RATIO,
      `the ${weighed.length} moves weighed shipped ${bytes.toLocaleString('en-US')} bytes; their shards held ` +
        `${weighed.reduce((sum, m) => sum + m.recordsAtStart, 0).toLocaleString('en-US')} rows and took ` +
        `${weighed.reduce((sum, m) => sum + m.writesDuring, 0).toLocaleString('en-US')} writes while they moved, ` +
        `${held.toLocaleString('en-US')} bytes in all: ${ratio.toFixed(2)} times as much, more than ${MAX_BYTES_RATIO}. ` +
        'To catch up, ship only the keys changed since the last round.',
    );
  });

  it(`moves each shard within ${MAX_TIME_RATIO} times the time the bytes it ships take on a ${MIGRATION_BYTES_PER_MS / 1_000} MB/s link, plus ${TIME_SLACK_MS} ms`, () => {
    // From the move's start to its commit, the slack subtracted, against the time the bytes
    // the attempt shipped take on the link (shipping more than needed is the previous test's
    // business). Measured with the reference over seeds 1–200: at most 1.10; the
    // alternatives at most 1.12, alt-big-batches (one 384 KiB batch at a time) among them
    // (seeds 1–60); rings that move 1, 2 or 16 shards at most 1.11 (seeds 1–40). One batch
    // of 64 KiB at a time, waiting for each to be stored (the starter), takes up to 2.0
    // times (seeds 1–10): the link idles for a round trip and the new owner's service time after every
    // batch.
    let worst = { ratio: 0, shard: -1, took: 0, ideal: 0 };
    for (const m of run.moves) {
      // Attempts that failed, or that the zone cut overlapped, are not timed.
      if (m.committedAtMs === undefined || overlapsCut(m)) continue;
      const ideal = m.bytesShipped / MIGRATION_BYTES_PER_MS;
      const took = (m.committedAtMs ?? Infinity) - m.startMs;
      const ratio = (took - TIME_SLACK_MS) / ideal;
      if (ratio > worst.ratio) worst = { ratio, shard: m.shard, took, ideal };
    }
    assert(
      worst.ratio <= MAX_TIME_RATIO,
      `shard ${worst.shard} took ${ms(worst.took)} from the start of its move to its commit; the bytes it shipped take ${ms(worst.ideal)} ` +
        `on the link, so the bound is ${ms(worst.ideal * MAX_TIME_RATIO + TIME_SLACK_MS)}. Keep the link busy: send ` +
        'the next batch before the last one is acknowledged, or send bigger batches.',
    );
  });

  it('ends each move with the old and the new owner both holding the map that records it', () => {
    // Measured with the reference over seeds 1–200: always. The configuration service's push
    // reaches the servers a second after the commit: a donor that waits for it keeps serving
    // the shard it gave away, and a new owner that waits for it refuses the requests the
    // donor redirects to it.
    const stale = run.moves.find(
      (m) =>
        m.committedEpoch !== undefined &&
        ((m.donorEpochAtEnd ?? 0) < m.committedEpoch || (m.recipientEpochAtEnd ?? 0) < m.committedEpoch),
    );
    assert(
      stale === undefined,
      stale === undefined
        ? ''
        : `when the move of shard ${stale.shard} ended, the commit had made epoch ${String(stale.committedEpoch)}, but ` +
            `${stale.from} (the old owner) held epoch ${String(stale.donorEpochAtEnd)} and ${stale.to} (the new owner) ` +
            `epoch ${String(stale.recipientEpochAtEnd)}. Adopt the committed map on the donor and tell it to the new owner ` +
            'before you resume the shard.',
    );
  });

  it('leaves no copy of a moved shard on its old owner', () => {
    // Measured with the reference over seeds 1–200: none left. A copy nobody serves is disk
    // wasted, and a copy a confused server could still answer from.
    const left = run.leftovers();
    const records = left.reduce((sum, l) => sum + l.records, 0);
    assert(
      left.length === 0,
      `${records.toLocaleString('en-US')} records of ${left.length} moved shards are still on their old owners ` +
        `(e.g. shard ${String(left[0]?.shard)} on ${String(left[0]?.server)}). Drop the donor's copy once the move has committed.`,
    );
  });
});
