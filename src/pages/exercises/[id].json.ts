import type { APIRoute } from 'astro';
import { loadCourse } from '../../content/course.ts';
import { listExercises, loadExercise } from '../../content/exercises.ts';
import { exercisePayload } from '../../content/exercise-payload.ts';
import { componentOf, loadSystem } from '../../content/system.ts';

/**
 * `/exercises/<id>.json`: everything the in-page editor and grader need for one exercise
 * (files with roles, hints, seed, time limits, and the earlier components it builds on),
 * fetched when the learner reaches the exercise so that the lesson page itself stays small.
 * The reference solution is served apart, at `/exercises/<id>/solution.json`, and fetched
 * only when asked for.
 */
export function getStaticPaths() {
  return listExercises().map((id) => ({ params: { id } }));
}

export const GET: APIRoute = async ({ params }) => {
  const course = await loadCourse();
  const system = loadSystem();
  const lessonOf = (exercise: string): string | undefined => course.lessons.find((l) => l.data.exercises.includes(exercise))?.id;
  const payload = exercisePayload(loadExercise(params.id!), {
    name: (exercise, file) => componentOf(system, exercise, file)?.name ?? file.replace(/\.ts$/, ''),
    href: (exercise) => {
      const lesson = lessonOf(exercise);
      return lesson ? `/lessons/${lesson}/#exercise-${exercise}-title` : '/system/';
    },
  });
  return new Response(JSON.stringify(payload), { headers: { 'Content-Type': 'application/json' } });
};
