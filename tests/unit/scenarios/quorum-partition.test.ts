/**
 * The quorum-partition scenario builds, is deterministic per seed, and shows what the
 * lesson says when zone a is cut off from t = 2 s to t = 7 s: in CP mode zone a's clients
 * are refused (after a short detection window) while zones b and c are answered and the
 * history stays linearizable; in AP mode every zone is answered, the replicas diverge
 * during the cut and converge after the heal, and last-writer-wins discards some writes
 * clients were told had succeeded (recomputed here from the clients' histories).
 */
import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel } from '../../../src/sim/checker/index.ts';
import type { KvInput, KvOutput, Operation } from '../../../src/sim/index.ts';
import { getScenario } from '../../../src/scenarios/index.ts';
import { CUT_FROM_MS, HEAL_AT_MS, buildQuorumPartition, scenario } from '../../../src/scenarios/quorum-partition.ts';
import { CALL_TIMEOUT_MS, SILENT_AFTER_MS, ZONES, newer, type QuorumStore, type Version } from '../../../src/scenarios/quorum/store.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 1;
/** Zone a's replicas refuse at once once they have heard from no majority for SILENT_AFTER_MS; a request already waiting on calls fails after CALL_TIMEOUT_MS. */
const DETECTION_MS = SILENT_AFTER_MS + CALL_TIMEOUT_MS + 50;

