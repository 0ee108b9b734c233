import { beforeAll, describe, expect, it } from 'vitest';
import type { GradeEvent, GradeResult, PortableGradeRequest } from '../../../src/grader/index.ts';
import { fixtureRequest, gradeInFreshRealm, type RealmRun } from './fixtures.ts';

/**
 * Every request these tests make, graded in order in one separate process (see
 * `realm-child.ts`): one realm for all of them, which also shows that grades do not leak
 * into each other.
 */
/**
 * Learner files built on the hdr-histogram-js library. One also patches the library's class
 * of 32-bit histograms, the kind the simulator measures latency with: that changes only the
 * learner's own copy.
 */
const histogramFiles = {
  'tail.ts': [
    "import { build } from 'hdr-histogram-js';",
    'export function p99(values: number[]): number {',
    '  const h = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3 });',
    '  for (const v of values) h.recordValue(v);',
    '  return h.getValueAtPercentile(99);',
    '}',
  ].join('\n'),
  'patch.ts': [
    "import { build, Int32Histogram } from 'hdr-histogram-js';",
    '(Int32Histogram.prototype as unknown as Record<string, unknown>).getValueAtPercentile = () => -1;',
    'export const patched = build({ bitBucketSize: 32 }).getValueAtPercentile(50);',
  ].join('\n'),
  'tail.spec.ts': [
    "import { expect, it } from 'vitest';",
    "import { LatencyRecorder } from '@faultlines/sim';",
    "import { p99 } from './tail.ts';",
    "import { patched } from './patch.ts';",
    "it('takes a p99 with the library', () => { expect(p99(Array.from({ length: 1000 }, (_, i) => i + 1))).toBe(990); });",
    "it('measures with histograms the learner cannot reach', () => { expect(patched).toBe(-1); const r = new LatencyRecorder(); r.record(12.5); expect(r.summary().p99Ms).toBeCloseTo(12.5, 1); });",
  ].join('\n'),
};

