/**
 * Carry-forward in the page: the version of each component a run uses, the files it sends,
 * the line the result shows, and what a re-run with the reference concludes.
 */
import { memoryStorage, progressWith } from '../../support/memory-progress.ts';
import { describe, expect, it } from 'vitest';
import type { ComponentPayload } from '../../../src/content/exercise-payload.ts';
import type { GradeResult, TestResult } from '../../../src/grader/types.ts';
import { builtOnLine, chooseComponents, compareWithReference, gradeFiles, summarise } from '../../../src/runtime/exercise/components.ts';
import { emptyProgress, mergeProgress, ProgressStore, type ProgressData } from '../../../src/runtime/progress.ts';

const ring: ComponentPayload = {
  exercise: 'sharding-ring',
  file: 'ring.ts',
  path: '../sharding-ring/ring.ts',
  name: 'ring',
  title: 'A consistent-hash ring',
  href: '/lessons/partitioning-keys/#exercise-sharding-ring-title',
  interfaceVersion: 'v1',
  interfaceFiles: { 'types.ts': 't1', 'hash.ts': 'h1' },
  direct: true,
};
const payload = {
  components: [ring],
  dependencyFiles: [
    { path: '../sharding-ring/ring.ts', text: '// reference ring' },
    { path: '../sharding-ring/types.ts', text: '// types' },
  ],
};


const passRing = (store: ProgressStore, text = '// my ring', interfaceVersion = 'v1', at = 1_000) =>
  store.setExercise('sharding-ring', 'passed', at, { files: { 'ring.ts': text }, at, interfaceVersion });

describe('choosing the version of a component', () => {
  it('uses the reference until the component has passed', () => {
    const [chosen] = chooseComponents(payload, emptyProgress());
    expect(chosen).toMatchObject({ source: 'reference', reason: 'not-passed', text: '// reference ring' });
  });

  it("uses the learner's latest passing code once it has passed", () => {
    const data = progressWith((s) => {
      passRing(s, '// first', 'v1', 1_000);
      passRing(s, '// second', 'v1', 2_000);
    });
    expect(chooseComponents(payload, data)[0]).toMatchObject({ source: 'yours', text: '// second', passedAt: 2_000 });
  });

  it('uses the reference when the learner chose it, and theirs again when they switch back', () => {
    const store = new ProgressStore(memoryStorage());
    passRing(store);
    store.setComponentChoice('sharding-ring', 'reference');
    expect(chooseComponents(payload, store.data)[0]).toMatchObject({ source: 'reference', reason: 'chosen', passedAt: 1_000 });
    store.setComponentChoice('sharding-ring', 'mine');
    expect(chooseComponents(payload, store.data)[0]).toMatchObject({ source: 'yours' });
  });

  it('never strands saved code silently: an interface changed since it passed gives the reference, saying why', () => {
    const data = progressWith((s) => passRing(s, '// my ring', 'v0'));
    const [chosen] = chooseComponents(payload, data);
    expect(chosen).toMatchObject({ source: 'reference', reason: 'interface-changed' });
    expect(builtOnLine(summarise([chosen!])[0]!)).toBe(
      "The reference ring: your passing ring was written against an earlier version of its exercise's read-only files, which have changed since. Run its tests again to use yours.",
    );
  });

  it('names the read-only files that changed since the code passed, when the record has them', () => {
    const data = progressWith((s) =>
      s.setExercise('sharding-ring', 'passed', 1_000, { files: { 'ring.ts': '// mine' }, at: 1_000, interfaceVersion: 'v0', interfaceFiles: { 'types.ts': 't0', 'hash.ts': 'h1' } }),
    );
    const [chosen] = chooseComponents(payload, data);
    expect(chosen).toMatchObject({ source: 'reference', reason: 'interface-changed', changedFiles: ['types.ts'] });
    expect(builtOnLine(summarise([chosen!])[0]!)).toBe(
      'The reference ring: types.ts in sharding-ring changed since your ring passed. Open the exercise and run its tests again to use yours.',
    );
  });

  it('uses the reference for one run when asked, without changing the choice', () => {
    const data = progressWith((s) => passRing(s));
    expect(chooseComponents(payload, data, new Set(['../sharding-ring/ring.ts']))[0]).toMatchObject({ source: 'reference', reason: 'this-run' });
    expect(chooseComponents(payload, data)[0]).toMatchObject({ source: 'yours' });
  });

  it("sends the exercise's own files, the earlier exercise's files and the chosen component", () => {
    const data = progressWith((s) => passRing(s));
    const files = gradeFiles(payload, { 'router.ts': '// router' }, chooseComponents(payload, data));
    expect(files).toEqual({ 'router.ts': '// router', '../sharding-ring/ring.ts': '// my ring', '../sharding-ring/types.ts': '// types' });
  });
});

