/**
 * The structural checks every lesson's content test makes, in one place: prose free of
 * MDX-special characters and H1s, quizzes with one right answer each, a length in words, links
 * to lessons that exist, and references numbered, cited and cited in order. A lesson's own test
 * calls `describeLessonStructure` and then checks what is particular to it (its figures, its
 * arithmetic, its embeds).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { proseOf } from './mdx-prose.ts';

/** A lesson's source split into the parts the checks read. */
export interface LessonParts {
  readonly frontmatter: string;
  readonly body: string;
  readonly quizzes: readonly string[];
  /** The text before `## References`, and the numbered entries after it. */
  readonly text: string;
  readonly references: ReadonlyMap<number, string>;
}

export function lessonParts(lesson: string): LessonParts {
  const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
  const [text, list = ''] = body.split(/^## References$/m) as [string, string | undefined];
  const references = new Map<number, string>();
  for (const m of list.matchAll(/^(\d+)\. (.+)$/gm)) references.set(Number(m[1]), m[2]!);
  return {
    frontmatter: /^---\n([\s\S]*?)\n---\n/.exec(lesson)?.[1] ?? '',
    body,
    quizzes: [...body.matchAll(/<Quiz\b[\s\S]*?\/>/g)].map((m) => m[0]),
    text,
    references,
  };
}

/** The id of every lesson in content/, drafts included. */
export function lessonIds(): Set<string> {
  const ids = new Set<string>();
  const contentDir = new URL('../../../content/', import.meta.url);
  for (const dir of readdirSync(contentDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(new URL(`${dir.name}/`, contentDir))) {
      if (file.endsWith('.mdx')) ids.add(file.replace(/\.mdx$/, ''));
    }
  }
  return ids;
}

export interface StructureExpectations {
  /** The title the describe blocks use. */
  readonly title: string;
  /** The lessons it links to, in order of the links. */
  readonly links: readonly string[];
  /** How many references it lists. */
  readonly references: number;
  /** @default 3 */
  readonly minQuizzes?: number;
}

/** Declares the structural tests for `lesson` (its source, frontmatter included). */
export function describeLessonStructure(lesson: string, expected: StructureExpectations): void {
  const parts = lessonParts(lesson);
  const { body, quizzes } = parts;

  describe(`${expected.title}: structure`, () => {
    it('keeps MDX-special characters out of the prose and has no H1', () => {
      const prose = proseOf(lesson);
      expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
      expect(/^# /m.test(prose)).toBe(false);
    });

    it(`has at least ${expected.minQuizzes ?? 3} quizzes, each with a plain question and exactly one correct option`, () => {
      expect(quizzes.length).toBeGreaterThanOrEqual(expected.minQuizzes ?? 3);
      expect((body.match(/<Quiz\b/g) ?? []).length).toBe(quizzes.length);
      for (const quiz of quizzes) {
        const question = /^<Quiz\s+question="([^"]*)"/.exec(quiz)?.[1];
        expect(question, quiz.slice(0, 80)).toBeDefined();
        expect(/[&\\{}]/.test(question!)).toBe(false);
        const options = quiz.match(/\{ text: "/g) ?? [];
        expect(options.length, question).toBeGreaterThanOrEqual(2);
        expect((quiz.match(/correct: true/g) ?? []).length, question).toBe(1);
        expect((quiz.match(/explanation: "/g) ?? []).length, question).toBe(options.length);
      }
      const questions = quizzes.map((q) => /question="([^"]*)"/.exec(q)![1]);
      expect(new Set(questions).size).toBe(questions.length);
    });

    it('is about as long as the other lessons: 2,000 to 3,000 words of prose', () => {
      const words = proseOf(lesson.split('## References')[0]!).match(/\S+/g)?.length ?? 0;
      expect(words).toBeGreaterThanOrEqual(2_000);
      expect(words).toBeLessThanOrEqual(3_000);
    });

    it('links only to lessons that exist', () => {
      const ids = lessonIds();
      const targets = [...body.matchAll(/\]\(\/lessons\/([^/)#]+)\/?\)/g)].map((m) => m[1]!);
      expect(targets).toEqual(expected.links);
      for (const target of targets) expect(ids.has(target), target).toBe(true);
    });
  });

  describeReferences(lesson, { title: expected.title, count: expected.references });
}

/**
 * The reference checks alone, for lessons whose other structure differs (longer than the
 * course's usual length): the list ends the page, is numbered 1, 2, 3, … without gaps (and has
 * `count` entries, when given), every marker has an entry and every entry is cited, and the
 * markers are numbered in the order they first appear.
 */
export function describeReferences(lesson: string, expected: { readonly title: string; readonly count?: number }): void {
  const { body, text, references } = lessonParts(lesson);
  describe(`${expected.title}: references`, () => {
    const cited = new Set([...text.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1])));

    it('ends with the references', () => {
      expect(body.trimEnd().split(/^## /m).at(-1)!.startsWith('References\n')).toBe(true);
    });

    it('numbers its references 1, 2, 3, … with no gaps', () => {
      if (expected.count !== undefined) expect(references.size).toBe(expected.count);
      expect([...references.keys()]).toEqual(Array.from({ length: references.size }, (_, i) => i + 1));
    });

    it('has a reference entry for every citation marker, and cites every entry', () => {
      for (const i of cited) expect(references.has(i), `[[${i}]] has no entry in References`).toBe(true);
      for (const i of references.keys()) expect(cited.has(i), `reference ${i} is never cited`).toBe(true);
    });

    it('cites the markers in order of first appearance', () => {
      const order = [...text.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1]));
      const firsts = order.filter((x, i) => order.indexOf(x) === i);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    });
  });
}
