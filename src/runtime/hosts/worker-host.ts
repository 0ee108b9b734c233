/**
 * The Worker host: the grader in a module Web Worker, one fresh worker per submission so
 * that nothing a learner's code leaves behind (globals, patched prototypes, timers)
 * reaches the next run. A spare worker is started in the background after each run, so
 * the learner does not wait for one to start.
 *
 * A synchronous loop cannot be interrupted from inside the worker, so the page watches
 * with the grader's RunSupervisor (a per-test limit and a whole-run limit, neither of which
 * console output restarts) and terminates the worker when either passes.
 */
import { RunSupervisor } from '../../grader/supervisor.ts';
import type { GradeEvent, GradeResult, HostMessage, TracedRun } from '../../grader/types.ts';
import type { GradingHost, Submission, TracedOutcome } from './host.ts';

/** How long a new worker may take to load the grader before the run is given up. */
export const WORKER_START_DEADLINE_MS = 30_000;

interface Spawned {
  readonly worker: Worker;
  readonly ready: Promise<void>;
}

function spawn(preloads: readonly Readonly<Record<string, string>>[]): Spawned {
  const worker = new Worker(new URL('../../grader/worker/worker-entry.ts', import.meta.url), { type: 'module', name: 'grader' });
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

  grade(submission: Submission, onEvent: (event: GradeEvent) => void, signal?: AbortSignal): Promise<GradeResult> {
    return this.#run(submission, onEvent, undefined, signal).then((outcome) => outcome.result);
  }

  /**
   * Runs one test of the submission again, in a fresh worker, with every simulation it
   * creates traced; the same deadlines apply as to a grade.
   */
  trace(submission: Submission, testId: string, onEvent: (event: GradeEvent) => void = () => {}): Promise<TracedOutcome> {
    return this.#run(submission, onEvent, testId);
  }

  #run(submission: Submission, onEvent: (event: GradeEvent) => void, traceTestId: string | undefined, signal?: AbortSignal): Promise<TracedOutcome> {
    const started = performance.now();
    const current = this.#spare ?? spawn(this.#preloads);
    this.#spare = undefined;
    const { worker } = current;
    return new Promise<TracedOutcome>((resolve) => {
      let done = false;
      const finish = (result: GradeResult, runs: readonly TracedRun[] = [], simulations = runs.length) => {
        if (done) return;
        done = true;
        supervisor.finish();
        worker.terminate();
        // The next worker starts while the learner reads the result (unless a run that
        // finished meanwhile, such as a trace beside a grade, has started one already).
        this.#spare ??= spawn(this.#preloads);
        resolve({ result, runs, simulations });
      };
      const supervisor = new RunSupervisor(submission, (reason) => finish({ ...supervisor.stoppedResult(reason), host: 'worker' }));
      // Stop: the worker is terminated like a run past its limit, whatever it is doing.
      if (signal?.aborted) queueMicrotask(() => supervisor.cancel());
      signal?.addEventListener('abort', () => supervisor.cancel(), { once: true });
      worker.onmessage = (event: MessageEvent<HostMessage>) => {
        const message = event.data;
        if (message.type === 'event') {
          supervisor.observe(message.event);
          onEvent(message.event);
        } else if (message.type === 'result') {
          const result = message.result;
          result.host = 'worker';
          result.hostDurationMs = performance.now() - started;
          finish(result, message.runs, message.simulations);
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        finish({ ...supervisor.stoppedResult('crash', `The grader's worker crashed: ${event.message || 'no reason given'}.`), host: 'worker' });
      };
      current.ready.then(
        () => {
          supervisor.start();
          const request = {
            files: submission.files,
            testFiles: submission.testFiles,
            ...(submission.learnerFiles ? { learnerFiles: submission.learnerFiles } : {}),
            ...(submission.hiddenFiles ? { hiddenFiles: submission.hiddenFiles } : {}),
            ...(submission.libraries ? { libraries: submission.libraries } : {}),
            testTimeoutMs: submission.testTimeoutMs,
            seed: submission.seed,
          };
          worker.postMessage(traceTestId === undefined ? { type: 'grade', request } : { type: 'trace', request, testId: traceTestId });
        },
        (error: Error) => finish({ ...supervisor.stoppedResult('crash', `The grader's worker could not start: ${error.message}`), host: 'worker' }),
      );
    });
  }
}
