import { GLOBAL_EXPECT } from '@vitest/expect';
import { startTests, type File, type FileSpecification, type Task, type Test } from '@vitest/runner';
import { restoreAllMocks } from '@vitest/spy';
import { createCapturedConsole, LogCapture } from './console.ts';
import { installEngine, MemoryRunner, createVitestModule, runnerRoot } from './engine.ts';
import { describeError, frameAt } from './errors.ts';
import { hardenIntrinsics, hardenModule } from './harden.ts';
import { evalEvaluator, ImportResolutionError, ModuleLoader } from './loader.ts';
import { GuardedTimers, restoreGlobals, snapshotGlobals } from './realm.ts';
import { SourceSyntaxError } from './transpile.ts';
import type { CollectedTest, GradeError, GradeRequest, GradeResult, ShownCounterexample, TestResult, TestStatus } from './types.ts';

/** The bare name under which exercises import the simulator. */
const SIM_MODULE = '@faultlines/sim';

/** @default per-test timeout, as in vitest. */
export const defaultTestTimeoutMs = 5000;

/**
 * Runs an exercise's tests against the given files and returns every verdict as JSON.
 *
 * It never throws for anything the exercise does: syntax errors, failing imports, errors
 * from stray timers and crashes of the grader itself all come back in `errors`. A
 * synchronous infinite loop is the one thing it cannot stop from inside; the host's
 * deadline does that.
 */
