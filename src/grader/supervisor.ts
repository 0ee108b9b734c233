/**
 * The one watchdog every host uses (Worker, WebContainer, Node child): it follows a run's
 * events and decides when the run must be stopped, and it builds the result of a stopped
 * run. Hosts only forward events to it and kill their process or worker when it says so.
 *
 * Two limits, and nothing the learner's code does can move either of them:
 * - **Per step**: a test (with its hooks) may take `testTimeoutMs`, plus a grace for the
 *   runner to report its own timeout first. The clock restarts only when a test starts or
 *   ends; console output does not restart it, so a loop that prints every few seconds is
 *   stopped like a silent one.
 * - **Whole run**: `runTimeoutMs` from the moment the grader is ready, never restarted.
 *
 * A synchronous loop cannot be interrupted from inside the grader, so both limits are
 * enforced from outside, by the host.
 */
import type { GradeEvent, GradeResult, LogLine, TestResult } from './types.ts';

/** Extra time past a test's own timeout before the host stops the run, so the runner's own timeout message wins when it can. */
export const WATCHDOG_GRACE_MS = 500;

/** What a stopped run needs to know about the submission. */
export interface SupervisedRun {
  readonly testFiles: readonly string[];
  /** One test's limit (vitest's `testTimeout`). */
  readonly testTimeoutMs: number;
  /** The whole run's limit, counted from when the grader is ready. */
  readonly runTimeoutMs: number;
  readonly seed?: number;
}

/** Timers, injectable so that unit tests can drive time by hand. */
export interface SupervisorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SupervisorClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Why a run was stopped: a limit passed, or the learner pressed Stop. */
export type StopReason = 'test-limit' | 'run-limit' | 'cancelled';

interface Listed {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly ancestors: readonly string[];
  readonly file: string;
}

export class RunSupervisor {
  readonly #run: SupervisedRun;
  readonly #clock: SupervisorClock;
  readonly #onStop: (reason: StopReason) => void;
  readonly #finished = new Map<string, TestResult>();
  readonly #logs: LogLine[] = [];
  #collected: Listed[] = [];
  #running: Listed | undefined;
  #startedAt: number;
  #stepTimer: unknown;
  #runTimer: unknown;
  #stopped: StopReason | undefined;
  #stoppedAt: number | undefined;
  #done = false;

  /**
   * @param onStop called once, when a limit passes: the host kills the run and then asks
   *   {@link stoppedResult} for what to show.
   */
  constructor(run: SupervisedRun, onStop: (reason: StopReason) => void, clock: SupervisorClock = realClock) {
    this.#run = run;
    this.#onStop = onStop;
    this.#clock = clock;
    this.#startedAt = clock.now();
  }

