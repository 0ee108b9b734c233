import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  kvModel,
  parseEtcdLog,
  parseKvEdn,
  registerModel,
} from '../../../src/sim/checker/index.ts';
import { fixturesDir } from './fixtures-checker.ts';

interface Verdicts {
  readonly excluded: Record<string, string>;
  readonly expected_linearizable: Record<string, boolean>;
}

const verdicts = JSON.parse(readFileSync(path.join(fixturesDir, 'verdicts.json'), 'utf8')) as Verdicts;

/** Checks one fixture file with the model its format calls for. */
function checkFixture(file: string) {
  const text = readFileSync(path.join(fixturesDir, file), 'utf8');
  return file.startsWith('etcd/')
    ? checkLinearizability(registerModel(), parseEtcdLog(text))
    : checkLinearizability(kvModel({ initialValue: '' }), parseKvEdn(text));
}

describe('linearizability checker on recorded Jepsen and Porcupine histories', () => {
  it('has a verdict for every fixture file except the excluded empty log', () => {
    const listed = Object.keys(verdicts.expected_linearizable);
    expect(listed.filter((f) => f.startsWith('etcd/'))).toHaveLength(102);
    expect(listed.filter((f) => f.startsWith('kv/'))).toHaveLength(6);
    expect(Object.keys(verdicts.excluded)).toEqual(['etcd/etcd_095.log']);
  });

  it('explains the first violation in etcd_000 as a read that no order of the open writes can satisfy', () => {
    const result = checkFixture('etcd/etcd_000.log');
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    const cx = result.counterexample;
    expect(cx.part).toBe('the register');
    expect(cx.explanation).toMatch(/^read\(\) → "2" \(client 11\) cannot take effect: after the longest valid order found \(\d+ of the \d+ operations shown, on the register\) the state is "\d"/);
  });

  for (const [file, linearizable] of Object.entries(verdicts.expected_linearizable)) {
    it(`finds ${file} ${linearizable ? 'linearizable' : 'not linearizable'}, as the reference checker does`, () => {
      const result = checkFixture(file);
      expect(result.verdict).toBe(linearizable ? 'linearizable' : 'not-linearizable');
      if (result.verdict === 'not-linearizable') {
        const cx = result.counterexample;
        // The counterexample names one operation that cannot be placed and stays small
        // enough to draw.
        expect(cx.unplaceable).toHaveLength(1);
        expect(cx.operations.filter((o) => o.role === 'unplaceable').map((o) => o.index)).toEqual(cx.unplaceable);
        expect(cx.operations.length).toBeLessThanOrEqual(12);
        expect(cx.explanation.length).toBeGreaterThan(20);
        // The operations shown fail by themselves, so a reader can follow them by hand;
        // without the one that cannot be placed, they fit.
        const model = file.startsWith('etcd/') ? registerModel() : kvModel({ initialValue: '' });
        expect(checkLinearizability(model, cx.operations.map((o) => o.operation)).verdict).toBe('not-linearizable');
        const rest = cx.operations.filter((o) => o.role !== 'unplaceable').map((o) => o.operation);
        expect(checkLinearizability(model, rest).verdict).toBe('linearizable');
      }
    });
  }
});