export async function grade(request: GradeRequest): Promise<GradeResult> {
  const started = performance.now();
  const expect = installEngine();
  const globals = snapshotGlobals();
  // Matchers look up the global expect's state through this symbol. Another engine in the
  // same realm (vitest itself, when the grader's own tests run) may own it; it gets it back
  // when the globals are restored.
  Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: expect, writable: true, configurable: true });
  const emit = request.onEvent;
  const logs = new LogCapture(request.logLimits, emit ? (line) => emit({ type: 'log', line }) : undefined);
  const errors: GradeError[] = [];
  const tests: TestResult[] = [];
  let filesDurationMs = 0;
  let running: string | undefined;
  let lastFinished: string | undefined;
  let report: Readonly<Record<string, unknown>> | undefined;
  let loader: ModuleLoader | undefined;

  const reportUnhandled = (error: unknown): void => {
    const described = describeError(error, loader);
    const test = running ?? lastFinished;
    const entry: GradeError = {
      kind: 'unhandled',
      message: described.message,
      ...(described.location ? { file: described.location.file, location: described.location } : {}),
      ...(described.stack ? { stack: described.stack } : {}),
      ...(frameAt(described.location, loader) ? { codeFrame: frameAt(described.location, loader) } : {}),
      ...(test ? { test } : {}),
    };
    errors.push(entry);
  };

  const timers = new GuardedTimers(reportUnhandled);
  const scope = timers.scope(createCapturedConsole(logs));
  const vitestModule = createVitestModule(expect, request.seed === undefined ? {} : { seed: request.seed });
  // The simulator (and any other builtin) is shared by the tests and the learner's code:
  // frozen before any of it loads, so that no module can change what the tests measure with
  // (see harden.ts). The counting wrapper below is frozen too.
  hardenIntrinsics();
  for (const module of Object.values(request.builtins ?? {})) hardenModule(module);
  // A long simulation reports how far it has got, a few times a second at most: the page's progress bar.
  let lastProgressAt = -Infinity;
  const simulations = instrumentSimulator(request.builtins?.[SIM_MODULE], (simulatedMs, untilMs) => {
    const now = performance.now();
    if (emit === undefined || now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
    lastProgressAt = now;
    void emit({ type: 'progress', simulatedMs, untilMs, test: running });
  });
  if (simulations) hardenModule(simulations.module);
  const builtins = new Map<string, unknown>([
    ['vitest', vitestModule],
    ...Object.entries(request.builtins ?? {}),
    ...(simulations ? [[SIM_MODULE, simulations.module] as const] : []),
  ]);
  // The libraries the exercise offers, as the host loaded them (not frozen: see libraries.ts).
  const unprovided: string[] = [];
  for (const name of request.libraries ?? []) {
    if (request.libraryModules && Object.hasOwn(request.libraryModules, name)) builtins.set(name, request.libraryModules[name]);
    else unprovided.push(name);
  }
  // Simulations each test created, and those created outside any test (its file's hooks).
  const simulationsByTest = new Map<string, number>();
  const counterexamplesByTest = new Map<string, ShownCounterexample>();
  const simulationsOutsideTests = new Map<string, number>();
  let simulationsAtTestStart = 0;
  let simulationsAtLastBoundary = 0;
  const countOutside = (file: string): void => {
    if (!simulations) return;
    const made = simulations.created() - simulationsAtLastBoundary;
    if (made > 0) simulationsOutsideTests.set(file, (simulationsOutsideTests.get(file) ?? 0) + made);
  };
  loader = new ModuleLoader({ files: request.files, builtins, scope, evaluator: request.evaluator ?? evalEvaluator, learnerFiles: request.learnerFiles ?? [], privateFiles: [...request.testFiles, ...(request.hiddenFiles ?? [])] });
  const activeLoader = loader;

  // The runner's own timers are unref()'d in Node, so a test awaiting a promise that never
  // settles would let the process exit instead of timing out; this keeps the loop alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stopWatching = watchUnhandled(request, reportUnhandled);
  const importFailures = new Set<string>();

  try {
    const missing = request.testFiles.filter((path) => request.files[path] === undefined);
    for (const path of missing) errors.push({ kind: 'internal', message: `Test file ${path} is not among the files given to the grader.`, file: path });
    if (request.testFiles.length === 0) errors.push({ kind: 'internal', message: 'No test files were given to the grader.' });
    for (const name of unprovided) errors.push({ kind: 'internal', message: `The exercise offers the library "${name}", but this host does not provide it.` });
    await loader.prepare();
    const runner = new MemoryRunner(
      expect,
      { testTimeoutMs: request.testTimeoutMs ?? defaultTestTimeoutMs, seed: request.seed ?? 0 },
      {
        importFile(path) {
          try {
            return activeLoader.runTestFile(path);
          } catch (error) {
            importFailures.add(path);
            errors.push(importError(path, error, activeLoader));
            throw error;
          }
        },
        onCollected(files) {
          emit?.({ type: 'collected', tests: files.flatMap(testsOf).map(collectedTest) });
        },
        onTestStart(test) {
          countOutside(fileOf(test));
          simulations?.takeCounterexample();
          simulationsAtTestStart = simulations?.created() ?? 0;
          running = fullName(test);
          logs.currentTest = running;
          return emit?.({ type: 'test-start', id: test.id, name: running, file: fileOf(test) });
        },
        onTestEnd(test) {
          if (simulations && running !== undefined) {
            simulationsByTest.set(test.id, simulations.created() - simulationsAtTestStart);
            simulationsAtLastBoundary = simulations.created();
            const found = simulations.takeCounterexample();
            if (found !== undefined && test.result?.state === 'fail') counterexamplesByTest.set(test.id, found);
          }
          const result = withCounterexample(
            withSimulations(toTestResult(test, activeLoader), simulations ? simulationsByTest.get(test.id) ?? 0 : undefined),
            counterexamplesByTest.get(test.id),
          );
          if (running !== undefined) lastFinished = running;
          running = undefined;
          logs.currentTest = undefined;
          emit?.({ type: 'test-end', test: result });
        },
      },
    );
    const present = request.testFiles.filter((path) => request.files[path] !== undefined);
    const only = request.onlyTestIds;
    const specs: FileSpecification[] = present.map((path) => ({ filepath: runnerRoot + path, ...(only ? { testIds: [...only] } : {}) }));
    const files = present.length > 0 ? await startTests(specs, runner) : [];
    // Rejections the engine noticed only now (an unawaited promise that failed last) are
    // reported on the next turns of the event loop; wait for them before answering.
    await settle();
    for (const file of files) {
      filesDurationMs += file.result?.duration ?? 0;
      collectFileErrors(file, importFailures, errors, activeLoader);
      // The file tree, not the stream of events, is the complete list: skipped and todo
      // tests never reach the runner's after-test hook.
      countOutside(file.filepath.slice(runnerRoot.length));
      for (const test of testsOf(file)) {
        const attached = attachedReport(test, errors);
        if (attached !== undefined) report = attached;
        const own = simulationsByTest.get(test.id) ?? 0;
        const count = simulations ? own + (simulationsOutsideTests.get(fileOf(test)) ?? 0) : undefined;
        tests.push(
          withCounterexample(
            withSimulations(toTestResult(test, activeLoader), test.result?.state === 'pass' || test.result?.state === 'fail' ? count : undefined),
            counterexamplesByTest.get(test.id),
          ),
        );
      }
    }
  } catch (error) {
    errors.push({ kind: 'internal', message: `The grader failed: ${describeError(error, loader).message}` });
  } finally {
    stopWatching();
    clearInterval(keepAlive);
    timers.cancelAll();
    restoreAllMocks();
    restoreGlobals(globals);
  }

  const passed = tests.filter((t) => t.status === 'pass').length;
  const failed = tests.filter((t) => t.status === 'fail').length;
  const skipped = tests.length - passed - failed;
  // A file's run time covers its tests and its hooks (a beforeAll that runs a simulation is
  // the tests' own work too), but not loading and collecting it.
  const testsDurationMs = Math.max(filesDurationMs, tests.reduce((sum, t) => sum + t.durationMs, 0));
  return {
    ok: failed === 0 && errors.length === 0 && tests.length > 0,
    tests,
    logs: logs.finish(),
    droppedLogLines: logs.dropped,
    errors,
    summary: { passed, failed, skipped, total: tests.length },
    durationMs: round(performance.now() - started),
    testsDurationMs: round(testsDurationMs),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(report === undefined ? {} : { report }),
  };
}

