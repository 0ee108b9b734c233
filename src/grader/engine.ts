/**
 * The vitest engine, assembled from vitest's own standalone packages: `@vitest/runner`
 * collects and runs tests, `@vitest/expect` on chai judges them, `@vitest/spy` makes
 * mocks. Nothing here re-implements how a test passes or fails; it only wires the parts
 * together the way `vitest` does, so that verdicts and messages match `vitest run`.
 */
import * as chai from 'chai';
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  customMatchers,
  getState,
  setState,
  type ExpectStatic,
  type MatcherState,
} from '@vitest/expect';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  getCurrentTest,
  it,
  onTestFailed,
  onTestFinished,
  suite,
  test,
  type File,
  type Test,
  type TestContext,
  type VitestRunner,
  type VitestRunnerConfig,
  type VitestRunnerImportSource,
} from '@vitest/runner';
import { clearAllMocks, fn, isMockFunction, resetAllMocks, restoreAllMocks, spyOn } from '@vitest/spy';
import { setSafeTimers } from '@vitest/utils/timers';
import { disableDefaultColors } from 'tinyrainbow';

/** The assertion bookkeeping `expect.assertions()` and `expect.hasAssertions()` rely on. */
interface AssertionState {
  assertionCalls: number;
  isExpectingAssertions: boolean;
  isExpectingAssertionsError: Error | null;
  expectedAssertionsNumber: number | null;
  expectedAssertionsNumberErrorGen: (() => Error) | null;
}

const freshAssertionState = (): AssertionState => ({
  assertionCalls: 0,
  isExpectingAssertions: false,
  isExpectingAssertionsError: null,
  expectedAssertionsNumber: null,
  expectedAssertionsNumberErrorGen: null,
});

type Assertion = ReturnType<typeof chai.expect> & { withTest(test: Test): Assertion; withContext(context: object): Assertion };

let installed: ExpectStatic | undefined;

/**
 * Prepares chai and the engine once per realm: matchers are installed on chai's shared
 * prototype, so doing it twice would stack wrappers. Colours are turned off because results
 * are shown as plain text, and a diff full of escape codes is unreadable there.
 */
export function installEngine(): ExpectStatic {
  if (installed) return installed;
  disableDefaultColors();
  // The runner captured the timers at import; saving them again here protects the
  // runner's own timeouts from a learner who replaces `globalThis.setTimeout`.
  setSafeTimers();
  chai.use(JestExtend);
  chai.use(JestChaiExpect);
  chai.use(ChaiStyleAssertions);
  chai.use(JestAsymmetricMatchers);
  const globalExpect = createExpect();
  globalExpect.extend(customMatchers);
  Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: globalExpect, writable: true, configurable: true });
  installed = globalExpect;
  return globalExpect;
}

/**
 * Builds an `expect` function. The global one guesses the running test; a test's own
 * (`({ expect }) => …`) is bound to it, which is what `.resolves`, `.rejects` and
 * `expect.soft` need to attach their outcome to the right test.
 */
function createExpect(boundTest?: Test): ExpectStatic {
  // vitest's own ExpectStatic type adds `soft`, `poll` and friends; the standalone package's
  // type does not know them, so they are attached through this looser view.
  const extra = (): Record<string, unknown> => expect as unknown as Record<string, unknown>;
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect);
    setState({ assertionCalls: assertionCalls + 1 }, expect);
    const assertion = chai.expect(value, message) as Assertion;
    const current = boundTest ?? getCurrentTest();
    return current ? assertion.withTest(current) : assertion;
  }) as unknown as ExpectStatic;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
  expect.getState = () => getState(expect);
  expect.setState = (state: Partial<MatcherState>) => setState(state, expect);
  const inherited = getState((globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] as ExpectStatic) ?? {};
  setState<MatcherState>(
    {
      ...inherited,
      ...freshAssertionState(),
      currentTestName: boundTest ? boundTest.fullTestName ?? boundTest.name : inherited.currentTestName,
    } as Partial<MatcherState>,
    expect,
  );
  extra().assert = chai.assert;
  expect.extend = (matchers) => (chai.expect as unknown as { extend(e: ExpectStatic, m: unknown): void }).extend(expect, matchers);
  extra().soft = (value: unknown, message?: string) => (expect(value, message) as unknown as Assertion).withContext({ soft: true });
  extra().unreachable = (message?: string): never => {
    chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);
    throw new Error('unreachable');
  };
  const assertions = (expected: number): void => {
    const errorGen = (): Error =>
      new Error(`expected number of assertions to be ${expected}, but got ${getState(expect).assertionCalls}`);
    setState({ expectedAssertionsNumber: expected, expectedAssertionsNumberErrorGen: errorGen } as Partial<MatcherState>, expect);
  };
  const hasAssertions = (): void => {
    const error = new Error('expected any number of assertion, but got none');
    setState({ isExpectingAssertions: true, isExpectingAssertionsError: error } as Partial<MatcherState>, expect);
  };
  chai.util.addMethod(expect, 'assertions', assertions);
  chai.util.addMethod(expect, 'hasAssertions', hasAssertions);
  extra().poll = () => {
    throw new Error('expect.poll() is not available in the grader: tests run on simulated time, so there is nothing to wait for.');
  };
  return expect;
}

/**
 * The `vi` object exercises see. The grader supports mocks and spies; fake timers and module
 * mocking belong to vitest's Node runtime, so asking for them fails with a message that
 * says so instead of an opaque `undefined is not a function`.
 */
