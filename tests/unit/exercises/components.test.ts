/**
 * Later exercises import the components learners built in earlier ones (the shard router's
 * cluster places its shards with the learner's ring from `sharding-ring`), so a dependent
 * exercise must pass with any correct component, not only with the reference. The fixtures in
 * `tests/fixtures/components/<exercise>/<name>/` are learner-like versions of an exercise's
 * editable files (see the README there):
 *
 * - `alt-*` must pass every test of their own exercise, and every dependent exercise's
 *   reference solution must pass every test with them;
 * - `broken-*` must pass their own exercise too, but make the dependent named in their
 *   `breaks.json` fail, with a message that points at the component.
 *
 * Everything runs in one start of the real vitest CLI. A dependent's job is laid out as the
 * grader mounts it: its own files in `<job>/exercise/`, the component exercise's non-test
 * files (with the fixture's files in place of the editable ones) in `<job>/<exercise>/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesWith, loadExercise, type Exercise } from '../../../src/content/exercises.ts';
import { courseRoot, runVitest, statusFromVitest, type VitestJob, type VitestRun } from './helpers.ts';

const componentsDir = fileURLToPath(new URL('../../fixtures/components/', import.meta.url));

/**
 * The exercises that import each component exercise's files. Kept here until exercise.json
 * declares it.
 */
const dependents: Readonly<Record<string, readonly string[]>> = {
  'sharding-ring': ['sharding-router'],
};

/** What a `broken-*` fixture's `breaks.json` says it breaks. */
interface Breaks {
  /** The dependent exercise whose reference solution must fail with this component. */
  readonly exercise: string;
  /** The full name of a test that must fail (describe > test). */
  readonly test: string;
  /** Text its failure message must contain. */
  readonly message: string;
}

interface Fixture {
  /** The component's exercise, e.g. `sharding-ring`. */
  readonly of: string;
  /** The fixture's folder name, e.g. `alt-linear-scan`. */
  readonly name: string;
  /** The fixture's versions of the exercise's editable files, by path. */
  readonly files: Readonly<Record<string, string>>;
  readonly breaks?: Breaks;
}

function listDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const exercises = new Map<string, Exercise>();
function exercise(id: string): Exercise {
  if (!exercises.has(id)) exercises.set(id, loadExercise(id, courseRoot));
  return exercises.get(id)!;
}

const fixtures: Fixture[] = listDirs(componentsDir).flatMap((of) =>
  listDirs(join(componentsDir, of)).map((name) => {
    const dir = join(componentsDir, of, name);
    const editable = exercise(of).files.filter((f) => f.role === 'editable').map((f) => f.path);
    const files = Object.fromEntries(
      readdirSync(dir)
        .filter((file) => editable.includes(file))
        .map((file) => [file, readFileSync(join(dir, file), 'utf8')]),
    );
    const breaksFile = readdirSync(dir).includes('breaks.json') ? join(dir, 'breaks.json') : undefined;
    const breaks = breaksFile === undefined ? undefined : (JSON.parse(readFileSync(breaksFile, 'utf8')) as Breaks);
    return { of, name, files, ...(breaks === undefined ? {} : { breaks }) };
  }),
);

/** A component exercise's non-test files, with `overrides` in place of its editable files. */
function mounted(of: string, overrides: Readonly<Record<string, string>>): Record<string, string> {
  const ex = exercise(of);
  const files = filesWith(ex, overrides);
  for (const test of ex.testFiles) delete files[test];
  return files;
}

const ownKey = (f: Fixture): string => `components/${f.of}/${f.name}/own`;
const dependentKey = (of: string, name: string, dependent: string): string => `components/${of}/${name}/${dependent}`;

let run: VitestRun | undefined;

