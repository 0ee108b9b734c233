/**
 * A lesson's MDX source for a content test, and an assertion that it prints given strings
 * exactly, naming the first one it lacks.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Reads `content/<path>` (e.g. `replication/failover.mdx`). */
export function lessonSource(path: string): string {
  return readFileSync(new URL(`../../../content/${path}`, import.meta.url), 'utf8');
}

/** An `expectInLesson(...snippets)` for one lesson's source. */
export function expectIn(lesson: string): (...snippets: string[]) => void {
  return (...snippets) => {
    for (const snippet of snippets) {
      expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
    }
  };
}
