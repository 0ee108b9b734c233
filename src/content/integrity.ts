/**
 * Cross-references that a schema cannot check: a lesson's module, prerequisites and
 * exercises must exist, and its links to other lessons must point at real lessons. The
 * lesson pages call this while the site is built, so a broken reference fails the build
 * with the file and line named.
 */

export interface LessonSource {
  readonly id: string;
  /** Path of the MDX file, as shown in messages (relative to the repository). */
  readonly filePath: string;
  /** The whole file, frontmatter included, so that line numbers match the editor's. */
  readonly source: string;
  readonly module: string;
  readonly order: number;
  readonly prerequisites: readonly string[];
  readonly exercises: readonly string[];
}

export interface ContentProblem {
  readonly file: string;
  /** 1-based line, when the problem is at a place in the file. */
  readonly line?: number;
  readonly message: string;
}

export interface CourseIndex {
  readonly lessons: readonly LessonSource[];
  readonly moduleIds: ReadonlySet<string>;
  readonly exerciseIds: ReadonlySet<string>;
}

/** Where links to lessons point: `/lessons/<id>/`, optionally with a `#fragment`. */
const lessonLink = /(?:\]\(|href=["'{`]+)\/lessons\/([^/)#"'`\s]*)\/?(?:#[^)"'`\s]*)?/g;
/** An embedded exercise: `<Exercise id="…"`. */
const exerciseTag = /<Exercise\b[^>]*?\bid=["']([^"']*)["']/g;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function list(ids: Iterable<string>): string {
  const sorted = [...ids].sort();
  return sorted.length === 0 ? '(none)' : sorted.join(', ');
}

/** Returns every broken reference in the course, in file order; empty when all is well. */
export function findContentProblems(course: CourseIndex): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const lessonIds = new Set(course.lessons.map((l) => l.id));
  const orders = new Map<string, string>();

  for (const lesson of [...course.lessons].sort((a, b) => a.filePath.localeCompare(b.filePath))) {
    const file = lesson.filePath;
    if (!course.moduleIds.has(lesson.module)) {
      problems.push({
        file,
        message: `module "${lesson.module}" is not in content/modules.json (known modules: ${list(course.moduleIds)})`,
      });
    }
    const orderKey = `${lesson.module}#${lesson.order}`;
    const clash = orders.get(orderKey);
    if (clash) {
      problems.push({ file, message: `order ${lesson.order} in module "${lesson.module}" is taken by ${clash}` });
    } else {
      orders.set(orderKey, file);
    }
    for (const prerequisite of lesson.prerequisites) {
      if (prerequisite === lesson.id) {
        problems.push({ file, message: 'a lesson cannot be its own prerequisite' });
      } else if (!lessonIds.has(prerequisite)) {
        problems.push({
          file,
          message: `prerequisite "${prerequisite}" is not a lesson (known lessons: ${list(lessonIds)})`,
        });
      }
    }
    for (const exercise of lesson.exercises) {
      if (!course.exerciseIds.has(exercise)) {
        problems.push({
          file,
          message: `exercise "${exercise}" has no folder exercises/${exercise}/ (known exercises: ${list(course.exerciseIds)})`,
        });
      }
    }
    for (const match of lesson.source.matchAll(lessonLink)) {
      const target = match[1] ?? '';
      if (!lessonIds.has(target)) {
        problems.push({
          file,
          line: lineOf(lesson.source, match.index),
          message: `link to /lessons/${target}/ points to a lesson that does not exist (known lessons: ${list(lessonIds)})`,
        });
      }
    }
    for (const match of lesson.source.matchAll(exerciseTag)) {
      const id = match[1] ?? '';
      const line = lineOf(lesson.source, match.index);
      if (!course.exerciseIds.has(id)) {
        problems.push({ file, line, message: `<Exercise id="${id}"> names an exercise with no folder exercises/${id}/` });
      } else if (!lesson.exercises.includes(id)) {
        problems.push({ file, line, message: `<Exercise id="${id}"> is embedded but not listed in the frontmatter's exercises` });
      }
    }
  }
  return problems;
}

/** Formats problems the way compilers do, `file:line: message`, one per line. */
export function formatContentProblems(problems: readonly ContentProblem[]): string {
  return problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n');
}
