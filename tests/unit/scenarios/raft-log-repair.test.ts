/**
 * The raft-log-repair scenario and the log cluster under it (`consensus/log.ts`): deterministic
 * per seed; over many seeds, at most one leader per term, no committed entry ever replaced, no
 * acknowledged write lost, the old pair's uncommitted tail truncated and every log equal at the
 * end; the refusals a repair takes with and without the conflict hint, for the default seed
 * (the figures a lesson would quote); the lesson's worked repair table replayed exactly; and
 * the notes under the nodes.
 */
import { describe, expect, it } from 'vitest';
import { atMostOneLeaderPerTerm, noAcknowledgedWriteLost, writesFromHistory } from '../../../src/sim/index.ts';
import { findScenario } from '../../../src/scenarios/index.ts';
import { buildLogCluster, SERVERS, type LogEvent } from '../../../src/scenarios/consensus/log.ts';
import { CUT_AT_MS, DURATION_MS, HEAL_AT_MS, MOVE_AT_MS, buildRaftLogRepair, scenario } from '../../../src/scenarios/raft-log-repair.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 1;

async function run(overrides: ParamValues, seed = SEED, trace = false) {
  const built = buildRaftLogRepair({ ...defaultParams(scenario), ...overrides }, seed, { trace });
  await built.sim.runUntil(built.durationMs);
  return { built, stats: built.stats(), errors: built.sim.errors };
}

type Refusal = Extract<LogEvent, { type: 'refusal' }>;
const refusalsOf = (events: readonly LogEvent[], follower: string, fromMs: number, toMs: number): number =>
  events.filter((e): e is Refusal => e.type === 'refusal' && e.follower === follower && e.atMs >= fromMs && e.atMs < toMs).length;

