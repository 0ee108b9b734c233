/**
 * Grader timings in Node. Cold is what a learner waits for with the Node host: spawning a
 * child, loading the grader and grading once. Warm is a re-grade in a realm where the grader
 * is already loaded, as a warm WebContainer process or worker would do; its overhead is the
 * total minus the tests' own running time, which the design budgets at about 50 ms.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grade } from '../../src/grader/index.ts';
import { gradeInChild } from '../../src/grader/node/host.ts';
import { isTestFile, readFolder } from '../../src/grader/node/exercise-files.ts';
import type { BenchSuite } from './types.ts';

const exerciseDir = fileURLToPath(new URL('../../tests/unit/grader/fixtures/passing/', import.meta.url));
const coldRuns = 7;
const warmRuns = 25;

function p50(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const graderBench: BenchSuite = {
  name: 'grader',
  async run(report) {
    const files = readFolder(exerciseDir);
    const request = { files, testFiles: Object.keys(files).filter(isTestFile) };
    const tests = request.testFiles.length;
    // The first child may build the cached child bundle; that is a one-off, not a cold start.
    await gradeInChild(request);
    const cold: number[] = [];
    for (let i = 0; i < coldRuns; i++) {
      const result = await gradeInChild(request);
      if (!result.ok) throw new Error(`the bench exercise failed in the Node host: ${JSON.stringify(result.errors)}`);
      cold.push(result.hostDurationMs ?? result.durationMs);
    }
    // One grade in this realm loads and JIT-warms the engine; the rest are warm.
    await grade(request);
    const warm: number[] = [];
    const overhead: number[] = [];
    for (let i = 0; i < warmRuns; i++) {
      const result = await grade(request);
      warm.push(result.durationMs);
      overhead.push(result.durationMs - result.testsDurationMs);
    }
    const what = `${join('tests/unit/grader/fixtures', 'passing')} (${tests} test file)`;
    report({ name: 'grade.node_cold_ms_p50', value: p50(cold), unit: 'ms', note: `spawn + load + first grade of ${what}; target well under 500` });
    report({ name: 'grade.node_warm_ms_p50', value: p50(warm), unit: 'ms', note: `re-grade in a loaded realm, ${warmRuns} runs` });
    report({ name: 'grade.node_overhead_warm_ms_p50', value: p50(overhead), unit: 'ms', note: 'warm total minus the tests\' own time; target about 50' });
  },
};
