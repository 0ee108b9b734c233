/**
 * `npm run seeds`: which subjects it grades for an exercise, and that it counts a subject
 * doing what it must (and names the seeds where it did not).
 */
import { describe, expect, it } from 'vitest';
import { loadExercise } from '../../../src/content/exercises.ts';
import { subjectsOf, sweep } from '../../../scripts/seeds.ts';

describe('npm run seeds', () => {
  const ring = loadExercise('sharding-ring');
  const subjects = subjectsOf(ring);

  it("grades the reference, the alt-* fixtures that must pass and the bug-* that must fail, never a broken-* (it passes its own tests by design)", () => {
    expect(subjects[0]).toMatchObject({ name: 'reference', mustPass: true, files: ring.solution });
    expect(subjects.filter((s) => s.name.startsWith('alt-')).every((s) => s.mustPass)).toBe(true);
    expect(subjects.filter((s) => s.name.startsWith('bug-')).every((s) => !s.mustPass)).toBe(true);
    expect(subjects.some((s) => s.name.startsWith('broken-'))).toBe(false);
    expect(subjects.map((s) => s.name)).toEqual(expect.arrayContaining(['alt-linear-scan', 'alt-hash-chain', 'bug-hash-mod-n']));
    for (const s of subjects) expect(Object.keys(s.files)).toEqual(['ring.ts']);
  });

  it('counts the seeds on which each subject did what it must, and names the others with the failing test', async () => {
    const reference = subjects.find((s) => s.name === 'reference')!;
    const bug = subjects.find((s) => s.name === 'bug-hash-mod-n')!;
    // The starter, taken for a correct design, fails on every seed: each is named.
    const starter = { ...reference, name: 'starter', files: Object.fromEntries(ring.files.filter((f) => f.role === 'editable').map((f) => [f.path, f.starter])) };
    const outcomes = await sweep([reference, bug, starter], () => [1, 2], 2);
    expect(outcomes.map((o) => [o.subject, o.asExpected, o.seeds])).toEqual([
      ['reference', 2, 2],
      ['bug-hash-mod-n', 2, 2],
      ['starter', 0, 2],
    ]);
    expect(outcomes[2]!.unexpected.map((u) => u.seed)).toEqual([1, 2]);
    expect(outcomes[2]!.unexpected[0]!.why).toMatch(/^.+ > .+: /);
  }, 60_000);
});