async function run(overrides: ParamValues, seed = SEED) {
  const built = buildQuorumPartition({ ...defaultParams(scenario), ...overrides }, seed, { trace: false });
  await built.sim.runUntil(built.durationMs);
  return { built, store: built.store, stats: built.store.stats(), summary: built.sim.summary(), errors: built.sim.errors.length };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** Share of a zone's operations invoked in [fromMs, toMs) with the given status. */
function share(store: QuorumStore, zone: 'a' | 'b' | 'c', status: Operation<KvInput, KvOutput>['status'], fromMs = 0, toMs = Infinity): { share: number; of: number } {
  const ops = store.loads[zone].history.filter((op) => op.invokeMs >= fromMs && op.invokeMs < toMs);
  return { share: ops.filter((op) => op.status === status).length / ops.length, of: ops.length };
}

/**
 * The LWW-discarded writes, recomputed by brute force from the clients' own histories and
 * the versions the coordinators stamped: an acknowledged put B, and another put A on the
 * same key with a higher version that was invoked before B was acknowledged.
 */
function discardedByBruteForce(store: QuorumStore): { values: string[]; toAnEarlierWrite: number } {
  const versions = new Map(store.puts().map((p) => [p.value, p.version] as const));
  const puts = ZONES.flatMap((z) => store.loads[z].history).filter((op) => op.input.kind === 'put' && versions.get((op.input as { value: string }).value) !== undefined);
  const value = (op: Operation<KvInput, KvOutput>) => (op.input as { value: string }).value;
  const discarded: Operation<KvInput, KvOutput>[] = [];
  let toAnEarlierWrite = 0;
  for (const b of puts) {
    if (b.status !== 'ok') continue;
    const vb = versions.get(value(b)) as Version;
    const higher = puts.filter((a) => a !== b && a.input.key === b.input.key && newer(versions.get(value(a)), vb));
    if (!higher.some((a) => a.invokeMs < b.returnMs!)) continue;
    discarded.push(b);
    if (higher.some((a) => a.status === 'ok' && a.returnMs! < b.invokeMs)) toAnEarlierWrite++;
  }
  discarded.sort((x, y) => x.invokeMs - y.invokeMs);
  return { values: discarded.map(value), toAnEarlierWrite };
}

describe('the quorum-partition scenario', { timeout: 30_000 }, () => {
  it('is registered and builds through the Scenario interface without starting the run', () => {
    expect(getScenario('quorum-partition')).toBe(scenario);
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    expect(Object.keys(built.groups ?? {})).toEqual(['zone a', 'zone b', 'zone c']);
  });

  it('is deterministic per seed', async () => {
    const a = await run({ mode: 'ap' }, 4);
    const b = await run({ mode: 'ap' }, 4);
    expect(b.summary).toEqual(a.summary);
    expect(b.stats).toEqual(a.stats);
  });

  it('CP: zone a is refused during the cut, zones b and c are answered, and the history is linearizable', async () => {
    const { store, stats, errors } = await run({ mode: 'cp' });
    expect(errors).toBe(0);
    const refused = share(store, 'a', 'failed', CUT_FROM_MS + DETECTION_MS, HEAL_AT_MS);
    const answeredB = share(store, 'b', 'ok');
    const answeredC = share(store, 'c', 'ok');
    const answeredA = share(store, 'a', 'ok');
    console.log(
      `quorum-partition CP, seed ${SEED}: zone a refused ${pct(refused.share)} of ${refused.of} requests sent from ` +
        `${(CUT_FROM_MS + DETECTION_MS) / 1000} s to the heal (all of zone a's ${stats.zonesDuringCut.a.sent} sent during the cut: ` +
        `${stats.zonesDuringCut.a.failed} refused, ${stats.zonesDuringCut.a.unknown} unknown, ${stats.zonesDuringCut.a.ok} answered); ` +
        `answered over the run: zone a ${pct(answeredA.share)}, zone b ${pct(answeredB.share)} of ${answeredB.of}, zone c ${pct(answeredC.share)} of ${answeredC.of}; ` +
        `divergence (zone a behind) up to ${stats.maxDivergenceDuringCut} keys, 0 again ${stats.convergedAfterHealMs} ms after the heal; ` +
        `p99 read ${stats.reads.p99Ms.toFixed(2)} ms, write ${stats.writes.p99Ms.toFixed(2)} ms; ` +
        `LWW-discarded ${stats.lwwDiscarded.total} (to an earlier write: ${stats.lwwDiscarded.toAnEarlierWrite})`,
    );
    expect(refused.share).toBeGreaterThanOrEqual(0.99);
    expect(answeredB.share).toBeGreaterThanOrEqual(0.999);
    expect(answeredC.share).toBeGreaterThanOrEqual(0.999);
    expect(stats.zonesDuringCut.a.ok, 'the minority answers nothing during the cut').toBe(0);
    const check = checkLinearizability(kvModel(), store.history());
    expect(check.verdict).toBe('linearizable');
    // With linearizable writes, no acknowledged write ever loses to one that finished before it began.
    expect(stats.lwwDiscarded.toAnEarlierWrite).toBe(0);
  });

  it('AP: every zone is answered, the replicas diverge during the cut and converge within 1 s of the heal, and the LWW-discarded writes recompute', async () => {
    const { store, stats, errors } = await run({ mode: 'ap' });
    expect(errors).toBe(0);
    for (const zone of ZONES) expect(share(store, zone, 'ok').share, `zone ${zone} answered`).toBeGreaterThanOrEqual(0.999);

    const during = stats.divergence.filter((s) => s.atMs >= CUT_FROM_MS + 500 && s.atMs < HEAL_AT_MS);
    const after = stats.divergence.filter((s) => s.atMs >= HEAL_AT_MS + 1_000);
    const before = stats.divergence.filter((s) => s.atMs < CUT_FROM_MS);
    expect(before.every((s) => s.keys === 0), 'no divergence with the network whole').toBe(true);
    expect(during.every((s) => s.keys > 0), 'replicas disagree throughout the cut').toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.keys === 0), 'replicas agree from 1 s after the heal on').toBe(true);
    expect(stats.convergedAfterHealMs).not.toBeNull();
    expect(stats.convergedAfterHealMs!).toBeLessThanOrEqual(1_000);
    const finals = Object.values(store.final()).map((f) => JSON.stringify(Object.entries(f).sort()));
    expect(new Set(finals).size, 'every replica holds the same values at the end').toBe(1);

    const brute = discardedByBruteForce(store);
    expect(stats.lwwDiscarded.total).toBeGreaterThanOrEqual(0);
    expect(stats.lwwDiscarded.total).toBe(brute.values.length);
    expect(stats.lwwDiscarded.values).toEqual(brute.values);
    expect(stats.lwwDiscarded.toAnEarlierWrite).toBe(brute.toAnEarlierWrite);
    // None of the discarded values is what the replicas hold at the end.
    const held = new Set(Object.values(store.final()['n1']!));
    expect(stats.lwwDiscarded.values.filter((v) => held.has(v))).toEqual([]);
    console.log(
      `quorum-partition AP, seed ${SEED}: answered zone a ${pct(share(store, 'a', 'ok').share)}, b ${pct(share(store, 'b', 'ok').share)}, ` +
        `c ${pct(share(store, 'c', 'ok').share)}; divergence up to ${stats.maxDivergenceDuringCut} of 8 keys during the cut, ` +
        `0 again ${stats.convergedAfterHealMs} ms after the heal; LWW discarded ${stats.lwwDiscarded.total} acknowledged writes ` +
        `(${stats.lwwDiscarded.duringCut} invoked during the cut, ${stats.lwwDiscarded.toAnEarlierWrite} to a write acknowledged before they began) ` +
        `out of ${store.puts().filter((p) => p.status === 'ok').length} acknowledged; stale reads ${stats.staleReads} of ${stats.okReads}`,
    );
  });
});
