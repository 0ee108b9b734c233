/**
 * The Worker host's entry: the grader running inside a module Web Worker.
 *
 * The page creates one worker per submission (and keeps a spare one started in the
 * background), posts `{ type: 'grade', request }`, receives `{ type: 'event' }` messages
 * while the tests run and one `{ type: 'result' }` at the end, then terminates the worker.
 * A loop that never ends is stopped by `worker.terminate()` from the page; the test-start
 * events tell the page which test was running.
 *
 * Learner code is evaluated as Blob-URL modules by default, which needs `blob:` in the
 * worker's `script-src` but not `'unsafe-eval'`; see the README for the policy.
 */
import { grade } from './grade.ts';
import { evalEvaluator } from './loader.ts';
import type { Evaluator, HostMessage, ModuleFactory, PortableGradeRequest } from './types.ts';

/** What the page posts to the worker. */
export interface WorkerGradeMessage {
  readonly type: 'grade';
  readonly request: PortableGradeRequest;
  /**
   * How learner code is turned into functions: `'blob'` (the default) imports each module
   * from a Blob URL; `'eval'` uses indirect eval and needs `'unsafe-eval'`.
   */
  readonly evaluation?: 'blob' | 'eval';
}

/**
 * The bare modules exercises may import in the Worker host. The simulator is imported
 * here, so the worker bundle carries it; the Node host maps the same names in
 * node/builtins.ts.
 */
export async function loadWorkerBuiltins(): Promise<Record<string, unknown>> {
  return { '@faultlines/sim': await import('../sim/index.ts') };
}

const modulePrefix = 'export default ';

/**
 * Evaluates each module by importing a Blob URL whose module exports the module's factory.
 * Module scripts from `blob:` URLs are allowed by `script-src blob:`, so no `'unsafe-eval'`
 * is needed. Stack frames name the code by its `sourceURL` comment or, failing that, by
 * the Blob URL, which {@link Evaluator.fileForStackName} maps back.
 */
export function createBlobEvaluator(): Evaluator {
  const pathsByUrl = new Map<string, string>();
  return {
    name: 'blob-module',
    firstLineExtraColumns: modulePrefix.length,
    async define(units) {
      const factories = new Map<string, ModuleFactory>();
      const failures = new Map<string, unknown>();
      await Promise.all(
        units.map(async (unit) => {
          const url = URL.createObjectURL(new Blob([modulePrefix + unit.code], { type: 'text/javascript' }));
          pathsByUrl.set(url, unit.path);
          try {
            const module = (await import(/* @vite-ignore */ url)) as { default: ModuleFactory };
            factories.set(unit.path, module.default);
          } catch (error) {
            failures.set(unit.path, error);
          } finally {
            URL.revokeObjectURL(url);
          }
        }),
      );
      return { factories, failures };
    },
    fileForStackName: (name) => pathsByUrl.get(name),
  };
}

interface WorkerScope {
  postMessage(message: HostMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerGradeMessage>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

// The simulator loads before the worker says it is ready, so that a spare worker started in
// the background has it in hand and the learner's deadline never pays for loading it.
const builtinsLoaded = loadWorkerBuiltins();

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message?.type !== 'grade') return;
  void (async () => {
    const builtins = await builtinsLoaded;
    const result = await grade({
      ...message.request,
      builtins,
      evaluator: message.evaluation === 'eval' ? evalEvaluator : createBlobEvaluator(),
      onEvent: (gradeEvent) => scope.postMessage({ type: 'event', event: gradeEvent }),
    });
    result.host = 'worker';
    scope.postMessage({ type: 'result', result });
  })();
});

void builtinsLoaded.then(() => scope.postMessage({ type: 'ready' }));
