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
import { grade } from '../grade.ts';
import type { LibraryName } from '../libraries.ts';
import { evalEvaluator, isScript } from '../loader.ts';
import { compile } from '../transpile.ts';
import type { Evaluator, HostMessage, ModuleFactory, ModuleUnit, PortableGradeRequest } from '../types.ts';
import { warmUpRequest } from '../warm-up.ts';
import { captureTraces } from '../trace-capture.ts';
import { transferables } from '../../sim/trace-batch.ts';
import type * as SimModule from '../../sim/index.ts';

/** What the page posts to the worker. */
export type WorkerMessage = WorkerGradeMessage | WorkerPreloadMessage | WorkerTraceMessage;

/**
 * Runs one test again with its simulations traced (see trace-capture.ts); the result
 * message then carries the traced runs.
 */
export interface WorkerTraceMessage {
  readonly type: 'trace';
  readonly request: PortableGradeRequest;
  /** The test's id, from the result of the run being explained. */
  readonly testId: string;
}

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
 * Files that every submission of an exercise will carry unchanged (its tests and read-only
 * helpers). A spare worker compiles and imports them while it waits, so that a run only
 * pays for the learner's own files. A preloaded module is used only for a file whose
 * source is the same, character for character; anything else is compiled afresh.
 */
export interface WorkerPreloadMessage {
  readonly type: 'preload';
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The bare modules exercises may import in the Worker host. The simulator is imported
 * here, so the worker bundle carries it; the Node host maps the same names in
 * node/builtins.ts.
 */
export async function loadWorkerBuiltins(): Promise<Record<string, unknown>> {
  return { '@faultlines/sim': await import('../../sim/index.ts') };
}

/**
 * Every library the course provides (see ../libraries.ts), by name. They load with the
 * simulator, before the warm-up grade locks the worker's built-ins, so a worker started in
 * the background has them for whichever exercise it grades; each grade hands its code only
 * the ones its exercise offers.
 */
export async function loadWorkerLibraries(): Promise<Record<LibraryName, unknown>> {
  // The self-contained build: a copy of its own, apart from the simulator's histograms. As it
  // loads it looks for Node's zlib with `eval('require("zlib")…')` and, when that throws,
  // uses the compression library it carries. The worker's policy forbids eval, and Chromium
  // would report the attempt as a violation: so eval throws on its own while it loads.
  const hdr = await withoutEval(() => import('hdr-histogram-js/dist/hdrhistogram.umd.js'));
  return { 'hdr-histogram-js': hdr.default };
}

/** Runs `load` with the global `eval` replaced by a function that throws, then puts it back. */
async function withoutEval<T>(load: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'eval');
  Object.defineProperty(globalThis, 'eval', {
    configurable: true,
    writable: true,
    value: () => {
      throw new EvalError('eval is not available in the grader worker');
    },
  });
  try {
    return await load();
  } finally {
    if (original) Object.defineProperty(globalThis, 'eval', original);
  }
}

const modulePrefix = 'export default ';

/** Module factories by their compiled code; see {@link createBlobEvaluator}. */
export type FactoryCache = Map<string, Promise<ModuleFactory>>;

/**
 * Evaluates each module by importing a Blob URL whose module exports the module's factory.
 * Module scripts from `blob:` URLs are allowed by `script-src blob:`, so no `'unsafe-eval'`
 * is needed. Stack frames name the code by its `sourceURL` comment or, failing that, by
 * the Blob URL, which {@link Evaluator.fileForStackName} maps back.
 *
 * With a `cache`, a unit whose code was imported before reuses that import. That is safe
 * because a factory is only a function: every load of a module calls it afresh, with its
 * own `exports`, `require` and scope.
 */
