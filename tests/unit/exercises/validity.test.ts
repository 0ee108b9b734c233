/**
 * Every exercise must be gradeable and honest: its files load and match exercise.json, the
 * reference solution passes every test, the starter fails at least one, and the grader's
 * verdicts agree test by test with `vitest run` on both. A course exercise's starter passes
 * only the tests listed in starter-passes.ts, each with the reason it checks something there.
 * The course's exercises are checked
 * from `exercises/`, and the fixture exercises always, so the suite proves itself even while
 * the course has none.
 *
 * An exercise that builds on earlier components (`uses`) is graded with the reference
 * components, and again with every learner-like alternative kept in `tests/fixtures/components`:
 * the solution must pass and the starter fail with each. An alternative kept for an
 * exercise's own file must pass that exercise.
 *
 * Real vitest runs once for everything (one project per exercise and variant), and the grader
 * runs through the Node host, a fresh child process per grade, with each exercise's seed and
 * timeouts, exactly as `npm run grade` does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { filesWith, listExercises, loadExercise, type Exercise } from '../../../src/content/exercises.ts';
import type { GradeResult } from '../../../src/grader/index.ts';
import { exerciseGrade } from '../../../src/grader/node/exercise-files.ts';
import { gradeInChild } from '../../../src/grader/node/host.ts';
import {
  WHOLE_SYSTEM,
  componentVersions,
  courseRoot,
  fixtureRoot,
  mapLimit,
  runVitestHeavyLast,
  statusFromVitest,
  type ExerciseRoot,
  type VitestFile,
  type VitestJob,
  type VitestRun,
} from './helpers.ts';
import { starterPasses } from './starter-passes.ts';

interface Suite {
  readonly root: ExerciseRoot;
  /** The describe title, with `%s` for the exercise id. */
  readonly title: string;
  readonly ids: readonly string[];
}

const suites: Suite[] = [
  { root: fixtureRoot, title: 'the fixture exercise %s', ids: listExercises(fixtureRoot.exercisesDir) },
  { root: courseRoot, title: 'the exercise %s', ids: listExercises(courseRoot.exercisesDir) },
];

/**
 * One way of grading an exercise. `starter` and `solution` use the reference components;
 * the others lay a learner-like component over one of them, or over the exercise's own file.
 */
interface Variant {
  /** Path-safe and unique within the exercise: `starter`, `solution+sharding-ring.alt-jump`, `own.alt-x`. */
  readonly key: string;
  /** How tests name it. */
  readonly label: string;
  readonly kind: 'starter' | 'solution' | 'own-alternative';
  readonly submission: Readonly<Record<string, string>>;
  readonly components: Readonly<Record<string, string>>;
}

/**
 * The components suite grades a whole-system exercise's solution with every alternative
 * component; it is not graded here again with each one for the starter and in the grader
 * (dozens of runs of a simulated day). Its starter, solution and own alternatives are checked
 * here as any other's.
 */
function variantsOf(exercise: Exercise): Variant[] {
  const variants: Variant[] = [
    { key: 'starter', label: 'starter', kind: 'starter', submission: {}, components: {} },
    { key: 'solution', label: 'solution', kind: 'solution', submission: exercise.solution, components: {} },
  ];
  for (const component of WHOLE_SYSTEM.has(exercise.id) ? [] : exercise.components) {
    for (const alt of componentVersions(component.exercise, component.file, 'alt')) {
      const components = { [component.path]: alt.text };
      const suffix = `${component.exercise}.${alt.name}`;
      variants.push(
        { key: `starter+${suffix}`, label: `starter with ${component.exercise}/${alt.name}`, kind: 'starter', submission: {}, components },
        { key: `solution+${suffix}`, label: `solution with ${component.exercise}/${alt.name}`, kind: 'solution', submission: exercise.solution, components },
      );
    }
  }
  // An alternative design may rewrite several editable files: one variant per folder, its
  // files over the solution's.
  const own = new Map<string, Record<string, string>>();
  for (const file of exercise.files.filter((f) => f.role === 'editable')) {
    for (const alt of componentVersions(exercise.id, file.path, 'alt')) {
      own.set(alt.name, { ...own.get(alt.name), [file.path]: alt.text });
    }
  }
  for (const [name, files] of [...own].sort(([a], [b]) => a.localeCompare(b))) {
    variants.push({
      key: `own.${name}`,
      label: `alternative ${name} (${Object.keys(files).sort().join(', ')})`,
      kind: 'own-alternative',
      submission: { ...exercise.solution, ...files },
      components: {},
    });
  }
  return variants;
}

