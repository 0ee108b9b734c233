/**
 * The exercise panel's units that decide without a page: what the hint button and the
 * status line say, where an arrow key moves among the file tabs, when autosave writes,
 * how a test's line reads, and how long a run waits for the type checker. The panel itself
 * (panel.ts) is driven in Chromium by tests/e2e/exercise.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Autosave, type Timers } from '../../../src/runtime/exercise/autosave.ts';
import { tabAfterKey } from '../../../src/runtime/exercise/file-tabs.ts';
import { comparisonStatus, hintButtonState, readyStatus, runningStatus, storageFailureText, submissionFor } from '../../../src/runtime/exercise/panel-text.ts';
import { diagnosticsHeading, testLine } from '../../../src/runtime/exercise/result-text.ts';
import { typeCheck, within } from '../../../src/runtime/exercise/type-check.ts';
import { testResult } from '../../support/test-result.ts';

describe('the hint button', () => {
  it('offers the next hint by its number, and says when all are shown', () => {
    expect(hintButtonState(0, 3)).toEqual({ text: 'Show hint 1 of 3', disabled: false });
    expect(hintButtonState(2, 3)).toEqual({ text: 'Show hint 3 of 3', disabled: false });
    expect(hintButtonState(3, 3)).toEqual({ text: 'All hints shown', disabled: true });
    expect(hintButtonState(0, 0)).toEqual({ text: 'All hints shown', disabled: true });
  });
});

describe('the status line', () => {
  it('says what came back after a reload, and how to run the tests', () => {
    expect(readyStatus({ savedCode: false, lastRun: false, editorNote: '' })).toBe('The exercise is ready. Run the tests with the button or Ctrl+Enter (⌘+Enter on a Mac).');
    expect(readyStatus({ savedCode: true, lastRun: true, editorNote: 'A plain editor.' })).toBe(
      'Your saved code is back in the editor. Your last result is below. A plain editor. Run the tests with the button or Ctrl+Enter (⌘+Enter on a Mac).',
    );
  });

  it('counts the tests as they run, out of how many once the runner has listed them', () => {
    expect(runningStatus(2, 5, 'routes around a slow backend')).toBe('Running test 2 of 5: routes around a slow backend');
    expect(runningStatus(1, 0, 'starts')).toBe('Running test 1: starts');
  });

  it('says how the comparison with the reference is drawn', () => {
    expect(comparisonStatus('side-by-side', 'ring.ts')).toBe('Comparing your ring.ts (left) with the reference (right). Close the comparison to keep editing.');
    expect(comparisonStatus('inline', 'ring.ts')).toMatch(/^Comparing your ring\.ts with the reference in one column .* marked −, .* \+\./);
    expect(comparisonStatus(undefined, 'ring.ts')).toBe('The reference ring.ts is shown below the editor. Close the comparison to keep editing.');
  });

  it('tells the learner why their code is not saved and how to keep a copy', () => {
    expect(storageFailureText('the storage is full')).toMatch(/^Your code cannot be saved in this browser \(the storage is full\)\..*Export progress/);
  });
});

describe('the file tabs', () => {
  it('move with the arrow keys and wrap around at either end', () => {
    expect(tabAfterKey('ArrowRight', 0, 3)).toBe(1);
    expect(tabAfterKey('ArrowRight', 2, 3)).toBe(0);
    expect(tabAfterKey('ArrowLeft', 0, 3)).toBe(2);
    expect(tabAfterKey('Enter', 1, 3)).toBeUndefined();
  });
});

/** A clock the test moves by hand. */
function manualTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  return {
    setTimeout: (run, ms) => {
      due.set(++next, { at: now + ms, run });
      return next;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [handle, timer] of [...due]) {
        if (timer.at > now) continue;
        due.delete(handle);
        timer.run();
      }
    },
  };
}

