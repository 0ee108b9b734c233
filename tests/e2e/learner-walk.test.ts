/**
 * One learner's walk through the whole course, in the built site, checking at each step
 * what they should see: every lesson read, its simulation played to the end, its questions
 * answered wrong and then right, its exercise run from the starter to the reference
 * solution, the lesson marked complete; the course map keeping count; every lesson again in
 * the dark theme and at phone width; and the progress exported, imported into a fresh
 * browser and found there intact. Any page error or console error on the way fails it
 * (tests/e2e/setup.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadExercise } from '../../src/content/exercises.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { pasteFiles, playToEnd } from './learner.ts';

const baseUrl = inject('baseUrl');
const root = resolve(import.meta.dirname, '../..');

interface MapLesson {
  readonly id: string;
  readonly title: string;
  readonly exercises: string[];
  readonly quizzes: number;
}

let learner: Browser;
let lessons: MapLesson[] = [];
let exported = '';

beforeAll(async () => {
  learner = await launchBrowser();
});
afterAll(async () => {
  await learner?.close();
});

async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.context.newPage();
  // Show solution asks for confirmation; the learner accepts.
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

const count = (text: string) => Number(text.replace(/,/g, ''));

/** Plays the lesson's simulation to its end at the fastest speed, and checks the numbers it shows. */
async function playSimulation(page: Page, lessonId: string): Promise<void> {
  const simulations = page.locator('[data-simulation]');
  for (let i = 0; i < (await simulations.count()); i++) {
    const section = simulations.nth(i);
    const scenario = await section.getAttribute('data-simulation');
    await playToEnd(section);
    const status = (await section.locator('[data-status]').textContent()) ?? '';
    const result = /Finished: ([\d,]+) requests succeeded, p99 (.+), availability (\d+(?:\.\d+)?)%\.$/.exec(status);
    expect(result, `${lessonId} / ${scenario}: the result line reads "${status}"`).not.toBeNull();
    expect(count(result![1]!), `${lessonId} / ${scenario}: requests succeeded`).toBeGreaterThan(0);
  }
}

/** Answers every question of the lesson wrong, checks the answer is not given away, then answers it right. */
async function answerQuizzes(page: Page, lessonId: string): Promise<void> {
  const forms = page.locator('form[data-quiz]');
  const total = await forms.count();
  for (let i = 0; i < total; i++) {
    const form = forms.nth(i);
    const options = form.locator('li');
    const n = await options.count();
    const correct: boolean[] = [];
    for (let j = 0; j < n; j++) correct.push((await options.nth(j).getAttribute('data-correct')) === 'true');
    const wrong = correct.indexOf(false);
    expect(wrong, `${lessonId}: question ${i + 1} has a wrong option to try`).toBeGreaterThanOrEqual(0);
    await form.scrollIntoViewIfNeeded();
    await options.nth(wrong).locator('input').check();
    await form.getByRole('button', { name: 'Check answer' }).click();
    expect(await form.locator('.feedback').textContent()).toMatch(/^Not quite/);
    // Only the chosen option explains itself: the right answer is still the learner's to find.
    for (let j = 0; j < n; j++) {
      const visible = await options.nth(j).locator('.explanation').isVisible();
      expect(visible, `${lessonId}: question ${i + 1}, option ${j + 1} after a wrong try`).toBe(j === wrong);
    }
    // Radio buttons: choosing the right one clears the wrong one; check boxes: each set as it should be.
    const multiple = (await form.getAttribute('data-multiple')) === 'true';
    for (let j = 0; j < n; j++) {
      if (multiple) await options.nth(j).locator('input').setChecked(correct[j]!);
      else if (correct[j]) await options.nth(j).locator('input').check();
    }
    await form.getByRole('button', { name: 'Check answer' }).click();
    expect(await form.locator('.feedback').textContent()).toMatch(/^Right\./);
  }
  const score = page.locator('[data-lesson-progress] [data-quiz-score] [data-label]');
  if (total > 0) expect(await score.textContent()).toBe(`${total} of ${total} question${total === 1 ? '' : 's'} answered right`);
}

async function waitForOutcome(section: Locator): Promise<string> {
  await expect.poll(() => section.locator('[data-status]').getAttribute('data-outcome'), { timeout: 60_000, interval: 200 }).not.toBeNull();
  return (await section.locator('[data-status]').textContent()) ?? '';
}

