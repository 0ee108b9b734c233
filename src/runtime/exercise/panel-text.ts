/**
 * Words the exercise panel shows about itself (its buttons, its status line), and the
 * small decisions behind them, as pure functions a unit test can reach. What it says about
 * a result is in result-text.ts.
 */
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import type { Submission } from '../hosts/host.ts';
import type { DiffLayout } from './editor-api.ts';

/** What the hint button says and whether it can be pressed, with `shown` of `total` hints open. */
export function hintButtonState(shown: number, total: number): { readonly text: string; readonly disabled: boolean } {
  return shown < total ? { text: `Show hint ${shown + 1} of ${total}`, disabled: false } : { text: 'All hints shown', disabled: true };
}

/**
 * The status line while the learner's file is compared with the reference, by how the
 * editor drew the comparison (`undefined`: it could not, and the panel shows the reference
 * below the editor).
 */
export function comparisonStatus(layout: DiffLayout | undefined, path: string): string {
  if (layout === 'side-by-side') return `Comparing your ${path} (left) with the reference (right). Close the comparison to keep editing.`;
  if (layout === 'inline') {
    return `Comparing your ${path} with the reference in one column (the panel is too narrow for two): lines only in your code are marked −, lines only in the reference +. Close the comparison to keep editing.`;
  }
  return `The reference ${path} is shown below the editor. Close the comparison to keep editing.`;
}

/** The status line once the panel is ready: what came back from storage, and how to run. */
export function readyStatus(o: { readonly savedCode: boolean; readonly lastRun: boolean; readonly editorNote: string }): string {
  return [
    o.savedCode ? 'Your saved code is back in the editor.' : 'The exercise is ready.',
    o.lastRun ? 'Your last result is below.' : '',
    o.editorNote,
    'Run the tests with the button or Ctrl+Enter (⌘+Enter on a Mac).',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The status line while tests run: which one, and of how many when the runner has listed them (0: not yet). */
export function runningStatus(started: number, listed: number, name: string): string {
  return listed ? `Running test ${started} of ${listed}: ${name}` : `Running test ${started}: ${name}`;
}

/** How far a long simulation has got: "8.2 s of 21.5 s simulated", or without an end when it runs until idle. */
export function progressText(simulatedMs: number, untilMs: number | null): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return untilMs !== null && Number.isFinite(untilMs) && untilMs > 0 ? `${s(Math.min(simulatedMs, untilMs))} of ${s(untilMs)} simulated` : `${s(simulatedMs)} simulated`;
}

/** Why the learner's code is not saved, and what to do about it. */
export function storageFailureText(error: string | undefined): string {
  return `Your code cannot be saved in this browser (${error}). It is kept while this tab is open; use Export progress on the course map to keep a copy.`;
}

/** What the hosts grade: exercise `id`'s files as given, with its timeouts and the seed (the exercise's own unless given). */
export function submissionFor(
  id: string,
  payload: Pick<ExercisePayload, 'files' | 'testFiles' | 'seed' | 'testTimeoutMs' | 'runTimeoutMs'> & Partial<Pick<ExercisePayload, 'libraries'>>,
  files: Readonly<Record<string, string>>,
  learnerFiles: readonly string[],
  seed: number = payload.seed,
): Submission {
  const hiddenFiles = payload.files.filter((f) => f.role === 'hidden').map((f) => f.path);
  return {
    exerciseId: id,
    files,
    testFiles: payload.testFiles,
    learnerFiles,
    ...(hiddenFiles.length > 0 ? { hiddenFiles } : {}),
    ...(payload.libraries && payload.libraries.length > 0 ? { libraries: payload.libraries } : {}),
    seed,
    testTimeoutMs: payload.testTimeoutMs,
    runTimeoutMs: payload.runTimeoutMs,
  };
}
