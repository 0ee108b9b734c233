import type { APIRoute } from 'astro';
import { buildWebcontainerGrader } from '../../grader/node/build-webcontainer-grader.ts';

/**
 * `/grader/webcontainer-grader.mjs`: the grader and the simulator as one Node ES module,
 * which the WebContainer host mounts as `grader.mjs`. Built once per site build (and on
 * request under `npm run dev`); fetched only when a WebContainer has booted.
 */
export const GET: APIRoute = async () =>
  new Response(await buildWebcontainerGrader(), { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
