/**
 * The grader as the WebContainer host runs it: `node grader.mjs request.json` inside the
 * in-browser Node runtime (and, in the tests, inside real Node). It reads the request,
 * grades it with the simulator as a builtin, and writes every message as one marked line
 * on stdout, which the page separates from ordinary output (see webcontainer-files.ts).
 */
import { readFileSync } from 'node:fs';
import hdrHistogram from 'hdr-histogram-js/dist/hdrhistogram.umd.js';
import * as sim from '../../sim/index.ts';
import { grade } from '../grade.ts';
import type { LibraryName } from '../libraries.ts';
import type { HostMessage, PortableGradeRequest } from '../types.ts';
import { MESSAGE_MARKER } from '../webcontainer-protocol.ts';

function send(message: HostMessage): void {
  process.stdout.write(`${MESSAGE_MARKER}${JSON.stringify(message)}\n`);
}

const requestFile = process.argv[2] ?? 'request.json';
const request = JSON.parse(readFileSync(requestFile, 'utf8')) as PortableGradeRequest;
send({ type: 'ready' });
// The runner's own timers do not hold the process open; this one does, until the result is out.
const keepAlive = setInterval(() => undefined, 1 << 30);
const result = await grade({
  ...request,
  builtins: { '@faultlines/sim': sim },
  // Every library the course provides (see ../libraries.ts), bundled; the grade hands the
  // code only those its exercise offers.
  libraryModules: { 'hdr-histogram-js': hdrHistogram } satisfies Record<LibraryName, unknown>,
  watchUnhandled(report) {
    const onError = (error: unknown): void => report(error);
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    return () => {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    };
  },
  onEvent: (event) => send({ type: 'event', event }),
});
result.host = 'webcontainer';
send({ type: 'result', result });
clearInterval(keepAlive);
