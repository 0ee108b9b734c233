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
 *   `breaks.json` fail, with a message that points at the component;
 * - `bug-*` are realistic bugs or cheats that must fail their own exercise: the test named in
 *   their `fails.json` fails, with a message that contains its text. They are graded with the
 *   reference of every component their exercise uses, and no dependent is run with them.
 *
 * The dependents are the exercises whose `uses` reach the component (exercise.json). Everything
 * runs in one start of the real vitest CLI, each job laid out as the grader mounts it: the
 * dependent's files in `<job>/exercise/`, the component exercise's non-test files (with the
 * fixture's in place of the editable ones) in `<job>/<exercise>/`. The validity suite grades
 * the alt-* fixtures too, through the grader; this suite also covers the broken-* ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesWith, listExercises, loadExercise, type Exercise } from '../../../src/content/exercises.ts';
import { componentsDir, courseRoot, fixtureRoot, runVitestHeavyLast, statusFromVitest, type ExerciseRoot, type VitestJob, type VitestRun } from './helpers.ts';

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
  readonly fails?: Fails;
}

/**
 * What a `bug-*` fixture's `fails.json` says of its own exercise: a test that fails with a
 * message, or, for a cheat refused as its file loads (a patch of the frozen simulator or
 * harness), the text of the error that stops the test files importing it from loading.
 */
type Fails =
  | {
      /** The full name of a test of the fixture's own exercise that must fail (describe > test). */
      readonly test: string;
      /** Text its failure message must contain. */
      readonly message: string;
    }
  | {
      /** Text of the error every test file importing the fixture's files fails to load with. */
      readonly loadError: string;
    };

function listDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The course's exercises, or the fixture exercises for a component kept for one of those. */
const rootOf = (id: string): ExerciseRoot => (listExercises(courseRoot.exercisesDir).includes(id) ? courseRoot : fixtureRoot);

const exercises = new Map<string, Exercise>();
function exercise(id: string, root: ExerciseRoot = rootOf(id)): Exercise {
  const key = `${root.label}/${id}`;
  if (!exercises.has(key)) exercises.set(key, loadExercise(id, root));
  return exercises.get(key)!;
}

/**
 * The exercises (in the same root) that use a component exercise's file, directly or through
 * another component, with the path they import it by (`../sharding-ring/ring.ts`).
 */
function dependentsOf(of: string): { id: string; path: string }[] {
  const root = rootOf(of);
  return listExercises(root.exercisesDir).flatMap((id) => {
    const used = exercise(id, root).components.filter((c) => c.exercise === of);
    return used.map((c) => ({ id, path: c.path }));
  });
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
    const failsFile = readdirSync(dir).includes('fails.json') ? join(dir, 'fails.json') : undefined;
    const fails = failsFile === undefined ? undefined : (JSON.parse(readFileSync(failsFile, 'utf8')) as Fails);
    return { of, name, files, ...(breaks === undefined ? {} : { breaks }), ...(fails === undefined ? {} : { fails }) };
  }),
);

/** The fixture's files as a dependent imports them: `../<exercise>/<file>`. */
function asComponents(f: Fixture, dependent: string): Record<string, string> {
  const paths = exercise(dependent).components.filter((c) => c.exercise === f.of);
  return Object.fromEntries(paths.filter((c) => c.file in f.files).map((c) => [c.path, f.files[c.file]!]));
}

const ownKey = (f: Fixture): string => `components/${f.of}/${f.name}/own`;
const isBug = (f: Fixture): boolean => f.name.startsWith('bug-');
const dependentKey = (of: string, name: string, dependent: string): string => `components/${of}/${name}/${dependent}`;

let run: VitestRun | undefined;
const componentExercises = [...new Set(fixtures.map((f) => f.of))];

