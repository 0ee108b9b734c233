import type { GradeResult, TestResult } from './types.ts';

const marks: Record<TestResult['status'], string> = { pass: '✓', fail: '✗', skip: '↓', todo: '○' };

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');
}

/**
 * A plain-text report of a grade, as a terminal shows it: one line per test grouped by
 * file, the message, location and diff under each failure, then errors, console output and
 * a summary. The Node host prints it; a WebContainer terminal can print the same.
 */
export function formatResult(result: GradeResult): string {
  const out: string[] = [];
  const byFile = new Map<string, TestResult[]>();
  for (const test of result.tests) byFile.set(test.file, [...(byFile.get(test.file) ?? []), test]);
  for (const [file, tests] of byFile) {
    out.push(file);
    for (const test of tests) {
      const time = test.status === 'pass' || test.status === 'fail' ? `  ${Math.round(test.durationMs)} ms` : '';
      out.push(`  ${marks[test.status]} ${test.name}${test.status === 'todo' ? ' (todo)' : ''}${time}`);
      if (test.status !== 'fail') {
        if (test.note) out.push(indent(test.note, '      '));
        continue;
      }
      if (test.message) out.push(indent(test.message, '      '));
      for (const other of test.otherMessages ?? []) out.push(indent(other, '      '));
      if (test.location) out.push(`      at ${test.location.file}:${test.location.line}:${test.location.column}`);
      if (test.diff) out.push('', indent(test.diff, '      '), '');
    }
    out.push('');
  }
  if (result.errors.length > 0) {
    out.push(`Errors (${result.errors.length})`);
    for (const error of result.errors) {
      const where = error.location ? ` at ${error.location.file}:${error.location.line}:${error.location.column}` : '';
      out.push(indent(`[${error.kind}] ${error.message}${where}`, '  '));
      if (error.test && error.kind === 'unhandled') out.push(`    while "${error.test}" was running or had just finished`);
      if (error.codeFrame) out.push('', indent(error.codeFrame, '    '), '');
    }
    out.push('');
  }
  if (result.logs.length > 0) {
    out.push(`Console (${result.logs.length + (result.droppedLogLines > 0 ? result.droppedLogLines - 1 : 0)} lines)`);
    for (const line of result.logs) out.push(`  ${line.stream === 'stderr' ? '!' : '|'} ${line.text}`);
    out.push('');
  }
  const { passed, failed, skipped, total } = result.summary;
  const parts = [`${passed} passed`, ...(failed ? [`${failed} failed`] : []), ...(skipped ? [`${skipped} skipped`] : [])];
  const overall = result.ok ? 'PASS' : 'FAIL';
  const time = `${Math.round(result.hostDurationMs ?? result.durationMs)} ms (tests ${Math.round(result.testsDurationMs)} ms)`;
  out.push(`${overall}  Tests ${parts.join(', ')} (${total})  ·  ${time}  ·  host ${result.host ?? 'unknown'}`);
  return out.join('\n');
}