describe('the raft-log-repair scenario', { timeout: 120_000 }, () => {
  it('is registered, and builds through the Scenario interface without starting the run', () => {
    expect(findScenario('raft-log-repair')).toBe(scenario);
    expect(scenario.id).toBe('raft-log-repair');
    expect(scenario.params.map((p) => p.name)).toEqual(['conflictHint', 'loss']);
    expect(defaultParams(scenario)).toEqual({ conflictHint: false, loss: 0 });
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    expect(built.durationMs).toBe(DURATION_MS);
    expect(built.groups).toEqual({ clients: ['clients-a', 'clients-b'], servers: [...SERVERS] });
    expect(typeof built.nodeNotes).toBe('function');
  });

  it('gives the same trace, records and notes for the same seed, and another trace for another seed', async () => {
    for (const overrides of [{}, { conflictHint: true, loss: 5 }] as ParamValues[]) {
      const a = await run(overrides, SEED, true);
      const b = await run(overrides, SEED, true);
      expect(b.built.sim.trace.hash).toBe(a.built.sim.trace.hash);
      expect(b.stats).toEqual(a.stats);
      expect(b.built.nodeNotes()).toEqual(a.built.nodeNotes());
      expect(b.built.sim.summary()).toEqual(a.built.sim.summary());
      const c = await run(overrides, SEED + 1, true);
      expect(c.built.sim.trace.hash).not.toBe(a.built.sim.trace.hash);
    }
  });

  it('over 30 seeds: one leader per term, no committed entry replaced, no acknowledged write lost, the old tail truncated, equal logs at the end', async () => {
    for (const conflictHint of [false, true]) {
      for (let seed = 1; seed <= 30; seed++) {
        const where = `seed ${seed}, hint ${conflictHint}`;
        const { built, stats, errors } = await run({ conflictHint, loss: seed % 3 === 0 ? 5 : 0 }, seed);
        expect(errors, where).toEqual([]);
        expect(atMostOneLeaderPerTerm(stats.leaders).ok, where).toBe(true);
        expect(stats.lostCommits, where).toEqual([]);
        for (const e of stats.events) if (e.type === 'truncate') expect(e.committed, `${where}: a committed entry truncated`).toBe(0);
        // The old leader and its follower each lost an uncommitted tail of the old leader's term when the cut moved.
        const [old, mate] = built.pair();
        const oldTerm = stats.leaders.filter((l) => l.atMs < CUT_AT_MS).at(-1)!;
        expect(oldTerm.nodeId, where).toBe(old);
        for (const s of [old!, mate!]) {
          const cut = stats.events.filter((e) => e.type === 'truncate' && e.node === s && e.atMs >= MOVE_AT_MS);
          expect(cut.length, `${where}: ${s} truncated`).toBeGreaterThan(0);
          expect(cut[0]!.type === 'truncate' && cut[0]!.removed.every((t) => t === oldTerm.term), where).toBe(true);
        }
        expect(stats.events.some((e) => e.type === 'step-down' && e.node === old && e.atMs >= MOVE_AT_MS), where).toBe(true);
        // Repairing the pair: many refusals without the hint (one per entry stepped over), one or two with it.
        if (seed % 3 !== 0) {
          for (const s of [old!, mate!]) {
            const refusals = refusalsOf(stats.events, s, MOVE_AT_MS, HEAL_AT_MS);
            if (conflictHint) expect(refusals, `${where}: ${s}`).toBeLessThanOrEqual(2);
            else expect(refusals, `${where}: ${s}`).toBeGreaterThanOrEqual(10);
          }
          expect(refusalsOf(stats.events, built.loner()!, HEAL_AT_MS, DURATION_MS), where).toBe(1);
        }
        // Every log is the same at the end, and all of it committed.
        const logs = SERVERS.map((s) => built.cluster.view(s));
        for (const v of logs) {
          expect(v.log, where).toEqual(logs[0]!.log);
          expect(v.commit, where).toBe(v.log.length);
        }
        const histories = [...built.clients.a.history, ...built.clients.b.history];
        const kept = noAcknowledgedWriteLost({
          writes: writesFromHistory(histories),
          finalStates: logs.map((v, i) => ({ source: SERVERS[i]!, values: Object.fromEntries(v.store) })),
        });
        expect(kept.ok, `${where}: ${kept.ok ? '' : kept.message}`).toBe(true);
        expect(histories.filter((o) => o.status === 'ok').length, where).toBeGreaterThan(100);
      }
    }
  });

  it('the figures for the default seed: the old pair is repaired with 24 refusals each, or 2 with the conflict hint', async () => {
    const plain = await run({});
    const hinted = await run({ conflictHint: true });
    for (const r of [plain, hinted]) {
      expect(r.built.pair()).toEqual(['n2', 'n3']);
      expect(r.built.loner()).toBe('n5');
      expect(r.stats.leaders.map((l) => [l.nodeId, l.term])).toEqual([
        ['n2', 1],
        ['n5', 2],
        ['n1', 3],
      ]);
      // Each of the pair deletes the 19 entries of term 1 the old leader appended while cut off.
      const cuts = r.stats.events.filter((e) => e.type === 'truncate');
      expect(cuts.map((e) => e.type === 'truncate' && [e.node, e.after, e.removed.length])).toEqual([
        ['n2', 45, 19],
        ['n3', 45, 19],
      ]);
    }
    const figures = (r: typeof plain) => ({
      n2: refusalsOf(r.stats.events, 'n2', MOVE_AT_MS, HEAL_AT_MS),
      n3: refusalsOf(r.stats.events, 'n3', MOVE_AT_MS, HEAL_AT_MS),
      loner: refusalsOf(r.stats.events, 'n5', HEAL_AT_MS, DURATION_MS),
    });
    expect(figures(plain)).toEqual({ n2: 24, n3: 24, loner: 1 });
    expect(figures(hinted)).toEqual({ n2: 2, n3: 2, loner: 1 });
    // Without the hint the repair walks back one entry per refusal: each refusal names the entry before the last.
    const walk = plain.stats.events.filter((e): e is Refusal => e.type === 'refusal' && e.follower === 'n2' && e.atMs >= MOVE_AT_MS);
    for (let i = 1; i < walk.length; i++) expect(walk[i]!.prev).toBe(walk[i - 1]!.prev - 1);
    // The repairs are quick either way, but the hint saves round trips.
    const repairedAt = (r: typeof plain) => r.stats.events.find((e) => e.type === 'truncate' && e.node === 'n2')!.atMs;
    expect(repairedAt(hinted)).toBeLessThan(repairedAt(plain));
    expect(plain.stats.refusals).toBe(56);
    expect(hinted.stats.refusals).toBe(12);
  });

  it('the notes show the logs diverging while the pair is cut off and converging after the repairs', async () => {
    const built = buildRaftLogRepair(defaultParams(scenario), SEED, { trace: false });
    await built.sim.runUntil(MOVE_AT_MS - 100);
    const during = built.nodeNotes();
    // The old pair: term 1, a log that ends in term 1 and a commit index stuck behind it.
    expect(during['n2']).toMatch(/^L · t1 · …1 1 1 1 1 1 1 │ (\d+) c(\d+)$/);
    expect(during['n3']).toMatch(/^F · t1 · …1 1 1 1 1 1 1 │ (\d+) c(\d+)$/);
    const [, length, commit] = /│ (\d+) c(\d+)$/.exec(during['n2']!)!;
    expect(Number(length) - Number(commit)).toBeGreaterThan(10);
    // The majority: term 2, logs that end in term 2 and are all committed.
    expect(during['n5']).toMatch(/^L · t2 · …2 2 2 2 2 2 2 │ (\d+) c\1$/);
    for (const s of ['n1', 'n4']) expect(during[s]).toMatch(/^F · t2 · …2 2 2 2 2 2 2 │ \d+ c\d+$/);
    // Seed 1: the pair holds 63 entries, 45 of them committed; the majority 68, all committed.
    expect(during).toEqual({
      n1: 'F · t2 · …2 2 2 2 2 2 2 │ 68 c68',
      n2: 'L · t1 · …1 1 1 1 1 1 1 │ 63 c45',
      n3: 'F · t1 · …1 1 1 1 1 1 1 │ 63 c45',
      n4: 'F · t2 · …2 2 2 2 2 2 2 │ 68 c68',
      n5: 'L · t2 · …2 2 2 2 2 2 2 │ 68 c68',
    });
    await built.sim.runUntil(DURATION_MS);
    const end = built.nodeNotes();
    expect(end['n1']).toBe('L · t3 · …3 3 3 3 3 3 3 │ 143 c143');
    expect(end['n1']).toMatch(/^L · t3 · …3 3 3 3 3 3 3 │ (\d+) c\1$/);
    const rest = end['n1']!.slice(1);
    for (const s of ['n2', 'n3', 'n4', 'n5']) expect(end[s]).toBe(`F${rest}`);
    for (const note of [...Object.values(during), ...Object.values(end)]) expect(note.length).toBeLessThanOrEqual(40);
  });
});

