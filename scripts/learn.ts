/**
 * `npm run learn`: the course in a terminal, beside your own editor. Shows the current
 * exercise, its lesson and the files to edit; grades it on every save, with the page's
 * messages; a key for the next hint, one to skip, one to quit; moves on when every test
 * passes; keeps its place in `.faultlines/learn.json`. Run `node scripts/learn.ts --help`.
 */
import { existsSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listExercises, loadExercise, type Exercise } from '../src/content/exercises.ts';
import { editableFilesIn, exerciseGrade, readFolder } from '../src/grader/node/exercise-files.ts';
import { gradeInChild } from '../src/grader/node/host.ts';
import { chooseComponents, componentFiles, localRecordPath, readLocalRecord, recordLocalPass } from '../src/grader/node/local-components.ts';
import { readArgs, UsageError } from './lib/args.ts';
import { exportBackup, planImport } from './lib/learn-backup.ts';
import { compactResult, currentExercise, header, pass, readProgress, skip, writeProgress, type LearnProgress } from './lib/learn.ts';
import { draftOnlyExercises, exercisesInCourseOrder, lessonsByExercise } from './lib/lessons.ts';
import { isMain } from './lib/main.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
// As in scripts/grade.ts: FAULTLINES_EXERCISES_DIR points at another course (the tests' fixtures).
const exercisesDir = process.env.FAULTLINES_EXERCISES_DIR ? resolve(process.env.FAULTLINES_EXERCISES_DIR) : join(projectRoot, 'exercises');
const solutionsDir = join(exercisesDir, '..', 'solutions');
const stateDir = process.env.FAULTLINES_EXERCISES_DIR ? join(exercisesDir, '..') : projectRoot;
const progressPath = join(stateDir, '.faultlines', 'learn.json');
const recordPath = localRecordPath(stateDir);
/** Where `npm run dev` serves the lessons. */
const siteUrl = process.env.FAULTLINES_SITE_URL ?? 'http://localhost:4321';

const help = `Usage:
  npm run learn            (node scripts/learn.ts)

Works through the course's exercises in order, in this terminal, while you edit the files
in exercises/ with your own editor. Each save runs the exercise's tests, as the page does,
and prints the result. When every test passes, your code is recorded (later exercises
build on it, as in the page) and the next exercise starts.

Keys: h  the next hint    r  run the tests again    s  skip to the next exercise
      q  quit (your place is kept in .faultlines/learn.json)

Without a terminal (input from a pipe), the same letters followed by Enter work.

Moving work between the page and this folder, in the page's backup format:
  --export <file>   write your code and passes as a file the page's Import reads
  --import <file>   read the page's Export: its code goes into exercises/ (a file you had
                    changed is kept beside it as <file>.before-import) and its passes are
                    recorded, then the session starts`;

interface Session {
  progress: LearnProgress;
  exercise?: Exercise;
  hintsShown: number;
  watcher?: FSWatcher;
  timer?: NodeJS.Timeout;
  running: boolean;
  again: boolean;
}

const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const say = (text: string): void => void process.stdout.write(`${text}\n`);

/** The exercises in the course's order; those embedded only in draft lessons stay out. */
function order(): string[] {
  const drafts = draftOnlyExercises();
  return exercisesInCourseOrder(listExercises(exercisesDir).filter((name) => !name.startsWith('.') && !drafts.has(name)));
}

function editable(exercise: Exercise): string[] {
  return exercise.files.filter((f) => f.role === 'editable').map((f) => f.path);
}

/** The learner's editable files as they are on disk now. */
const learnerFiles = (exercise: Exercise): Record<string, string> => editableFilesIn(join(exercisesDir, exercise.id), exercise);

async function run(s: Session): Promise<void> {
  if (s.exercise === undefined) return;
  if (s.running) {
    s.again = true;
    return;
  }
  s.running = true;
  const exercise = s.exercise;
  say(colourDim(`Running the tests of ${exercise.id} …`));
  const files = learnerFiles(exercise);
  const chosen = chooseComponents(exercise, { exercisesDir, record: readLocalRecord(recordPath) });
  const graded = exerciseGrade(exercise, files, componentFiles(chosen));
  for (const c of chosen) say(colourDim(`Built on ${c.reason}`));
  const result = await gradeInChild(graded.request, { deadlineMs: graded.deadlineMs });
  say(compactResult(result, colour));
  s.running = false;
  if (result.ok && s.exercise === exercise) {
    recordLocalPass(recordPath, exercise, files, new Date());
    s.progress = pass(s.progress, exercise.id, new Date());
    writeProgress(progressPath, s.progress);
    say(`${exercise.meta.title}: done. Your ${editable(exercise).join(', ')} is kept for the exercises that build on it.`);
    start(s);
    return;
  }
  if (s.again) {
    s.again = false;
    await run(s);
  }
}

const colourDim = (text: string): string => (colour ? `\u001b[2m${text}\u001b[0m` : text);