/** Runs the starter (it fails, with a reason per failing test), pastes the reference solution file by file, and passes. */
async function solveExercise(page: Page, id: string): Promise<void> {
  const exercise = loadExercise(id, { exercisesDir: join(root, 'exercises'), solutionsDir: join(root, 'solutions') });
  const section = page.locator(`[data-exercise="${id}"]`);
  await section.scrollIntoViewIfNeeded();
  await expect.poll(() => section.getAttribute('data-mounted'), { timeout: 30_000 }).toBe('ready');
  await section.locator('[data-action="run"]').click();
  const starter = await waitForOutcome(section);
  expect(starter, `${id}: the starter`).toMatch(/^\d+ of \d+ tests? passed\.$|^Not run/);
  expect(await section.locator('[data-status]').getAttribute('data-outcome')).toBe('fail');
  // Every failing test says why, in a sentence.
  for (const failure of await section.locator('li.test.fail .failure .message').allTextContents()) {
    expect(failure.length, `${id}: a failure message`).toBeGreaterThan(30);
  }
  await pasteFiles(page, section, exercise.solution);
  await page.evaluate((x) => delete document.querySelector<HTMLElement>(`[data-exercise="${x}"] [data-status]`)!.dataset.outcome, id);
  await section.locator('[data-action="run"]').click();
  expect(await waitForOutcome(section), `${id}: the reference solution`).toMatch(/^All \d+ tests passed\.$|^The test passed\.$/);
  // Typed (pasted) by the learner, not revealed: a clean pass.
  expect(await section.locator('[data-exercise-status]').textContent()).toBe('Passed');
  await expect.poll(() => page.locator(`[data-lesson-progress] [data-exercise-status="${id}"] [data-label]`).textContent()).toBe('passed');
}

