/**
 * "Show trace" for a test: the test runs again with every simulation it creates traced,
 * and the traces are turned into the columns the sequence diagram draws.
 *
 * Exercise harnesses turn tracing off to run fast, so the traced run swaps the
 * simulator's `Simulation` for a subclass that turns it back on (keeping the first
 * `maxEvents` events of each run) and remembers every instance. Tracing only records:
 * the run takes the same course, event for event, as the untraced one.
 */
import type * as SimModule from '../sim/index.ts';
import { TraceBatcher } from '../sim/trace-batch.ts';
import type { TracedRun } from './types.ts';

/** Events kept per simulation: enough for the diagram, bounded for the worker's memory. */
export const DEFAULT_TRACE_EVENTS = 100_000;

/**
 * Traced simulations kept per test: the latest ones, so that a test that runs many seeds and
 * stops at the first that fails (or runs its worst seed again last) keeps the run that failed,
 * while a loop of runs cannot exhaust memory.
 */
export const MAX_TRACED_RUNS = 8;

type Sim = InstanceType<typeof SimModule.Simulation>;

export interface TraceCapture {
  /** The simulator module to hand the grader in place of the real one. */
  readonly module: typeof SimModule;
  /** The traced runs of the last {@link MAX_TRACED_RUNS} simulations created, in order. */
  runs(): TracedRun[];
  /** How many simulations were created, traced or not. */
  created(): number;
}

export function captureTraces(sim: typeof SimModule, maxEvents = DEFAULT_TRACE_EVENTS): TraceCapture {
  /** The latest traced simulations, each with its position among all those created (from 1). */
  const kept: { sim: Sim; index: number }[] = [];
  let count = 0;
  class TracedSimulation extends sim.Simulation {
    constructor(options: ConstructorParameters<typeof sim.Simulation>[0]) {
      super({ ...options, trace: { ...options.trace, enabled: true, capacity: maxEvents } });
      count++;
      kept.push({ sim: this, index: count });
      // Dropping the oldest lets its trace be collected once the test lets go of it.
      if (kept.length > MAX_TRACED_RUNS) kept.shift();
    }
  }
  return {
    module: { ...sim, Simulation: TracedSimulation },
    created: () => count,
    runs: () =>
      kept.map(({ sim: run, index }) => {
        const nodes = [...run.nodes];
        const batcher = new TraceBatcher(nodes);
        for (const event of run.trace.events) batcher.add(event);
        return {
          index,
          seed: run.seed,
          nodes,
          durationMs: run.nowMs,
          events: run.trace.events.length,
          truncated: run.trace.truncated,
          batch: batcher.take(),
        };
      }),
  };
}
