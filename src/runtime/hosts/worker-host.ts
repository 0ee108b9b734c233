/**
 * The Worker host: the grader in a module Web Worker, one fresh worker per submission so
 * that nothing a learner's code leaves behind (globals, patched prototypes, timers)
 * reaches the next run. A spare worker is started in the background after each run, so
 * the learner does not wait for one to start.
 *
 * A synchronous loop cannot be interrupted from inside the worker, so the page watches:
 * when no test has started or finished for longer than a test may take, it terminates the
 * worker and reports which test was running.
 */
import type { GradeEvent, GradeResult, HostMessage, TestResult, TracedRun } from '../../grader/types.ts';
import type { GradingHost, Submission, TracedOutcome } from './host.ts';

/** Extra time past a test's own timeout before the page stops the worker. */
export const WATCHDOG_GRACE_MS = 500;

/** How long a new worker may take to load the grader before the run is given up. */
export const WORKER_START_DEADLINE_MS = 30_000;

interface Spawned {
  readonly worker: Worker;
  readonly ready: Promise<void>;
}

function spawn(preloads: readonly Readonly<Record<string, string>>[]): Spawned {
  const worker = new Worker(new URL('../../grader/worker-entry.ts', import.meta.url), { type: 'module', name: 'grader' });
  for (const files of preloads) worker.postMessage({ type: 'preload', files });
  const ready = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`it did not load within ${WORKER_START_DEADLINE_MS / 1000} s`)),
      WORKER_START_DEADLINE_MS,
    );
    const onMessage = (event: MessageEvent<HostMessage>) => {
      if (event.data?.type === 'ready') {
        clearTimeout(deadline);
        worker.removeEventListener('message', onMessage);
        resolve();
      }
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (event) => reject(new Error(event.message || 'the grader worker failed to start')), { once: true });
  });
  ready.catch(() => undefined);
  return { worker, ready };
}

/** A result for a run the host had to stop, keeping the verdicts of the tests that finished. */
export function stoppedResult(submission: Submission, finished: readonly TestResult[], running: string | undefined, elapsedMs: number): GradeResult {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const where = running ? ` while running "${running}"` : ' while loading your files';
  const tests: TestResult[] = [...finished];
  if (running) {
    tests.push({
      id: `stopped-${tests.length}`,
      name: running,
      title: running.split(' > ').at(-1) ?? running,
      ancestors: running.split(' > ').slice(0, -1),
      file: submission.testFiles[0] ?? '',
      status: 'fail',
      durationMs: elapsedMs,
      message: 'Stopped: this test did not finish.',
    });
  }
  const passed = tests.filter((t) => t.status === 'pass').length;
  const failed = tests.filter((t) => t.status === 'fail').length;
  return {
    ok: false,
    tests,
    logs: [],
    droppedLogLines: 0,
    errors: [
      {
        kind: 'deadline',
        message: `Stopped after ${seconds} s${where}: the code did not finish. Look for a loop that never ends, or memory that keeps growing.`,
        ...(running ? { test: running } : {}),
      },
    ],
    summary: { passed, failed, skipped: tests.length - passed - failed, total: tests.length },
    durationMs: elapsedMs,
    hostDurationMs: elapsedMs,
    testsDurationMs: finished.reduce((sum, t) => sum + t.durationMs, 0),
    seed: submission.seed,
  };
}

export class WorkerHost implements GradingHost {
  readonly name = 'worker' as const;
  #spare: Spawned | undefined;
  readonly #preloads: Readonly<Record<string, string>>[] = [];

  /** Starts a worker now so that the first run does not wait for it. */
  warm(): void {
    this.#spare ??= spawn(this.#preloads);
  }

  /** Hands the files to the spare worker now and to every worker started later. */
  preload(files: Readonly<Record<string, string>>): void {
    this.#preloads.push(files);
    this.#spare?.worker.postMessage({ type: 'preload', files });
  }

  grade(submission: Submission, onEvent: (event: GradeEvent) => void): Promise<GradeResult> {
    return this.#run(submission, onEvent, undefined).then((outcome) => outcome.result);
  }

  /**
   * Runs one test of the submission again, in a fresh worker, with every simulation it
   * creates traced; the same deadlines apply as to a grade.
   */
  trace(submission: Submission, testId: string, onEvent: (event: GradeEvent) => void = () => {}): Promise<TracedOutcome> {
    return this.#run(submission, onEvent, testId);
  }

  #run(submission: Submission, onEvent: (event: GradeEvent) => void, traceTestId: string | undefined): Promise<TracedOutcome> {
    const started = performance.now();
    const current = this.#spare ?? spawn(this.#preloads);
    this.#spare = undefined;
    const { worker } = current;
    return new Promise<TracedOutcome>((resolve) => {
      const finished: TestResult[] = [];
      const logs: GradeResult['logs'][number][] = [];
      let running: string | undefined;
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      const finish = (result: GradeResult, runs: readonly TracedRun[] = [], simulations = runs.length) => {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        worker.terminate();
        // The next worker starts while the learner reads the result (unless a run that
        // finished meanwhile, such as a trace beside a grade, has started one already).
        this.#spare ??= spawn(this.#preloads);
        resolve({ result, runs, simulations });
      };
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          const result = stoppedResult(submission, finished, running, performance.now() - started);
          finish({ ...result, logs, host: 'worker' });
        }, submission.testTimeoutMs + WATCHDOG_GRACE_MS);
      };
      worker.onmessage = (event: MessageEvent<HostMessage>) => {
        const message = event.data;
        if (message.type === 'event') {
          const e = message.event;
          if (e.type === 'test-start') running = e.name;
          if (e.type === 'test-end') {
            finished.push(e.test);
            running = undefined;
          }
          if (e.type === 'log') logs.push(e.line);
          arm();
          onEvent(e);
        } else if (message.type === 'result') {
          const result = message.result;
          result.host = 'worker';
          result.hostDurationMs = performance.now() - started;
          finish(result, message.runs, message.simulations);
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        finish({
          ...stoppedResult(submission, finished, running, performance.now() - started),
          errors: [{ kind: 'internal', message: `The grader's worker crashed: ${event.message || 'no reason given'}.` }],
          host: 'worker',
        });
      };
      current.ready.then(
        () => {
          arm();
          const request = {
            files: submission.files,
            testFiles: submission.testFiles,
            testTimeoutMs: submission.testTimeoutMs,
            seed: submission.seed,
          };
          worker.postMessage(traceTestId === undefined ? { type: 'grade', request } : { type: 'trace', request, testId: traceTestId });
        },
        (error: Error) =>
          finish({
            ...stoppedResult(submission, [], undefined, performance.now() - started),
            errors: [{ kind: 'internal', message: `The grader's worker could not start: ${error.message}` }],
            host: 'worker',
          }),
      );
    });
  }
}
