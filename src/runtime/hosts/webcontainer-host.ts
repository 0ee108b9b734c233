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
import { RunSupervisor } from '../../grader/supervisor.ts';
import type { GradeEvent, GradeResult, HostMessage } from '../../grader/types.ts';
import type { GradingHost, Submission } from './host.ts';
import { GRADE_COMMAND, OutputParser, webcontainerTree } from './webcontainer-files.ts';

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

  async grade(submission: Submission, onEvent: (event: GradeEvent) => void, signal?: AbortSignal): Promise<GradeResult> {
    const started = performance.now();
    await this.#container.mount(webcontainerTree(submission, await this.#graderBundle()));
    const process = await this.#container.spawn(GRADE_COMMAND.command, [...GRADE_COMMAND.args]);
    let result: GradeResult | undefined;
    // The limits count from the spawn, and again from the grader's "ready" once it has loaded.
    let readySeen = false;
    const supervisor = new RunSupervisor(submission, () => process.kill());
    signal?.addEventListener('abort', () => supervisor.cancel(), { once: true });
    if (signal?.aborted) supervisor.cancel();
    const parser = new OutputParser(
      (message: HostMessage) => {
        if (message.type === 'event') {
          supervisor.observe(message.event);
          onEvent(message.event);
        } else if (message.type === 'result') {
          result = message.result;
        } else if (message.type === 'ready' && !readySeen) {
          readySeen = true;
          supervisor.start();
        }
      },
      (text) => this.#terminal(text, submission.exerciseId),
    );
    supervisor.start();
    const decoder = new TextDecoder();
    const reading = process.output.pipeTo(
      new WritableStream({
        write: (chunk) => parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true })),
      }),
    );
    const exitCode = await process.exit;
    await reading.catch(() => undefined);
    parser.end();
    supervisor.finish();
    if (result) {
      result.host = 'webcontainer';
      result.hostDurationMs = performance.now() - started;
      return result;
    }
    if (supervisor.stopped) return { ...supervisor.stoppedResult(supervisor.stopped), host: 'webcontainer' };
    return {
      ...supervisor.stoppedResult('crash', `The grader process exited with code ${exitCode} before giving a result.`),
      host: 'webcontainer',
    };
  }
}