interface Checked {
  readonly exercise?: Exercise;
  readonly loadError?: string;
  readonly variants: readonly Variant[];
  readonly grades: Record<string, GradeResult>;
}

const checked = new Map<string, Checked>();
let vitestRun: VitestRun | undefined;

const keyOf = (root: ExerciseRoot, id: string): string => `${root.label}/${id}`;

function exerciseOf(root: ExerciseRoot, id: string): Exercise {
  const entry = checked.get(keyOf(root, id));
  if (!entry?.exercise) throw new Error(`${id} did not load, so it cannot be graded: ${entry?.loadError ?? 'not checked'}`);
  return entry.exercise;
}

function gradeOf(root: ExerciseRoot, id: string, variant: string): GradeResult {
  exerciseOf(root, id);
  const result = checked.get(keyOf(root, id))!.grades[variant];
  if (!result) throw new Error(`${id}: the ${variant} was not graded`);
  return result;
}

function vitestOf(root: ExerciseRoot, id: string, variant: string): ReadonlyMap<string, VitestFile> {
  exerciseOf(root, id);
  if (!vitestRun) throw new Error('vitest did not run');
  return vitestRun.files.get(`${keyOf(root, id)}/${variant}`) ?? new Map();
}

/** The variants of an exercise, read before the tests are declared (loading is cheap). */
function declaredVariants(root: ExerciseRoot, id: string): Variant[] {
  try {
    return variantsOf(loadExercise(id, root));
  } catch {
    return [];
  }
}

const exerciseCount = suites.reduce((n, s) => n + s.ids.length, 0);
const variantCount = suites.reduce((n, s) => n + s.ids.reduce((m, id) => m + Math.max(2, declaredVariants(s.root, id).length), 0), 0);

beforeAll(async () => {
  const jobs: VitestJob[] = [];
  const grades: { key: string; variant: Variant; exercise: Exercise }[] = [];
  for (const { root, ids } of suites) {
    for (const id of ids) {
      let exercise: Exercise;
      try {
        exercise = loadExercise(id, root);
      } catch (error) {
        checked.set(keyOf(root, id), { loadError: (error as Error).message, variants: [], grades: {} });
        continue;
      }
      const variants = variantsOf(exercise);
      checked.set(keyOf(root, id), { exercise, variants, grades: {} });
      for (const variant of variants) {
        jobs.push({ key: `${keyOf(root, id)}/${variant.key}`, exercise, files: filesWith(exercise, variant.submission, variant.components) });
        grades.push({ key: keyOf(root, id), variant, exercise });
      }
    }
  }
  const gradeOne = async ({ key, variant, exercise }: (typeof grades)[number]) => {
    const { request, deadlineMs } = exerciseGrade(exercise, variant.submission, variant.components);
    checked.get(key)!.grades[variant.key] = await gradeInChild(request, { deadlineMs });
  };
  // A whole-system day takes seconds of its test limit on a quiet machine: its grades run
  // after the others, one at a time, and its vitest jobs after those.
  const heavy = (exercise: Exercise) => WHOLE_SYSTEM.has(exercise.id);
  vitestRun = await runVitestHeavyLast(jobs, 60_000 + 5_000 * variantCount, {
    light: () => mapLimit(grades.filter((g) => !heavy(g.exercise)), 4, gradeOne),
    heavy: () => mapLimit(grades.filter((g) => heavy(g.exercise)), 1, gradeOne),
  });
}, 90_000 + 10_000 * variantCount + 180_000 * WHOLE_SYSTEM.size * 8);

/** Per test file, in the exercise's tab order: what the grader says. */
function graderVerdicts(exercise: Exercise, result: GradeResult) {
  return Object.fromEntries(
    exercise.testFiles.map((file) => [
      file,
      result.tests
        .filter((t) => t.file === file)
        .map((t) => ({ name: t.name, status: t.status, messages: t.status === 'fail' ? [t.message, ...(t.otherMessages ?? [])] : [] })),
    ]),
  );
}

/** The same, from vitest's report. */
function vitestVerdicts(exercise: Exercise, files: ReadonlyMap<string, VitestFile>) {
  return Object.fromEntries(
    exercise.testFiles.map((file) => [
      file,
      (files.get(file)?.tests ?? []).map((t) => ({ name: t.name, status: statusFromVitest(t), messages: t.state === 'failed' ? t.errors : [] })),
    ]),
  );
}

