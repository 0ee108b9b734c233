import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getCollection, type CollectionEntry } from 'astro:content';
import { exercisesDir } from './paths.ts';
import { listExercises, loadExercise } from './exercises.ts';
import { findContentProblems, formatContentProblems } from './integrity.ts';
import { quizId, quizQuestions } from './quiz.ts';
import { loadSystem, systemDescribed, systemProblems, type ExerciseFacts } from './system.ts';

export type Lesson = CollectionEntry<'lessons'>;
export type Module = CollectionEntry<'modules'>;

export interface CourseModule {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly order: number;
  readonly lessons: readonly Lesson[];
}

/** What a learner's progress records about a lesson, besides visiting and completing it. */
export interface LessonTrackables {
  /** The lesson's exercises, in frontmatter order, with their titles. */
  readonly exercises: readonly { readonly id: string; readonly title: string }[];
  /** The ids of its self-check questions (`quizId` of each question), in page order. */
  readonly quizIds: readonly string[];
}

export interface Course {
  /** The modules that have published lessons, in order. */
  readonly modules: readonly CourseModule[];
  /** Modules marked `coming` in content/modules.json: planned, with no lessons yet. */
  readonly planned: readonly CourseModule[];
  /** Every published lesson in reading order: module order, then lesson order. */
  readonly lessons: readonly Lesson[];
  /** Exercises and quizzes of every lesson, drafts included, by lesson id. */
  readonly trackables: ReadonlyMap<string, LessonTrackables>;
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
  const exerciseTitles = new Map<string, string>();
  const facts: ExerciseFacts[] = [];
  for (const id of exerciseIds()) {
    const exercise = loadExercise(id);
    exerciseTitles.set(id, exercise.meta.title);
    facts.push({ id, editable: exercise.files.filter((f) => f.role === 'editable').map((f) => f.path), uses: exercise.meta.uses });
  }
  // A test course has no system description but is built with the course's exercises, whose
  // `uses` name components of the real system: there is nothing to check them against.
  const systemIssues = systemDescribed() ? systemProblems(loadSystem(), facts, new Set(modules.map((m) => m.id))) : [];
  if (systemIssues.length > 0) throw new Error(`The system description does not match the exercises:\n${systemIssues.join('\n')}`);
  const published = allLessons.filter((l) => !l.data.draft);
  const allModules = [...modules]
    .sort((a, b) => a.data.order - b.data.order)
    .map((m) => ({
      id: m.id,
      title: m.data.title,
      summary: m.data.summary,
      order: m.data.order,
      coming: m.data.coming,
      lessons: published.filter((l) => l.data.module === m.id).sort((a, b) => a.data.order - b.data.order),
    }));
  const promised = allModules.filter((m) => m.coming && m.lessons.length > 0);
  if (promised.length > 0) {
    throw new Error(
      `Module(s) ${promised.map((m) => `"${m.id}"`).join(', ')} in content/modules.json are marked "coming" but have published lessons: remove "coming" or mark the lessons draft.`,
    );
  }
  const trackables = new Map<string, LessonTrackables>();
  for (const lesson of allLessons) {
    const file = lesson.filePath ?? `${lesson.id}.mdx`;
    const quizIds = quizQuestions(readFileSync(file, 'utf8'), file).map(quizId);
    const repeated = quizIds.find((id, i) => quizIds.indexOf(id) !== i);
    if (repeated) throw new Error(`${file}: two <Quiz> questions have the same id (${repeated}); make each question unique`);
    trackables.set(lesson.id, {
      exercises: lesson.data.exercises.map((id) => ({ id, title: exerciseTitles.get(id) ?? id })),
      quizIds,
    });
  }
  const strip = ({ coming: _, ...m }: (typeof allModules)[number]): CourseModule => m;
  const courseModules = allModules.filter((m) => !m.coming && m.lessons.length > 0).map(strip);
  return {
    modules: courseModules,
    planned: allModules.filter((m) => m.coming).map(strip),
    lessons: courseModules.flatMap((m) => m.lessons),
    trackables,
  };
}

/** The lessons before and after `id` in reading order. */
export function neighbours(course: Course, id: string): { previous?: Lesson; next?: Lesson } {
  const index = course.lessons.findIndex((l) => l.id === id);
  return { previous: course.lessons[index - 1], next: course.lessons[index + 1] };
}