const requests: Record<string, PortableGradeRequest & { builtins?: Record<string, unknown>; withoutLibraries?: boolean }> = {
  passing: fixtureRequest('passing'),
  failing: fixtureRequest('failing-assertions'),
  thrown: fixtureRequest('thrown-error'),
  async: fixtureRequest('async'),
  rejected: fixtureRequest('rejected-promise'),
  timeout: fixtureRequest('test-timeout'),
  requestTimeout: {
    files: { 'slow.spec.ts': "import { it } from 'vitest';\nit('waits forever', () => new Promise(() => {}));\n" },
    testFiles: ['slow.spec.ts'],
    testTimeoutMs: 50,
  },
  syntax: fixtureRequest('syntax-error'),
  missing: fixtureRequest('missing-import'),
  bareImport: {
    files: {
      'net.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'net.spec.ts': "import { it } from 'vitest';\nimport { x } from './net.ts';\nit('uses x', () => { x; });\n",
    },
    testFiles: ['net.spec.ts'],
    builtins: { '@faultlines/sim': {} },
  },
  earlier: {
    files: {
      '../ring-exercise/types.ts': 'export interface Ring { ownerOf(key: string): string }\n',
      '../ring-exercise/ring.ts':
        "import type { Ring } from './types.ts';\nexport function createRing(): Ring {\n  return {\n    ownerOf(key) {\n      if (key === '') throw new RangeError('empty key');\n      return 'g1';\n    },\n  };\n}\n",
      'router.ts': "import { createRing } from '../ring-exercise/ring.ts';\nexport const owner = (key: string): string => createRing().ownerOf(key);\n",
      'router.spec.ts':
        "import { expect, it } from 'vitest';\nimport { owner } from './router.ts';\nit('routes', () => { expect(owner('k')).toBe('g1'); });\nit('fails inside the ring', () => { owner(''); });\n",
    },
    testFiles: ['router.spec.ts'],
  },
  learnerVitest: {
    files: {
      'answer.ts': "import { expect } from 'vitest';\nexport const testName = (): string | undefined => expect.getState().currentTestName;\n",
      'helper.ts': "import { expect } from 'vitest';\nexport const fromHelper = typeof expect;\n",
      'answer.spec.ts': "import { expect, it } from 'vitest';\nimport { testName } from './answer.ts';\nit('knows nothing of the runner', () => { expect(testName()).toBeUndefined(); });\n",
      'helper.spec.ts': "import { expect, it } from 'vitest';\nimport { fromHelper } from './helper.ts';\nit('a read-only helper may use vitest', () => { expect(fromHelper).toBe('function'); });\n",
    },
    testFiles: ['answer.spec.ts', 'helper.spec.ts'],
    learnerFiles: ['answer.ts'],
    builtins: { '@faultlines/sim': {} },
  },
  library: { files: histogramFiles, testFiles: ['tail.spec.ts'], learnerFiles: ['tail.ts', 'patch.ts'], libraries: ['hdr-histogram-js'], builtins: { '@faultlines/sim': 'real' } },
  libraryNotOffered: { files: histogramFiles, testFiles: ['tail.spec.ts'], learnerFiles: ['tail.ts', 'patch.ts'], builtins: { '@faultlines/sim': 'real' } },
  libraryNotProvided: { files: histogramFiles, testFiles: ['tail.spec.ts'], learnerFiles: ['tail.ts', 'patch.ts'], libraries: ['hdr-histogram-js'], builtins: { '@faultlines/sim': 'real' }, withoutLibraries: true },
  learnerPrivate: {
    files: {
      // The learner's files reach for the hidden answers, and for a test file.
      'answer.ts': "import { expected } from './answers.ts';\nexport const guess = (): number => expected;\n",
      'spy.ts': "import './fixed.spec.ts';\nexport const spied = 1;\n",
      // A read-only helper of the exercise may use a hidden file.
      'fixed.ts': "import { expected } from './answers.ts';\nexport const fromFixed = expected;\n",
      'answers.ts': 'export const expected = 42;\n',
      'answer.spec.ts': "import { expect, it } from 'vitest';\nimport { guess } from './answer.ts';\nit('guesses', () => { expect(guess()).toBe(42); });\n",
      'spy.spec.ts': "import { expect, it } from 'vitest';\nimport { spied } from './spy.ts';\nit('spies', () => { expect(spied).toBe(1); });\n",
      'fixed.spec.ts': "import { expect, it } from 'vitest';\nimport { fromFixed } from './fixed.ts';\nit('a read-only helper may read a hidden file', () => { expect(fromFixed).toBe(42); });\n",
    },
    testFiles: ['answer.spec.ts', 'spy.spec.ts', 'fixed.spec.ts'],
    learnerFiles: ['answer.ts', 'spy.ts'],
    hiddenFiles: ['answers.ts'],
  },
  resolution: {
    files: {
      'lib/index.ts': "export { ring } from './ring.js';\n",
      'lib/ring.ts': 'export const ring = (n: number): number[] => Array.from({ length: n }, (_, i) => i);\n',
      'main.ts': "import { ring } from './lib';\nimport { version } from '@faultlines/sim';\nexport const out = [...ring(3), version];\n",
      'main.spec.ts': "import { expect, it } from 'vitest';\nimport { out } from './main';\nit('loads', () => { expect(out).toEqual([0, 1, 2, 'sim-1']); });\n",
    },
    testFiles: ['main.spec.ts'],
    builtins: { '@faultlines/sim': { version: 'sim-1' } },
  },
  flood: fixtureRequest('console-flood'),
  floodChars: fixtureRequest('console-flood', { logLimits: { maxChars: 200, maxLineChars: 10 } }),
  stray: fixtureRequest('stray-timer'),
  floating: fixtureRequest('unhandled-rejection'),
  polluting: fixtureRequest('global-pollution'),
  probe: {
    files: {
      'probe.spec.ts': [
        "import { expect, it } from 'vitest';",
        "it('sees a clean realm', () => {",
        "  expect('faultlinesLeak' in globalThis).toBe(false);",
        "  expect('faultlinesLast' in Array.prototype).toBe(false);",
        '});',
      ].join('\n'),
    },
    testFiles: ['probe.spec.ts'],
  },
  seed: {
    files: { 'seed.spec.ts': "import { expect, inject, it } from 'vitest';\nit('reads the seed', () => { expect(inject('seed')).toBe(42); });\n" },
    testFiles: ['seed.spec.ts'],
    seed: 42,
  },
  fakeTimers: {
    files: { 'fake.spec.ts': "import { it, vi } from 'vitest';\nit('uses fake timers', () => { vi.useFakeTimers(); });\n" },
    testFiles: ['fake.spec.ts'],
  },
  missingTestFile: { files: {}, testFiles: ['nope.spec.ts'] },
  counterexamples: {
    files: {
      'checked.spec.ts': [
        "import { expect, it } from 'vitest';",
        "import { checkLinearizability, kvModel } from '@faultlines/sim';",
        "const put = (c, v, from, to) => ({ clientId: c, input: { kind: 'put', key: 'x', value: v }, invokeMs: from, returnMs: to, status: 'ok', output: { kind: 'put' } });",
        "const get = (c, v, from, to) => ({ clientId: c, input: { kind: 'get', key: 'x' }, invokeMs: from, returnMs: to, status: 'ok', output: { kind: 'get', value: v } });",
        "const stale = [put(1, 'a', 0, 10), put(2, 'b', 20, 30), get(3, 'a', 40, 50)];",
        "it('fails on a stale read', () => { expect(checkLinearizability(kvModel(), stale).verdict).toBe('linearizable'); });",
        "it('passes although the checker found a violation', () => { expect(checkLinearizability(kvModel(), stale).verdict).toBe('not-linearizable'); });",
        "it('fails on something else after a clean check', () => { checkLinearizability(kvModel(), stale.slice(0, 2)); expect(1).toBe(2); });",
      ].join('\n'),
    },
    testFiles: ['checked.spec.ts'],
    builtins: { '@faultlines/sim': 'real' },
  },
  simulations: {
    files: {
      'runs.spec.ts': [
        "import { expect, it } from 'vitest';",
        "import { Simulation } from '@faultlines/sim';",
        "it('runs two simulations', () => { new Simulation({ seed: 1 }); expect(new Simulation({ seed: 2 })).toBeInstanceOf(Simulation); });",
        "it('runs none', () => { expect(1 + 1).toBe(2); });",
        "it('fails after running one', () => { new Simulation({ seed: 3 }); expect(1).toBe(2); });",
        "it('is skipped with a reason', (context) => { context.skip('the pool is too small to measure'); });",
      ].join('\n'),
      'hooked.spec.ts': [
        "import { beforeAll, expect, it } from 'vitest';",
        "import { Simulation } from '@faultlines/sim';",
        'let sim: Simulation;',
        'beforeAll(() => { sim = new Simulation({ seed: 4 }); });',
        "it('reads the simulation its hook made', () => { expect(sim.nowMs).toBe(0); });",
      ].join('\n'),
    },
    testFiles: ['runs.spec.ts', 'hooked.spec.ts'],
    builtins: { '@faultlines/sim': 'real' },
  },
  slowHook: {
    files: {
      'hook.spec.ts': [
        "import { beforeAll, expect, it } from 'vitest';",
        'let ready = false;',
        'beforeAll(async () => { await new Promise((resolve) => setTimeout(resolve, 60)); ready = true; });',
        "it('runs after the hook', () => { expect(ready).toBe(true); });",
      ].join('\n'),
    },
    testFiles: ['hook.spec.ts'],
  },
};