export function createVi(): Record<string, unknown> {
  const supported: Record<string, unknown> = {
    fn,
    spyOn,
    isMockFunction,
    clearAllMocks,
    resetAllMocks,
    restoreAllMocks,
    mocked: <T>(value: T): T => value,
  };
  return new Proxy(supported, {
    get(target, key) {
      if (typeof key !== 'string' || key in target) return target[key as string];
      return () => {
        throw new Error(`vi.${key}() is not available in the grader; exercises can use vi.fn, vi.spyOn and the *AllMocks helpers.`);
      };
    },
  });
}

/** What `import … from 'vitest'` gives an exercise. */
export function createVitestModule(expect: ExpectStatic, injected: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const api: Record<string, unknown> = {
    describe,
    suite,
    it,
    test,
    expect,
    assert: chai.assert,
    vi: createVi(),
    vitest: undefined,
    beforeAll,
    afterAll,
    beforeEach,
    afterEach,
    onTestFailed,
    onTestFinished,
    inject: (key: string) => injected[key],
  };
  api.vitest = api.vi;
  return new Proxy(api, {
    get(target, key) {
      if (typeof key !== 'string') return undefined;
      if (key === '__esModule') return true;
      if (key in target) return target[key];
      if (key === 'default' || key === 'then') return undefined;
      return () => {
        throw new Error(`"${key}" from "vitest" is not available in the grader.`);
      };
    },
  });
}

/** What the grade loop needs to hear from the runner. */
export interface RunnerHooks {
  importFile(path: string): unknown;
  /** May return a promise: the test body waits for it (see `GradeRequest.onEvent`). */
  onTestStart(test: Test): void | Promise<void>;
  onTestEnd(test: Test): void;
  /** Every file is loaded and its tests are known; none has run yet. */
  onCollected?(files: readonly File[]): void;
}

/** Runner settings that differ from one grade to the next. */
export interface RunnerOptions {
  readonly testTimeoutMs: number;
  readonly seed: number;
}

/** Test files are given to the runner as `/<exercise path>`; this is the runner's root. */
export const runnerRoot = '/';

/**
 * A {@link VitestRunner} whose files come from memory. It resets the assertion counters
 * around each test attempt and checks `expect.assertions()` afterwards, as vitest does.
 */
export class MemoryRunner implements VitestRunner {
  readonly config: VitestRunnerConfig;
  readonly #hooks: RunnerHooks;
  readonly #expect: ExpectStatic;

  constructor(expect: ExpectStatic, options: RunnerOptions, hooks: RunnerHooks) {
    this.#expect = expect;
    this.#hooks = hooks;
    this.config = {
      root: runnerRoot,
      setupFiles: [],
      name: undefined,
      passWithNoTests: false,
      testNamePattern: undefined,
      allowOnly: true,
      sequence: { shuffle: false, concurrent: false, seed: options.seed, hooks: 'stack', setupFiles: 'parallel' },
      chaiConfig: undefined,
      maxConcurrency: 5,
      testTimeout: options.testTimeoutMs,
      hookTimeout: Math.max(10_000, options.testTimeoutMs),
      retry: 0,
      includeTaskLocation: false,
      diffOptions: undefined,
      tags: [],
      tagsFilter: undefined,
      strictTags: false,
    };
  }

  importFile(filepath: string, _source: VitestRunnerImportSource): unknown {
    return this.#hooks.importFile(filepath.slice(runnerRoot.length));
  }

  onCollected(files: File[]): void {
    this.#hooks.onCollected?.(files);
  }

  onBeforeRunTask(test: Test): void | Promise<void> {
    if (test.mode === 'run' || test.mode === 'queued') return this.#hooks.onTestStart(test);
    this.#hooks.onTestEnd(test);
  }

  onAfterRunTask(test: Test): void {
    this.#hooks.onTestEnd(test);
  }

  onBeforeTryTask(test: Test): void {
    const state = freshAssertionState();
    setState({ ...state, currentTestName: test.fullTestName ?? test.name } as Partial<MatcherState>, this.#expect);
    const context = test.context as TestContext & { _local?: boolean; expect: ExpectStatic };
    if (context._local) setState(state as Partial<MatcherState>, context.expect);
  }

  onAfterTryTask(test: Test): void {
    const context = test.context as TestContext & { _local?: boolean; expect: ExpectStatic };
    const state = getState(context._local ? context.expect : this.#expect) as unknown as AssertionState;
    if (state.expectedAssertionsNumber !== null && state.assertionCalls !== state.expectedAssertionsNumber) {
      throw state.expectedAssertionsNumberErrorGen?.() ?? new Error('unexpected number of assertions');
    }
    if (state.isExpectingAssertions && state.assertionCalls === 0) {
      throw state.isExpectingAssertionsError ?? new Error('expected any number of assertion, but got none');
    }
  }

  extendTaskContext(context: TestContext): TestContext {
    let own: ExpectStatic | undefined;
    Object.defineProperty(context, 'expect', {
      get: () => (own ??= createExpect(context.task)),
    });
    Object.defineProperty(context, '_local', { get: () => own !== undefined });
    return context;
  }

  trace<T>(_name: string, attributesOrFn: Record<string, unknown> | (() => T), fn?: () => T): T {
    const run = typeof attributesOrFn === 'function' ? attributesOrFn : fn;
    if (!run) throw new Error('trace() needs a callback');
    return run();
  }
}

export type { File, Test };
