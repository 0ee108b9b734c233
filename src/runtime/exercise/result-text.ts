/**
 * Words the exercise panel shows about a result, as pure functions a unit test can reach.
 */
import type { GradeResult, TestResult } from '../../grader/types.ts';

/** "3 of 5 tests passed." and the like: the one line that sums a result up. */
export function resultHeadline(result: GradeResult): string {
  const { passed, total } = result.summary;
  const syntax = result.errors.find((e) => e.kind === 'syntax');
  if (result.ok) return total === 1 ? 'The test passed.' : `All ${total} tests passed.`;
  if (result.errors.some((e) => e.kind === 'deadline')) return 'Stopped: the code did not finish in time.';
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
