/**
 * The raft-figure-8 scenario replays the lesson's Figure 8 steps: deterministic per seed; with
 * Raft's rule (`own-term`) c1's write of term 2 (at index 3, after n1's no-op of term 2) is
 * committed only with n1's no-op of term 4, n5 never wins again and no acknowledged write is
 * lost, over 30 seeds; counting any entry (`count-any`), n1
 * commits and acknowledges c1's write at index 2 in step 3, n5 wins term 5 in step 4 and
 * overwrites it, over 30 seeds; the notes show the lesson's table; the message view carries the
 * acknowledgement.
 */
import { describe, expect, it } from 'vitest';
import { atMostOneLeaderPerTerm, type TraceEvent } from '../../../src/sim/index.ts';
import { findScenario } from '../../../src/scenarios/index.ts';
import { SERVERS, type LogEvent } from '../../../src/scenarios/consensus/log.ts';
import {
  DURATION_MS,
  READ_AT_MS,
  STEP_1_MS,
  STEP_2_MS,
  STEP_3_MS,
  STEP_4_MS,
  STEP_5_MS,
  buildRaftFigure8,
  scenario,
} from '../../../src/scenarios/raft-figure-8.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';

const SEED = 1;

async function run(overrides: ParamValues, seed = SEED, trace = false) {
  const built = buildRaftFigure8({ ...defaultParams(scenario), ...overrides }, seed, { trace });
  await built.sim.runUntil(built.durationMs);
  return { built, stats: built.stats(), errors: built.sim.errors };
}

type Commit = Extract<LogEvent, { type: 'commit' }>;
const commits = (events: readonly LogEvent[]) => events.filter((e): e is Commit => e.type === 'commit');
const leads = (events: readonly LogEvent[]) => events.filter((e) => e.type === 'lead').map((e) => [e.node, (e as { term: number }).term]);

/** Samples the notes just before each moment. */
async function notesAt(commitRule: string, times: readonly number[]) {
  const built = buildRaftFigure8({ commitRule }, SEED, { trace: false });
  const out: Record<string, string>[] = [];
  for (const t of times) {
    await built.sim.runUntil(t);
    out.push({ ...built.nodeNotes() });
  }
  return out;
}

