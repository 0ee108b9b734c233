import { describe, expect, it } from 'vitest';
import { controlsFor, initialSeed, nextSeed, parseParam, parseSeed, valueText } from '../../../src/runtime/visual/controls.ts';
import type { ScenarioParam } from '../../../src/scenarios/types.ts';

const rate: Extract<ScenarioParam, { kind: 'number' }> = { kind: 'number', name: 'ratePerS', label: 'Request rate', min: 10, max: 400, step: 10, default: 70, unit: 'QPS' };
const loss: Extract<ScenarioParam, { kind: 'number' }> = { kind: 'number', name: 'loss', label: 'Lost', min: 0, max: 10, step: 0.5, default: 2, unit: '%' };
const mode: ScenarioParam = { kind: 'select', name: 'mode', label: 'Mode', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], default: 'a' };
const flag: ScenarioParam = { kind: 'boolean', name: 'flag', label: 'Flag', default: false };

describe('parameter controls', () => {
  it('label values with their unit, as a screen reader will read them', () => {
    expect(valueText(rate, 70)).toBe('70 QPS');
    expect(valueText(loss, 2.5)).toBe('2.5%');
  });

  it('start from the defaults unless values are given', () => {
    const controls = controlsFor([rate, mode, flag], { ratePerS: 90 });
    expect(controls.map((c) => c.value)).toEqual([90, 'a', false]);
  });

  it('clamp a value to the parameter’s range and step, so a stale form cannot build an unplanned run', () => {
    expect(parseParam(rate, '95')).toBe(100);
    expect(parseParam(rate, '9999')).toBe(400);
    expect(parseParam(rate, 'abc')).toBe(70);
    expect(parseParam(loss, '0.30000000000000004')).toBe(0.5);
    expect(parseParam(mode, 'zzz')).toBe('a');
    expect(parseParam(flag, true)).toBe(true);
  });
});

describe('seeds', () => {
  it('accept whole numbers only, and a new seed always differs', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed('-1')).toBeUndefined();
    expect(parseSeed('1.5')).toBeUndefined();
    expect(initialSeed(undefined)).toBe(1);
    expect(initialSeed(7)).toBe(7);
    let calls = 0;
    expect(nextSeed(0, () => (calls++ === 0 ? 0 : 0.5))).toBe(2 ** 30);
  });
});
