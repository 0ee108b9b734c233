import type { APIRoute } from 'astro';
import { listExercises, loadExercise } from '../../content/exercises.ts';
import { exercisePayload } from '../../content/exercise-payload.ts';

/**
 * `/exercises/<id>.json`: everything the in-page editor and grader need for one exercise
 * (files with roles, hints, seed, time limits), fetched when the learner reaches the
 * exercise so that the lesson page itself stays small. The reference solution is served
 * apart, at `/exercises/<id>/solution.json`, and fetched only when asked for.
 */
export function getStaticPaths() {
  return listExercises().map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) =>
  new Response(JSON.stringify(exercisePayload(loadExercise(params.id!))), {
    headers: { 'Content-Type': 'application/json' },
  });