/** The shortest wall time between two progress events of a run. */
export const PROGRESS_INTERVAL_MS = 250;

/** The most a test may attach as a report, serialised. */
export const MAX_REPORT_BYTES = 2_000_000;

/**
 * What a test attached for the results' report page (`task.meta.report`), as plain JSON; a
 * report that is not plain data or is too big is left out, with an error that says so.
 */
function attachedReport(test: Test, errors: GradeError[]): Readonly<Record<string, unknown>> | undefined {
  const meta = test.meta as { report?: unknown };
  if (meta.report === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(meta.report);
  } catch (error) {
    errors.push({ kind: 'internal', message: `The test "${fullName(test)}" attached a report that is not plain data: ${describeError(error, undefined).message}`, file: fileOf(test) });
    return undefined;
  }
  if (text === undefined || !text.startsWith('{')) {
    errors.push({ kind: 'internal', message: `The test "${fullName(test)}" attached a report that is not an object.`, file: fileOf(test) });
    return undefined;
  }
  if (text.length > MAX_REPORT_BYTES) {
    errors.push({ kind: 'internal', message: `The test "${fullName(test)}" attached a report of ${text.length} characters, more than the ${MAX_REPORT_BYTES} a result carries.`, file: fileOf(test) });
    return undefined;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** Lets pending rejection reports arrive: two macrotask turns are enough in Node and in browsers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function watchUnhandled(request: GradeRequest, report: (error: unknown) => void): () => void {
  if (request.watchUnhandled) return request.watchUnhandled(report);
  const scope = globalThis as unknown as {
    addEventListener?: (type: string, listener: (event: Event) => void) => void;
    removeEventListener?: (type: string, listener: (event: Event) => void) => void;
  };
  if (typeof scope.addEventListener !== 'function' || typeof scope.removeEventListener !== 'function') return () => {};
  const onError = (event: Event): void => {
    event.preventDefault();
    report((event as ErrorEvent).error ?? (event as ErrorEvent).message);
  };
  const onRejection = (event: Event): void => {
    event.preventDefault();
    report((event as PromiseRejectionEvent).reason);
  };
  scope.addEventListener('error', onError);
  scope.addEventListener('unhandledrejection', onRejection);
  return () => {
    scope.removeEventListener?.('error', onError);
    scope.removeEventListener?.('unhandledrejection', onRejection);
  };
}

function importError(path: string, error: unknown, loader: ModuleLoader): GradeError {
  if (error instanceof SourceSyntaxError) {
    return {
      kind: 'syntax',
      message: `SyntaxError: ${error.message} (${error.location.file}:${error.location.line}:${error.location.column})`,
      file: error.location.file,
      location: error.location,
      codeFrame: error.codeFrame,
    };
  }
  const described = describeError(error, loader);
  const location = error instanceof ImportResolutionError ? error.location ?? described.location : described.location;
  const frame = frameAt(location, loader);
  return {
    kind: 'import',
    message: `${described.message}${error instanceof ImportResolutionError ? '' : ` (while loading ${path})`}${changesFrozen(error) ? frozenHint : ''}`,
    file: location?.file ?? path,
    ...(location ? { location } : {}),
    ...(frame ? { codeFrame: frame } : {}),
    ...(described.stack ? { stack: described.stack } : {}),
  };
}

/** What a learner reads when their file tried to change the simulator, the harness or a built-in the tests use. */
const frozenHint =
  '. The simulator (@faultlines/sim), the exercise\'s own files and the built-ins the tests compute with (Math, JSON, the ' +
  'methods of arrays, maps, sets, numbers and strings) are frozen while the tests run, so that what they measure cannot ' +
  'be changed: your code can use them, not modify them.';

/** Whether an error is an assignment to (or definition on) something frozen, as harden.ts leaves it. */
function changesFrozen(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /Cannot assign to read only property|object is not extensible|Cannot redefine property|Cannot delete property|Cannot freeze/.test(error.message)
  );
}

/** File- and suite-level errors the runner recorded (a failing `beforeAll`, an empty file). */
function collectFileErrors(file: File, importFailures: ReadonlySet<string>, errors: GradeError[], loader: ModuleLoader): void {
  const path = file.filepath.slice(runnerRoot.length);
  if (importFailures.has(path)) return;
  const visit = (task: Task): void => {
    if (task.type === 'test') return;
    for (const raw of task.result?.errors ?? []) {
      const described = describeError(raw, loader, true);
      errors.push({
        kind: 'import',
        message: task.type === 'suite' && task !== file ? `${described.message} (in "${task.name}")` : described.message,
        file: described.location?.file ?? path,
        ...(described.location ? { location: described.location } : {}),
        ...(described.stack ? { stack: described.stack } : {}),
      });
    }
    for (const child of task.tasks) visit(child);
  };
  visit(file);
}

function toTestResult(test: Test, loader: ModuleLoader): TestResult {
  const status = statusOf(test);
  const ancestors: string[] = [];
  for (let suite = test.suite; suite && suite.type === 'suite' && suite !== test.file; suite = suite.suite) {
    ancestors.unshift(suite.name);
  }
  const base = {
    id: test.id,
    name: fullName(test),
    title: test.name,
    ancestors,
    file: fileOf(test),
    status,
    durationMs: round(test.result?.duration ?? 0),
  };
  const rawErrors = test.result?.errors ?? [];
  const first = rawErrors[0];
  // `context.skip(note)` keeps its note on the result; the runner's types leave it out.
  const note = (test.result as { note?: string } | undefined)?.note;
  if ((status === 'skip' || status === 'todo') && note) return { ...base, note };
  if (status !== 'fail' || first === undefined) return base;
  const described = describeError(first, loader, true);
  const others = rawErrors.slice(1).map((e) => describeError(e, loader, true).message);
  return {
    ...base,
    message: described.message,
    ...(others.length > 0 ? { otherMessages: others } : {}),
    ...(described.expected !== undefined ? { expected: described.expected } : {}),
    ...(described.actual !== undefined ? { actual: described.actual } : {}),
    ...(described.diff !== undefined ? { diff: described.diff } : {}),
    ...(described.location ? { location: described.location } : {}),
    ...(described.stack ? { stack: described.stack } : {}),
  };
}

/**
 * Wraps the simulator module for one grade, adding nothing a test or the learner's code can
 * see a difference in:
 *
 * - `Simulation` becomes a subclass that counts instances, so that each test's result can
 *   say whether it ran a simulation (and so whether "Show trace" has anything to draw);
 * - `checkLinearizability` keeps the last counterexample it found, so that a failed test
 *   can carry it to the results ("Show counterexample").
 */
function instrumentSimulator(
  sim: unknown,
  onProgress: (simulatedMs: number, untilMs: number) => void,
): { module: unknown; created(): number; takeCounterexample(): ShownCounterexample | undefined } | undefined {
  const exports = sim as { Simulation?: unknown; checkLinearizability?: unknown } | undefined;
  const Base = exports?.Simulation;
  if (typeof Base !== 'function') return undefined;
  let count = 0;
  // Named as the class it stands for, which is how an error message names its instances.
  const { Simulation: Counted } = {
    Simulation: class extends (Base as new (...args: unknown[]) => object) {
      constructor(...args: unknown[]) {
        // Every simulation reports its progress to the grader (and still to a callback of its own).
        const options = (args[0] ?? {}) as { onProgress?: (simulatedMs: number, untilMs: number) => void };
        const own = options.onProgress;
        super({ ...options, onProgress: (simulatedMs: number, untilMs: number) => (onProgress(simulatedMs, untilMs), own?.(simulatedMs, untilMs)) }, ...args.slice(1));
        count++;
      }
    },
  };
  Object.defineProperty(Counted, 'name', { value: (Base as { name: string }).name });
  let latest: ShownCounterexample | undefined;
  const check = exports?.checkLinearizability;
  const wrapped =
    typeof check === 'function'
      ? {
          checkLinearizability(...args: unknown[]): unknown {
            const result = (check as (...a: unknown[]) => unknown)(...args);
            const shown = shownCounterexample(args[0], result);
            if (shown !== undefined) latest = shown;
            return result;
          },
        }
      : {};
  return {
    module: { ...(sim as object), Simulation: Counted, ...wrapped },
    created: () => count,
    takeCounterexample() {
      const taken = latest;
      latest = undefined;
      return taken;
    },
  };
}

/**
 * The counterexample of a checker result, as plain data with its state in the model's
 * words; `undefined` for any other result, or one that does not survive a copy.
 */
function shownCounterexample(model: unknown, result: unknown): ShownCounterexample | undefined {
  const r = result as { verdict?: string; counterexample?: { stateAfterPrefix: unknown } } | undefined;
  if (r?.verdict !== 'not-linearizable' || r.counterexample === undefined) return undefined;
  const describe = (model as { describeState?: (state: unknown) => string } | undefined)?.describeState;
  try {
    const state = r.counterexample.stateAfterPrefix;
    const words = typeof describe === 'function' ? describe(state) : (JSON.stringify(state) ?? String(state));
    return JSON.parse(JSON.stringify({ ...r.counterexample, stateAfterPrefix: words })) as ShownCounterexample;
  } catch {
    return undefined;
  }
}

function withCounterexample(result: TestResult, counterexample: ShownCounterexample | undefined): TestResult {
  return counterexample === undefined || result.status !== 'fail' ? result : { ...result, counterexample };
}

function withSimulations(result: TestResult, count: number | undefined): TestResult {
  return count === undefined ? result : { ...result, simulations: count };
}

function collectedTest(test: Test): CollectedTest {
  const ancestors: string[] = [];
  for (let suite = test.suite; suite && suite.type === 'suite' && suite !== test.file; suite = suite.suite) {
    ancestors.unshift(suite.name);
  }
  return { id: test.id, name: fullName(test), title: test.name, ancestors, file: fileOf(test) };
}

function testsOf(task: Task): Test[] {
  if (task.type === 'test') return [task];
  return task.tasks.flatMap(testsOf);
}

function statusOf(test: Test): TestStatus {
  if (test.mode === 'todo') return 'todo';
  const state = test.result?.state;
  if (state === 'pass') return 'pass';
  if (state === 'fail') return 'fail';
  return 'skip';
}

function fullName(test: Test): string {
  return test.fullTestName ?? test.name;
}

function fileOf(test: Test): string {
  return test.file.filepath.slice(runnerRoot.length);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
