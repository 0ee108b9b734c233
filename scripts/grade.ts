/**
 * Grades an exercise from the command line with the Node host: a fresh child process per
 * run and a hard deadline. Run `node scripts/grade.ts --help` for the flags.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExerciseError, listExercises, loadExercise, type Exercise } from '../src/content/exercises.ts';
import { formatResult } from '../src/grader/format.ts';
import { defaultDeadlineMs, gradeInChild } from '../src/grader/node/host.ts';
import { editableFilesIn, exerciseGrade, isTestFile, overlay, readFolder } from '../src/grader/node/exercise-files.ts';
import { chooseComponents, componentFiles, localRecordPath, readLocalRecord, recordLocalPass } from '../src/grader/node/local-components.ts';
import type { PortableGradeRequest } from '../src/grader/types.ts';
import { positiveNumber, readArgs, UsageError } from './lib/args.ts';
import { gradeMany, type ManyOptions } from './lib/grade-many.ts';
import { formatTable, toJUnit } from './lib/grade-report.ts';
import { isMain } from './lib/main.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
// FAULTLINES_EXERCISES_DIR points the script at another set of exercises (the tests use
// their fixtures); the solutions are read from the `solutions` folder beside it.
const exercisesDir = process.env.FAULTLINES_EXERCISES_DIR ? resolve(process.env.FAULTLINES_EXERCISES_DIR) : join(projectRoot, 'exercises');
const solutionsDir = join(exercisesDir, '..', 'solutions');
// The record of the learner's passing components sits beside the exercises folder.
const recordPath = process.env.FAULTLINES_EXERCISES_DIR ? localRecordPath(join(exercisesDir, '..')) : localRecordPath(projectRoot);

const help = `Usage:
  node scripts/grade.ts <id> [options]          grade exercises/<id>
  node scripts/grade.ts [ids…] --all [options]  grade several exercises (all when none is named)
  node scripts/grade.ts --tests <dir> [options] grade the exercise folder <dir>

An exercise is graded as its exercise.json describes it: the files it lists (hidden ones
included), its tests, its seed, its per-test timeout and its run time limit. By default the
files in exercises/<id> are graded as they are; these options lay other files over the
editable ones (anything else in them is left out, and named if it differs):

  --dir <path>        grade the learner's files in <path>
  --solution          grade the reference files in solutions/<id>

An exercise that builds on earlier components (its exercise.json "uses", e.g. the router
uses the ring) is graded with your latest passing version of each: the file in
exercises/<earlier-id>/ when it passes its own tests (checked first, when it changed), else
the last version that passed, else the reference. Passing grades of exercises/<id> are
recorded in .faultlines/components.json for that.

  --reference-deps    grade with the reference version of every earlier component
                      (FAULTLINES_REFERENCE_DEPS=1 does the same for npx vitest)

  --tests <dir>       grade any folder of *.test.ts / *.spec.ts files and the files beside
                      them, without exercise.json (defaults below apply)

Other options:
  --json              print the result as JSON instead of the readable report
  --deadline-s <n>    stop the run after <n> seconds (default: the exercise's runTimeoutMs,
                      or ${defaultDeadlineMs / 1000} with --tests)
  --timeout-ms <n>    per-test timeout (default: the exercise's testTimeoutMs, or 5000)
  --seed <n>          the seed tests read with inject('seed') (default: the exercise's)
  -h, --help          show this help

Several exercises at once (two or more ids, or --all, --report, --junit, --jobs, --record
or --no-fail with one id or none; no id means every exercise in exercises/, by name). Each is
graded in its own process and a table is printed: result, tests passed, seed, time and the
first failure. Earlier components come from the same folder when their exercise passed in
this run, else the reference; the local record is neither read nor written.

  --dir <path>        a folder laid out like exercises/, one subfolder per exercise id
                      with its editable files (default: exercises/); an exercise without
                      a subfolder is reported as having no files
  --solution          the reference solutions
  --report <file>     write the report as JSON (format "faultlines-grade-report", version 1,
                      described in docs/grade-report.md)
  --junit <file>      write the report as JUnit XML
  --jobs <n>          grade up to <n> exercises at a time (default 1); the report is the
                      same whatever <n> is, times aside
  --record            grade each exercise with a fresh seed drawn at random (written in the
                      report), not the one it is practised with: a grade for the record
  --no-fail           exit 0 even when an exercise fails (the report says so)

Exit codes: 0 when every test passes, 1 when a test fails or the run has errors,
2 for usage errors (such as an unknown exercise) and exercises that do not load.`;

interface Args {
  id?: string;
  /** Every id given, in order. */
  ids: string[];
  /** Several exercises at once: see the help. */
  many: boolean;
  report?: string;
  junit?: string;
  jobs: number;
  record: boolean;
  noFail: boolean;
  dir?: string;
  tests?: string;
  solution: boolean;
  referenceDeps: boolean;
  json: boolean;
  deadlineMs?: number;
  timeoutMs?: number;
  seed?: number;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = readArgs(argv, {
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
    solution: { type: 'boolean' },
    'reference-deps': { type: 'boolean' },
    dir: { type: 'string' },
    tests: { type: 'string' },
    'deadline-s': { type: 'string' },
    'timeout-ms': { type: 'string' },
    seed: { type: 'string' },
    all: { type: 'boolean' },
    report: { type: 'string' },
    junit: { type: 'string' },
    jobs: { type: 'string' },
    record: { type: 'boolean' },
    'no-fail': { type: 'boolean' },
  });
  const deadline = values['deadline-s'];
  const timeout = values['timeout-ms'];
  const seed = values.seed;
  const jobs = values.jobs === undefined ? 1 : positiveNumber('--jobs', values.jobs, true);
  const many =
    positionals.length > 1 ||
    (values.all ?? false) ||
    [values.report, values.junit, values.jobs].some((v) => v !== undefined) ||
    (values.record ?? false) ||
    (values['no-fail'] ?? false);
  if (many && values.tests !== undefined) throw new UsageError('--tests grades one folder; it cannot be combined with grading several exercises.');
  if (values.record && seed !== undefined) throw new UsageError('--record draws a seed per exercise; it cannot be combined with --seed.');
  return {
    ...(positionals.length === 1 ? { id: positionals[0] } : {}),
    ids: [...positionals],
    many,
    ...(values.report !== undefined ? { report: values.report } : {}),
    ...(values.junit !== undefined ? { junit: values.junit } : {}),
    jobs,
    record: values.record ?? false,
    noFail: values['no-fail'] ?? false,
    ...(values.dir !== undefined ? { dir: values.dir } : {}),
    ...(values.tests !== undefined ? { tests: values.tests } : {}),
    solution: values.solution ?? false,
    referenceDeps: values['reference-deps'] ?? false,
    json: values.json ?? false,
    ...(deadline !== undefined ? { deadlineMs: positiveNumber('--deadline-s', deadline) * 1000 } : {}),
    ...(timeout !== undefined ? { timeoutMs: positiveNumber('--timeout-ms', timeout) } : {}),
    ...(seed !== undefined ? { seed: Math.floor(positiveNumber('--seed', seed)) } : {}),
    help: values.help ?? false,
  };
}

