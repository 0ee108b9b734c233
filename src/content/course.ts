import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getCollection, type CollectionEntry } from 'astro:content';
import { exercisesDir } from './paths.ts';
import { listExercises, loadExercise } from './exercises.ts';
import { findContentProblems, formatContentProblems } from './integrity.ts';

export type Lesson = CollectionEntry<'lessons'>;
export type Module = CollectionEntry<'modules'>;

export interface CourseModule {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly order: number;
  readonly lessons: readonly Lesson[];
}

export interface Course {
  readonly modules: readonly CourseModule[];
  /** Every published lesson in reading order: module order, then lesson order. */
  readonly lessons: readonly Lesson[];
}

/** The ids of exercise folders, read from disk at build time. */
export function exerciseIds(): Set<string> {
  return new Set(listExercises(exercisesDir));
}

let cached: Promise<Course> | undefined;

/**
 * Loads the course once per build, checking every cross-reference first: a broken one
 * throws, which fails `astro build` with the file and line in the message.
 */
export function loadCourse(): Promise<Course> {
  cached ??= build();
  return cached;
}

async function build(): Promise<Course> {
  const [allLessons, modules] = await Promise.all([getCollection('lessons'), getCollection('modules')]);
  const problems = findContentProblems({
    lessons: allLessons.map((l) => {
      const filePath = l.filePath ?? `${l.id}.mdx`;
      return {
        id: l.id,
        filePath: relative(process.cwd(), join(process.cwd(), filePath)),
        source: readFileSync(filePath, 'utf8'),
        module: l.data.module,
        order: l.data.order,
        prerequisites: l.data.prerequisites,
        exercises: l.data.exercises,
      };
    }),
    moduleIds: new Set(modules.map((m) => m.id)),
    exerciseIds: exerciseIds(),
  });
  if (problems.length > 0) {
    throw new Error(`The course content has ${problems.length} broken reference(s):\n${formatContentProblems(problems)}`);
  }
  // Every exercise must load cleanly (metadata, files, solution) for the site to build.
  for (const id of exerciseIds()) loadExercise(id);
  const published = allLessons.filter((l) => !l.data.draft);
  const courseModules = [...modules]
    .sort((a, b) => a.data.order - b.data.order)
    .map((m) => ({
      id: m.id,
      title: m.data.title,
      summary: m.data.summary,
      order: m.data.order,
      lessons: published.filter((l) => l.data.module === m.id).sort((a, b) => a.data.order - b.data.order),
    }))
    .filter((m) => m.lessons.length > 0);
  return { modules: courseModules, lessons: courseModules.flatMap((m) => m.lessons) };
}

/** The lessons before and after `id` in reading order. */
export function neighbours(course: Course, id: string): { previous?: Lesson; next?: Lesson } {
  const index = course.lessons.findIndex((l) => l.id === id);
  return { previous: course.lessons[index - 1], next: course.lessons[index + 1] };
}
