/** Which lesson embeds each exercise, for the every-exercise end-to-end test and the page bench. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const contentDir = resolve(import.meta.dirname, '../../content');

/** Which lesson embeds each exercise (exercise id → lesson id), read from the lessons' frontmatter. */
export function lessonsByExercise(): Map<string, string> {
  const map = new Map<string, string>();
  for (const module of readdirSync(contentDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(contentDir, module.name)).filter((f) => f.endsWith('.mdx'))) {
      const listed = /^exercises:\s*\[([^\]]*)\]/m.exec(readFileSync(join(contentDir, module.name, file), 'utf8'))?.[1] ?? '';
      for (const id of listed.split(',').map((s) => s.trim()).filter(Boolean)) map.set(id, file.replace(/\.mdx$/, ''));
    }
  }
  return map;
}

/** The ids of the draft lessons (`draft: true`): built, but linked from nowhere. */
export function draftLessons(): string[] {
  const drafts: string[] = [];
  for (const module of readdirSync(contentDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(contentDir, module.name)).filter((f) => f.endsWith('.mdx'))) {
      if (/^draft:\s*true\s*$/m.test(readFileSync(join(contentDir, module.name, file), 'utf8'))) drafts.push(file.replace(/\.mdx$/, ''));
    }
  }
  return drafts.sort();
}

/** The exercises embedded in a published lesson (one whose frontmatter does not say `draft: true`). */
export function publishedExercises(): Set<string> {
  const published = new Set<string>();
  for (const module of readdirSync(contentDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(contentDir, module.name)).filter((f) => f.endsWith('.mdx'))) {
      const text = readFileSync(join(contentDir, module.name, file), 'utf8');
      if (/^draft:\s*true\s*$/m.test(text)) continue;
      const listed = /^exercises:\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? '';
      for (const id of listed.split(',').map((s) => s.trim()).filter(Boolean)) published.add(id);
    }
  }
  return published;
}