function folder(path: string, what: string): string {
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isDirectory()) throw new UsageError(`${what} ${path} is not a folder.`);
  return full;
}

/** What to grade and how, from the command line. */
interface Plan {
  readonly request: PortableGradeRequest;
  readonly deadlineMs: number;
  /** Lines for stderr before the result, such as files that were left out. */
  readonly notes: readonly string[];
  /** Set when a pass should be recorded: the exercise graded with the learner's own files. */
  readonly recordAs?: { readonly exercise: Exercise; readonly files: Readonly<Record<string, string>> };
  /** Which version of each earlier component was used, for --json. */
  readonly components?: readonly { exercise: string; file: string; source: string; passedAt?: string }[];
}

/** A folder of tests without exercise.json: every file in it takes part. */
function folderPlan(args: Args, testsDir: string): Plan {
  const exerciseDir = folder(testsDir, 'The tests folder');
  let submission: Record<string, string> | undefined;
  if (args.solution) {
    if (args.id === undefined) throw new UsageError('--solution needs an exercise id.');
    submission = readFolder(folder(join(solutionsDir, args.id), 'The solution folder'));
  }
  if (args.dir !== undefined) submission = { ...submission, ...readFolder(folder(args.dir, 'The folder')) };
  const files = overlay(readFolder(exerciseDir), submission);
  const testFiles = Object.keys(files).filter(isTestFile);
  if (testFiles.length === 0) throw new UsageError('The folder has no test files (*.test.ts or *.spec.ts).', false);
  return {
    request: {
      files,
      testFiles,
      ...(args.timeoutMs !== undefined ? { testTimeoutMs: args.timeoutMs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
    },
    deadlineMs: args.deadlineMs ?? defaultDeadlineMs,
    notes: [],
  };
}

function loadOrExplain(id: string): Exercise {
  const ids = listExercises(exercisesDir).filter((name) => !name.startsWith('.'));
  if (!ids.includes(id)) {
    throw new UsageError(
      `There is no exercise "${id}". ${ids.length > 0 ? `Available: ${ids.join(', ')}.` : 'There are no exercises yet (exercises/ is empty).'}`,
      false,
    );
  }
  try {
    return loadExercise(id, { exercisesDir, solutionsDir, learnerFolder: true });
  } catch (error) {
    if (!(error instanceof ExerciseError)) throw error;
    throw new UsageError(`The exercise "${id}" cannot be graded: ${error.message}`, false);
  }
}

/** The learner's editable files of an exercise, as they are in exercises/<id>/. */
function learnerFiles(exercise: Exercise): Record<string, string> {
  return editableFilesIn(join(exercisesDir, exercise.id), exercise);
}

/**
 * Grades, quietly, each earlier exercise whose component this one uses and whose files have
 * changed since they last passed (or never passed), so that a version that passes now is
 * recorded before the components are chosen. Earlier exercises are checked first.
 */
async function refreshRecord(exercise: Exercise, args: Args): Promise<void> {
  if (args.referenceDeps) return;
  const seen = new Set<string>();
  for (const component of exercise.components) {
    if (seen.has(component.exercise)) continue;
    seen.add(component.exercise);
    const dep = loadOrExplain(component.exercise);
    const files = learnerFiles(dep);
    const pass = readLocalRecord(recordPath).passing[dep.id];
    const unchanged = pass !== undefined && pass.interfaceVersion === dep.interfaceVersion && Object.entries(files).every(([path, text]) => pass.files[path] === text);
    if (unchanged) continue;
    const chosen = chooseComponents(dep, { exercisesDir, record: readLocalRecord(recordPath) });
    const graded = exerciseGrade(dep, files, componentFiles(chosen));
    const result = await gradeInChild(graded.request, { deadlineMs: graded.deadlineMs });
    if (result.ok) recordLocalPass(recordPath, dep, files, new Date());
  }
}

/** An exercise from exercises/<id>, checked and graded as its exercise.json says. */
async function exercisePlan(args: Args, id: string): Promise<Plan> {
  const exercise = loadOrExplain(id);
  await refreshRecord(exercise, args);
  let submission: Record<string, string> = {};
  if (args.solution) submission = { ...exercise.solution };
  if (args.dir !== undefined) submission = { ...submission, ...readFolder(folder(args.dir, 'The folder')) };
  const chosen = chooseComponents(exercise, { exercisesDir, record: readLocalRecord(recordPath), referenceDeps: args.referenceDeps });
  const graded = exerciseGrade(exercise, submission, componentFiles(chosen));
  const editable = exercise.files.filter((f) => f.role === 'editable').map((f) => f.path);
  const notes = [
    ...(graded.ignored.length > 0 ? [`Left out of the grade: ${graded.ignored.join(', ')} (only ${editable.join(', ')} can be changed in this exercise).`] : []),
    ...(chosen.length > 0 ? ['Built on:', ...chosen.map((c) => `  ${c.reason}`)] : []),
  ];
  const own = !args.solution && args.dir === undefined;
  return {
    request: {
      ...graded.request,
      ...(args.timeoutMs !== undefined ? { testTimeoutMs: args.timeoutMs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
    },
    deadlineMs: args.deadlineMs ?? graded.deadlineMs,
    notes,
    // Only the learner's own folder, graded with the exercise's own seed, counts as a pass.
    ...(own && args.seed === undefined ? { recordAs: { exercise, files: learnerFiles(exercise) } } : {}),
    components: chosen.map((c) => ({ exercise: c.component.exercise, file: c.component.file, source: c.source, ...(c.passedAt ? { passedAt: c.passedAt } : {}) })),
  };
}

async function plan(args: Args): Promise<Plan> {
  if (args.tests !== undefined) return folderPlan(args, args.tests);
  if (args.id === undefined) throw new UsageError('Name an exercise id, or give --tests <dir>.');
  return exercisePlan(args, args.id);
}

/** Grades several exercises: see the help. */
async function mainMany(args: Args): Promise<number> {
  const ids = args.ids.length > 0 ? [...new Set(args.ids)] : listExercises(exercisesDir).filter((name) => !name.startsWith('.'));
  const exercises = ids.map(loadOrExplain);
  const source: ManyOptions['source'] = args.solution
    ? { kind: 'solutions' }
    : args.dir !== undefined
      ? { kind: 'folder', dir: folder(args.dir, 'The folder'), label: args.dir }
      : { kind: 'folder', dir: exercisesDir, label: 'exercises' };
  const graded = await gradeMany({
    exercises,
    source,
    seedRule: args.record ? 'record' : args.seed !== undefined ? 'fixed' : 'exercise',
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    jobs: args.jobs,
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    ...(args.deadlineMs !== undefined ? { deadlineMs: args.deadlineMs } : {}),
    onDone: (e) => console.error(`${e.id}: ${e.status === 'missing' ? 'no files' : `${e.status}, ${e.passed}/${e.total} tests`}`),
  });
  if (args.report !== undefined) writeFileSync(resolve(args.report), `${JSON.stringify(graded, null, 2)}\n`);
  if (args.junit !== undefined) writeFileSync(resolve(args.junit), toJUnit(graded));
  console.log(args.json ? JSON.stringify(graded, null, 2) : formatTable(graded));
  return graded.ok || args.noFail ? 0 : 1;
}

async function main(): Promise<number> {
  let args: Args;
  let planned: Plan;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(help);
      return 0;
    }
    if (args.many) return await mainMany(args);
    planned = await plan(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.showHelp ? `${error.message}\n\nRun node scripts/grade.ts --help for usage.` : error.message);
    return 2;
  }
  for (const note of planned.notes) console.error(note);
  const result = await gradeInChild(planned.request, { deadlineMs: planned.deadlineMs });
  if (result.ok && planned.recordAs) recordLocalPass(recordPath, planned.recordAs.exercise, planned.recordAs.files, new Date());
  const json = planned.components && planned.components.length > 0 ? { ...result, components: planned.components } : result;
  console.log(args.json ? JSON.stringify(json, null, 2) : formatResult(result));
  return result.ok ? 0 : 1;
}

if (isMain(import.meta.url)) process.exitCode = await main();
