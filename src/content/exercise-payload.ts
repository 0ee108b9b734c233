import type { Exercise } from './exercises.ts';

/** What the browser receives for one exercise (see src/pages/exercises/[id].json.ts). */
export interface ExercisePayload {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly hints: readonly string[];
  readonly seed: number;
  readonly testTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly files: readonly { readonly path: string; readonly role: 'editable' | 'readonly' | 'hidden'; readonly starter: string }[];
  readonly testFiles: readonly string[];
}

export function exercisePayload(exercise: Exercise): ExercisePayload {
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
  };
}