describe('autosave', () => {
  it('saves once typing has paused, however many changes came before', () => {
    const timers = manualTimers();
    const save = vi.fn();
    const autosave = new Autosave({ save, timers });
    autosave.changed();
    timers.advance(200);
    autosave.changed();
    timers.advance(200);
    expect(save).not.toHaveBeenCalled();
    expect(autosave.pending).toBe(true);
    timers.advance(100);
    expect(save).toHaveBeenCalledTimes(1);
    expect(autosave.pending).toBe(false);
  });

  it('saves at once when flushed, and not again when the pause ends', () => {
    const timers = manualTimers();
    const save = vi.fn();
    const autosave = new Autosave({ save, timers, delayMs: 300 });
    autosave.changed();
    autosave.flush();
    expect(save).toHaveBeenCalledTimes(1);
    timers.advance(1_000);
    expect(save).toHaveBeenCalledTimes(1);
  });
});

describe('a test in the results', () => {
  it('reads as passed or failed with its time, or as not run or skipped', () => {
    expect(testLine(testResult('pass', { durationMs: 12.4 }))).toEqual({ icon: '✓', label: 'passed', after: ' 12 ms' });
    expect(testLine(testResult('fail', { durationMs: 0.3 }))).toEqual({ icon: '✗', label: 'failed', after: ' <1 ms' });
    expect(testLine(testResult('skip', { note: 'Not run: an earlier test timed out.' }))).toEqual({ icon: '–', label: 'not run', after: ' not run' });
    expect(testLine(testResult('skip'))).toEqual({ icon: '–', label: 'skipped', after: ' skipped' });
  });

  it('heads the type checker’s findings with their number', () => {
    expect(diagnosticsHeading(1)).toBe('The type checker found a problem');
    expect(diagnosticsHeading(3)).toBe('The type checker found 3 problems');
  });
});

describe('what the hosts grade', () => {
  it('carries the exercise’s tests, timeouts and seed, or the seed of the run shown', () => {
    const payload = { files: [], testFiles: ['a.test.ts'], seed: 7, testTimeoutMs: 5_000, runTimeoutMs: 60_000 };
    expect(submissionFor('ring', payload, { 'ring.ts': 'x' }, ['ring.ts'])).toEqual({
      exerciseId: 'ring',
      files: { 'ring.ts': 'x' },
      testFiles: ['a.test.ts'],
      learnerFiles: ['ring.ts'],
      seed: 7,
      testTimeoutMs: 5_000,
      runTimeoutMs: 60_000,
    });
    expect(submissionFor('ring', payload, {}, [], 42).seed).toBe(42);
  });

  it("names the exercise's hidden files, which the learner's files may not import", () => {
    const payload = {
      files: [
        { path: 'percentile.ts', role: 'editable' as const, starter: '' },
        { path: 'samples.ts', role: 'hidden' as const, starter: '' },
      ],
      testFiles: ['percentile.test.ts'],
      seed: 1,
      testTimeoutMs: 5_000,
      runTimeoutMs: 10_000,
    };
    expect(submissionFor('percentile', payload, {}, ['percentile.ts']).hiddenFiles).toEqual(['samples.ts']);
  });
});

describe('the type check beside a run', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is shown as pending when it has not answered in time, and as its answer when it has', async () => {
    vi.useFakeTimers();
    const never = new Promise<never>(() => undefined);
    const late = within(never, 1_500);
    await vi.advanceTimersByTimeAsync(1_500);
    await expect(late).resolves.toEqual({ state: 'pending' });
    await expect(within(Promise.resolve({ state: 'done', markers: [] }), 1_500)).resolves.toEqual({ state: 'done', markers: [] });
  });

  it('gives up on a type checker that never answers, and reports one that fails', async () => {
    vi.useFakeTimers();
    const silent = typeCheck({ diagnostics: () => new Promise(() => undefined) }, ['a.ts'], 30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(silent).resolves.toEqual({ state: 'failed', reason: 'it did not answer within 30 s' });
    await expect(typeCheck({ diagnostics: () => Promise.reject(new Error('the worker crashed')) }, ['a.ts'])).resolves.toEqual({ state: 'failed', reason: 'the worker crashed' });
  });
});
