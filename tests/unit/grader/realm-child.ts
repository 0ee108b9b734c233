/**
 * Runs grade requests one after another in a process of their own and prints the results.
 *
 * The grader's tests cannot call `grade()` inside vitest's own worker: vitest 5 and the
 * grader's engine would share one chai and one set of global matcher objects, and each would
 * change the other's matchers. Every host gives the grader a realm of its own; so do these
 * tests, and grading several requests in the same process also shows that one grade does not
 * leak into the next.
 *
 * Input (stdin): `{ requests: PortableGradeRequest & { builtins?: object }[] }`.
 * Output (stdout): `{ results: { result: GradeResult, events: GradeEvent[] }[] }`.
 */
import { readFileSync } from 'node:fs';
import { grade, type GradeEvent, type GradeRequest } from '../../../src/grader/index.ts';

const input = JSON.parse(readFileSync(0, 'utf8')) as { requests: GradeRequest[] };
const results: unknown[] = [];
for (const request of input.requests) {
  const events: GradeEvent[] = [];
  // Functions cannot cross the process boundary: `'@faultlines/sim': 'real'` asks for the simulator itself.
  const builtins =
    request.builtins?.['@faultlines/sim'] === 'real'
      ? { ...request.builtins, '@faultlines/sim': await import('../../../src/sim/index.ts') }
      : request.builtins;
  const result = await grade({
    ...request,
    ...(builtins ? { builtins } : {}),
    onEvent: (event) => void events.push(event),
    watchUnhandled(report) {
      process.on('uncaughtException', report);
      process.on('unhandledRejection', report);
      return () => {
        process.off('uncaughtException', report);
        process.off('unhandledRejection', report);
      };
    },
  });
  results.push({ result, events, leaked: 'faultlinesLeak' in globalThis || 'faultlinesLast' in Array.prototype });
}
process.stdout.write(JSON.stringify({ results }));
