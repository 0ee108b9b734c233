/**
 * The Node host's grading process. The parent spawns one per submission, so every grade
 * gets a fresh realm; it sends one request over IPC and receives streamed events and then
 * the result. A synchronous infinite loop freezes this process, and the parent's deadline
 * kills it: that is why test-start events are sent before each test runs.
 */
import { grade } from '../grade.ts';
import type { HostMessage, PortableGradeRequest } from '../types.ts';
import { loadNodeBuiltins, loadNodeLibraries } from './builtins.ts';

function send(message: HostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, () => resolve());
  });
}

/** Forwards errors no test caught to the grader, which reports them and fails the run. */
function watchUnhandled(report: (error: unknown) => void): () => void {
  const onError = (error: unknown): void => report(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}

// If the parent goes away there is nobody to answer to.
process.on('disconnect', () => process.exit(0));

// The grader is loaded: the parent starts the learner's deadline from here, so that a slow
// start of the process itself never counts against their code.
void send({ type: 'ready' });

/** What the parent sends: the request, and where the simulator's entry (or its bundle) is. */
interface ChildRequest {
  readonly request: PortableGradeRequest;
  readonly simEntry?: string;
}

process.once('message', ({ request, simEntry }: ChildRequest) => {
  void (async () => {
    const builtins = await loadNodeBuiltins(simEntry);
    const libraryModules = await loadNodeLibraries(request.libraries);
    const result = await grade({
      ...request,
      builtins,
      libraryModules,
      watchUnhandled,
      // A test's start is written to the parent before the test runs, so that the supervisor
      // names the right test even when the test then spins without yielding.
      onEvent: (event) => (event.type === 'test-start' ? send({ type: 'event', event }) : void send({ type: 'event', event })),
    });
    result.host = 'node';
    await send({ type: 'result', result });
    process.disconnect?.();
  })();
});