// A test attaches a report for the results' report page (the capstone's day) as `task.meta.report`.
requests['attached'] = {
  files: {
    'report.spec.ts': [
      "import { expect, it } from 'vitest';",
      "it('attaches a report', ({ task }) => { (task.meta as { report?: unknown }).report = { format: 'r', figures: [1, 2], at: new Date(0).toISOString() }; });",
      "it('attaches a later one, which wins', ({ task }) => { (task.meta as { report?: unknown }).report = { format: 'r', last: true }; expect(1).toBe(1); });",
    ].join('\n'),
    'bad.spec.ts': [
      "import { it } from 'vitest';",
      "it('attaches a number that JSON cannot hold', ({ task }) => { (task.meta as { report?: unknown }).report = { big: 10n }; });",
      "it('attaches a list', ({ task }) => { (task.meta as { report?: unknown }).report = [1]; });",
    ].join('\n'),
  },
  testFiles: ['report.spec.ts', 'bad.spec.ts'],
};

let runs: Record<string, RealmRun> = {};

beforeAll(() => {
  const names = Object.keys(requests);
  const results = gradeInFreshRealm(names.map((name) => requests[name]!));
  runs = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
}, 60_000);

function run(name: string): RealmRun {
  const found = runs[name];
  if (!found) throw new Error(`no run named ${name}`);
  return found;
}

