import type { APIRoute } from 'astro';
import { listExercises, loadExercise } from '../../../content/exercises.ts';

/** `/exercises/<id>/solution.json`: the reference files, by path. */
export function getStaticPaths() {
  return listExercises().map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) =>
  new Response(JSON.stringify(loadExercise(params.id!).solution), { headers: { 'Content-Type': 'application/json' } });
