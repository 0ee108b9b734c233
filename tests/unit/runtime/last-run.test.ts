import { describe, expect, it } from 'vitest';
import { testResult } from '../../support/test-result.ts';
import type { GradeResult, TestResult } from '../../../src/grader/types.ts';
import { PanelStateStore, STORED_LOG_CHARS, STORED_LOG_LINES, parsePanelState, storableResult } from '../../../src/runtime/exercise/last-run.ts';
import { displayedMessage, offersTrace, resultHeadline } from '../../../src/runtime/exercise/result-text.ts';
import type { KeyValueStorage } from '../../../src/runtime/progress.ts';
import { memoryStorage } from '../../support/memory-progress.ts';


const test = testResult;

function result(tests: TestResult[], extra: Partial<GradeResult> = {}): GradeResult {
  const passed = tests.filter((t) => t.status === 'pass').length;
  const failed = tests.filter((t) => t.status === 'fail').length;
  return {
    ok: failed === 0 && tests.length > 0,
    tests,
    logs: [],
    droppedLogLines: 0,
    errors: [],
    summary: { passed, failed, skipped: tests.length - passed - failed, total: tests.length },
    durationMs: 10,
    testsDurationMs: 5,
    seed: 3,
    ...extra,
  };
}

describe('the panel state kept across a reload', () => {
  it('keeps the hints opened and the last run, and reads them back', () => {
    const storage = memoryStorage();
    const run = { result: result([test('pass')]), note: { summary: 'Your tests ran in this browser tab.', details: 'Worker.' }, at: 1000, files: { 'a.ts': 'x' } };
    new PanelStateStore(storage).save('pool', { hintsShown: 2, lastRun: run });
    expect(new PanelStateStore(storage).load('pool')).toEqual({ hintsShown: 2, lastRun: run });
    expect(new PanelStateStore(storage).load('other')).toEqual({ hintsShown: 0 });
  });

  it('keeps the state in memory for the page when storage refuses, and never throws', () => {
    const full: KeyValueStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    const store = new PanelStateStore(full);
    store.save('pool', { hintsShown: 1 });
    expect(store.load('pool')).toEqual({ hintsShown: 1 });
  });

  it('drops malformed stored state instead of failing the panel', () => {
    expect(parsePanelState(null)).toEqual({ hintsShown: 0 });
    expect(parsePanelState({ hintsShown: -3 })).toEqual({ hintsShown: 0 });
    expect(parsePanelState({ hintsShown: 2, lastRun: { at: 1, result: { tests: 'no' } } })).toEqual({ hintsShown: 2 });
    const storage = memoryStorage();
    storage.items.set('faultlines:panel:v1:pool', '{not json');
    expect(new PanelStateStore(storage).load('pool')).toEqual({ hintsShown: 0 });
  });

  it('stores a result without stacks and with at most the console lines the panel shows', () => {
    const logs = Array.from({ length: STORED_LOG_LINES + 20 }, (_, i) => ({ stream: 'stdout' as const, text: `line ${i}` }));
    const stored = storableResult(result([test('fail', { message: 'no', stack: 'at pool.ts:1:1' })], { logs, droppedLogLines: 5 }));
    expect(stored.logs).toHaveLength(STORED_LOG_LINES);
    expect(stored.droppedLogLines).toBe(25);
    expect(stored.tests[0]).not.toHaveProperty('stack');
    expect(stored.tests[0]?.message).toBe('no');
    // Long lines are bounded by characters too, so a chatty run cannot fill the storage code needs.
    const long = Array.from({ length: 100 }, () => ({ stream: 'stdout' as const, text: 'x'.repeat(2_000) }));
    const bounded = storableResult(result([test('pass')], { logs: long }));
    expect(bounded.logs.reduce((sum, l) => sum + l.text.length, 0)).toBeLessThanOrEqual(STORED_LOG_CHARS);
    expect(bounded.droppedLogLines).toBe(100 - bounded.logs.length);
  });
});

describe('the words for a result', () => {
  it('sums a result up in one line, singular and plural right', () => {
    expect(resultHeadline(result([test('pass')]))).toBe('The test passed.');
    expect(resultHeadline(result([test('pass'), test('pass')]))).toBe('All 2 tests passed.');
    expect(resultHeadline(result([test('fail')]))).toBe('0 of 1 test passed.');
    expect(resultHeadline(result([test('pass'), test('fail'), test('skip')]))).toBe('1 of 3 tests passed.');
    expect(resultHeadline(result([test('pass')], { ok: false, errors: [{ kind: 'deadline', message: 'Stopped' }] }))).toBe('Stopped: the code did not finish in time.');
    expect(
      resultHeadline(result([], { ok: false, errors: [{ kind: 'syntax', message: 'x', location: { file: 'ring.ts', line: 4, column: 2 } }] })),
    ).toBe('Not run: a syntax error in ring.ts at line 4.');
  });

  it('offers a trace only for a failed test that ran a simulation', () => {
    expect(offersTrace(test('fail', { simulations: 2 }))).toBe(true);
    expect(offersTrace(test('fail', { simulations: 0 }))).toBe(false);
    expect(offersTrace(test('fail'))).toBe(false);
    expect(offersTrace(test('pass', { simulations: 1 }))).toBe(false);
  });

  it("shows a failed assertion's sentence without its error name, and keeps the name of any other error", () => {
    expect(displayedMessage('AssertionError: With 1 worker, p99 was 56.2 ms; the target is 50 ms.')).toBe('With 1 worker, p99 was 56.2 ms; the target is 50 ms.');
    expect(displayedMessage("TypeError: Cannot read properties of undefined (reading 'length')")).toBe(
      "TypeError: Cannot read properties of undefined (reading 'length')",
    );
    expect(displayedMessage('TestTimeoutError: Test timed out in 4000ms.')).toBe('TestTimeoutError: Test timed out in 4000ms.');
  });
});
