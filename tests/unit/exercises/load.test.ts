/**
 * The build-time check of an exercise (`loadExercise`) must catch an exercise drifting out of
 * shape, and name the file at fault, before a learner meets it. Each case copies a fixture
 * exercise that loads, breaks one thing, and expects an ExerciseError naming that file.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExerciseError, filesWith, listExercises, loadExercise } from '../../../src/content/exercises.ts';
import { exerciseGrade } from '../../../src/grader/node/exercise-files.ts';
import { copyExercises, fixtureRoot, type ExerciseRoot } from './helpers.ts';

const copies: string[] = [];

function freshCopy(id = 'token-bucket'): ExerciseRoot {
  const root = copyExercises(fixtureRoot, [id]);
  copies.push(dirname(root.exercisesDir));
  return root;
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

function editMeta(root: ExerciseRoot, edit: (meta: Record<string, unknown>) => void, id = 'token-bucket'): void {
  const path = join(root.exercisesDir, id, 'exercise.json');
  const meta = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(meta);
  writeFileSync(path, JSON.stringify(meta, null, 2));
}

/** The error `loadExercise` throws, or a failure if it throws nothing or something else. */
function loadError(root: ExerciseRoot, id = 'token-bucket'): ExerciseError {
  try {
    loadExercise(id, root);
  } catch (error) {
    if (error instanceof ExerciseError) return error;
    throw error;
  }
  throw new Error(`loadExercise('${id}') accepted an exercise it should have rejected`);
}

describe('loadExercise on a well-formed exercise', () => {
  it('reads every listed file, hidden ones included, in tab order with their roles', () => {
    const exercise = loadExercise('percentile', fixtureRoot);
    expect(exercise.files.map((f) => [f.path, f.role])).toEqual([
      ['percentile.ts', 'editable'],
      ['percentile.test.ts', 'readonly'],
      ['samples.ts', 'hidden'],
    ]);
    expect(exercise.testFiles).toEqual(['percentile.test.ts']);
    expect(Object.keys(exercise.solution)).toEqual(['percentile.ts']);
  });

  it('fills in the default timeouts when exercise.json leaves them out', () => {
    const { meta } = loadExercise('percentile', fixtureRoot);
    expect([meta.testTimeoutMs, meta.runTimeoutMs]).toEqual([5_000, 10_000]);
    const bucket = loadExercise('token-bucket', fixtureRoot).meta;
    expect([bucket.testTimeoutMs, bucket.runTimeoutMs]).toEqual([2_000, 8_000]);
  });

  it('lists only folders as exercises, sorted', () => {
    // The fixture folder also holds a README.md, which is not an exercise.
    expect(listExercises(fixtureRoot.exercisesDir)).toEqual(['percentile', 'slo-check', 'token-bucket', 'weighted-pick']);
  });
});

describe('exerciseGrade, the request the Node host sends for an exercise', () => {
  const exercise = loadExercise('token-bucket', fixtureRoot);

  it('carries the exercise’s seed, per-test timeout and run time limit', () => {
    const { request, deadlineMs } = exerciseGrade(exercise);
    expect([request.seed, request.testTimeoutMs, deadlineMs]).toEqual([3, 2_000, 8_000]);
    expect(request.testFiles).toEqual(['bucket.test.ts', 'refill.test.ts']);
  });

  it('lays a submission over the editable files only, and names what it left out', () => {
    const submission = {
      'bucket.ts': '// the learner’s bucket\n',
      'clock.ts': '// an edited read-only file\n',
      'bucket.test.ts': exercise.files.find((f) => f.path === 'bucket.test.ts')!.starter,
      'helper.ts': 'export const extra = 1;\n',
      'notes.md': 'not TypeScript, not mentioned\n',
    };
    const { request, ignored } = exerciseGrade(exercise, submission);
    expect(request.files).toEqual({ ...filesWith(exercise, {}), 'bucket.ts': '// the learner’s bucket\n' });
    // The unchanged copy of a test file is not worth a note; the edited read-only file is.
    expect(ignored).toEqual(['clock.ts', 'helper.ts']);
  });
});

interface DriftCase {
  readonly drift: string;
  readonly breakIt: (root: ExerciseRoot) => void;
  /** The file the error must name. */
  readonly file: (root: ExerciseRoot) => string;
  readonly says: RegExp;
}

