/**
 * The `checker` bench suite: how long the linearizability checker takes on each recorded
 * history in `tests/fixtures/linearizability` (Jepsen etcd logs and Porcupine key-value
 * logs), as `checker.<file>_s`, plus `checker.total_s`. Each history is parsed outside the
 * timed section and checked `REPEATS` times; the figure is the fastest run, which is the
 * least disturbed by other work on the machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './types.ts';
import {
  checkLinearizability,
  kvModel,
  parseEtcdLog,
  parseKvEdn,
  registerModel,
} from '../../src/sim/checker/index.ts';

/** How many times each history is checked; the fastest run is reported. */
const REPEATS = 3;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The recorded histories, kept in the repository with their provenance and licence. */
const fixturesDir = path.resolve(repoRoot, 'tests', 'fixtures', 'linearizability');

interface Verdicts {
  readonly expected_linearizable: Record<string, boolean>;
}

export const checkerBench: BenchSuite = {
  name: 'checker',
  async run(report) {
    const verdicts = JSON.parse(readFileSync(path.join(fixturesDir, 'verdicts.json'), 'utf8')) as Verdicts;
    let total = 0;
    let files = 0;
    for (const [file, linearizable] of Object.entries(verdicts.expected_linearizable)) {
      const text = readFileSync(path.join(fixturesDir, file), 'utf8');
      const isEtcd = file.startsWith('etcd/');
      const history = isEtcd ? parseEtcdLog(text) : parseKvEdn(text);
      const model = isEtcd ? registerModel() : kvModel({ initialValue: '' });
      let best = Infinity;
      let steps = 0;
      for (let r = 0; r < REPEATS; r++) {
        const start = performance.now();
        const result = checkLinearizability(model, history);
        const elapsed = (performance.now() - start) / 1000;
        best = Math.min(best, elapsed);
        steps = result.stats.steps;
        const expected = linearizable ? 'linearizable' : 'not-linearizable';
        if (result.verdict !== expected) {
          throw new Error(`checker bench: ${file} gave ${result.verdict}, expected ${expected}.`);
        }
      }
      total += best;
      files++;
      const name = path.basename(file).replace(/\.[^.]+$/, '');
      report({
        name: `checker.${name}_s`,
        value: best,
        unit: 's',
        note: `${history.length} ops, ${linearizable ? 'ok' : 'bad'}, ${steps.toLocaleString('en-US')} steps`,
      });
    }
    report({ name: 'checker.total_s', value: total, unit: 's', note: `all ${files} fixtures, best of ${REPEATS} each` });
  },
};