describe('the log cluster: the lesson’s repair table', () => {
  // Leader of term 6 (after its no-op) 1 1 1 4 4 5 5 6; follower A 1 1 1 4; follower B 1 1 1 2 2 2 3 3.
  async function repair(conflictHint: boolean) {
    const cluster = buildLogCluster({
      seed: 1,
      trace: false,
      conflictHint,
      commitRule: 'own-term',
      elections: 'scripted',
      initial: {
        n1: { term: 5, log: [1, 1, 1, 4, 4, 5, 5] },
        n2: { term: 5, log: [1, 1, 1, 4] },
        n3: { term: 5, log: [1, 1, 1, 2, 2, 2, 3, 3] },
      },
    });
    cluster.sim.partition([['n1', 'n2', 'n3'], ['n4'], ['n5']], { label: 'n4 and n5 away' });
    cluster.sim.at(10, () => cluster.campaign('n1'));
    await cluster.sim.runUntil(500);
    const stats = cluster.stats();
    const refusals = (follower: string) => stats.events.filter((e): e is Refusal => e.type === 'refusal' && e.follower === follower);
    return { cluster, stats, a: refusals('n2'), b: refusals('n3') };
  }

  it('backs up one entry per refusal: A refuses 4 times (at nextIndex 9, 8, 7, 6), B 5 times', async () => {
    const { cluster, stats, a, b } = await repair(false);
    expect(stats.leaders).toMatchObject([{ nodeId: 'n1', term: 6 }]);
    expect(a.map((e) => e.prev + 1)).toEqual([9, 8, 7, 6]);
    expect(a.at(-1)!.next).toBe(5);
    expect(b.map((e) => e.prev + 1)).toEqual([9, 8, 7, 6, 5]);
    expect(b.at(-1)!.next).toBe(4);
    const leader = cluster.view('n1').log.map((e) => e.term);
    expect(leader).toEqual([1, 1, 1, 4, 4, 5, 5, 6]);
    for (const s of ['n2', 'n3']) expect(cluster.view(s).log.map((e) => e.term)).toEqual(leader);
    expect(stats.events.filter((e) => e.type === 'truncate')).toMatchObject([{ node: 'n3', after: 3, removed: [2, 2, 2, 3, 3] }]);
    expect(cluster.notes()['n3']).toBe('F · t6 · 1 1 1 4 4 5 5 6 │ c8');
  });

  it('with the conflict hint: A refuses once (it is short, the leader jumps to 5), B twice (term 3 from 7, term 2 from 4)', async () => {
    const { cluster, a, b } = await repair(true);
    expect(a.map((e) => [e.prev + 1, e.next])).toEqual([[9, 5]]);
    expect(b.map((e) => [e.prev + 1, e.next])).toEqual([
      [9, 7],
      [7, 4],
    ]);
    for (const s of ['n2', 'n3']) expect(cluster.view(s).log.map((e) => e.term)).toEqual([1, 1, 1, 4, 4, 5, 5, 6]);
  });
});
