/**
 * The exercise panel's pure parts (src/runtime/exercise/result-text.ts, panel-parts.ts): the
 * markers put in the learner's files, the console pane's text, the type check's line, and the
 * typed binding of the server-rendered markup that names any part missing. The panel itself
 * (panel.ts) is driven in Chromium by tests/e2e/exercise.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { testResult } from '../../support/test-result.ts';
import type { GradeResult } from '../../../src/grader/types.ts';
import { PANEL_ACTIONS, bindPanelParts } from '../../../src/runtime/exercise/panel-parts.ts';
import { consoleText, failureMarkers, typeCheckNote } from '../../../src/runtime/exercise/result-text.ts';

const test = testResult;

function result(extra: Partial<GradeResult>): GradeResult {
  return {
    ok: false,
    tests: [],
    logs: [],
    droppedLogLines: 0,
    errors: [],
    summary: { passed: 0, failed: 0, skipped: 0, total: 0 },
    durationMs: 10,
    testsDurationMs: 5,
    ...extra,
  };
}

describe('failureMarkers', () => {
  it("marks failed tests and errors where they point into the learner's files, and nowhere else", () => {
    const markers = failureMarkers(
      result({
        tests: [
          test('fail', { location: { file: 'pool.ts', line: 4, column: 2 }, message: 'too few workers' }),
          test('fail', { id: 'in-test-file', location: { file: 'pool.test.ts', line: 9, column: 1 }, message: 'in the test' }),
          test('fail', { id: 'no-message', location: { file: 'pool.ts', line: 7, column: 5 } }),
          test('pass', { id: 'passed', location: { file: 'pool.ts', line: 1, column: 1 } }),
        ],
        errors: [
          { kind: 'syntax', message: 'Unexpected token', location: { file: 'pool.ts', line: 2, column: 9 } },
          { kind: 'import', message: 'outside', location: { file: 'harness.ts', line: 3, column: 1 } },
          { kind: 'import', message: 'nowhere' },
        ],
      }),
      ['pool.ts'],
    );
    expect(markers).toEqual([
      { file: 'pool.ts', path: 'pool.ts', line: 4, column: 2, message: 'too few workers', severity: 'error' },
      { file: 'pool.ts', path: 'pool.ts', line: 7, column: 5, message: 'failed here', severity: 'error' },
      { file: 'pool.ts', path: 'pool.ts', line: 2, column: 9, message: 'Unexpected token', severity: 'error' },
    ]);
  });
});

describe('consoleText', () => {
  it('says there was no output, marks stderr, and counts the lines cut here and by the grader', () => {
    expect(consoleText({ logs: [], droppedLogLines: 0 }, 3)).toBe('(no console output)');
    const logs = ['a', 'b', 'c', 'd'].map((text, i) => ({ stream: i === 1 ? ('stderr' as const) : ('stdout' as const), text }));
    expect(consoleText({ logs, droppedLogLines: 0 }, 10)).toBe('a\n! b\nc\nd');
    expect(consoleText({ logs, droppedLogLines: 0 }, 3)).toBe('a\n! b\nc\n… 1 more line not shown');
    expect(consoleText({ logs, droppedLogLines: 5 }, 3)).toBe('a\n! b\nc\n… 6 more lines not shown');
    expect(consoleText({ logs: [], droppedLogLines: 2 }, 3)).toBe('… 2 more lines not shown');
  });
});

describe('typeCheckNote', () => {
  it('has a line for a check still running, one that failed and a clean one, and none when there are findings', () => {
    expect(typeCheckNote({ state: 'pending' })).toMatch(/^Checking types/);
    expect(typeCheckNote({ state: 'failed', reason: 'it did not answer within 30 s' })).toBe(
      'The type check could not finish (it did not answer within 30 s); the results above do not include type problems.',
    );
    expect(typeCheckNote({ state: 'done', markers: [] })).toBe('The type checker found no problems.');
    expect(typeCheckNote({ state: 'done', markers: [{ path: 'pool.ts', line: 1, column: 1, message: 'x', severity: 'error' }] })).toBeUndefined();
  });
});

describe('bindPanelParts', () => {
  const selectors = [
    '[data-status]',
    '[data-editor]',
    '[data-tabs]',
    '[data-results]',
    '[data-console]',
    '[data-hints]',
    '[data-storage]',
    '[data-exercise-status]',
    '[data-comparison]',
    '[data-terminal-panel]',
    '[data-terminal]',
    ...PANEL_ACTIONS.map((a) => `[data-action="${a}"]`),
  ];
  /** A stand-in for the section: each selector finds a distinct object, except those left out. */
  const section = (without: readonly string[] = []) => ({
    querySelector: (selector: string) => (without.includes(selector) ? null : ({ selector } as unknown as Element)),
  });

  it('finds every part the markup renders, each by its own selector', () => {
    const parts = bindPanelParts(section(), 'pool');
    expect((parts.results as unknown as { selector: string }).selector).toBe('[data-results]');
    expect((parts.buttons['switch-editor'] as unknown as { selector: string }).selector).toBe('[data-action="switch-editor"]');
    expect(Object.keys(parts.buttons)).toEqual([...PANEL_ACTIONS]);
  });

  it('names every missing part, and the exercise', () => {
    expect(() => bindPanelParts(section(['[data-console]']), 'pool')).toThrow('The exercise panel for pool is missing a part: [data-console].');
    expect(() => bindPanelParts(section(['[data-results]', '[data-action="run"]']), 'pool')).toThrow(
      'The exercise panel for pool is missing 2 parts: [data-results], [data-action="run"].',
    );
    for (const selector of selectors) expect(() => bindPanelParts(section([selector]), 'pool'), selector).toThrow(selector);
  });
});
