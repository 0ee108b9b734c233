/**
 * A worker that has just started runs everything cold: the transpiler, the test engine and
 * the simulator are parsed lazily and run in V8's slowest tier until they have been called
 * enough. A learner's first simulated run in a fresh worker took 3–5× longer than the same
 * run a moment later. So the Worker host's spare worker grades this small exercise once,
 * out of sight, before it says it is ready: its tests run a balanced cluster with capacity,
 * timers, RPCs, a crash and a partition, which warms the code paths the course's
 * exercises use. No learner code is involved, and the grade's globals are restored after
 * it as after any other.
 */
import type { PortableGradeRequest } from './types.ts';
import service from './warm-up/service.ts?raw';
import spec from './warm-up/service.spec.ts?raw';

export const warmUpRequest: PortableGradeRequest = {
  files: { 'service.ts': service, 'service.spec.ts': spec },
  testFiles: ['service.spec.ts'],
  seed: 1,
};
