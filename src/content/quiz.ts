/**
 * Self-check questions are identified by their question text, so that a learner's kept
 * answer finds its quiz again after a rebuild (and a page builds identically every time).
 * The lesson page (`Quiz.astro`) and the course map both derive ids with `quizId`; the map
 * reads the questions from the lesson's MDX with `quizQuestions`.
 */

/** A short, deterministic id for a question: `quiz-` and a 32-bit string hash in base 36. */
export function quizId(question: string): string {
  let hash = 0;
  for (const ch of question) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  return `quiz-${(hash >>> 0).toString(36)}`;
}

/** `<Quiz` followed by its `question="…"` attribute, as lessons write it. */
const quizTag = /<Quiz\b/g;
const questionAttribute = /^<Quiz\s+question="([^"]*)"/;

/**
 * The questions of every `<Quiz>` in a lesson's MDX, in order. Throws when a quiz does not
 * start with a plain `question="…"` attribute, or when its text holds a character reference
 * or an escape (which MDX would decode and this reader would not), so the ids on the map can
 * never silently differ from those on the page.
 */
export function quizQuestions(source: string, file: string): string[] {
  const questions: string[] = [];
  for (const match of source.matchAll(quizTag)) {
    const question = questionAttribute.exec(source.slice(match.index))?.[1];
    if (question === undefined || /[&\\{}]/.test(question)) {
      throw new Error(`${file}: write each <Quiz> as <Quiz question="…" with plain text (no &, \\, { or }) so its id can be read`);
    }
    questions.push(question);
  }
  return questions;
}
