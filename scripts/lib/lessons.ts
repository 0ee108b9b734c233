/** The lessons' frontmatter facts that tests and benches need, read from `content/` without a build. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const contentDir = resolve(import.meta.dirname, '../../content');

interface LessonFacts {
  readonly id: string;
  readonly draft: boolean;
  readonly exercises: readonly string[];
  /** Its module's id, and its place in the module. */
  readonly module: string;
  readonly order: number;
}

/** Every lesson's id, whether it is a draft, and the exercises its frontmatter lists. */
function lessons(): LessonFacts[] {
  const out: LessonFacts[] = [];
  for (const module of readdirSync(contentDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(contentDir, module.name)).filter((f) => f.endsWith('.mdx'))) {
      const text = readFileSync(join(contentDir, module.name, file), 'utf8');
      const listed = /^exercises:\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? '';
      out.push({
        id: file.replace(/\.mdx$/, ''),
        draft: /^draft:\s*true\s*$/m.test(text),
        exercises: listed.split(',').map((s) => s.trim()).filter(Boolean),
        module: /^module:\s*(\S+)/m.exec(text)?.[1] ?? module.name,
        order: Number(/^order:\s*(\d+)/m.exec(text)?.[1] ?? 0),
      });
    }
  }
  return out;
}

/** Which lesson embeds each exercise (exercise id → lesson id), drafts included. */
export function lessonsByExercise(): Map<string, string> {
  return new Map(lessons().flatMap((l) => l.exercises.map((id) => [id, l.id] as const)));
}

/** The ids of the draft lessons (`draft: true`): built, but linked from nowhere. */
export function draftLessons(): string[] {
  return lessons()
    .filter((l) => l.draft)
    .map((l) => l.id)
    .sort();
}

/** The exercises embedded in a published lesson (one whose frontmatter does not say `draft: true`). */
export function publishedExercises(): Set<string> {
  return new Set(lessons().flatMap((l) => (l.draft ? [] : l.exercises)));
}

/** The exercises embedded only in draft lessons: still being written, kept out of the course's order. */
export function draftOnlyExercises(): Set<string> {
  const published = publishedExercises();
  return new Set(lessons().flatMap((l) => (l.draft ? l.exercises.filter((id) => !published.has(id)) : [])));
}

/**
 * Exercise ids in the order a learner meets them: modules in `content/modules.json` order,
 * published lessons by their `order`, each lesson's exercises as its frontmatter lists them.
 * Ids in `known` that no published lesson embeds follow, by name.
 */
export function exercisesInCourseOrder(known: readonly string[]): string[] {
  const modules = JSON.parse(readFileSync(join(contentDir, 'modules.json'), 'utf8')) as { id: string; order: number }[];
  const rank = new Map(modules.map((m) => [m.id, m.order]));
  const published = lessons()
    .filter((l) => !l.draft)
    .sort((a, b) => (rank.get(a.module) ?? Infinity) - (rank.get(b.module) ?? Infinity) || a.order - b.order);
  const ordered = published.flatMap((l) => l.exercises).filter((id) => known.includes(id));
  return [...new Set([...ordered, ...[...known].filter((id) => !ordered.includes(id)).sort()])];
}
