import { describe, expect, it } from 'vitest';
import { grade, type PortableGradeRequest } from '../../../src/grader/index.ts';
import { MAX_TRACED_RUNS, captureTraces } from '../../../src/grader/trace-capture.ts';
import { OUTCOMES } from '../../../src/sim/trace-columns.ts';
import * as sim from '../../../src/sim/index.ts';

/** A harness that turns tracing off, as the exercises' harnesses do, and two tests using it. */
const request: PortableGradeRequest = {
  files: {
    'cluster.ts': [
      "import { Simulation, constant } from '@faultlines/sim';",
      'export async function run(seed: number, loss: number) {',
      '  const sim = new Simulation({ seed, trace: { enabled: false }, network: { latency: constant(1), dropProbability: loss } });',
      "  sim.addNode('server', () => ({ onRequest: () => ({ kind: 'put' as const }) }));",
      "  sim.workload({ name: 'client', target: 'server', arrivals: { kind: 'open', ratePerS: 100 }, mix: { put: 1 }, deadlineMs: 50, stopMs: 1_000 });",
      '  await sim.runUntilIdle();',
      '  return { summary: sim.summary(), traced: sim.trace.events.length };',
      '}',
    ].join('\n'),
    'cluster.spec.ts': [
      "import { describe, expect, it } from 'vitest';",
      "import { run } from './cluster.ts';",
      "describe('cluster', () => {",
      "  it('answers every request', async () => {",
      '    const { summary } = await run(7, 0.2);',
      '    expect(summary.availability).toBe(1);',
      '  });',
      "  it('runs a second simulation', async () => {",
      '    await run(8, 0);',
      '    await run(9, 0);',
      '  });',
      '});',
    ].join('\n'),
  },
  testFiles: ['cluster.spec.ts'],
};

describe('a traced re-run of one test', () => {
  it('runs only that test, with the same verdict, and returns the trace of its simulation', async () => {
    const first = await grade({ ...request, builtins: { '@faultlines/sim': sim } });
    const failing = first.tests.find((t) => t.status === 'fail')!;
    expect(failing.title).toBe('answers every request');

    const capture = captureTraces(sim);
    const again = await grade({ ...request, onlyTestIds: [failing.id], builtins: { '@faultlines/sim': capture.module } });
    expect(again.tests.map((t) => [t.title, t.status])).toEqual([
      ['answers every request', 'fail'],
      ['runs a second simulation', 'skip'],
    ]);
    expect(again.tests[0]!.message).toBe(failing.message);

    const runs = capture.runs();
    expect(runs).toHaveLength(1);
    const [traced] = runs;
    expect(traced!.nodes).toEqual(['server', 'client']);
    expect(traced!.seed).toBe(7);
    expect(traced!.truncated).toBe(false);
    // About 100 requests and their replies, with a fifth of the messages lost.
    const messages = traced!.batch.messages.id.length;
    expect(messages).toBeGreaterThan(150);
    const dropped = [...traced!.batch.ends.outcome].filter((o) => OUTCOMES[o] !== 'delivered').length;
    expect(dropped).toBeGreaterThan(messages * 0.1);
    expect(dropped).toBeLessThan(messages * 0.3);
  });

  it('keeps every simulation a test creates, in order, and at most the given number of events each', async () => {
    const first = await grade({ ...request, builtins: { '@faultlines/sim': sim } });
    const second = first.tests.find((t) => t.title === 'runs a second simulation')!;
    const capture = captureTraces(sim, 50);
    await grade({ ...request, onlyTestIds: [second.id], builtins: { '@faultlines/sim': capture.module } });
    const runs = capture.runs();
    expect(runs.map((r) => [r.index, r.seed, r.events, r.truncated])).toEqual([
      [1, 8, 50, true],
      [2, 9, 50, true],
    ]);
  });

  it(`keeps the traces of the last ${MAX_TRACED_RUNS} simulations of a test, and counts them all`, async () => {
    const capture = captureTraces(sim, 20);
    const loop = {
      files: {
        ...request.files,
        'loop.spec.ts': "import { it } from 'vitest';\nimport { run } from './cluster.ts';\nit('runs many', async () => { for (let i = 0; i < 11; i++) await run(i, 0); });\n",
      },
      testFiles: ['loop.spec.ts'],
    };
    const result = await grade({ ...loop, builtins: { '@faultlines/sim': capture.module } });
    expect(result.ok).toBe(true);
    expect(capture.created()).toBe(11);
    expect(capture.runs().map((r) => r.index)).toEqual(Array.from({ length: MAX_TRACED_RUNS }, (_, i) => 11 - MAX_TRACED_RUNS + i + 1));
    // The last run is the one the loop ended on: seed 10.
    expect(capture.runs().at(-1)?.seed).toBe(10);
  });
});
