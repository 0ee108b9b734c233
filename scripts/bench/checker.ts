/**
 * The `checker` bench suite: how long the linearizability checker takes on each recorded
 * history in `tests/fixtures/linearizability` (Jepsen etcd logs and Porcupine key-value
 * logs), as `checker.<file>_s`, plus `checker.total_s`. Each history is parsed outside the
 * timed section and checked `REPEATS` times; the figure is the fastest run, which is the
 * least disturbed by other work on the machine.
 *
 * Generated single-register histories of 1k, 4k and 16k operations (linearizable, eight
 * clients) show how the time grows with length: `checker.register_<n>_s`, and
 * `checker.register_16k_ratio`, the 16k figure over the 1k one (16 for linear growth).
 * `checker.tiny_us` is the cost of one check of a ten-operation history, the fixed
 * overhead every small check in an exercise's tests pays.
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
import { registerHistory } from '../../src/sim/checker/synthetic.ts';

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

    const byLength = new Map<number, number>();
    for (const operations of [1_000, 4_000, 16_000]) {
      const history = registerHistory({ operations, seed: 7 });
      let best = Infinity;
      let steps = 0;
      for (let r = 0; r < REPEATS; r++) {
        const start = performance.now();
        const result = checkLinearizability(registerModel(), history);
        best = Math.min(best, (performance.now() - start) / 1000);
        steps = result.stats.steps;
        if (result.verdict !== 'linearizable') throw new Error(`checker bench: the generated ${operations}-operation history gave ${result.verdict}.`);
      }
      byLength.set(operations, best);
      report({
        name: `checker.register_${operations / 1000}k_s`,
        value: best,
        unit: 's',
        note: `generated, linearizable, ${steps.toLocaleString('en-US')} steps`,
      });
    }
    report({
      name: 'checker.register_16k_ratio',
      value: byLength.get(16_000)! / byLength.get(1_000)!,
      unit: '×',
      note: 'time at 16k operations over time at 1k (16 is linear)',
    });

    const tiny = registerHistory({ operations: 10, clients: 3, seed: 3 });
    const calls = 20_000;
    let tinyBest = Infinity;
    for (let r = 0; r < REPEATS; r++) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) checkLinearizability(registerModel(), tiny);
      tinyBest = Math.min(tinyBest, ((performance.now() - start) * 1000) / calls);
    }
    report({ name: 'checker.tiny_us', value: tinyBest, unit: 'µs', note: `one check of a 10-operation history, mean of ${calls.toLocaleString('en-US')}` });
  },
};
