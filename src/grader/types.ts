/**
 * The grader's public shapes. Everything in a {@link GradeResult} is plain JSON so that a
 * host can post it across a process or worker boundary unchanged.
 */

import type { ConvertedBatch } from '../sim/trace-batch.ts';
import type { Counterexample } from '../sim/checker/model.ts';

/**
 * A linearizability counterexample as a test result carries it: plain data, with the
 * model's state already put in words (`stateAfterPrefix`), so that it crosses from a
 * worker or a WebContainer to the page and the counterexample view draws it as it is.
 */
export type ShownCounterexample = Counterexample<string, unknown, unknown>;

/** What a host asks the grader to do: run some test files against some source files. */
export interface GradeRequest {
  /**
   * Every file of the exercise, keyed by its exercise-relative path (`balancer.ts`,
   * `lib/ring.ts`, `balancer.test.ts`), with its source text. Learner files and test files
   * live in the same map; test files import learner files by relative path.
   */
  readonly files: Readonly<Record<string, string>>;
  /** The keys of {@link files} to run as test files, in order. */
  readonly testFiles: readonly string[];
  /**
   * The keys of {@link files} written by the learner (the editable files, and the learner's
   * versions of earlier components). They may import the exercise's files and the builtins,
   * never `vitest`: the test runner belongs to the tests, and code that could reach it could
   * read which test is running or change what it measures.
   */
  readonly learnerFiles?: readonly string[];
  /**
   * The keys of {@link files} the learner is not shown (the exercise's `hidden` files). The
   * learner's files may not import them, nor the test files: what the tests keep out of
   * sight, or check against, is not the learner's code to read.
   */
  readonly hiddenFiles?: readonly string[];
  /**
   * Runs only the tests with these ids (the `id` of a {@link TestResult}: the same files
   * give the same ids); the others are reported as skipped, and hooks of suites with
   * nothing to run do not run. Used to run one test again, with its simulations traced.
   */
  readonly onlyTestIds?: readonly string[];
  /**
   * Modules the exercise may import by bare name, e.g. `'@faultlines/sim'` → the
   * simulator's module object. `vitest` is always provided by the grader itself.
   */
  readonly builtins?: Readonly<Record<string, unknown>>;
  /**
   * The published packages the exercise offers its learner (its exercise.json's
   * `libraries`, with those of the components it uses; see libraries.ts). Only these are
   * handed to the code, from {@link libraryModules}.
   */
  readonly libraries?: readonly string[];
  /**
   * The libraries the host has loaded, by name: each host loads them before the first grade
   * in its realm. Unlike {@link builtins} they are not frozen.
   */
  readonly libraryModules?: Readonly<Record<string, unknown>>;
  /**
   * How long one test may run before it fails as timed out.
   * @default 5000
   */
  readonly testTimeoutMs?: number;
  /**
   * A seed that tests can read with `inject('seed')` from `vitest`, so that a simulated run
   * can be reproduced from the printed result.
   */
  readonly seed?: number;
  /** Receives progress while the grade runs: tests starting and finishing, console lines. */
  /**
   * A promise returned for a `test-start` event is awaited before the test body runs, so
   * that a host whose channel is asynchronous (the Node child's IPC) has said which test is
   * running before a synchronous loop in it can hold the channel up.
   */
  readonly onEvent?: (event: GradeEvent) => void | Promise<void>;
  /** Bounds on captured console output. */
  readonly logLimits?: LogLimits;
  /**
   * Lets the host forward errors that escaped every test (uncaught exceptions and unhandled
   * rejections seen by `process` or by a worker's global scope). The grader calls this once
   * at the start and the returned function at the end. Without it, the grader listens on
   * `globalThis.addEventListener` when the global scope has one (a Web Worker).
   */
  readonly watchUnhandled?: (report: (error: unknown) => void) => () => void;
  /**
   * Turns transpiled modules into callable factories. The default uses indirect `eval`,
   * which needs no setup but needs `'unsafe-eval'` under a Content Security Policy; the Web
   * Worker host supplies a Blob-URL evaluator instead.
   */
  readonly evaluator?: Evaluator;
}