const exerciseFile = (name: string) => (root: ExerciseRoot) => join(root.exercisesDir, 'token-bucket', name);
const solutionFile = (name: string) => (root: ExerciseRoot) => join(root.solutionsDir, 'token-bucket', name);

const drifts: DriftCase[] = [
  {
    drift: 'a solution identical to its starter',
    breakIt: (root) => writeFileSync(solutionFile('bucket.ts')(root), readFileSync(exerciseFile('bucket.ts')(root))),
    file: solutionFile('bucket.ts'),
    says: /is identical to the starter/,
  },
  {
    drift: 'a listed file that is missing',
    breakIt: (root) => rmSync(exerciseFile('clock.ts')(root)),
    file: exerciseFile('clock.ts'),
    says: /is listed in exercise\.json but does not exist/,
  },
  {
    drift: 'a .ts file that exercise.json does not list',
    breakIt: (root) => writeFileSync(exerciseFile('helper.ts')(root), 'export const forgotten = true;\n'),
    file: exerciseFile('helper.ts'),
    says: /is not listed in exercise\.json/,
  },
  {
    drift: 'metadata that is not JSON',
    breakIt: (root) => appendFileSync(exerciseFile('exercise.json')(root), ','),
    file: exerciseFile('exercise.json'),
    says: /not valid JSON/,
  },
  {
    drift: 'metadata with a negative seed',
    breakIt: (root) => editMeta(root, (meta) => (meta.seed = -1)),
    file: exerciseFile('exercise.json'),
    says: /does not match the exercise schema: seed:/,
  },
  {
    drift: 'metadata with a field the schema does not know',
    breakIt: (root) => editMeta(root, (meta) => (meta.difficulty = 'hard')),
    file: exerciseFile('exercise.json'),
    says: /does not match the exercise schema: .*difficulty/,
  },
  {
    drift: 'metadata that makes a test file editable',
    breakIt: (root) =>
      editMeta(root, (meta) => {
        const files = meta.files as { path: string; role: string }[];
        files.find((f) => f.path === 'bucket.test.ts')!.role = 'editable';
      }),
    file: exerciseFile('exercise.json'),
    says: /bucket\.test\.ts: test files cannot be editable/,
  },
  {
    drift: 'metadata offering a library the course does not provide',
    breakIt: (root) => editMeta(root, (meta) => (meta.libraries = ['left-pad'])),
    file: exerciseFile('exercise.json'),
    says: /does not match the exercise schema: libraries\.0: .*hdr-histogram-js/,
  },
  {
    drift: 'metadata offering a library twice',
    breakIt: (root) => editMeta(root, (meta) => (meta.libraries = ['hdr-histogram-js', 'hdr-histogram-js'])),
    file: exerciseFile('exercise.json'),
    says: /libraries: "hdr-histogram-js" is listed twice/,
  },
  {
    drift: 'metadata without hints',
    breakIt: (root) => editMeta(root, (meta) => (meta.hints = [])),
    file: exerciseFile('exercise.json'),
    says: /hints:/,
  },
  {
    drift: 'a solution that leaves out an editable file',
    breakIt: (root) => rmSync(solutionFile('bucket.ts')(root)),
    file: solutionFile('bucket.ts'),
    says: /the solution must cover every editable file/,
  },
  {
    drift: 'a solution of a file the learner cannot edit',
    breakIt: (root) => writeFileSync(solutionFile('clock.ts')(root), 'export {};\n'),
    file: solutionFile('clock.ts'),
    says: /is not an editable file of the exercise/,
  },
  {
    drift: 'no solution folder at all',
    breakIt: (root) => rmSync(join(root.solutionsDir, 'token-bucket'), { recursive: true }),
    file: (root) => join(root.solutionsDir, 'token-bucket'),
    says: /every exercise needs a reference solution/,
  },
  {
    drift: 'no exercise.json',
    breakIt: (root) => rmSync(exerciseFile('exercise.json')(root)),
    file: exerciseFile('exercise.json'),
    says: /every exercise needs an exercise\.json/,
  },
];

