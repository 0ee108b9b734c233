/**
 * The measurement is out of the learner's reach: the simulator and the exercise's own modules
 * are frozen before the learner's code loads (src/grader/harden.ts), in the grader (every host
 * goes through `grade()`) and in the exercises' vitest projects (src/grader/exercise-setup.ts).
 * The component fixtures `bug-cheat-*` prove it on the course's exercises; these tests pin the
 * mechanism itself.
 */
import { describe, expect, it } from 'vitest';
import { hardenModule } from '../../../src/grader/harden.ts';
import { mutableExports } from '../../../src/grader/loader.ts';
import { grade } from '../../../src/grader/index.ts';
import * as realSim from '../../../src/sim/index.ts';

describe('hardenModule', () => {
  it('freezes exported classes, their prototypes and methods, statics and plain data, not instances', () => {
    class Meter {
      static defaults = { unit: 'ms', bounds: [1, 2] };
      count = 0;
      tick(): number {
        return ++this.count;
      }
    }
    const shared = new Map<string, number>();
    const exports = { Meter, helper: (x: number) => x + 1, LIMITS: { p99: [10, 20] }, shared };
    hardenModule(exports);
    expect(Object.isFrozen(exports)).toBe(true);
    expect(Object.isFrozen(Meter)).toBe(true);
    expect(Object.isFrozen(Meter.prototype)).toBe(true);
    expect(Object.isFrozen(Meter.prototype.tick)).toBe(true);
    expect(Object.isFrozen(Meter.defaults.bounds)).toBe(true);
    expect(Object.isFrozen(exports.LIMITS.p99)).toBe(true);
    expect(() => {
      (Meter.prototype as { tick: unknown }).tick = () => 0;
    }).toThrow(TypeError);
    // Instances keep their own state, and what is not plain data is left alone.
    const meter = new Meter();
    expect(meter.tick()).toBe(1);
    shared.set('a', 1);
    expect(Object.isFrozen(shared)).toBe(false);
    expect(Object.isFrozen(Object.prototype)).toBe(false);
    expect(Object.isFrozen(Function.prototype)).toBe(false);
  });

  it("keeps a module's own `export let` bindings writable by it, and every other export read-only", () => {
    expect(mutableExports('export let count = 0;\nexport const LIMIT = 3;\n  export var seen = [];\nexport function bump() {}\n')).toEqual(['count', 'seen']);
    const exports: Record<string, unknown> = { count: 0, LIMIT: 3, bump: () => 1 };
    hardenModule(exports, ['count']);
    exports['count'] = 1;
    expect(exports['count']).toBe(1);
    expect(() => {
      exports['LIMIT'] = 1e9;
    }).toThrow(TypeError);
    expect(() => {
      exports['bump'] = () => 2;
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(exports, 'count', { get: () => 0 })).toThrow(TypeError);
    expect(() => {
      exports['added'] = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(exports['bump'])).toBe(true);
  });

  it('leaves a native module namespace as it is (already read-only from outside) and freezes what it exports', async () => {
    const ns = await import('node:path');
    expect(() => hardenModule(ns)).not.toThrow();
  });
});

const harnessFiles = {
  'harness.ts':
    "export function p99(values: number[]): number {\n  const sorted = [...values].sort((a, b) => a - b);\n  return sorted[Math.ceil(0.99 * sorted.length) - 1]!;\n}\n" +
    'export class Checker {\n  ok(value: number): boolean {\n    return value < 10;\n  }\n}\n',
  'spec.spec.ts':
    "import { expect, it } from 'vitest';\nimport { Simulation } from '@faultlines/sim';\nimport { p99, Checker } from './harness.ts';\nimport { latencies } from './mine.ts';\n" +
    "it('measures', () => { expect(p99(latencies())).toBeLessThan(10); expect(new Checker().ok(p99(latencies()))).toBe(true); });\n" +
    "it('runs a simulation', async () => {\n  const sim = new Simulation({ seed: 1 });\n  sim.addNode('echo', () => ({ onRequest: (r) => r.body }));\n" +
    "  sim.workload({ target: 'echo', arrivals: { kind: 'open', ratePerS: 100 }, stopMs: 1_000 });\n  await sim.runUntilIdle();\n  expect(sim.summary().ok).toBeGreaterThan(50);\n});\n",
};

async function gradeLearner(mine: string): Promise<Awaited<ReturnType<typeof grade>>> {
  return grade({
    files: { ...harnessFiles, 'mine.ts': mine },
    testFiles: ['spec.spec.ts'],
    learnerFiles: ['mine.ts'],
    builtins: { '@faultlines/sim': realSim },
  });
}

describe('the grader refuses code that changes what the tests measure with', () => {
  it('passes honest code, and the simulator still runs once frozen', async () => {
    const result = await gradeLearner('export const latencies = (): number[] => [1, 2, 3];\n');
    expect(result.errors).toEqual([]);
    expect(result.tests.map((t) => t.status)).toEqual(['pass', 'pass']);
  });

  it.each([
    ['an exported harness function', "import * as harness from './harness.ts';\n(harness as { p99: unknown }).p99 = () => 1;\n", 2, "Cannot assign to read only property 'p99'"],
    ['a harness class', "import { Checker } from './harness.ts';\nChecker.prototype.ok = () => true;\n", 2, "Cannot assign to read only property 'ok'"],
    [
      'the simulator',
      "import { Simulation } from '@faultlines/sim';\nObject.defineProperty(Simulation.prototype, 'summary', { value: () => ({ ok: 1e9 }) });\n",
      2,
      'Cannot define property summary',
    ],
    ['Math, which the tests compare with', 'const zero = (): number => 0;\nMath.abs = zero;\n', 2, "Cannot assign to read only property 'abs'"],
    [
      'the sort of arrays, which percentiles use',
      'const fake = function (this: number[]): number[] { return this; };\nArray.prototype.sort = fake;\n',
      2,
      "Cannot assign to read only property 'sort'",
    ],
    ['JSON', 'JSON.stringify = (): string => "{}";\n', 1, 'Cannot assign to read only property'],
    ['structuredClone, which harnesses copy messages with', '(globalThis as { structuredClone: unknown }).structuredClone = (x: unknown) => x;\n', 1, "Cannot assign to read only property 'structuredClone'"],
  ])('a learner file that patches %s at import fails to load, at its line, saying why', async (_what, cheat, line, text) => {
    const result = await gradeLearner(`${cheat}export const latencies = (): number[] => [50, 60, 70];\n`);
    expect(result.ok).toBe(false);
    const error = result.errors.find((e) => e.kind === 'import');
    expect(error?.message).toContain(text);
    expect(error?.message).toContain('frozen while the tests run');
    expect(error?.location).toMatchObject({ file: 'mine.ts', line });
  });

  it('leaves ordinary code alone once the built-ins are locked: errors are named, objects get their own methods, arrays sort', async () => {
    const result = await gradeLearner(
      [
        'class Refused extends Error {',
        '  constructor() { super("no"); this.name = "Refused"; }',
        '}',
        'const shown: { toString?: () => string } = {};',
        'shown.toString = () => "mine";',
        'const list = [3, 1, 2];',
        'list.push(0);',
        'export const latencies = (): number[] => {',
        '  if (new Refused().name !== "Refused" || String(shown) !== "mine") throw new Error("broken");',
        '  return list.sort((a, b) => a - b).slice(1);',
        '};',
        '',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.tests.map((t) => t.status)).toEqual(['pass', 'pass']);
    expect(Object.isFrozen(Math) && Object.isFrozen(JSON)).toBe(true);
  });

  it('a patch made later, while a test runs, throws there', async () => {
    const result = await gradeLearner(
      "import { Checker } from './harness.ts';\nexport const latencies = (): number[] => {\n  Checker.prototype.ok = () => true;\n  return [50];\n};\n",
    );
    const measures = result.tests.find((t) => t.title === 'measures');
    expect(measures?.status).toBe('fail');
    expect(measures?.message).toContain("Cannot assign to read only property 'ok'");
  });
});