/** Starts the current exercise: its header, a watch on its folder, a first run. */
function start(s: Session): void {
  s.watcher?.close();
  const ids = order();
  const id = currentExercise(ids, s.progress);
  if (id === undefined) {
    say(`\nEvery exercise passes (${ids.length} of ${ids.length}). Well done.`);
    stop(s, 0);
    return;
  }
  const exercise = loadExercise(id, { exercisesDir, solutionsDir, learnerFolder: true });
  s.exercise = exercise;
  s.hintsShown = 0;
  const lesson = lessonsByExercise().get(id);
  say(
    header(
      {
        id,
        title: exercise.meta.title,
        files: editable(exercise).map((path) => join('exercises', id, path)),
        ...(lesson !== undefined ? { lessonUrl: `${siteUrl}/lessons/${lesson}/#exercise-${id}-title` } : {}),
      },
      { index: ids.indexOf(id), count: ids.length, passed: Object.keys(s.progress.passed).filter((p) => ids.includes(p)).length },
      colour,
    ),
  );
  const watched = new Set(editable(exercise));
  s.watcher = watch(join(exercisesDir, id), (_event, name) => {
    if (name === null || !watched.has(String(name))) return;
    // Editors write a file in several steps: wait for them to settle.
    clearTimeout(s.timer);
    s.timer = setTimeout(() => void run(s), 150);
  });
  void run(s);
}

function stop(s: Session, code: number): void {
  s.watcher?.close();
  clearTimeout(s.timer);
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  process.exitCode = code;
}

function onKey(s: Session, key: string): void {
  const exercise = s.exercise;
  if (key === 'q' || key === '\u0003') {
    say('Your place is kept; npm run learn picks up from here.');
    stop(s, 0);
    return;
  }
  if (exercise === undefined) return;
  if (key === 'h') {
    const hints = exercise.meta.hints ?? [];
    if (hints.length === 0) say('This exercise has no hints.');
    else if (s.hintsShown >= hints.length) say(`That was the last hint (${hints.length} of ${hints.length}).`);
    else {
      s.hintsShown++;
      say(`Hint ${s.hintsShown} of ${hints.length}: ${hints[s.hintsShown - 1]}`);
    }
  } else if (key === 'r') {
    void run(s);
  } else if (key === 's') {
    s.progress = skip(s.progress, exercise.id);
    writeProgress(progressPath, s.progress);
    say(`Skipped ${exercise.id}; it comes back once the others pass.`);
    start(s);
  }
}

/** Every exercise of the course, loaded. */
const allExercises = (): Exercise[] => order().map((id) => loadExercise(id, { exercisesDir, solutionsDir, learnerFolder: true }));

function exportTo(file: string): void {
  const backup = exportBackup(allExercises(), (e) => readFolder(join(exercisesDir, e.id)), readLocalRecord(recordPath), new Date());
  writeFileSync(file, `${JSON.stringify(backup, null, 2)}\n`);
  say(`Wrote ${file}: code of ${Object.keys(backup.code).length} exercise(s), ${Object.keys(backup.progress.exercises).length} pass(es). Import it on the course's home page.`);
}

function importFrom(file: string, progress: LearnProgress): LearnProgress {
  if (!existsSync(file)) throw new Error(`${file} does not exist.`);
  const plan = planImport(readFileSync(file, 'utf8'), allExercises(), (e) => readFolder(join(exercisesDir, e.id)));
  for (const w of plan.writes) {
    const target = join(exercisesDir, w.exercise, w.path);
    if (w.keepLocalAs !== undefined) renameSync(target, join(exercisesDir, w.exercise, w.keepLocalAs));
    writeFileSync(target, w.text);
    say(`exercises/${w.exercise}/${w.path}: imported${w.keepLocalAs !== undefined ? ` (yours is kept as ${w.keepLocalAs})` : ''}`);
  }
  let next = progress;
  for (const p of plan.passes) {
    recordLocalPass(recordPath, p.exercise, p.files, p.at);
    next = pass(next, p.exercise.id, p.at);
    say(`${p.exercise.id}: passed in the page, recorded`);
  }
  for (const note of plan.notes) say(note);
  writeProgress(progressPath, next);
  return next;
}

export function main(argv: readonly string[]): number | undefined {
  let values: { help?: boolean; import?: string; export?: string };
  try {
    const parsed = readArgs(argv, { help: { type: 'boolean', short: 'h' }, import: { type: 'string' }, export: { type: 'string' } });
    values = parsed.values;
    if (values.help) {
      say(help);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`npm run learn takes no exercise id (got ${parsed.positionals[0]}): it follows the course's order.`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/learn.ts --help for usage.`);
    return 2;
  }
  let progress: LearnProgress;
  try {
    progress = readProgress(progressPath);
    if (values.export !== undefined) {
      exportTo(values.export);
      return 0;
    }
    if (values.import !== undefined) progress = importFrom(values.import, progress);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const s: Session = { progress, hintsShown: 0, running: false, again: false };
  process.stdin.setEncoding('utf8');
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', (chunk: string) => {
    for (const key of chunk) if (key !== '\n' && key !== '\r') onKey(s, key.toLowerCase());
  });
  process.stdin.on('end', () => stop(s, 0));
  start(s);
  return undefined;
}

if (isMain(import.meta.url)) {
  const code = main(process.argv.slice(2));
  if (code !== undefined) process.exitCode = code;
}