function gradeOf(name: string): GradeResult {
  return run(name).result;
}

function byTitle(result: GradeResult, title: string) {
  const test = result.tests.find((t) => t.title === title);
  if (!test) throw new Error(`no test titled "${title}" in ${result.tests.map((t) => t.title).join(', ')}`);
  return test;
}

describe('grade', () => {
  it('passes every test of a correct exercise and lists skipped and todo tests', () => {
    const result = gradeOf('passing');
    expect(result.summary).toEqual({ passed: 9, failed: 0, skipped: 2, total: 11 });
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(byTitle(result, 'is skipped on purpose').status).toBe('skip');
    expect(byTitle(result, 'measures p99 under a slow backend').status).toBe('todo');
    expect(byTitle(result, 'adds up the weights of every backend').name).toBe('pick > with weights > adds up the weights of every backend');
    expect(result.testsDurationMs).toBeLessThanOrEqual(result.durationMs);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("carries the report a test attached, plain JSON, and refuses one that is not an object of plain data, saying which test", () => {
    const result = gradeOf('attached');
    expect(result.report).toEqual({ format: 'r', last: true });
    expect(result.summary.passed).toBe(4);
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^The test "attaches a number that JSON cannot hold" attached a report that is not plain data: .*BigInt/),
      'The test "attaches a list" attached a report that is not an object.',
    ]);
    expect(gradeOf('passing').report).toBeUndefined();
  });

  it("counts a beforeAll hook's time as the tests' own, not as the grader's overhead", () => {
    const result = gradeOf('slowHook');
    expect(result.ok).toBe(true);
    expect(result.tests[0]!.durationMs).toBeLessThan(50);
    expect(result.testsDurationMs).toBeGreaterThanOrEqual(55);
    expect(result.testsDurationMs).toBeLessThanOrEqual(result.durationMs);
  });

  it('reports a failing toEqual with its message, an uncoloured diff and the line of the expect', () => {
    const result = gradeOf('failing');
    const test = byTitle(result, 'spreads three keys over three shards');
    expect(test.status).toBe('fail');
    expect(test.message).toBe('AssertionError: expected { x: +0, y: 1, z: +0 } to deeply equal { x: +0, y: 1, z: 2 }');
    expect(test.diff).toContain('-   "z": 2,\n+   "z": 0,');
    expect(test.diff).not.toMatch(/\u001b\[/);
    expect(test.location).toEqual({ file: 'balancer.spec.ts', line: 6, column: 40 });
    expect(result.ok).toBe(false);
  });

  it('records every soft assertion and checks expect.assertions', () => {
    const result = gradeOf('failing');
    const soft = byTitle(result, 'reports every soft failure');
    expect(soft.message).toBe('AssertionError: expected 2 to be 3 // Object.is equality');
    expect(soft.otherMessages).toEqual(["AssertionError: expected 'shard' to contain 'z'"]);
    expect(byTitle(result, 'counts the assertions it expected').message).toBe('Error: expected number of assertions to be 2, but got 1');
  });

  it('points an error thrown in the learner file at the learner line and column', () => {
    const result = gradeOf('thrown');
    const quorum = byTitle(result, 'reads the newest version from a majority');
    expect(quorum.message).toBe('RangeError: only 1 of 3 replied: no quorum');
    // `throw new RangeError(...)` starts at column 5 of line 9; V8 points at the `new`.
    expect(quorum.location).toEqual({ file: 'quorum.ts', line: 9, column: 11 });
    expect(quorum.stack).toMatch(/at newest \(quorum\.ts:9:11\)\n\s+at quorum\.spec\.ts:5:17/);
    const missing = byTitle(result, 'reads the version of a missing reply');
    expect(missing.location).toEqual({ file: 'quorum.ts', line: 15, column: 27 });
    expect(byTitle(result, 'throws a plain string').message).toBe('a string, not an Error');
  });

  it("loads an earlier exercise's component laid beside the exercise (../<id>/), and points errors into it", () => {
    const result = gradeOf('earlier');
    expect(byTitle(result, 'routes').status).toBe('pass');
    const failed = byTitle(result, 'fails inside the ring');
    expect(failed.message).toBe('RangeError: empty key');
    expect(failed.location).toEqual({ file: '../ring-exercise/ring.ts', line: 5, column: 29 });
  });

  it("refuses vitest to the learner's files, naming the file and line, and leaves it to the tests and fixed files", () => {
    const result = gradeOf('learnerVitest');
    const error = result.errors.find((e) => e.kind === 'import');
    expect(error?.message).toBe(
      'Error: Cannot import "vitest" in answer.ts:1: vitest runs the tests and measures your code, so your code may not use it. Your files can import the exercise\'s own files (./name.ts) and "@faultlines/sim".',
    );
    expect(error?.location).toMatchObject({ file: 'answer.ts', line: 1 });
    expect(byTitle(result, 'a read-only helper may use vitest').status).toBe('pass');
  });

  it("refuses the hidden files and the test files to the learner's files, naming the file and line, and leaves them to the exercise's own", () => {
    const result = gradeOf('learnerPrivate');
    const messages = result.errors.filter((e) => e.kind === 'import').map((e) => e.message);
    expect(messages).toContain(
      'Error: Cannot import "./answers.ts" in answer.ts:1: answers.ts is a file the exercise keeps hidden: it belongs to the tests. Your files can import ./fixed.ts and ./spy.ts.',
    );
    expect(messages).toContain(
      'Error: Cannot import "./fixed.spec.ts" in spy.ts:1: fixed.spec.ts is a test file: the tests import your code, not the other way round. Your files can import ./answer.ts and ./fixed.ts.',
    );
    expect(result.errors.find((e) => e.message.includes('answer.ts:1'))?.location).toMatchObject({ file: 'answer.ts', line: 1 });
    expect(byTitle(result, 'a read-only helper may read a hidden file').status).toBe('pass');
    expect(result.tests.map((t) => t.title)).not.toContain('guesses');
  });

  it('hands the learner the libraries the exercise offers, a copy of their own that the measurements do not share', () => {
    const result = gradeOf('library');
    expect(result.errors).toEqual([]);
    expect(result.tests.map((t) => [t.title, t.status])).toEqual([
      ['takes a p99 with the library', 'pass'],
      ['measures with histograms the learner cannot reach', 'pass'],
    ]);
  });

  it('refuses a library the exercise does not offer, naming the file and line, and says when a host lacks one', () => {
    const refused = gradeOf('libraryNotOffered');
    expect(refused.errors.map((e) => e.message)).toContain(
      'Error: Cannot import "hdr-histogram-js" in tail.ts:1: this exercise does not offer the library hdr-histogram-js (an exercise lists the libraries it offers in its exercise.json); here, code can import only relative paths to the exercise\'s own files (./name.ts), "@faultlines/sim".',
    );
    expect(refused.errors.find((e) => e.kind === 'import')?.location).toMatchObject({ file: 'tail.ts', line: 1 });
    const lacking = gradeOf('libraryNotProvided');
    expect(lacking.ok).toBe(false);
    expect(lacking.errors.map((e) => e.message)).toContain('The exercise offers the library "hdr-histogram-js", but this host does not provide it.');
  });

  it('runs async tests, resolves and rejects', () => {
    const result = gradeOf('async');
    expect(result.tests.map((t) => [t.title, t.status])).toEqual([
      ['renews a lease after a short wait', 'pass'],
      ['resolves to the holder', 'pass'],
      ['rejects when the lease expires', 'pass'],
      ['expects the wrong holder', 'fail'],
    ]);
    expect(byTitle(result, 'expects the wrong holder').message).toBe("AssertionError: expected 'n4' to be 'n5' // Object.is equality");
  });

  it('fails a test whose promise rejects and carries on with the next', () => {
    const result = gradeOf('rejected');
    expect(byTitle(result, 'replicates a write to the follower').message).toBe('Error: follower unreachable while writing k1');
    expect(byTitle(result, 'replicates a write to the follower').location).toEqual({ file: 'replicate.ts', line: 4, column: 9 });
    expect(byTitle(result, 'returns a rejected promise from the test').message).toBe('Error: rejected on purpose');
    expect(byTitle(result, 'still runs the next test').status).toBe('pass');
    expect(result.errors).toEqual([]);
  });

  it('times out a test that awaits a promise that never settles', () => {
    const result = gradeOf('timeout');
    const test = byTitle(result, 'elects a leader');
    expect(test.status).toBe('fail');
    expect(test.message).toMatch(/^TestTimeoutError: Test timed out in 200ms\./);
    expect(byTitle(result, 'runs after the timed-out test').status).toBe('pass');
  });

  it('applies the request-wide test timeout', () => {
    expect(gradeOf('requestTimeout').tests[0]?.message).toMatch(/^TestTimeoutError: Test timed out in 50ms\./);
  });

  it('reports a syntax error with its position and a code frame', () => {
    const result = gradeOf('syntax');
    expect(result.tests).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error?.kind).toBe('syntax');
    expect(error?.location).toEqual({ file: 'router.ts', line: 8, column: 34 });
    expect(error?.message).toBe('SyntaxError: Unexpected token, expected "," (router.ts:8:34)');
    expect(error?.codeFrame).toBe(
      [
        '   6 | }',
        '   7 |',
        '>  8 | export function broken(a: number {',
        '     |                                  ^',
        '   9 |   return a;',
        '  10 | }',
      ].join('\n'),
    );
  });

  it('names the missing file and the line that imports it', () => {
    const result = gradeOf('missing');
    const [error] = result.errors;
    expect(error?.kind).toBe('import');
    expect(error?.message).toContain('Cannot find "./shard-router.ts" imported from router.spec.ts');
    expect(error?.location).toEqual({ file: 'router.spec.ts', line: 3, column: 23 });
    expect(error?.codeFrame).toContain("> 3 | import { route } from './shard-router.ts';");
  });

  it('refuses bare imports other than vitest and the builtins, naming the file and line', () => {
    expect(gradeOf('bareImport').errors[0]?.message).toBe(
      'Error: Cannot import "node:fs" in net.ts:1: exercises can import only relative paths to the exercise\'s own files (./name.ts), "vitest", "@faultlines/sim".',
    );
  });

  it('resolves specifiers without an extension, with .js for .ts, index files and builtins', () => {
    const result = gradeOf('resolution');
    expect(result.errors).toEqual([]);
    expect(result.summary.passed).toBe(1);
  });

  it('caps a console flood and says how many lines were dropped', () => {
    const { result, events } = run('flood');
    expect(result.summary.passed).toBe(1);
    expect(result.logs).toHaveLength(1001);
    expect(result.logs[0]).toEqual({ stream: 'stdout', text: 'heartbeat 0 from n1', test: 'sends five thousand heartbeats' });
    expect(result.droppedLogLines).toBe(4001);
    expect(result.logs.at(-1)?.text).toBe('… 4001 lines dropped (console output is capped at 1000 lines and 100000 characters)');
    expect(events.filter((e) => e.type === 'log')).toHaveLength(1000);
  });

  it('also caps console output by characters', () => {
    const result = gradeOf('floodChars');
    expect(result.logs[0]?.text).toBe('heartbeat … (9 more characters)');
    expect(result.logs.length).toBeLessThan(20);
  });

  it('lists every test before running any, then streams test starts before the tests run and test ends after', () => {
    const events: GradeEvent[] = run('async').events;
    const kinds = events.map((e) => (e.type === 'test-start' ? `start ${e.name}` : e.type === 'test-end' ? `end ${e.test.name}` : e.type));
    expect(kinds.slice(0, 3)).toEqual(['collected', 'start leases > renews a lease after a short wait', 'end leases > renews a lease after a short wait']);
    expect(kinds).toHaveLength(9);
    const first = events[0];
    const collected = first?.type === 'collected' ? first.tests : [];
    expect(collected.map((t) => t.name)).toEqual(gradeOf('async').tests.map((t) => t.name));
    expect(collected.map((t) => t.id)).toEqual(gradeOf('async').tests.map((t) => t.id));
  });

  it("counts each test's simulations, its file's beforeAll ones included, so that only those offer a trace", () => {
    const result = gradeOf('simulations');
    expect(result.tests.map((t) => [t.title, t.status, t.simulations])).toEqual([
      ['runs two simulations', 'pass', 2],
      ['runs none', 'pass', 0],
      ['fails after running one', 'fail', 1],
      ['is skipped with a reason', 'skip', undefined],
      ['reads the simulation its hook made', 'pass', 1],
    ]);
    expect(result.errors).toEqual([]);
    // The counting subclass is still the simulator's class, by name and by instanceof.
    expect(byTitle(result, 'runs two simulations').message).toBeUndefined();
    // Without the simulator among the builtins, results carry no count at all.
    expect(gradeOf('passing').tests.every((t) => t.simulations === undefined)).toBe(true);
  });

  it("carries the checker's counterexample to a failed test's result, as plain data with its state in words", () => {
    const result = gradeOf('counterexamples');
    const [stale, passing, other] = result.tests;
    expect(stale?.status).toBe('fail');
    const cx = stale?.counterexample;
    expect(cx?.part).toBe('key "x"');
    expect(cx?.operations.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(cx?.operations.map((o) => o.role)).toEqual(['linearized', 'linearized', 'unplaceable']);
    expect(cx?.stateAfterPrefix).toBe('"b"');
    expect(cx?.explanation).toContain('get("x") → "a"');
    expect(JSON.parse(JSON.stringify(cx))).toEqual(cx);
    // A passing test carries none, nor a failure the checker had nothing to do with.
    expect(passing?.status).toBe('pass');
    expect(passing?.counterexample).toBeUndefined();
    expect(other?.status).toBe('fail');
    expect(other?.counterexample).toBeUndefined();
  });

  it("carries a skipped test's reason to the result", () => {
    expect(byTitle(gradeOf('simulations'), 'is skipped with a reason').note).toBe('the pool is too small to measure');
  });

  it('fails the run for an error thrown from a stray timer after its test ended', () => {
    const result = gradeOf('stray');
    expect(result.summary).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 });
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({
        kind: 'unhandled',
        message: 'Error: retry fired after its test had finished',
        location: { file: 'retry.ts', line: 4, column: 11 },
        test: 'waits long enough for the stray timer to fire',
      }),
    ]);
  });

  it('fails the run for a promise that rejects with nobody waiting for it', () => {
    const result = gradeOf('floating');
    expect(result.summary.passed).toBe(2);
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({
        kind: 'unhandled',
        message: 'Error: gossip to n2, n3 failed',
        location: { file: 'gossip.ts', line: 5, column: 11 },
        test: 'starts a round with every peer',
      }),
    ]);
  });

  it('does not let a learner file that pollutes globals leak into the next grade', () => {
    expect(gradeOf('polluting').summary.passed).toBe(1);
    expect(run('polluting').leaked).toBe(false);
    expect(gradeOf('probe').tests[0]?.status).toBe('pass');
  });

  it('lets tests read the seed with inject', () => {
    const result = gradeOf('seed');
    expect(result.summary.passed).toBe(1);
    expect(result.seed).toBe(42);
  });

  it('explains that fake timers are not available', () => {
    expect(gradeOf('fakeTimers').tests[0]?.message).toMatch(/^Error: vi\.useFakeTimers\(\) is not available in the grader/);
  });

  it('says so when a test file is missing from the request', () => {
    const result = gradeOf('missingTestFile');
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toEqual({ kind: 'internal', message: 'Test file nope.spec.ts is not among the files given to the grader.', file: 'nope.spec.ts' });
  });
});