beforeAll(async () => {
  const jobs: VitestJob[] = [];
  // The reference component with each dependent: proves the layout itself works.
  for (const of of componentExercises) {
    for (const { id } of dependentsOf(of)) {
      const ex = exercise(id);
      jobs.push({ key: dependentKey(of, 'reference', id), exercise: ex, files: filesWith(ex, ex.solution) });
    }
  }
  for (const f of fixtures) {
    jobs.push({ key: ownKey(f), exercise: exercise(f.of), files: filesWith(exercise(f.of), f.files) });
    if (isBug(f)) {
      // A bug that also breaks a dependent (its breaks.json) is run with that one.
      if (f.breaks !== undefined) {
        const ex = exercise(f.breaks.exercise);
        jobs.push({ key: dependentKey(f.of, f.name, f.breaks.exercise), exercise: ex, files: filesWith(ex, ex.solution, asComponents(f, f.breaks.exercise)) });
      }
      continue;
    }
    // A broken-* is checked only with the dependent its breaks.json names.
    for (const { id } of dependentsOf(f.of).filter((d) => f.breaks === undefined || d.id === f.breaks.exercise)) {
      const ex = exercise(id);
      jobs.push({ key: dependentKey(f.of, f.name, id), exercise: ex, files: filesWith(ex, ex.solution, asComponents(f, id)) });
    }
  }
  // A whole-system day (the capstone) runs after the others, in a run of its own.
  run = await runVitestHeavyLast(jobs, 120_000 + 15_000 * jobs.length);
}, 180_000 + 20_000 * fixtures.length * 2 + 120_000 * 30);

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
  it('hold an editable file of their exercise each; every used component has at least two alt-* and one broken-* (or bug-*) with a breaks.json; every bug-* has a fails.json', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) {
      expect(f.name, `${f.of}/${f.name}: the name starts with alt-, broken- or bug-`).toMatch(/^(alt|broken|bug)-[a-z0-9-]+$/);
      expect(Object.keys(f.files).length, `${f.of}/${f.name} holds none of the exercise's editable files`).toBeGreaterThan(0);
      if (f.name.startsWith('broken-')) expect(f.breaks, `${f.of}/${f.name}: a broken-* fixture has a breaks.json`).toBeDefined();
      if (f.name.startsWith('alt-')) expect(f.breaks, `${f.of}/${f.name}: an alt-* fixture breaks nothing`).toBeUndefined();
      expect(f.fails !== undefined, `${f.of}/${f.name}: fails.json is there exactly when the name starts with bug-`).toBe(isBug(f));
    }
    const used = listExercises(courseRoot.exercisesDir).flatMap((id) => exercise(id, courseRoot).components.map((c) => c.exercise));
    for (const of of new Set(used)) {
      const names = fixtures.filter((f) => f.of === of).map((f) => f.name);
      expect(names.filter((n) => n.startsWith('alt-')).length, `${of} is used by a later exercise: its alt-* fixtures`).toBeGreaterThanOrEqual(2);
      // What breaks a dependent: a broken-*, which passes its own tests, or, for a component
      // whose own tests leave no room for that (the capacity plan is checked against the
      // queueing model over the whole range its dependents use), a bug-* with a breaks.json.
      expect(
        fixtures.filter((f) => f.of === of && f.breaks !== undefined).length,
        `${of} is used by a later exercise: its broken-* (or bug-*) fixtures with a breaks.json`,
      ).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(componentExercises.flatMap((of) => dependentsOf(of).map(({ id }) => [of, id] as const)))(
    'the reference %s lets the reference solution of %s pass every test, laid out as the grader mounts it',
    (of, dependent) => {
      const { failing, loadErrors, total } = outcome(dependentKey(of, 'reference', dependent));
      expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
      expect(total).toBeGreaterThan(0);
    },
  );
});

/** The test that a fixture's breaks.json says it makes fail in a dependent, with its message. */
function breaksDependent(f: Fixture, breaks: Breaks): void {
  it(`makes the reference solution of ${breaks.exercise} fail, with a message that points at the component`, () => {
    expect(dependentsOf(f.of).map((d) => d.id), `breaks.json names ${breaks.exercise}, which does not use ${f.of}`).toContain(breaks.exercise);
    if (!run) throw new Error('vitest did not run');
    const tests = [...(run.files.get(dependentKey(f.of, f.name, breaks.exercise))?.values() ?? [])].flatMap((file) => file.tests);
    const named = tests.find((t) => t.name === breaks.test);
    expect(named?.state, `the test "${breaks.test}"`).toBe('failed');
    expect(named?.errors.join('\n')).toContain(breaks.message);
  });
}

describe.each(fixtures.filter(isBug).map((f) => [`${f.of}/${f.name}`, f] as const))('the bug %s', (_label, f) => {
  it('fails the test named in its fails.json, with that message, graded by its own exercise with the reference components', () => {
    const fails = f.fails!;
    const { loadErrors, total } = outcome(ownKey(f));
    if ('loadError' in fails) {
      // Refused as it loads: some test file could not load, every such error is this one,
      // and the tests that did load (files that do not import the fixture) are not its.
      expect(loadErrors.length).toBeGreaterThan(0);
      for (const error of loadErrors) expect(error).toContain(fails.loadError);
      return;
    }
    expect(loadErrors).toEqual([]);
    expect(total).toBeGreaterThan(0);
    if (!run) throw new Error('vitest did not run');
    const tests = [...(run.files.get(ownKey(f))?.values() ?? [])].flatMap((file) => file.tests);
    const named = tests.find((t) => t.name === fails.test);
    expect(named?.state, `the test "${fails.test}"`).toBe('failed');
    expect(named?.errors.join('\n')).toContain(fails.message);
  });

  if (f.breaks !== undefined) breaksDependent(f, f.breaks);
});

describe.each(fixtures.filter((f) => !isBug(f)).map((f) => [`${f.of}/${f.name}`, f] as const))('the component %s', (_label, f) => {
  it('passes every test of its own exercise', () => {
    const { failing, loadErrors, total } = outcome(ownKey(f));
    expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
    expect(total).toBeGreaterThan(0);
  });

  if (f.breaks === undefined) {
    it.each(dependentsOf(f.of).map((d) => d.id))('lets the reference solution of %s pass every test', (dependent) => {
      const { failing, loadErrors, total } = outcome(dependentKey(f.of, f.name, dependent));
      expect({ failing, loadErrors }).toEqual({ failing: [], loadErrors: [] });
      expect(total).toBeGreaterThan(0);
    });
  } else {
    breaksDependent(f, f.breaks);
  }
});
