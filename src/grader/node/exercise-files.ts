/**
 * Reading exercises from disk for the Node host: an exercise folder supplies the tests, and
 * a learner's folder (or the reference solution) may supply the files being graded.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { filesWith, type Exercise } from '../../content/exercises.ts';
import type { PortableGradeRequest } from '../types.ts';

/** Test files are recognised by name, as vitest does. */
export function isTestFile(path: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(path);
}

/** Every file under a folder, keyed by its folder-relative path with `/` separators. */
export function readFolder(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(root, full).split(sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return files;
}

/**
 * The exercise's files with a submission laid over them. The submission's own test files
 * are ignored: a learner is graded by the exercise's tests, not by edited copies.
 */
export function overlay(exercise: Record<string, string>, submission: Record<string, string> | undefined): Record<string, string> {
  const files = { ...exercise };
  for (const [path, source] of Object.entries(submission ?? {})) {
    if (!isTestFile(path)) files[path] = source;
  }
  return files;
}

/** An exercise ready for the Node host: what to send the grader and how long to allow. */
export interface ExerciseGrade {
  readonly request: PortableGradeRequest;
  /** The exercise's `runTimeoutMs`: past it the host stops the run. */
  readonly deadlineMs: number;
  /**
   * Files of the submission that were left out, sorted: anything not editable in this
   * exercise (its tests, read-only and hidden files, files it does not list) that differs
   * from the exercise's own copy. Unchanged copies are not worth a mention.
   */
  readonly ignored: readonly string[];
}

/**
 * Builds the grade of an exercise loaded with `loadExercise`: its listed files (hidden ones
 * included) with the submission laid over the editable ones, its test files in tab order,
 * its seed and its per-test timeout, as the page grades it.
 */
/** An exercise's editable files as they are in `folder` (the learner's copy), the starter where one is missing. */
export function editableFilesIn(folder: string, exercise: Exercise): Record<string, string> {
  const own = readFolder(folder);
  return Object.fromEntries(exercise.files.filter((f) => f.role === 'editable').map((f) => [f.path, own[f.path] ?? f.starter]));
}

export function exerciseGrade(
  exercise: Exercise,
  submission: Readonly<Record<string, string>> = {},
  /** Versions of the components the exercise uses, by path (`../sharding-ring/ring.ts`); the reference otherwise. */
  components: Readonly<Record<string, string>> = {},
): ExerciseGrade {
  const byPath = new Map(exercise.files.map((f) => [f.path, f]));
  const ignored = Object.keys(submission)
    .filter((path) => path.endsWith('.ts'))
    .filter((path) => {
      const file = byPath.get(path);
      return file === undefined || (file.role !== 'editable' && file.starter !== submission[path]);
    })
    .sort();
  return {
    request: {
      files: filesWith(exercise, submission, components),
      testFiles: exercise.testFiles,
      learnerFiles: [...exercise.files.filter((f) => f.role === 'editable').map((f) => f.path), ...exercise.components.map((c) => c.path)],
      hiddenFiles: exercise.files.filter((f) => f.role === 'hidden').map((f) => f.path),
      ...(exercise.libraries.length > 0 ? { libraries: exercise.libraries } : {}),
      seed: exercise.meta.seed,
      testTimeoutMs: exercise.meta.testTimeoutMs,
    },
    deadlineMs: exercise.meta.runTimeoutMs,
    ignored,
  };
}
