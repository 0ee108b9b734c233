/** A grader's result for one test, as the panel's unit tests build them: `pool > <status>` in pool.test.ts. */
import type { TestResult } from '../../src/grader/types.ts';

export const testResult = (status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({
  id: `t-${status}`,
  name: `pool > ${status}`,
  title: status,
  ancestors: ['pool'],
  file: 'pool.test.ts',
  status,
  durationMs: 3,
  ...extra,
});
