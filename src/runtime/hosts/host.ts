import type { GradeEvent, GradeResult, TracedRun } from '../../grader/types.ts';

/** One submission, as the panel hands it to a host. */
export interface Submission {
  readonly exerciseId: string;
  /** Every file of the exercise (hidden ones included), editable ones as the learner left them. */
  readonly files: Readonly<Record<string, string>>;
  readonly testFiles: readonly string[];
  /** The files the learner wrote (see `GradeRequest.learnerFiles`). */
  readonly learnerFiles?: readonly string[];
  /** The files the learner is not shown (see `GradeRequest.hiddenFiles`). */
  readonly hiddenFiles?: readonly string[];
  /** The libraries the exercise offers (see `GradeRequest.libraries`). */
  readonly libraries?: readonly string[];
  readonly seed: number;
  readonly testTimeoutMs: number;
  /** The host stops the run after this long, whatever the code is doing. */
  readonly runTimeoutMs: number;
}

/** Where tests run. The panel talks to this interface only, never to WebContainers or workers. */
export interface GradingHost {
  /** `webcontainer` or `worker`, shown to the learner with the result. */
  readonly name: 'webcontainer' | 'worker';
  /**
   * Grades a submission. When `signal` aborts (the learner pressed Stop), the host stops the
   * run at once and answers with what is known: the tests that finished, the rest not run.
   */
  grade(submission: Submission, onEvent: (event: GradeEvent) => void, signal?: AbortSignal): Promise<GradeResult>;
  /**
   * Files every submission of an exercise will carry unchanged (its tests and read-only
   * helpers), given when the exercise loads so that a host can prepare them before the
   * learner presses Run. A hint only: a host may ignore it, and a submission always
   * carries all its files.
   */
  preload?(files: Readonly<Record<string, string>>): void;
  /**
   * Runs one test of a submission again with its simulations traced, for the sequence
   * diagram ("Show trace" in the results). The page always does this in the worker.
   */
  trace?(submission: Submission, testId: string): Promise<TracedOutcome>;
}

/** A traced re-run: its result, and the traces of the simulations the test created. */
export interface TracedOutcome {
  readonly result: GradeResult;
  readonly runs: readonly TracedRun[];
  /** How many simulations the test created; only the first few are traced. */
  readonly simulations: number;
}

/** Where a run's tests ran, for the learner: a plain sentence, and the technical reason. */
export interface HostNote {
  /** e.g. "Your tests ran in this browser tab." */
  readonly summary: string;
  /** Which runtime, and why that one: shown behind a disclosure. */
  readonly details: string;
}

/** Why the page chose the host it did, in words for the learner. */
export interface HostChoice {
  readonly host: GradingHost;
  /** The last run's note as one sentence (summary and details). */
  readonly explanation: string;
  /** The last run's note. */
  readonly note: HostNote;
}