/** Limits on captured console output; the rest is counted, not kept. */
export interface LogLimits {
  /** @default 1000 */
  readonly maxLines?: number;
  /** @default 100000 */
  readonly maxChars?: number;
  /** A single line longer than this is cut. @default 2000 */
  readonly maxLineChars?: number;
}

/** The parameters every module factory receives, in this order. */
export const moduleParameters = [
  'exports',
  'require',
  'module',
  '__filename',
  '__dirname',
  'console',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
] as const;

/** A transpiled CommonJS module wrapped as a function of {@link moduleParameters}. */
export type ModuleFactory = (...args: unknown[]) => void;

/** One module ready to be evaluated: its exercise path and its CommonJS code. */
export interface ModuleUnit {
  readonly path: string;
  /**
   * A complete function expression, `(function (exports, require, …) { … })`, whose body
   * starts on line 1 so that line numbers match the source file.
   */
  readonly code: string;
}

/**
 * Turns module units into factories. It may fail per unit (a syntax error that only the
 * JavaScript engine detects); such units are left out of the returned map and reported in
 * `failures`.
 */
export interface Evaluator {
  readonly name: string;
  define(units: readonly ModuleUnit[]): Promise<EvaluatedModules>;
  /**
   * Columns the evaluator adds in front of line 1 of {@link ModuleUnit.code} (for instance
   * `export default `), so that stack positions on line 1 can be corrected.
   */
  readonly firstLineExtraColumns?: number;
  /**
   * Maps a file name as it appears in an error stack (for instance a `blob:` URL) back to
   * the exercise path, when the evaluator cannot name its code itself.
   */
  fileForStackName?(name: string): string | undefined;
}

export interface EvaluatedModules {
  readonly factories: ReadonlyMap<string, ModuleFactory>;
  readonly failures: ReadonlyMap<string, unknown>;
}

/** A position in an exercise file; line and column count from 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type TestStatus = 'pass' | 'fail' | 'skip' | 'todo';

/** One test's verdict. */
export interface TestResult {
  /** Stable within one grade of the same files. */
  readonly id: string;
  /** The full name, describe blocks included, joined with ` > `. */
  readonly name: string;
  /** The test's own title, without its describe blocks. */
  readonly title: string;
  /** The describe blocks around the test, outermost first. */
  readonly ancestors: readonly string[];
  /** The exercise path of the test file. */
  readonly file: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** For failures: the first error as `Name: message`, without colours. */
  readonly message?: string;
  /** Every further error of the test (soft assertions, hook failures), same format. */
  readonly otherMessages?: readonly string[];
  readonly expected?: string;
  readonly actual?: string;
  /** A `- Expected` / `+ Received` diff, without colours. */
  readonly diff?: string;
  /** Where in the exercise's files the first error was raised. */
  readonly location?: SourceLocation;
  /** The error's stack, limited to frames in exercise files, positions in source terms. */
  readonly stack?: string;
  /** For a test that did not run: why, in words for the learner ("Not run: the run was stopped before this test."). */
  readonly note?: string;
  /**
   * How many simulations the test created, counting those its file's `beforeAll` hooks
   * created (a re-run of the test creates them again). Zero means "Show trace" has nothing
   * to draw. Absent when the exercise does not use the simulator.
   */
  readonly simulations?: number;
  /**
   * For a failed test: the last counterexample the linearizability checker found while
   * the test ran, which the results draw on request ("Show counterexample").
   */
  readonly counterexample?: ShownCounterexample;
}

/** Errors that do not belong to one test. */
export type GradeErrorKind =
  /** A file that does not parse. */
  | 'syntax'
  /** A file that threw, or imported something missing, while it was being loaded. */
  | 'import'
  /** An exception or rejection that no test was waiting for (stray timers, floating promises). */
  | 'unhandled'
  /** The host stopped the run at its deadline (a loop that never ends). */
  | 'deadline'
  /** The learner stopped the run (the Stop button). */
  | 'cancelled'
  /** A problem with the request itself or the grader (no test files, a crash). */
  | 'internal';