  /**
   * The grader is loaded and about to collect the tests: both clocks start now. A host that
   * cannot tell when loading ends starts at launch, and may start again when the grader
   * says it is ready (the clocks then restart from there, once).
   */
  start(): void {
    if (this.#done) return;
    this.#clock.clearTimeout(this.#runTimer);
    this.#startedAt = this.#clock.now();
    this.#runTimer = this.#clock.setTimeout(() => this.#stop('run-limit'), this.#run.runTimeoutMs);
    this.#armStep();
  }

  /** Follows one event of the run. Only tests starting and ending restart the per-step clock. */
  observe(event: GradeEvent): void {
    if (this.#done) return;
    if (event.type === 'collected') {
      this.#collected = [...event.tests];
    } else if (event.type === 'test-start') {
      this.#running = this.#listed(event.id) ?? { id: event.id, name: event.name, title: event.name.split(' > ').at(-1) ?? event.name, ancestors: event.name.split(' > ').slice(0, -1), file: event.file };
      this.#armStep();
    } else if (event.type === 'test-end') {
      this.#finished.set(event.test.id, event.test);
      this.#running = undefined;
      this.#armStep();
    } else if (event.type === 'log') {
      this.#logs.push(event.line);
    }
  }

  /** The learner stopped the run: the host is told as for a limit, with reason `cancelled`. */
  cancel(): void {
    this.#stop('cancelled');
  }

  /** The run ended by itself (a result arrived, or the process exited): no more limits. */
  finish(): void {
    this.#done = true;
    this.#clock.clearTimeout(this.#stepTimer);
    this.#clock.clearTimeout(this.#runTimer);
  }

  /** Why the run was stopped, if it was. */
  get stopped(): StopReason | undefined {
    return this.#stopped;
  }

  /** The console lines seen so far (a stopped run has no result to carry them). */
  get logs(): readonly LogLine[] {
    return this.#logs;
  }

  /**
   * The result to show for a run that did not finish: every test the grader listed, each
   * with what is known of it — its verdict if it finished, "stopped" for the one that was
   * running, and "not run" with the reason for the rest.
   */
  stoppedResult(reason: StopReason | 'crash', message?: string): GradeResult {
    const elapsedMs = (this.#stoppedAt ?? this.#clock.now()) - this.#startedAt;
    const seconds = (elapsedMs / 1000).toFixed(1);
    const running = this.#running;
    const where = running ? ` while running "${running.name}"` : this.#collected.length === 0 ? ' while loading your files' : ' between tests (in a before or after hook)';
    const limit =
      reason === 'run-limit'
        ? `the whole run may take ${formatSeconds(this.#run.runTimeoutMs)}`
        : reason === 'test-limit'
          ? `one test may take ${formatSeconds(this.#run.testTimeoutMs)}`
          : undefined;
    const errorMessage =
      message ??
      (reason === 'cancelled'
        ? `You stopped the run after ${seconds} s${where}. Your code is as you left it; run the tests again when you are ready.`
        : `Stopped after ${seconds} s${where}: ${limit}, and the code did not finish. Look for a loop that never ends, or memory that keeps growing.`);
    const notRunNote =
      reason === 'crash' ? 'Not run: the grader stopped before reaching this test.' : reason === 'cancelled' ? 'Not run: you stopped the run before this test.' : 'Not run: the run was stopped before this test.';
    const listed = this.#collected.length > 0 ? this.#collected : running ? [running] : [];
    const tests: TestResult[] = [];
    const seen = new Set<string>();
    for (const test of listed) {
      seen.add(test.id);
      const done = this.#finished.get(test.id);
      if (done) tests.push(done);
      else if (running && test.id === running.id && reason === 'cancelled') {
        tests.push({ ...pick(test), status: 'skip', durationMs: round(elapsedMs), note: 'Not finished: you stopped the run while this test ran.' });
      } else if (running && test.id === running.id) {
        tests.push({ ...pick(test), status: 'fail', durationMs: round(elapsedMs), message: reason === 'crash' ? 'Stopped: the grader crashed while this test ran.' : `Stopped: this test did not finish (${limit}).` });
      } else tests.push({ ...pick(test), status: 'skip', durationMs: 0, note: notRunNote });
    }
    // Tests that finished but were not in the list (the list is missing when collection was not reported).
    for (const [id, test] of this.#finished) if (!seen.has(id)) tests.push(test);
    const passed = tests.filter((t) => t.status === 'pass').length;
    const failed = tests.filter((t) => t.status === 'fail').length;
    return {
      ok: false,
      tests,
      logs: [...this.#logs],
      droppedLogLines: 0,
      errors: [{ kind: reason === 'crash' ? 'internal' : reason === 'cancelled' ? 'cancelled' : 'deadline', message: errorMessage, ...(running ? { test: running.name } : {}) }],
      summary: { passed, failed, skipped: tests.length - passed - failed, total: tests.length },
      durationMs: round(elapsedMs),
      hostDurationMs: round(elapsedMs),
      testsDurationMs: round([...this.#finished.values()].reduce((sum, t) => sum + t.durationMs, 0)),
      ...(this.#run.seed === undefined ? {} : { seed: this.#run.seed }),
    };
  }

  #listed(id: string): Listed | undefined {
    return this.#collected.find((t) => t.id === id);
  }

  #armStep(): void {
    this.#clock.clearTimeout(this.#stepTimer);
    this.#stepTimer = this.#clock.setTimeout(() => this.#stop('test-limit'), this.#run.testTimeoutMs + WATCHDOG_GRACE_MS);
  }

  #stop(reason: StopReason): void {
    if (this.#done) return;
    this.#stopped = reason;
    this.#stoppedAt = this.#clock.now();
    this.finish();
    this.#onStop(reason);
  }
}

function pick(test: Listed): Pick<TestResult, 'id' | 'name' | 'title' | 'ancestors' | 'file'> {
  return { id: test.id, name: test.name, title: test.title, ancestors: test.ancestors, file: test.file };
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
