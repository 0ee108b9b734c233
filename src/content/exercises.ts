import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exerciseMetaSchema, type ExerciseMeta, type FileRole } from './exercise-schema.ts';
import { exercisesDir as defaultExercisesDir } from './paths.ts';
import type { LibraryName } from '../grader/libraries.ts';

/** One file of an exercise as the learner and the grader see it. */
export interface ExerciseFile {
  readonly path: string;
  readonly role: FileRole;
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
  /**
   * The components of earlier exercises this one builds on, directly or through another
   * component (the router uses the ring; an exercise using the router uses the ring too),
   * in the order they were first named. Each is a file the grader can swap: the learner's
   * latest passing version or the reference.
   */
  readonly components: readonly UsedComponent[];
  /**
   * Every non-test file of the exercises those components come from, as the grader lays
   * them out beside this exercise (`../sharding-ring/hash.ts`), with the reference versions
   * of the editable ones.
   */
  readonly dependencyFiles: Readonly<Record<string, string>>;
  /**
   * The published packages the learner's code may import: the exercise's own `libraries`
   * and those of the components it uses (their files are graded here too), first named first.
   */
  readonly libraries: readonly LibraryName[];
  /**
   * A fingerprint of the files this exercise's editable code is written against (its
   * read-only and hidden non-test files). A later exercise that uses this one compares it
   * with the fingerprint saved with the learner's passing code, to tell when the interface
   * changed under saved code.
   */
  readonly interfaceVersion: string;
  /** The same, file by file (path → fingerprint), so that a change can be named. */
  readonly interfaceFiles: Readonly<Record<string, string>>;
}

/** One component an exercise uses: an editable file of an earlier exercise. */
export interface UsedComponent {
  /** The exercise that builds it. */
  readonly exercise: string;
  /** Its editable file there. */
  readonly file: string;
  /** Where the grader puts it, relative to this exercise: `../<exercise>/<file>`. */
  readonly path: string;
  /** The earlier exercise's title. */
  readonly title: string;
  /** The earlier exercise's {@link Exercise.interfaceVersion}. */
  readonly interfaceVersion: string;
  /** The earlier exercise's {@link Exercise.interfaceFiles}. */
  readonly interfaceFiles: Readonly<Record<string, string>>;
  /** Whether this exercise names it in `uses` itself (not only through another component). */
  readonly direct: boolean;
}

/** Where a component of exercise `exercise` sits, seen from another exercise's folder. */
export function dependencyPath(exercise: string, file: string): string {
  return `../${exercise}/${file}`;
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
  /**
   * The exercises folder is a learner's working copy (`npm run grade`, `npm run learn`):
   * its editable files are their work, so a solution identical to one of them (a learner
   * who typed, or imported, the reference) is not an error. The course's own checks leave
   * this off.
   */
  readonly learnerFolder?: boolean;
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
  return loadWithin(id, roots, []);
}

function loadWithin(id: string, roots: ExerciseRoots, loading: readonly string[]): Exercise {
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
    if (text === file.starter && roots.learnerFolder !== true) throw new ExerciseError(join(solutionDir, name), 'is identical to the starter');
    solution[name] = text;
  }
  for (const file of editable) {
    if (!(file.path in solution)) throw new ExerciseError(join(solutionDir, file.path), 'missing: the solution must cover every editable file');
  }

  const components: UsedComponent[] = [];
  const dependencyFiles: Record<string, string> = {};
  const libraries: LibraryName[] = [...meta.libraries];
  const add = (component: UsedComponent): void => {
    if (!components.some((c) => c.path === component.path)) components.push(component);
  };
  for (const use of meta.uses) {
    if (use.exercise === id) throw new ExerciseError(metaPath, `uses ${use.exercise}/${use.file}: an exercise cannot use itself`);
    if (loading.includes(use.exercise)) {
      throw new ExerciseError(metaPath, `uses ${use.exercise}, which uses ${id} in turn (${[...loading, id, use.exercise].join(' → ')})`);
    }
    if (!listExercises(exercisesDir).includes(use.exercise)) {
      throw new ExerciseError(metaPath, `uses ${use.exercise}/${use.file}, but there is no exercise ${use.exercise}`);
    }
    const dep = loadWithin(use.exercise, roots, [...loading, id]);
    const file = dep.files.find((f) => f.path === use.file);
    if (!file || file.role !== 'editable') {
      const editableFiles = dep.files.filter((f) => f.role === 'editable').map((f) => f.path);
      throw new ExerciseError(metaPath, `uses ${use.exercise}/${use.file}, which is not an editable file of ${use.exercise} (those are ${editableFiles.join(', ')})`);
    }
    for (const component of dep.components) add({ ...component, direct: false });
    add({
      exercise: dep.id,
      file: use.file,
      path: dependencyPath(dep.id, use.file),
      title: dep.meta.title,
      interfaceVersion: dep.interfaceVersion,
      interfaceFiles: dep.interfaceFiles,
      direct: true,
    });
    Object.assign(dependencyFiles, dep.dependencyFiles);
    for (const library of dep.libraries) if (!libraries.includes(library)) libraries.push(library);
    for (const f of dep.files) {
      if (f.path.endsWith('.test.ts')) continue;
      dependencyFiles[dependencyPath(dep.id, f.path)] = f.role === 'editable' ? dep.solution[f.path]! : f.starter;
    }
  }
  // A component named directly wins over the same one reached through another.
  for (const c of components) if (meta.uses.some((u) => dependencyPath(u.exercise, u.file) === c.path)) Object.assign(c, { direct: true });

  return {
    id,
    meta,
    files,
    testFiles: files.filter((f) => f.path.endsWith('.test.ts')).map((f) => f.path),
    solution,
    components,
    dependencyFiles,
    libraries,
    interfaceVersion: interfaceVersionOf(files),
    interfaceFiles: Object.fromEntries(
      files.filter((f) => f.role !== 'editable' && !f.path.endsWith('.test.ts')).map((f) => [f.path, interfaceVersionOf([f])]),
    ),
  };
}

/**
 * The fingerprint of an exercise's interface: its read-only and hidden non-test files, in
 * order (32-bit FNV-1a, in hex). Editing a type or a helper the learner's code relies on
 * changes it; editing the tests or the starter does not.
 */
export function interfaceVersionOf(files: readonly ExerciseFile[]): string {
  let hash = 0x811c9dc5;
  for (const f of files) {
    if (f.role === 'editable' || f.path.endsWith('.test.ts')) continue;
    const text = `${f.path}\n${f.starter}\n`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The files the grader receives: the starter files with the given overrides applied, and
 * the files of the exercises it builds on, with the reference components unless
 * `components` gives another version of one (keyed by its path, `../sharding-ring/ring.ts`).
 */
export function filesWith(
  exercise: Exercise,
  overrides: Readonly<Record<string, string>>,
  components: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of exercise.files) out[f.path] = f.role === 'editable' && f.path in overrides ? overrides[f.path]! : f.starter;
  for (const [path, text] of Object.entries(exercise.dependencyFiles)) out[path] = text;
  for (const [path, text] of Object.entries(components)) {
    if (!exercise.components.some((c) => c.path === path)) {
      throw new Error(`${exercise.id} does not use ${path} (its components: ${exercise.components.map((c) => c.path).join(', ') || 'none'})`);
    }
    out[path] = text;
  }
  return out;
}
