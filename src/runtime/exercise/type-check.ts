/**
 * The type check that runs beside the tests: the editor's language service asked for the
 * problems in the learner's files, bounded in time so that a run never waits on it for long.
 */
import type { ExerciseEditor } from './editor-api.ts';
import type { TypeCheck } from './result-text.ts';

/**
 * How long a finished run waits for the type checker before showing its results; a type
 * check that takes longer is added to the results when it arrives.
 */
export const DIAGNOSTICS_WAIT_MS = 1_500;
/** How long the type checker may take at all before the panel says it gave up on it. */
export const DIAGNOSTICS_GIVE_UP_MS = 30_000;

/** Settles with the type checker's answer, or with `pending` if it has not answered within `ms`. */
export function within(promise: Promise<TypeCheck>, ms: number): Promise<TypeCheck> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'pending' }), ms);
    void promise.then((check) => {
      clearTimeout(timer);
      resolve(check);
    });
  });
}

/** The type check of the given files, never rejecting, bounded by `giveUpMs`. */
export function typeCheck(editor: Pick<ExerciseEditor, 'diagnostics'>, paths: readonly string[], giveUpMs = DIAGNOSTICS_GIVE_UP_MS): Promise<TypeCheck> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'failed', reason: `it did not answer within ${giveUpMs / 1000} s` }), giveUpMs);
    editor.diagnostics(paths).then(
      (markers) => {
        clearTimeout(timer);
        resolve({ state: 'done', markers });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ state: 'failed', reason: (error as Error).message ?? String(error) });
      },
    );
  });
}
