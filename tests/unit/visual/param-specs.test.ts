/** The parameter specs a simulation's markup carries to its runtime (controls.ts). */
import { describe, expect, it } from 'vitest';
import { paramValues, readParamSpecs, sameParamNames, serializeParamSpecs } from '../../../src/runtime/visual/controls.ts';
import type { ScenarioParam } from '../../../src/scenarios/types.ts';
import { listScenarios } from '../../../src/scenarios/index.ts';

const rate: ScenarioParam = { kind: 'number', name: 'ratePerS', label: 'Request rate', min: 10, max: 400, step: 10, default: 70, unit: 'QPS' };
const mode: ScenarioParam = { kind: 'select', name: 'mode', label: 'Mode', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], default: 'a' };
const flag: ScenarioParam = { kind: 'boolean', name: 'flag', label: 'Flag', default: false };

const where = 'simulation demo';
const read = (specs: unknown) => readParamSpecs(JSON.stringify(specs), where);

describe('parameter specs in the markup', () => {
  it('come back from the page exactly as every registered scenario declares them', () => {
    for (const scenario of listScenarios()) expect(readParamSpecs(serializeParamSpecs(scenario.params), where)).toEqual(scenario.params);
  });

  it('name the simulation and the missing attribute when the markup has none', () => {
    expect(() => readParamSpecs(undefined, where)).toThrow('The simulation demo has invalid parameter specs: the data-param-specs attribute is missing.');
    expect(() => readParamSpecs('{', where)).toThrow(/The simulation demo has invalid parameter specs: they are not JSON/);
    expect(() => read({ name: 'x' })).toThrow('they are not a list');
  });

  it('name the parameter and the field that is wrong', () => {
    expect(() => read([{ ...rate, step: 0 }])).toThrow('parameter "ratePerS" has an empty range or a step that is not positive');
    expect(() => read([{ ...rate, max: 'lots' }])).toThrow('parameter "ratePerS" has no numeric max');
    expect(() => read([{ ...mode, default: 'c' }])).toThrow('parameter "mode" has a default that is not one of its options');
    expect(() => read([{ ...flag, default: 'yes' }])).toThrow('parameter "flag" has no true or false default');
    expect(() => read([{ ...flag, kind: 'slider' }])).toThrow('parameter "flag" has an unknown kind "slider"');
    expect(() => read([rate, rate])).toThrow('parameter "ratePerS" appears twice');
    expect(() => read([{ label: 'Nameless' }])).toThrow('parameter 1 has no name');
  });

  it('read a run’s values from its controls, clamped to each parameter’s range', () => {
    const raw: Record<string, string | boolean> = { ratePerS: '95', mode: 'b', flag: true };
    expect(paramValues([rate, mode, flag], (name) => raw[name]!)).toEqual({ ratePerS: 100, mode: 'b', flag: true });
  });

  it('match the worker’s parameters by name and order', () => {
    expect(sameParamNames([rate, mode], [{ name: 'ratePerS' }, { name: 'mode' }])).toBe(true);
    expect(sameParamNames([rate, mode], [{ name: 'mode' }, { name: 'ratePerS' }])).toBe(false);
    expect(sameParamNames([rate], [])).toBe(false);
  });
});