export function createBlobEvaluator(cache: FactoryCache = new Map(), pathsByUrl = new Map<string, string>()): Evaluator {
  const importUnit = (unit: ModuleUnit): Promise<ModuleFactory> => {
    let factory = cache.get(unit.code);
    if (!factory) {
      const url = URL.createObjectURL(new Blob([modulePrefix + unit.code], { type: 'text/javascript' }));
      pathsByUrl.set(url, unit.path);
      factory = (import(/* @vite-ignore */ url) as Promise<{ default: ModuleFactory }>).then(
        (module) => module.default,
      );
      // A module that fails to import is not kept: the next try reports its own error.
      factory.then(
        () => URL.revokeObjectURL(url),
        () => {
          URL.revokeObjectURL(url);
          cache.delete(unit.code);
        },
      );
      cache.set(unit.code, factory);
    }
    return factory;
  };
  return {
    name: 'blob-module',
    firstLineExtraColumns: modulePrefix.length,
    async define(units) {
      const factories = new Map<string, ModuleFactory>();
      const failures = new Map<string, unknown>();
      await Promise.all(
        units.map(async (unit) => {
          try {
            factories.set(unit.path, await importUnit(unit));
          } catch (error) {
            failures.set(unit.path, error);
          }
        }),
      );
      return { factories, failures };
    },
    fileForStackName: (name) => pathsByUrl.get(name),
  };
}

/** Compiles and imports the script files among `files` into `evaluator`'s cache; failures are left for the grade to report. */
export async function preloadFiles(evaluator: Evaluator, files: Readonly<Record<string, string>>): Promise<void> {
  const units: ModuleUnit[] = [];
  for (const [path, source] of Object.entries(files)) {
    if (!isScript(path)) continue;
    try {
      units.push({ path, code: compile(path, source).code });
    } catch {
      // A syntax error is reported, with its location, when the file is graded.
    }
  }
  await evaluator.define(units);
}

interface WorkerScope {
  postMessage(message: HostMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerMessage>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

// The simulator loads, and a small built-in exercise is graded to warm the grader and the
// simulator up (see warm-up.ts), before the worker says it is ready: a spare worker does
// this in the background, so the learner's run never pays for it.
const builtinsLoaded = loadWorkerBuiltins();
// A library that fails to load costs only the exercises that offer it: their grades say the
// host does not provide it, and every other exercise is graded as usual.
const librariesLoaded = loadWorkerLibraries().catch((error: unknown) => {
  console.warn('The grader could not load the libraries exercises may offer:', error);
  return {};
});
// One evaluator for the worker's life: the warm-up, the preloaded files and the one grade.
const blobEvaluator = createBlobEvaluator();
const warmedUp = Promise.all([builtinsLoaded, librariesLoaded]).then(async ([builtins]) => {
  const result = await grade({ ...warmUpRequest, builtins, evaluator: blobEvaluator });
  // A warm-up that fails costs speed, not correctness: say so in the console and go on.
  if (!result.ok) console.warn('The grader warm-up did not pass:', JSON.stringify(result.errors[0] ?? result.tests.find((t) => t.status === 'fail')));
});

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message?.type === 'preload') {
    // After the warm-up, so that the transpiler it compiles with is already warm.
    void warmedUp.then(() => preloadFiles(blobEvaluator, message.files));
    return;
  }
  if (message?.type !== 'grade' && message?.type !== 'trace') return;
  void (async () => {
    const builtins = await builtinsLoaded;
    await warmedUp;
    const capture = message.type === 'trace' ? captureTraces(builtins['@faultlines/sim'] as typeof SimModule) : undefined;
    const result = await grade({
      ...message.request,
      ...(message.type === 'trace' ? { onlyTestIds: [message.testId] } : {}),
      builtins: capture ? { ...builtins, '@faultlines/sim': capture.module } : builtins,
      libraryModules: await librariesLoaded,
      evaluator: message.type === 'grade' && message.evaluation === 'eval' ? evalEvaluator : blobEvaluator,
      onEvent: (gradeEvent) => scope.postMessage({ type: 'event', event: gradeEvent }),
    });
    result.host = 'worker';
    if (!capture) {
      scope.postMessage({ type: 'result', result });
      return;
    }
    const runs = capture.runs();
    (scope as unknown as Worker).postMessage({ type: 'result', result, runs, simulations: capture.created() } satisfies HostMessage, runs.flatMap((run) => transferables(run.batch)));
  })();
});

void warmedUp.then(() => scope.postMessage({ type: 'ready' }));
