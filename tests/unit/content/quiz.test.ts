import { describe, expect, it } from 'vitest';
import { quizId, quizQuestions } from '../../../src/content/quiz.ts';
import { emptyProgress, moduleSummary, moduleSummaryLabel, quizScoreLabel } from '../../../src/runtime/progress.ts';

describe('self-check question ids', () => {
  it('reads every question of a lesson in page order and gives each a stable id', () => {
    const source = '<Quiz\n  question="First?"\n  options={[]}\n/>\n\nText.\n\n<Quiz question="Second?" options={[]} />';
    expect(quizQuestions(source, 'x.mdx')).toEqual(['First?', 'Second?']);
    expect(quizId('First?')).toBe(quizId('First?'));
    expect(quizId('First?')).not.toBe(quizId('Second?'));
    expect(quizId('First?')).toMatch(/^quiz-[0-9a-z]+$/);
  });

  it('refuses a question it could read differently from MDX, naming the file', () => {
    expect(() => quizQuestions('<Quiz question="Is 1 &lt; 2?" options={[]} />', 'content/a/b.mdx')).toThrow(/content\/a\/b\.mdx: write each <Quiz>/);
    expect(() => quizQuestions('<Quiz options={[]} question="Late?" />', 'b.mdx')).toThrow(/b\.mdx/);
  });
});

describe('progress in words', () => {
  it('summarises a module for the course map', () => {
    const data = {
      ...emptyProgress(),
      lessons: { a: { visitedAt: 1, completedAt: 2 }, b: { visitedAt: 3 } },
      exercises: { ring: { status: 'passed-with-help' as const, at: 4 } },
      quizzes: { 'a/q1': { choices: [0], correct: true, at: 5 }, 'a/q2': { choices: [1], correct: false, at: 6 } },
    };
    const lessons = [
      { id: 'a', exercises: ['ring'], quizKeys: ['a/q1', 'a/q2'] },
      { id: 'b', exercises: ['router'], quizKeys: ['b/q1'] },
    ];
    expect(moduleSummaryLabel(moduleSummary(data, lessons))).toBe(
      '1 of 2 lessons complete · 1 of 2 exercises passed (1 with help) · 1 of 3 quiz questions answered right',
    );
    expect(quizScoreLabel({ right: 0, answered: 0, total: 4 })).toBe('4 questions, none answered yet');
    expect(quizScoreLabel({ right: 3, answered: 4, total: 4 })).toBe('3 of 4 questions answered right');
  });
});