describe('passing code in the progress record', () => {
  it('keeps the passing code and the choice through a backup and a merge, the later code winning', () => {
    const older = progressWith((s) => passRing(s, '// old', 'v1', 1_000));
    const newer = progressWith((s) => {
      passRing(s, '// new', 'v1', 5_000);
      s.setComponentChoice('sharding-ring', 'reference');
    });
    const restored = JSON.parse(JSON.stringify(newer)) as ProgressData;
    expect(mergeProgress(older, restored).exercises['sharding-ring']).toMatchObject({ passing: { files: { 'ring.ts': '// new' } } });
    // The choice made here stays; the backup's choice comes in only for an exercise new here.
    expect(mergeProgress(older, restored).exercises['sharding-ring']?.useReference).toBeUndefined();
    expect(mergeProgress(emptyProgress(), restored).exercises['sharding-ring']?.useReference).toBe(true);
    expect(mergeProgress(newer, older).exercises['sharding-ring']).toMatchObject({ passing: { at: 5_000 }, useReference: true });
  });

  it('records passing code on every pass, without downgrading a clean pass', () => {
    const data = progressWith((s) => {
      passRing(s, '// clean', 'v1', 1_000);
      s.setExercise('sharding-ring', 'passed-with-help', 2_000, { files: { 'ring.ts': '// helped' }, at: 2_000, interfaceVersion: 'v1' });
    });
    expect(data.exercises['sharding-ring']).toMatchObject({ status: 'passed', at: 1_000, passing: { files: { 'ring.ts': '// helped' } } });
  });

  it('offers no choice before the component has passed', () => {
    const data = progressWith((s) => s.setComponentChoice('sharding-ring', 'reference'));
    expect(data.exercises['sharding-ring']).toBeUndefined();
  });
});

function result(tests: [string, 'pass' | 'fail'][]): GradeResult {
  const list = tests.map(([name, status]) => ({ name, status }) as TestResult);
  const failed = list.filter((t) => t.status === 'fail').length;
  return { ok: failed === 0, tests: list, errors: [], summary: { passed: list.length - failed, failed, skipped: 0, total: list.length } } as unknown as GradeResult;
}

describe('comparing with a run on the reference component', () => {
  it('points at the component when the reference passes', () => {
    const mine = result([['loses no request', 'fail'], ['moves few shards', 'fail'], ['p99', 'fail']]);
    expect(compareWithReference('ring', mine, result([['loses no request', 'pass'], ['moves few shards', 'pass'], ['p99', 'pass']]))).toBe(
      'Passes with the reference ring: look at your ring. With yours, 3 tests failed: “loses no request”, “moves few shards”, and 1 more. Its own tests pass, so these tests found something they do not check.',
    );
  });

  it("points at this exercise's code when the reference fails the same way", () => {
    const mine = result([['a', 'fail'], ['b', 'pass']]);
    expect(compareWithReference('ring', mine, result([['a', 'fail'], ['b', 'pass']]))).toBe(
      "Fails with the reference ring too (1 test failing, against 1 test with yours): the problem is in this exercise's code, not in your ring.",
    );
  });

  it('says when both play a part', () => {
    const mine = result([['a', 'fail'], ['b', 'fail']]);
    expect(compareWithReference('ring', mine, result([['a', 'fail'], ['b', 'pass']]))).toContain('your ring also fails “b”, which the reference passes');
  });
});