describe('the raft-figure-8 scenario', { timeout: 120_000 }, () => {
  it('is registered, and builds through the Scenario interface without starting the run', () => {
    expect(findScenario('raft-figure-8')).toBe(scenario);
    expect(scenario.id).toBe('raft-figure-8');
    expect(scenario.params.map((p) => p.name)).toEqual(['commitRule']);
    expect(defaultParams(scenario)).toEqual({ commitRule: 'own-term' });
    const built = scenario.build(defaultParams(scenario), SEED);
    expect(built.sim.nowMs, 'build must not start the run').toBe(0);
    expect(built.durationMs).toBe(DURATION_MS);
    expect(built.groups).toEqual({ clients: ['c1', 'c2', 'c3', 'c4', 'who-leads'], servers: [...SERVERS] });
  });

  it('gives the same trace, records and notes for the same seed, and another trace for another seed', async () => {
    for (const commitRule of ['own-term', 'count-any']) {
      const a = await run({ commitRule }, SEED, true);
      const b = await run({ commitRule }, SEED, true);
      expect(b.built.sim.trace.hash).toBe(a.built.sim.trace.hash);
      expect(b.stats).toEqual(a.stats);
      expect(b.built.nodeNotes()).toEqual(a.built.nodeNotes());
      const c = await run({ commitRule }, SEED + 1, true);
      expect(c.built.sim.trace.hash).not.toBe(a.built.sim.trace.hash);
    }
  });

  it('own-term, over 30 seeds: x=A of term 2 is committed only with the no-op of term 4, n5 never wins again, no acknowledged write is lost', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const where = `seed ${seed}`;
      const { built, stats, errors } = await run({ commitRule: 'own-term' }, seed);
      expect(errors, where).toEqual([]);
      expect(atMostOneLeaderPerTerm(stats.leaders).ok, where).toBe(true);
      // Steps 1-3 as the lesson tells them.
      expect(leads(stats.events).slice(0, 3), where).toEqual([
        ['n1', 2],
        ['n5', 3],
        ['n1', 4],
      ]);
      // A leader commits by counting only entries of its own term.
      for (const c of commits(stats.events)) expect(c.entryTerm, where).toBe(c.term);
      const step3 = commits(stats.events).filter((c) => c.atMs >= STEP_3_MS && c.atMs < STEP_4_MS);
      expect(step3.map((c) => [c.node, c.term, c.index]), where).toEqual([['n1', 4, 4]]);
      // c1's write is acknowledged in step 3 and kept.
      const c1 = built.clients.c1.history[0]!;
      expect(c1.status, where).toBe('ok');
      expect(c1.returnMs!, where).toBeGreaterThan(STEP_3_MS);
      expect(c1.returnMs!, where).toBeLessThan(STEP_3_MS + 450);
      // Step 4: n5 stands and loses, again and again.
      expect(stats.events.filter((e) => e.type === 'stand' && e.node === 'n5' && e.atMs >= STEP_4_MS).length, where).toBeGreaterThanOrEqual(2);
      expect(stats.events.some((e) => e.type === 'lead' && e.node === 'n5' && e.atMs >= STEP_4_MS), where).toBe(false);
      expect(stats.lostCommits, where).toEqual([]);
      const kept = built.writesKept();
      expect(kept.ok, `${where}: ${kept.ok ? '' : kept.message}`).toBe(true);
      const c4 = built.clients.c4.history[0]!;
      expect([c4.status, c4.output], where).toMatchObject(['ok', { kind: 'get', value: 'A' }]);
      // In the end every log holds x=A at index 3 (after n1's no-op of term 2) and they agree.
      const logs = SERVERS.map((s) => built.cluster.view(s).log);
      for (const log of logs) {
        expect(log.slice(0, 4), where).toEqual([
          { term: 1, op: 'noop' },
          { term: 2, op: 'noop' },
          { term: 2, op: 'put x=A' },
          { term: 4, op: 'noop' },
        ]);
        expect(log, where).toEqual(logs[0]);
      }
    }
  });

  it('count-any, over 30 seeds: n1 acknowledges x=A at index 2 in step 3, n5 wins term 5 in step 4 and overwrites it', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const where = `seed ${seed}`;
      const { built, stats, errors } = await run({ commitRule: 'count-any' }, seed);
      expect(errors, where).toEqual([]);
      expect(atMostOneLeaderPerTerm(stats.leaders).ok, where).toBe(true);
      expect(leads(stats.events), where).toEqual([
        ['n1', 2],
        ['n5', 3],
        ['n1', 4],
        ['n5', 5],
      ]);
      expect(stats.leaders.at(-1)!.atMs, where).toBeGreaterThan(STEP_4_MS);
      expect(stats.leaders.at(-1)!.atMs, where).toBeLessThan(STEP_5_MS);
      // Step 3: n1, leader of term 4, commits index 2, an entry of term 2, by counting, and answers c1.
      const step3 = commits(stats.events).filter((c) => c.atMs >= STEP_3_MS && c.atMs < STEP_4_MS);
      expect(step3.map((c) => [c.node, c.term, c.index, c.entryTerm]), where).toContainEqual(['n1', 4, 2, 2]);
      const ack = stats.events.find((e) => e.type === 'ack');
      expect(ack, where).toMatchObject({ node: 'n1', term: 4, index: 2, op: 'put x=A' });
      const c1 = built.clients.c1.history[0]!;
      expect(c1.status, where).toBe('ok');
      expect(c1.returnMs!, where).toBeGreaterThan(STEP_3_MS);
      expect(c1.returnMs!, where).toBeLessThan(STEP_4_MS);
      // Step 4: n5 commits its own y=B at index 2; every server ends with it there.
      expect(stats.lostCommits.length, where).toBeGreaterThan(0);
      for (const lost of stats.lostCommits) {
        expect(lost, where).toMatchObject({ index: 2, first: { term: 2, op: 'put x=A' }, firstNode: 'n1', now: { term: 3, op: 'put y=B' } });
        expect(lost.atMs, where).toBeGreaterThan(STEP_4_MS);
      }
      for (const s of SERVERS) expect(built.cluster.view(s).log[1], `${where}: ${s}`).toEqual({ term: 3, op: 'put y=B' });
      const kept = built.writesKept();
      expect(kept.ok, where).toBe(false);
      expect(!kept.ok && kept.details.key, where).toBe('x');
      const c4 = built.clients.c4.history[0]!;
      expect(c4.invokeMs, where).toBe(READ_AT_MS);
      expect([c4.status, c4.output], where).toMatchObject(['ok', { kind: 'get', value: null }]);
    }
  });

  it('count-any: the notes show the lesson’s table step by step, then the write lost', async () => {
    const [step1, step2, step3, step4] = await notesAt('count-any', [STEP_2_MS - 10, STEP_3_MS - 10, STEP_4_MS - 10, STEP_5_MS - 10]);
    expect(step1).toMatchObject({
      n1: 'L · t2 · 1 2 │ c0 · x=–',
      n2: 'F · t2 · 1 2 │ c0 · x=–',
      n3: 'F · t2 · 1 │ c0 · x=–',
      n4: 'F · t2 · 1 │ c0 · x=–',
      n5: 'F · t2 · 1 │ c0 · x=–',
      c1: 'put x=A · waiting',
    });
    expect(step2).toMatchObject({ n1: 'down · t2 · 1 2', n2: 'F · t3 · 1 2 │ c0 · x=–', n3: 'F · t3 · 1 │ c0 · x=–', n4: 'F · t3 · 1 │ c0 · x=–', n5: 'down · t3 · 1 3' });
    expect(step3).toMatchObject({
      n1: 'down · t4 · 1 2 4',
      n2: 'F · t4 · 1 2 │ c2 · x=A',
      n3: 'F · t4 · 1 2 │ c2 · x=A',
      n4: 'F · t3 · 1 │ c0 · x=–',
      n5: 'down · t3 · 1 3',
      c1: 'put x=A · ok at 1.50 s',
    });
    // n2 and n3 had applied x=A; their logs now say y=B at index 2, and n5's store has no x.
    expect(step4).toMatchObject({
      n1: 'down · t4 · 1 2 4',
      n2: 'F · t5 · 1 3 │ c2 · x=A',
      n3: 'F · t5 · 1 3 │ c2 · x=A',
      n4: 'F · t5 · 1 3 │ c2 · x=–',
      n5: 'L · t5 · 1 3 │ c2 · x=–',
      c1: 'put x=A · ok at 1.50 s, then lost',
      c2: 'put y=B · ok at 2.40 s',
    });
    const [end] = await notesAt('count-any', [DURATION_MS]);
    expect(end!['c4']).toBe('get x → nothing at 3.31 s');
    for (const note of Object.values(end!)) expect(note.length).toBeLessThanOrEqual(40);
  });

  it('own-term: the notes show the no-op of term 4 on three servers after step 3, and x=A read at the end', async () => {
    const [step3, end] = await notesAt('own-term', [STEP_4_MS - 10, DURATION_MS]);
    expect(step3).toMatchObject({
      n1: 'down · t4 · 1 2 2 4 4',
      n2: 'F · t4 · 1 2 2 4 │ c4 · x=A',
      n3: 'F · t4 · 1 2 2 4 │ c4 · x=A',
      n4: 'F · t3 · 1 │ c0 · x=–',
      n5: 'down · t3 · 1 3 3',
      c1: 'put x=A · ok at 1.50 s',
    });
    expect(end).toMatchObject({ n1: 'L · t10 · 1 2 2 4 4 10 10 │ c7 · x=A', c1: 'put x=A · ok at 1.50 s', c4: 'get x → A at 3.31 s' });
    for (const s of ['n2', 'n3', 'n4', 'n5']) expect(end![s]).toBe('F · t10 · 1 2 2 4 4 10 10 │ c7 · x=A');
  });

  it('the message view carries c1’s write and its acknowledgement, and the append that overwrites it', async () => {
    const { built } = await run({ commitRule: 'count-any' }, SEED, true);
    const sends = (built.sim.trace.events as readonly TraceEvent[]).filter((e): e is Extract<TraceEvent, { type: 'send' }> => e.type === 'send');
    const asked = sends.filter((e) => e.from === 'c1' && e.to === 'n1');
    expect(asked[0]!.body).toEqual({ kind: 'put', key: 'x', value: 'A' });
    expect(asked[0]!.t).toBe(STEP_1_MS + 100);
    const answered = sends.filter((e) => e.from === 'n1' && e.to === 'c1' && (e.body as { kind?: string }).kind === 'put');
    expect(answered.map((e) => e.body)).toEqual([{ kind: 'put', index: 2, term: 2 }]);
    // n5's append of term 5 that puts y=B at index 2 on n2.
    const overwrite = sends.find(
      (e) => e.from === 'n5' && e.to === 'n2' && (e.body as { kind: string; term: number; n: number }).kind === 'append' && (e.body as { n: number }).n > 0,
    );
    expect(overwrite?.body).toMatchObject({ kind: 'append', term: 5, prev: '1/1', n: 1, entries: [{ term: 3, op: 'put y=B' }] });
  });
});
