import type { LibraryName } from '../grader/libraries.ts';
import type { Exercise, ExerciseFile } from './exercises.ts';

/** A component of an earlier exercise that this one builds on, as the page needs it. */
export interface ComponentPayload {
  /** The exercise that builds it, and its file there. */
  readonly exercise: string;
  readonly file: string;
  /** Where the grader lays it beside this exercise: `../<exercise>/<file>`. */
  readonly path: string;
  /** What the learner calls it ("ring"), from content/system.json. */
  readonly name: string;
  /** The earlier exercise's title. */
  readonly title: string;
  /** The page of the lesson that holds that exercise, with the exercise's anchor. */
  readonly href: string;
  /** The earlier exercise's interface fingerprint now. */
  readonly interfaceVersion: string;
  /** The same, file by file, to name what changed under saved code. */
  readonly interfaceFiles: Readonly<Record<string, string>>;
  /** Named in this exercise's `uses` (not only reached through another component). */
  readonly direct: boolean;
}

/** What the browser receives for one exercise (see src/pages/exercises/[id].json.ts). */
export interface ExercisePayload {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly hints: readonly string[];
  readonly seed: number;
  readonly testTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly files: readonly ExerciseFile[];
  readonly testFiles: readonly string[];
  /** This exercise's interface fingerprint, saved with the learner's passing code. */
  readonly interfaceVersion: string;
  /** The same, file by file (read-only and hidden non-test files → fingerprint). */
  readonly interfaceFiles: Readonly<Record<string, string>>;
  /** The earlier components it builds on, in the order the grader lists them. */
  readonly components: readonly ComponentPayload[];
  /**
   * The files of the earlier exercises, laid out as the grader needs them (`../sharding-ring/hash.ts`),
   * with the reference versions of the components: used when the learner has no passing code.
   */
  readonly dependencyFiles: readonly { readonly path: string; readonly text: string }[];
  /** The published packages the learner's code may import (see `Exercise.libraries`). */
  readonly libraries: readonly LibraryName[];
}

/** How the payload names and links components; the route fills it from the course. */
export interface ComponentLabels {
  name(exercise: string, file: string): string;
  href(exercise: string): string;
}

export function exercisePayload(exercise: Exercise, labels?: ComponentLabels): ExercisePayload {
  return {
    id: exercise.id,
    title: exercise.meta.title,
    summary: exercise.meta.summary,
    hints: exercise.meta.hints,
    seed: exercise.meta.seed,
    testTimeoutMs: exercise.meta.testTimeoutMs,
    runTimeoutMs: exercise.meta.runTimeoutMs,
    files: exercise.files,
    testFiles: exercise.testFiles,
    interfaceVersion: exercise.interfaceVersion,
    interfaceFiles: exercise.interfaceFiles,
    components: exercise.components.map((c) => ({
      exercise: c.exercise,
      file: c.file,
      path: c.path,
      name: labels?.name(c.exercise, c.file) ?? c.file.replace(/\.ts$/, ''),
      title: c.title,
      href: labels?.href(c.exercise) ?? `/exercises/${c.exercise}/`,
      interfaceVersion: c.interfaceVersion,
      interfaceFiles: c.interfaceFiles,
      direct: c.direct,
    })),
    dependencyFiles: Object.entries(exercise.dependencyFiles).map(([path, text]) => ({ path, text })),
    libraries: exercise.libraries,
  };
}
