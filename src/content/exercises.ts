import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exerciseMetaSchema, type ExerciseMeta } from './exercise-schema.ts';
import { exercisesDir as defaultExercisesDir } from './paths.ts';

/** One file of an exercise as the learner and the grader see it. */
export interface ExerciseFile {
  readonly path: string;
  readonly role: 'editable' | 'readonly' | 'hidden';
  /** The text the learner starts from. */
  readonly starter: string;
}

/** An exercise read from `exercises/<id>/`, with its reference files from `solutions/<id>/`. */
export interface Exercise {
  readonly id: string;
  readonly meta: ExerciseMeta;
  readonly files: readonly ExerciseFile[];
  /** The test files, in tab order. */
  readonly testFiles: readonly string[];
  /** Reference versions of the editable files, by path. */
  readonly solution: Readonly<Record<string, string>>;
}

/** A problem with an exercise's files, naming the file at fault. */
export class ExerciseError extends Error {
  readonly file: string;

  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ExerciseError';
    this.file = file;
  }
}

export interface ExerciseRoots {
  /** Default `exercises` (or FAULTLINES_EXERCISES_DIR). */
  readonly exercisesDir?: string;
  /** Default `solutions` beside it. */
  readonly solutionsDir?: string;
}

/** The ids of every exercise folder, sorted. */
export function listExercises(exercisesDir = defaultExercisesDir): string[] {
  if (!existsSync(exercisesDir)) return [];
  // statSync follows symbolic links, so a linked exercise folder counts as a folder.
  return readdirSync(exercisesDir)
    .filter((name) => !name.startsWith('.') && statSync(join(exercisesDir, name)).isDirectory())
    .sort();
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => d.name)
    .sort();
}

/**
 * Reads and checks one exercise. Throws an ExerciseError naming the file when the
 * metadata does not match its schema, a listed file is missing, a file is present but
 * not listed, or the solution does not match the editable files (missing, extra, or
 * identical to the starter — a solution that changes nothing proves nothing).
 */
export function loadExercise(id: string, roots: ExerciseRoots = {}): Exercise {
  const exercisesDir = roots.exercisesDir ?? defaultExercisesDir;
  const solutionsDir = roots.solutionsDir ?? join(exercisesDir, '..', 'solutions');
  const dir = join(exercisesDir, id);
  const metaPath = join(dir, 'exercise.json');
  if (!existsSync(dir)) {
    const known = listExercises(exercisesDir);
    throw new ExerciseError(dir, `no such exercise (known exercises: ${known.length ? known.join(', ') : 'none'})`);
  }
  if (!existsSync(metaPath)) throw new ExerciseError(metaPath, 'missing: every exercise needs an exercise.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (error) {
    throw new ExerciseError(metaPath, `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = exerciseMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ExerciseError(metaPath, `does not match the exercise schema: ${issues}`);
  }
  const meta = parsed.data;
  const listed = new Set(meta.files.map((f) => f.path));
  for (const name of tsFiles(dir)) {
    if (!listed.has(name)) throw new ExerciseError(join(dir, name), 'is not listed in exercise.json');
  }
  const files = meta.files.map((f) => {
    const path = join(dir, f.path);
    if (!existsSync(path)) throw new ExerciseError(path, 'is listed in exercise.json but does not exist');
    return { path: f.path, role: f.role, starter: readFileSync(path, 'utf8') };
  });

  const solutionDir = join(solutionsDir, id);
  if (!existsSync(solutionDir)) throw new ExerciseError(solutionDir, 'missing: every exercise needs a reference solution');
  const editable = files.filter((f) => f.role === 'editable');
  const solution: Record<string, string> = {};
  for (const name of tsFiles(solutionDir)) {
    const file = editable.find((f) => f.path === name);
    if (!file) throw new ExerciseError(join(solutionDir, name), 'is not an editable file of the exercise');
    const text = readFileSync(join(solutionDir, name), 'utf8');
    if (text === file.starter) throw new ExerciseError(join(solutionDir, name), 'is identical to the starter');
    solution[name] = text;
  }
  for (const file of editable) {
    if (!(file.path in solution)) throw new ExerciseError(join(solutionDir, file.path), 'missing: the solution must cover every editable file');
  }
  return {
    id,
    meta,
    files,
    testFiles: files.filter((f) => f.path.endsWith('.test.ts')).map((f) => f.path),
    solution,
  };
}

/** The files the grader receives: the starter files with the given overrides applied. */
export function filesWith(exercise: Exercise, overrides: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of exercise.files) out[f.path] = f.role === 'editable' && f.path in overrides ? overrides[f.path]! : f.starter;
  return out;
}
