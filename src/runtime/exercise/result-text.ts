/**
 * Words the exercise panel shows about a result, as pure functions a unit test can reach.
 */
import type { GradeResult, TestResult } from '../../grader/types.ts';
import type { EditorMarker } from './editor-api.ts';

/** "3 of 5 tests passed." and the like: the one line that sums a result up. */
export function resultHeadline(result: GradeResult): string {
  const { passed, total } = result.summary;
  const syntax = result.errors.find((e) => e.kind === 'syntax');
  if (result.ok) return total === 1 ? 'The test passed.' : `All ${total} tests passed.`;
  if (result.errors.some((e) => e.kind === 'deadline')) return 'Stopped: the code did not finish in time.';
  if (result.errors.some((e) => e.kind === 'cancelled')) return 'Stopped: you stopped the run.';
  if (syntax) return `Not run: a syntax error in ${syntax.location?.file ?? syntax.file ?? 'a file'}${syntax.location ? ` at line ${syntax.location.line}` : ''}.`;
  return `${passed} of ${total} test${total === 1 ? '' : 's'} passed.`;
}

/** Whether "Show trace" has anything to draw for this test: it failed, and created a simulation. */
export function offersTrace(test: TestResult): boolean {
  return test.status === 'fail' && (test.simulations ?? 0) > 0;
}

/**
 * A failure message as the panel shows it. A failed assertion is the test's own verdict,
 * so its sentence is shown without the `AssertionError:` label; any other error (a
 * `TypeError` thrown by the learner's code, a timeout) keeps its name, which says what went
 * wrong.
 */
export function displayedMessage(message: string): string {
  return message.replace(/^AssertionError: /, '');
}

/** What the type checker said, or that it has not said yet. */
export type TypeCheck =
  | { readonly state: 'done'; readonly markers: EditorMarker[] }
  | { readonly state: 'failed'; readonly reason: string }
  | { readonly state: 'pending' };

/**
 * The line the panel shows above the results for a type check that found nothing to list:
 * still running, could not finish, or clean. `undefined` when there are findings to list.
 */
export function typeCheckNote(check: TypeCheck): string | undefined {
  if (check.state === 'pending') return 'Checking types… problems the type checker finds will be listed here.';
  if (check.state === 'failed') return `The type check could not finish (${check.reason}); the results above do not include type problems.`;
  return check.markers.length > 0 ? undefined : 'The type checker found no problems.';
}

/**
 * Editor markers for the failures that point into the learner's own files: a failed test at
 * its location, and any error (syntax, import, a throw outside a test) at its own.
 */
export function failureMarkers(result: GradeResult, editable: readonly string[]): EditorMarker[] {
  const markers: EditorMarker[] = [];
  for (const t of result.tests) {
    if (t.status === 'fail' && t.location && editable.includes(t.location.file)) {
      markers.push({ ...t.location, path: t.location.file, message: t.message ?? 'failed here', severity: 'error' });
    }
  }
  for (const e of result.errors) {
    if (e.location && editable.includes(e.location.file)) {
      markers.push({ ...e.location, path: e.location.file, message: e.message, severity: 'error' });
    }
  }
  return markers;
}

/**
 * The console pane's text: at most `maxLines` lines of what the code printed, stderr marked
 * with "! ", and a last line saying how many more were cut (by the grader or here).
 */
export function consoleText(result: Pick<GradeResult, 'logs' | 'droppedLogLines'>, maxLines: number): string {
  const lines = result.logs.slice(0, maxLines).map((l) => (l.stream === 'stderr' ? `! ${l.text}` : l.text));
  const dropped = result.droppedLogLines + Math.max(0, result.logs.length - maxLines);
  if (dropped > 0) lines.push(`… ${dropped} more line${dropped > 1 ? 's' : ''} not shown`);
  return lines.length ? lines.join('\n') : '(no console output)';
}

/**
 * How a test's line in the results starts and ends: its icon, the word a screen reader
 * hears for it, and what follows its name (how long it took, or why it did not run).
 */
export function testLine(test: Pick<TestResult, 'status' | 'note' | 'durationMs'>): { readonly icon: string; readonly label: string; readonly after: string } {
  const icon = test.status === 'pass' ? '✓' : test.status === 'fail' ? '✗' : '–';
  const label = test.status === 'pass' ? 'passed' : test.status === 'fail' ? 'failed' : test.note?.startsWith('Not run') ? 'not run' : 'skipped';
  const after = test.status === 'pass' || test.status === 'fail' ? ` ${test.durationMs < 1 ? '<1' : Math.round(test.durationMs)} ms` : ` ${label}`;
  return { icon, label, after };
}

/** The heading of the type checker's findings. */
export function diagnosticsHeading(count: number): string {
  return count === 1 ? 'The type checker found a problem' : `The type checker found ${count} problems`;
}
