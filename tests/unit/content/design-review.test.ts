/**
 * Checks the lesson "Design review" (the capstone's): its structure, that it is published and
 * the capstone module no longer coming, that it embeds its simulation on the seed its text
 * reads and then the exercise, and that every figure it quotes from the simulation is what
 * the simulation measures on that seed (the capstone day's own figures are checked against
 * the recorded report by the report's tests).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS, PEAK_RATE_PER_S, AVOID_MS, CRASH, CUT, LEASE_MS, buildCapstoneDay, scenario, type CapstoneDayStats } from '../../../src/scenarios/capstone-day.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';
import { describeLessonStructure } from './lesson-checks.ts';
import { expectIn, lessonSource } from './lesson-source.ts';

const lesson = lessonSource('capstone/design-review.mdx');
const expectInLesson = expectIn(lesson);
const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '';
const n = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number, digits = 0): string => `${(x * 100).toFixed(digits)}%`;

/** The seed the page's simulation starts on, as the lesson embeds it. */
const SEED = Number(/<Simulation scenario="capstone-day" seed=\{(\d+)\} \/>/.exec(body)?.[1]);

async function day(overrides: ParamValues, seed = SEED): Promise<CapstoneDayStats> {
  const built = buildCapstoneDay({ ...defaultParams(scenario), ...overrides }, seed, { trace: false });
  await built.sim.runUntil(built.durationMs);
  return built.stats();
}
const bad = (s: CapstoneDayStats): number => s.timeline.failed + s.timeline.unknown;
const windowBad = (s: CapstoneDayStats, kind: 'crash' | 'partition'): number => s.timeline.windows.find((w) => w.kind === kind)!.bad;

describeLessonStructure(lesson, { title: 'Design review', links: [], references: 3, minQuizzes: 5 });

describe('Design review: the page', () => {
  it('is the capstone module’s lesson, published, and the module is no longer coming', () => {
    expect(frontmatter).toMatch(/^title: Design review$/m);
    expect(frontmatter).toMatch(/^module: capstone$/m);
    expect(frontmatter).not.toMatch(/^draft:/m);
    const modules = JSON.parse(readFileSync(new URL('../../../content/modules.json', import.meta.url), 'utf8')) as { id: string; coming?: boolean }[];
    expect(modules.find((m) => m.id === 'capstone')?.coming).toBeUndefined();
    expect(modules.some((m) => m.coming)).toBe(false);
  });

  it('embeds its simulation once, on a seed, after saying what to change, then the exercise', () => {
    expect([...body.matchAll(/<Simulation scenario="([^"]+)"/g)].map((m) => m[1])).toEqual(['capstone-day']);
    expect(Number.isInteger(SEED)).toBe(true);
    const simulationAt = body.indexOf('<Simulation scenario="capstone-day"');
    expect(body.indexOf('Then change one thing at a time')).toBeLessThan(simulationAt);
    expect(body.indexOf('<Exercise id="capstone" />')).toBeGreaterThan(simulationAt);
  });

  it('describes the simulation’s store and day as the scenario builds them', () => {
    expectInLesson(
      `a registry with leases of ${LEASE_MS} ms`,
      `stops offering a router for ${AVOID_MS / 1000} s once an attempt to it times out`,
      `Its day lasts ${DAY_MS / 1000} seconds with a peak of ${PEAK_RATE_PER_S} requests a second`,
      `\`${CRASH.router}\` crashes at ${CRASH.atMs / 1000} s and restarts at ${CRASH.restartAtMs / 1000} s, and a zone is cut off from ${CUT.fromMs / 1000} s to ${CUT.toMs / 1000} s`,
      'About 215,000 requests come in a day, so about 215 may fail',
    );
  });
});

describe('Design review: the simulation’s figures, on the page’s seed', () => {
  it('with the reference client: the day, its failures and the budget, all spent by the crash', async () => {
    const s = await day({});
    const t = s.timeline;
    expect(Math.round(t.operations / 100) * 100).toBe(2_400);
    expect(t.budget.allowed).toBeGreaterThan(2);
    expect(t.budget.allowed).toBeLessThan(3);
    expectInLesson(
      `the day answers ${pct(t.availability, 3)} of ${n(t.operations)} requests: ${bad(s)} fail, ${pct(t.budget.spentShare)} of the budget, and all ${bad(s)} were sent to \`${CRASH.router}\` after it died`,
      `the p99 of a request outside the faults is about ${t.latency.outsideFaults.p99Ms.toFixed(1)} ms`,
    );
    expect(windowBad(s, 'crash')).toBe(bad(s));
    expect(s.toDownRouter).toBe(bad(s));
    expect(windowBad(s, 'partition')).toBe(0);
  });

  it('a 50 ms attempt timeout: the crash costs less, the cut more, the day more than before', async () => {
    const s = await day({ attemptTimeoutMs: 50 });
    expectInLesson(
      `The crash costs ${windowBad(s, 'crash')} failures, but the cut now costs ${windowBad(s, 'partition')}, and the day ${bad(s)}, ${pct(s.timeline.budget.spentShare)} of the budget`,
    );
    expect(bad(s)).toBeGreaterThan(bad(await day({})));
  });

  it('with timed-out reads retried: nothing fails on the seed, and seven of the first eight seeds keep the budget', async () => {
    expect(bad(await day({ attemptTimeoutMs: 50, retryTimedOutReads: true }))).toBe(0);
    let kept = 0;
    for (let seed = 1; seed <= 8; seed++) if ((await day({ attemptTimeoutMs: 50, retryTimedOutReads: true }, seed)).timeline.budget.spentShare <= 1) kept++;
    expect(kept).toBe(7);
    expectInLesson('Nothing fails on this seed, and across the first eight seeds the day keeps its budget on seven.');
  });

  it('a 10 ms attempt timeout fails 95% of the day', async () => {
    const s = await day({ attemptTimeoutMs: 10, retryTimedOutReads: true });
    expectInLesson(`and ${pct(1 - s.timeline.availability)} of the day fails`);
  });

  it('R = 2, W = 4: the cut of zone a fails 97% of its requests, the cut of zone c none', async () => {
    const a = (await day({ quorum: '2-4', cutZone: 'a' })).timeline.windows.find((w) => w.kind === 'partition')!;
    expectInLesson(`one short of W, and ${pct(a.bad / a.operations)} of the requests made during the cut fail`);
    expect(windowBad(await day({ quorum: '2-4', cutZone: 'c' }), 'partition')).toBe(0);
  });
});