describe('loadExercise on an exercise that has drifted', () => {
  it('accepts the untouched copy that every case below starts from', () => {
    expect(loadExercise('token-bucket', freshCopy()).id).toBe('token-bucket');
  });

  it.each(drifts)('rejects $drift, naming the file', ({ breakIt, file, says }) => {
    const root = freshCopy();
    breakIt(root);
    const error = loadError(root);
    expect(error.file).toBe(file(root));
    expect(error.message).toMatch(new RegExp(`^${file(root).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(error.message).toMatch(says);
  });

  it('names the known exercises when asked for one that does not exist', () => {
    const root = freshCopy();
    mkdirSync(join(root.exercisesDir, 'another'));
    const error = loadError(root, 'no-such-exercise');
    expect(error.file).toBe(join(root.exercisesDir, 'no-such-exercise'));
    expect(error.message).toContain('no such exercise (known exercises: another, token-bucket)');
  });
});

describe('an exercise that builds on an earlier one (uses)', () => {
  it('lays the earlier exercise\'s non-test files beside it, with the reference component, and fingerprints its interface', () => {
    const exercise = loadExercise('slo-check', fixtureRoot);
    const percentile = loadExercise('percentile', fixtureRoot);
    expect(exercise.components).toEqual([
      {
        exercise: 'percentile',
        file: 'percentile.ts',
        path: '../percentile/percentile.ts',
        title: percentile.meta.title,
        interfaceVersion: percentile.interfaceVersion,
        interfaceFiles: { 'samples.ts': expect.stringMatching(/^[0-9a-f]{8}$/) },
        direct: true,
      },
    ]);
    expect(Object.keys(exercise.dependencyFiles).sort()).toEqual(['../percentile/percentile.ts', '../percentile/samples.ts']);
    expect(exercise.dependencyFiles['../percentile/percentile.ts']).toBe(percentile.solution['percentile.ts']);
    const files = filesWith(exercise, {}, { '../percentile/percentile.ts': '// mine\n' });
    expect(files['../percentile/percentile.ts']).toBe('// mine\n');
    expect(() => filesWith(exercise, {}, { '../percentile/samples.ts': '' })).toThrow(/does not use \.\.\/percentile\/samples\.ts/);
  });

  it('changes the interface fingerprint when a read-only file changes, not when the tests or the starter do', () => {
    const root = copyExercises(fixtureRoot, ['percentile']);
    copies.push(dirname(root.exercisesDir));
    const before = loadExercise('percentile', root).interfaceVersion;
    appendFileSync(join(root.exercisesDir, 'percentile', 'percentile.test.ts'), '\n');
    appendFileSync(join(root.exercisesDir, 'percentile', 'percentile.ts'), '\n');
    expect(loadExercise('percentile', root).interfaceVersion).toBe(before);
    appendFileSync(join(root.exercisesDir, 'percentile', 'samples.ts'), '\nexport const more = 1;\n');
    expect(loadExercise('percentile', root).interfaceVersion).not.toBe(before);
  });

  const usesCases: { name: string; uses: unknown; message: RegExp }[] = [
    { name: 'an exercise that does not exist', uses: [{ exercise: 'nowhere', file: 'x.ts' }], message: /uses nowhere\/x\.ts, but there is no exercise nowhere/ },
    { name: 'a file that is not editable there', uses: [{ exercise: 'percentile', file: 'samples.ts' }], message: /not an editable file of percentile \(those are percentile\.ts\)/ },
    { name: 'itself', uses: [{ exercise: 'token-bucket', file: 'bucket.ts' }], message: /cannot use itself/ },
    { name: 'the same file twice', uses: [{ exercise: 'percentile', file: 'percentile.ts' }, { exercise: 'percentile', file: 'percentile.ts' }], message: /"percentile\/percentile\.ts" is used twice/ },
  ];
  it.each(usesCases)('rejects a use of $name, naming exercise.json', ({ uses, message }) => {
    const root = copyExercises(fixtureRoot, ['token-bucket', 'percentile']);
    copies.push(dirname(root.exercisesDir));
    editMeta(root, (meta) => (meta.uses = uses));
    const error = loadError(root);
    expect(error.file).toBe(join(root.exercisesDir, 'token-bucket', 'exercise.json'));
    expect(error.message).toMatch(message);
  });

  it('rejects two exercises that use each other, naming the cycle', () => {
    const root = copyExercises(fixtureRoot, ['slo-check', 'percentile']);
    copies.push(dirname(root.exercisesDir));
    editMeta(root, (meta) => (meta.uses = [{ exercise: 'slo-check', file: 'slo.ts' }]), 'percentile');
    expect(loadError(root, 'slo-check').message).toMatch(/slo-check → percentile → slo-check/);
  });
});