describe("a learner's walk through the course", () => {
  it('starts at the course map: every lesson listed, not started, and no module left as coming', async () => {
    const page = await newPage(learner);
    await page.goto(`${baseUrl}/`);
    const items = page.locator('.lesson[data-lesson]');
    lessons = [];
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      lessons.push({
        id: (await item.getAttribute('data-lesson'))!,
        title: ((await item.locator('a').first().textContent()) ?? '').trim(),
        exercises: JSON.parse((await item.getAttribute('data-exercises')) ?? '[]') as string[],
        quizzes: (JSON.parse((await item.getAttribute('data-quizzes')) ?? '[]') as string[]).length,
      });
      expect(await item.locator('.state').getAttribute('data-state')).toBe('not-started');
    }
    expect(lessons.length).toBeGreaterThan(4);
    expect(await page.locator('[data-module][data-coming]').count()).toBe(0);
    // The capstone closes the course, with its lesson.
    expect(lessons.at(-1)?.id).toBe('design-review');
    expect(lessons.at(-1)?.exercises).toEqual(['capstone']);
    await page.close();
  });

  it('reads every lesson: plays its simulation to the end, answers its questions wrong then right, solves its exercise, and marks it complete', async () => {
    for (const lesson of lessons) {
      const page = await newPage(learner);
      await page.goto(`${baseUrl}/lessons/${lesson.id}/?grader=worker`);
      expect((await page.locator('main h1').first().textContent())?.trim(), lesson.id).toBe(lesson.title);
      await playSimulation(page, lesson.id);
      await answerQuizzes(page, lesson.id);
      for (const id of lesson.exercises) await solveExercise(page, id);
      const complete = page.locator('[data-lesson-progress] [data-complete]');
      await complete.scrollIntoViewIfNeeded();
      await complete.click();
      expect(await complete.textContent()).toBe('Completed ✓ (click to undo)');
      // After a reload the lesson remembers all of it.
      await page.reload();
      expect(await complete.textContent()).toBe('Completed ✓ (click to undo)');
      if (lesson.quizzes > 0) {
        expect(await page.locator('[data-lesson-progress] [data-quiz-score] [data-label]').textContent()).toBe(
          `${lesson.quizzes} of ${lesson.quizzes} question${lesson.quizzes === 1 ? '' : 's'} answered right`,
        );
        expect(await page.locator('form[data-quiz] .feedback').first().textContent()).toMatch(/^Right\./);
      }
      await page.close();
    }
  }, 600_000);

  it('sees the whole course done on the course map, module by module', async () => {
    const page = await newPage(learner);
    await page.goto(`${baseUrl}/`);
    for (const lesson of lessons) {
      const item = page.locator(`.lesson[data-lesson="${lesson.id}"]`);
      await expect.poll(() => item.locator('.state').getAttribute('data-state')).toBe('complete');
      for (const id of lesson.exercises) expect(await item.locator(`[data-exercise-status="${id}"] [data-label]`).textContent()).toBe('passed');
    }
    for (const summary of await page.locator('[data-module]:not([data-coming]) [data-module-progress]').allTextContents()) {
      const [lessonsDone, lessonsAll] = /^(\d+) of (\d+) lessons? complete/.exec(summary)!.slice(1);
      expect(lessonsDone, summary).toBe(lessonsAll);
      const exercises = / · (\d+) of (\d+) exercises? passed/.exec(summary);
      if (exercises) expect(exercises[1], summary).toBe(exercises[2]);
      const quizzes = /(\d+) of (\d+) quiz questions answered right/.exec(summary);
      if (quizzes) expect(quizzes[1], summary).toBe(quizzes[2]);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export progress' }).click()]);
    exported = (await download.path())!;
    const file = JSON.parse(readFileSync(exported, 'utf8')) as { progress: { lessons: Record<string, { completedAt?: number }>; exercises: Record<string, { status: string }> } };
    for (const lesson of lessons) {
      expect(typeof file.progress.lessons[lesson.id]?.completedAt, lesson.id).toBe('number');
      for (const id of lesson.exercises) expect(file.progress.exercises[id]?.status, id).toBe('passed');
    }
    await page.close();
  });

  for (const look of [
    { name: 'in the dark theme', options: { colorScheme: 'dark' as const } },
    { name: 'at phone width', options: { viewport: { width: 375, height: 740 }, touch: true } },
  ]) {
    it(`reads every lesson ${look.name}: the title on the first screen, nothing wider than the screen, the theme applied`, async () => {
      const browser = await launchBrowser(look.options);
      try {
        const page = await newPage(browser);
        for (const lesson of lessons) {
          await page.goto(`${baseUrl}/lessons/${lesson.id}/`);
          const title = page.locator('main h1').first();
          expect((await title.textContent())?.trim()).toBe(lesson.title);
          const box = await title.boundingBox();
          const height = page.viewportSize()!.height;
          expect(box && box.y + box.height <= height, `${lesson.id}: the title ends at ${box ? box.y + box.height : '?'} px`).toBe(true);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${lesson.id}: ${overflow} px wider than the screen`).toBeLessThanOrEqual(0);
          const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          const [r, g, b] = (background.match(/\d+/g) ?? ['255', '255', '255']).map(Number) as [number, number, number];
          const dark = (r + g + b) / 3 < 100;
          expect(dark, `${lesson.id}: background ${background}`).toBe(look.options.colorScheme === 'dark');
          // The lesson's parts are all there: its simulation and its questions.
          if (lesson.quizzes > 0) expect(await page.locator('form[data-quiz]').count()).toBe(lesson.quizzes);
        }
        await page.close();
      } finally {
        await browser.close();
      }
    });
  }

  it('takes the progress to a fresh browser by export and import, and finds everything there', async () => {
    const fresh = await launchBrowser();
    try {
      const page = await newPage(fresh);
      await page.goto(`${baseUrl}/`);
      for (const lesson of lessons) expect(await page.locator(`.lesson[data-lesson="${lesson.id}"] .state`).getAttribute('data-state')).toBe('not-started');
      // The page says what it imported, then reloads itself to show it.
      const reloaded = page.waitForEvent('load');
      await page.locator('[data-backup-import]').setInputFiles(exported);
      await expect.poll(() => page.locator('[data-backup-status]').textContent()).toMatch(/^Imported your progress and your code for \d+ exercises?\. Reloading…$/);
      await reloaded;
      for (const lesson of lessons) {
        const item = page.locator(`.lesson[data-lesson="${lesson.id}"]`);
        expect(await item.locator('.state').getAttribute('data-state'), lesson.id).toBe('complete');
        for (const id of lesson.exercises) expect(await item.locator(`[data-exercise-status="${id}"] [data-label]`).textContent()).toBe('passed');
      }
      // In a lesson: the answers, the passed exercise and the learner's own code are back.
      const withExercise = lessons.find((l) => l.exercises.length > 0 && l.quizzes > 0)!;
      await page.goto(`${baseUrl}/lessons/${withExercise.id}/?grader=worker`);
      expect(await page.locator('form[data-quiz] .feedback').first().textContent()).toMatch(/^Right\./);
      const id = withExercise.exercises[0]!;
      const section = page.locator(`[data-exercise="${id}"]`);
      await section.scrollIntoViewIfNeeded();
      await expect.poll(() => section.getAttribute('data-mounted'), { timeout: 30_000 }).toBe('ready');
      expect(await section.locator('[data-exercise-status]').textContent()).toBe('Passed');
      expect(await section.locator('[data-status]').textContent()).toContain('Your saved code is back in the editor.');
      await page.close();
    } finally {
      await fresh.close();
    }
  });
});
