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
