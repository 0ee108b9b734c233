import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel, parseEtcdLog, parseKvEdn, registerModel } from '../../../src/sim/checker/index.ts';
import { counterexampleModel, roleCounts } from '../../../src/runtime/visual/counterexample-data.ts';
import { fixturesDir as fixtures } from '../sim/fixtures-checker.ts';

describe('the counterexample view model', () => {
  it('draws the c01-bad history as one lane with the unplaceable read highlighted', () => {
    const result = checkLinearizability(kvModel({ initialValue: '' }), parseKvEdn(readFileSync(`${fixtures}/kv/c01-bad.txt`, 'utf8')));
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    const model = counterexampleModel(result.counterexample);
    expect(model.clients).toEqual([0]);
    const counts = roleCounts(model);
    expect(counts.unplaceable).toBeGreaterThanOrEqual(1);
    const bad = model.bars.find((b) => b.role === 'unplaceable')!;
    expect(bad.description).toContain('get');
    expect(model.explanation).toContain('cannot take effect');
    for (const b of model.bars) {
      expect(b.startMs).toBeGreaterThanOrEqual(model.startMs);
      expect(b.endMs).toBeLessThanOrEqual(model.endMs);
    }
  });

  it('gives every client of an etcd history its own lane, and numbers the valid order', () => {
    const result = checkLinearizability(registerModel(), parseEtcdLog(readFileSync(`${fixtures}/etcd/etcd_000.log`, 'utf8')));
    if (result.verdict !== 'not-linearizable') throw new Error(`expected a counterexample, got ${result.verdict}`);
    const model = counterexampleModel(result.counterexample);
    expect(model.clients.length).toBeGreaterThan(1);
    expect(new Set(model.bars.map((b) => b.lane)).size).toBe(model.clients.length);
    const orders = model.bars.filter((b) => b.role === 'linearized').map((b) => b.order!);
    expect(orders.every((o) => o >= 1)).toBe(true);
    // An operation that never returned runs to the right edge of the picture.
    for (const b of model.bars.filter((x) => x.open)) expect(b.endMs).toBe(model.endMs);
  });
});
