/**
 * The WebContainer host: the grader as a Node process in StackBlitz's in-browser Node
 * runtime. This class is the one owner of the page's WebContainer (there can be only one
 * per page). It boots once, in the background, when an exercise comes into view; each run
 * mounts the submission and the grader bundle and spawns `node grader.mjs request.json`.
 * Output that is not a grader message goes to the terminal panel.
 *
 * Booting needs StackBlitz's servers. Offline, `WebContainer.boot()` neither resolves nor
 * rejects, so boot is raced against a deadline by the caller (see select-host.ts).
 */
import type { WebContainer } from '@webcontainer/api';
import type { GradeEvent, GradeResult, HostMessage, TestResult } from '../../grader/types.ts';
import type { GradingHost, Submission } from './host.ts';
import { GRADE_COMMAND, OutputParser, webcontainerTree } from './webcontainer-files.ts';
import { WATCHDOG_GRACE_MS, stoppedResult } from './worker-host.ts';

/** The part of `@webcontainer/api` this host uses, so that tests can pass a fake. */
export type Container = Pick<WebContainer, 'mount' | 'spawn'>;

export class WebContainerHost implements GradingHost {
  readonly name = 'webcontainer' as const;
  readonly #container: Container;
  readonly #graderBundle: () => Promise<string>;
  readonly #terminal: (text: string, exerciseId: string) => void;

  constructor(container: Container, graderBundle: () => Promise<string>, terminal: (text: string, exerciseId: string) => void = () => undefined) {
    this.#container = container;
    this.#graderBundle = graderBundle;
    this.#terminal = terminal;
  }

  async grade(submission: Submission, onEvent: (event: GradeEvent) => void): Promise<GradeResult> {
    const started = performance.now();
    await this.#container.mount(webcontainerTree(submission, await this.#graderBundle()));
    const process = await this.#container.spawn(GRADE_COMMAND.command, [...GRADE_COMMAND.args]);
    const finished: TestResult[] = [];
    let running: string | undefined;
    let result: GradeResult | undefined;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stopped = true;
        process.kill();
      }, submission.testTimeoutMs + WATCHDOG_GRACE_MS);
    };
    const parser = new OutputParser(
      (message: HostMessage) => {
        if (message.type === 'event') {
          const e = message.event;
          if (e.type === 'test-start') running = e.name;
          if (e.type === 'test-end') {
            finished.push(e.test);
            running = undefined;
          }
          arm();
          onEvent(e);
        } else if (message.type === 'result') {
          result = message.result;
        } else {
          arm();
        }
      },
      (text) => this.#terminal(text, submission.exerciseId),
    );
    arm();
    const decoder = new TextDecoder();
    const reading = process.output.pipeTo(
      new WritableStream({
        write: (chunk) => parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true })),
      }),
    );
    const exitCode = await process.exit;
    await reading.catch(() => undefined);
    parser.end();
    clearTimeout(watchdog);
    if (result) {
      result.host = 'webcontainer';
      result.hostDurationMs = performance.now() - started;
      return result;
    }
    const elapsed = performance.now() - started;
    if (stopped) return { ...stoppedResult(submission, finished, running, elapsed), host: 'webcontainer' };
    return {
      ...stoppedResult(submission, finished, running, elapsed),
      errors: [{ kind: 'internal', message: `The grader process exited with code ${exitCode} before giving a result.` }],
      host: 'webcontainer',
    };
  }
}