beforeAll(async () => {
  const jobs: VitestJob[] = [];
  const components = [...new Set(fixtures.map((f) => f.of))];
  // The reference component with each dependent: proves the layout itself works.
  for (const of of components) {
    for (const dependent of dependents[of] ?? []) {
      const ex = exercise(dependent);
      jobs.push({ key: dependentKey(of, 'reference', dependent), exercise: ex, files: filesWith(ex, ex.solution), deps: { [of]: mounted(of, exercise(of).solution) } });
    }
  }
  for (const f of fixtures) {
    jobs.push({ key: ownKey(f), exercise: exercise(f.of), files: filesWith(exercise(f.of), f.files) });
    for (const dependent of dependents[f.of] ?? []) {
      const ex = exercise(dependent);
      jobs.push({ key: dependentKey(f.of, f.name, dependent), exercise: ex, files: filesWith(ex, ex.solution), deps: { [f.of]: mounted(f.of, f.files) } });
    }
  }
  run = await runVitest(jobs, 120_000 + 15_000 * jobs.length);
}, 180_000 + 20_000 * fixtures.length * 2);

/** Every test of a job, as "name: status (first message)", and any file that failed to load. */
function outcome(key: string): { failing: string[]; loadErrors: string[]; total: number } {
  if (!run) throw new Error('vitest did not run');
  const files = [...(run.files.get(key)?.values() ?? [])];
  const tests = files.flatMap((f) => f.tests);
  return {
    failing: tests.filter((t) => statusFromVitest(t) !== 'pass').map((t) => `${t.name}: ${t.state} ${t.errors[0] ?? ''}`),
    loadErrors: files.flatMap((f) => f.errors),
    total: tests.length,
  };
}

describe('the component fixtures', () => {
  it('include, for each component exercise, at least two alt-* and one broken-* with a breaks.json, and nothing else', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const of of new Set(fixtures.map((f) => f.of))) {
      const names = fixtures.filter((f) => f.of === of).map((f) => f.name);
      expect(names.filter((n) => n.startsWith('alt-')).length, `${of}: alt-* fixtures`).toBeGreaterThanOrEqual(2);
      expect(names.filter((n) => n.startsWith('broken-')).length, `${of}: broken-* fixtures`).toBeGreaterThanOrEqual(1);
      expect(names.filter((n) => !n.startsWith('alt-') && !n.startsWith('broken-')), `${of}: other names`).toEqual([]);
      expect(dependents[of]?.length ?? 0, `${of}: the exercises that use it`).toBeGreaterThan(0);
    }
    for (const f of fixtures) {
      expect(Object.keys(f.files).length, `${f.of}/${f.name} holds none of the exercise's editable files`).toBeGreaterThan(0);
      expect(f.breaks !== undefined, `${f.of}/${f.name}: breaks.json is there exactly when the name starts with broken-`).toBe(f.name.startsWith('broken-'));
    }
  });

  it.each([...new Set(fixtures.map((f) => f.of))].flatMap((of) => (dependents[of] ?? []).map((dependent) => [of, dependent] as const)))(
    'the reference %s lets the reference solution of %s pass every test, laid out as the grader mounts it',
    (of, dependent) => {
      const { failing, loadErrors, total } = outcome(dependentKey(of, 'reference', dependent));
      expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
      expect(total).toBeGreaterThan(0);
    },
  );
});

describe.each(fixtures.map((f) => [`${f.of}/${f.name}`, f] as const))('the component %s', (_label, f) => {
  it('passes every test of its own exercise', () => {
    const { failing, loadErrors, total } = outcome(ownKey(f));
    expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
    expect(total).toBeGreaterThan(0);
  });

  if (f.breaks === undefined) {
    it.each(dependents[f.of] ?? [])('lets the reference solution of %s pass every test', (dependent) => {
      const { failing, loadErrors, total } = outcome(dependentKey(f.of, f.name, dependent));
      expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
      expect(total).toBeGreaterThan(0);
    });
  } else {
    const breaks = f.breaks;
    it(`makes the reference solution of ${breaks.exercise} fail, with a message that points at the component`, () => {
      expect(dependents[f.of] ?? [], `breaks.json names ${breaks.exercise}, which does not use ${f.of}`).toContain(breaks.exercise);
      if (!run) throw new Error('vitest did not run');
      const tests = [...(run.files.get(dependentKey(f.of, f.name, breaks.exercise))?.values() ?? [])].flatMap((file) => file.tests);
      const named = tests.find((t) => t.name === breaks.test);
      expect(named?.state, `the test "${breaks.test}"`).toBe('failed');
      expect(named?.errors.join('\n')).toContain(breaks.message);
    });
  }
});
