/**
 * Runs grade requests one after another in a process of their own and prints the results.
 *
 * The grader's tests cannot call `grade()` inside vitest's own worker: vitest 5 and the
 * grader's engine would share one chai and one set of global matcher objects, and each would
 * change the other's matchers. Every host gives the grader a realm of its own; so do these
 * tests, and grading several requests in the same process also shows that one grade does not
 * leak into the next.
 *
 * The libraries the course provides are loaded first, as each host loads them before its first
 * grade, and handed to every grade (`withoutLibraries: true` in a request withholds them).
 *
 * Input (stdin): `{ requests: (PortableGradeRequest & { builtins?: object; withoutLibraries?: boolean })[] }`.
 * Output (stdout): `{ results: { result: GradeResult, events: GradeEvent[] }[] }`.
 */
import { readFileSync } from 'node:fs';
import { grade, type GradeEvent, type GradeRequest } from '../../../src/grader/index.ts';
import { LIBRARY_NAMES } from '../../../src/grader/libraries.ts';
import { loadNodeLibraries } from '../../../src/grader/node/builtins.ts';

const input = JSON.parse(readFileSync(0, 'utf8')) as { requests: (GradeRequest & { withoutLibraries?: boolean })[] };
const libraryModules = await loadNodeLibraries(LIBRARY_NAMES);
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
    ...(request.withoutLibraries ? {} : { libraryModules }),
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
