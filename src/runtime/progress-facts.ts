/**
 * Fills in the lists that ProgressFacts.astro renders (on the course map and at the end of
 * each lesson) from the learner's progress: each exercise's result and the quiz score.
 */
import { exerciseLabel, quizScore, quizScoreLabel, type ProgressData } from './progress.ts';

/** Updates every fact list inside `root` for a lesson whose questions are `quizKeys`. */
export function fillProgressFacts(root: ParentNode, data: ProgressData, quizKeys: readonly string[]): void {
  for (const fact of root.querySelectorAll<HTMLElement>('[data-exercise-status]')) {
    const status = data.exercises[fact.dataset.exerciseStatus ?? '']?.status;
    fact.dataset.state = status ?? 'not-passed';
    fact.querySelector('[data-label]')!.textContent = exerciseLabel(status);
  }
  const score = root.querySelector('[data-quiz-score] [data-label]');
  if (score) score.textContent = quizScoreLabel(quizScore(data, quizKeys));
}
