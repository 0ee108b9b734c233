/**
 * Reading exercises from disk for the Node host: an exercise folder supplies the tests, and
 * a learner's folder (or the reference solution) may supply the files being graded.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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

/** The ids of the exercises under a folder, sorted. */
export function exerciseIds(exercisesDir: string): string[] {
  if (!existsSync(exercisesDir)) return [];
  return readdirSync(exercisesDir)
    .filter((name) => !name.startsWith('.') && statSync(join(exercisesDir, name)).isDirectory())
    .sort();
}