for (const { root, title, ids } of suites) {
  describe.each(ids)(title, (id) => {
    it('loads: exercise.json matches the schema, and the files it lists (and only those) are there', () => {
      const entry = checked.get(keyOf(root, id));
      // Thrown as it is, so the report shows the whole message, file name first.
      if (entry?.loadError) throw new Error(entry.loadError);
      expect(entry?.exercise?.id).toBe(id);
    });

    it('passes every test with the reference solution in the grader', () => {
      const result = gradeOf(root, id, 'solution');
      const failures = result.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.status} ${t.message ?? ''}`);
      expect({ failures, errors: result.errors.map((e) => `[${e.kind}] ${e.message}`) }).toEqual({ failures: [], errors: [] });
      expect(result.summary.total).toBeGreaterThan(0);
      expect(result.ok).toBe(true);
    });

    it('fails at least one test with the starter in the grader', () => {
      const result = gradeOf(root, id, 'starter');
      expect(result.summary.failed).toBeGreaterThan(0);
      expect(result.ok).toBe(false);
    });

    if (root === courseRoot) {
      it('passes on the starter only the tests listed in starter-passes.ts as checking something there', () => {
        const passed = gradeOf(root, id, 'starter').tests.filter((t) => t.status === 'pass').map((t) => t.name);
        const allowed = Object.keys(starterPasses[id] ?? {});
        // A test that passes on the starter without a listed reason is probably vacuous: its
        // precondition was not met and it checked nothing. Make it fail (or list why it is real).
        expect({ unlisted: passed.filter((n) => !allowed.includes(n)), notPassing: allowed.filter((n) => !passed.includes(n)) }).toEqual({
          unlisted: [],
          notPassing: [],
        });
      });
    }

    const variants = declaredVariants(root, id);
    const withComponents = variants.filter((v) => Object.keys(v.components).length > 0 && v.kind === 'solution');
    if (withComponents.length > 0) {
      it.each(withComponents.map((v) => [v.label.replace(/^solution with /, ''), v.key] as const))(
        'with the component %s: the solution passes every test and the starter fails one',
        (_label, key) => {
          const solved = gradeOf(root, id, key);
          const failures = solved.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.status} ${t.message ?? ''}`);
          expect({ failures, errors: solved.errors.map((e) => `[${e.kind}] ${e.message}`) }).toEqual({ failures: [], errors: [] });
          expect(gradeOf(root, id, key.replace(/^solution/, 'starter')).summary.failed).toBeGreaterThan(0);
        },
      );
    }

    const own = variants.filter((v) => v.kind === 'own-alternative');
    if (own.length > 0) {
      it.each(own.map((v) => [v.label, v.key] as const))('passes every test with the %s, another correct design', (_label, key) => {
        const result = gradeOf(root, id, key);
        const failures = result.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.status} ${t.message ?? ''}`);
        expect({ failures, errors: result.errors.map((e) => `[${e.kind}] ${e.message}`) }).toEqual({ failures: [], errors: [] });
      });
    }

    const keys = variants.length > 0 ? variants.map((v) => v.key) : ['starter', 'solution'];
    it.each(keys)('gets the same verdicts from the grader as from vitest run for the %s: names, statuses and failure messages', (variant) => {
      const exercise = exerciseOf(root, id);
      expect(graderVerdicts(exercise, gradeOf(root, id, variant))).toEqual(vitestVerdicts(exercise, vitestOf(root, id, variant)));
    });

    it.each(keys)('fails to load a test file for the %s exactly when vitest run does', (variant) => {
      const vitestFailed = [...vitestOf(root, id, variant).values()].some((f) => f.errors.length > 0);
      const result = gradeOf(root, id, variant);
      expect(result.errors.some((e) => e.kind === 'syntax' || e.kind === 'import')).toBe(vitestFailed);
    });
  });
}

describe('every exercise together', () => {
  it('reports the same unhandled errors (stray timers, floating promises) in the grader as in vitest run', () => {
    if (!vitestRun) throw new Error('vitest did not run');
    const fromGrader = [...checked.values()].flatMap((entry) =>
      Object.values(entry.grades).flatMap((result) => result.errors.filter((e) => e.kind === 'unhandled').map((e) => e.message)),
    );
    // vitest does not say which file an unhandled error came from, so compare the whole run.
    expect(fromGrader.sort()).toEqual([...vitestRun.unhandled].sort());
  });

  it('checks the fixture exercises, so the checks themselves are known to work', () => {
    expect(suites[0]!.ids.length).toBeGreaterThanOrEqual(3);
  });
});
