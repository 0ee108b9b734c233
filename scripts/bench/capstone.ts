/**
 * The capstone's day in Node: `npm run grade -- capstone --solution --reference-deps`, the
 * whole store built from the reference components through the compressed day, timed as the
 * grade reports it. `grade.capstone_ms` (the page suite) is the same day in the browser's
 * worker host, which is what a learner waits for.
 *
 * - grade.capstone_node_ms: the grade's own time, median of {@link RUNS} runs;
 * - grade.capstone_node_tests_ms: of which the test file's (the day and its checks).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { BenchSuite } from './types.ts';

const root = resolve(import.meta.dirname, '../..');
const RUNS = 3;

interface GradeJson {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly testsDurationMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const capstoneBench: BenchSuite = {
  name: 'capstone',
  async run(report) {
    const totals: number[] = [];
    const tests: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync(process.execPath, ['scripts/grade.ts', 'capstone', '--solution', '--reference-deps', '--json'], {
        cwd: root,
        encoding: 'utf8',
        // The grade's own report ("Built on: …") goes to stderr: keep it out of the table.
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
      const result = JSON.parse(out) as GradeJson;
      if (!result.ok) throw new Error('the capstone reference did not pass in Node');
      totals.push(result.durationMs);
      tests.push(result.testsDurationMs);
    }
    report({ name: 'grade.capstone_node_ms', value: Math.round(median(totals)), unit: 'ms', note: `the capstone's day graded in Node, median of ${RUNS}; the target is the worker host's (grade.capstone_ms)` });
    report({ name: 'grade.capstone_node_tests_ms', value: Math.round(median(tests)), unit: 'ms', note: 'of which the day and its checks' });
  },
};