export interface GradeError {
  readonly kind: GradeErrorKind;
  /** `Name: message`, without colours. */
  readonly message: string;
  /** The exercise file concerned, if known. */
  readonly file?: string;
  readonly location?: SourceLocation;
  /** A few source lines around {@link location}, with a caret under the column. */
  readonly codeFrame?: string;
  readonly stack?: string;
  /** For unhandled errors: the test that was running, or had just finished, when it arrived. */
  readonly test?: string;
}

/** One captured console line. */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** The full name of the test that was running, if any. */
  readonly test?: string;
}

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  /** Skipped and todo tests together. */
  readonly skipped: number;
  readonly total: number;
}

/** The grader's answer. Plain JSON. */
export interface GradeResult {
  /** True when no test failed and there were no errors: the run passes as vitest's would. */
  readonly ok: boolean;
  readonly tests: readonly TestResult[];
  readonly logs: readonly LogLine[];
  /** Console lines left out because of {@link LogLimits}; a note says so in {@link logs}. */
  readonly droppedLogLines: number;
  readonly errors: readonly GradeError[];
  readonly summary: Summary;
  /** Wall time of `grade()` from request to result. */
  readonly durationMs: number;
  /**
   * Wall time as the host saw it, from receiving the submission to having the result:
   * `durationMs` plus starting the process or worker and loading the grader. Set by hosts.
   */
  hostDurationMs?: number;
  /**
   * The time the test files spent running their tests and hooks (`beforeAll` and the
   * like), not counting loading and collecting them; `durationMs − testsDurationMs` is the
   * grader's overhead.
   */
  readonly testsDurationMs: number;
  /** Which host ran the grade (`node`, `worker`, `webcontainer`); set by the host. */
  host?: string;
  readonly seed?: number;
  /**
   * What a test attached for a report page (`task.meta.report` in the test), as plain JSON:
   * the capstone's day report. The last one, if several tests attach one.
   */
  readonly report?: Readonly<Record<string, unknown>>;
}

/** A test as the grader lists it before running any: enough to show it as "not run". */
export interface CollectedTest {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly ancestors: readonly string[];
  readonly file: string;
}

/** Progress streamed while a grade runs. */
export type GradeEvent =
  /** Every test of every file, once, after the files are loaded and before the first test runs. */
  | { readonly type: 'collected'; readonly tests: readonly CollectedTest[] }
  | { readonly type: 'test-start'; readonly id: string; readonly name: string; readonly file: string }
  | { readonly type: 'test-end'; readonly test: TestResult }
  | { readonly type: 'log'; readonly line: LogLine }
  /**
   * How far a simulation has got, a few times a second while one runs: the simulated time
   * reached, the time the run call goes to (`Infinity`: until idle), and the test running.
   */
  | { readonly type: 'progress'; readonly simulatedMs: number; readonly untilMs: number; readonly test?: string };

/**
 * The part of a {@link GradeRequest} that can cross a process or worker boundary: hosts
 * receive this and add the functions (events, builtins, evaluator) on their side.
 */
export type PortableGradeRequest = Omit<GradeRequest, 'onEvent' | 'builtins' | 'libraryModules' | 'watchUnhandled' | 'evaluator'>;

/** Messages a host's grading process (a Node child, a Worker) sends back. */
export type HostMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'event'; readonly event: GradeEvent }
  | {
      readonly type: 'result';
      readonly result: GradeResult;
      /** For a traced re-run: the traced simulations, and how many the test created in all. */
      readonly runs?: readonly TracedRun[];
      readonly simulations?: number;
    };

/**
 * One simulation a test created, traced, ready for the sequence diagram: the nodes it had
 * at the end of the test, and its trace as the columns the diagram draws.
 */
export interface TracedRun {
  /** 1, 2, 3… in the order the test (and its hooks) created them. */
  readonly index: number;
  readonly seed: number | string;
  readonly nodes: readonly string[];
  /** Simulated time when the test ended. */
  readonly durationMs: number;
  readonly events: number;
  /** Whether the trace reached its capacity, so the end of the run is missing. */
  readonly truncated: boolean;
  readonly batch: ConvertedBatch;
}
