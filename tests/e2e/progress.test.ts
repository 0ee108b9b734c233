import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';

/**
 * The learner's progress as they see it, in Chromium against the built site: what the
 * lesson, the course map and an exported file say after lessons are completed, exercises
 * passed and questions answered — in either order, and in two tabs at once.
 */
const baseUrl = inject('baseUrl');
const lessonId = 'numbers-that-matter';
const lesson = `${baseUrl}/lessons/${lessonId}/`;
const exerciseId = 'capacity-planning';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

/** A page on the site with nothing recorded yet (the tests share this browser's storage). */
async function freshPage(url: string): Promise<Page> {
  const page = await newPage();
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.goto(url);
  return page;
}

const exercise = (page: Page) => page.locator(`[data-exercise="${exerciseId}"]`);
const completeButton = (page: Page) => page.locator('[data-lesson-progress] [data-complete]');
const lessonExerciseStatus = (page: Page) => page.locator(`[data-lesson-progress] [data-exercise-status="${exerciseId}"]`).innerText();
const mapLesson = (page: Page, id: string) => page.locator(`.lesson[data-lesson="${id}"]`);

async function exerciseReady(page: Page): Promise<void> {
  await exercise(page).scrollIntoViewIfNeeded();
  await page.waitForFunction((id) => document.querySelector<HTMLElement>(`[data-exercise="${id}"]`)?.dataset.mounted === 'ready', exerciseId, {
    timeout: 30_000,
  });
}

/** Shows the reference solution (accepting the warning) and runs the tests: a pass with help. */
async function passWithHelp(page: Page): Promise<void> {
  await exerciseReady(page);
  await exercise(page).locator('[data-action="solution"]').click();
  await expect
    .poll(() => page.evaluate((id) => localStorage.getItem(`faultlines:code:v1:${id}`)?.includes('helped') ?? false, exerciseId))
    .toBe(true);
  await exercise(page).locator('[data-action="run"]').click();
  await page.waitForFunction(
    (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
    exerciseId,
    { timeout: 40_000 },
  );
  expect(await exercise(page).locator('[data-status]').textContent()).toBe('All 21 tests passed.');
}

/** Exports progress from the course map and returns the file's progress. */
async function exportedProgress(page: Page): Promise<{ lessons: Record<string, { completedAt?: number }>; exercises: Record<string, { status: string }>; quizzes: Record<string, unknown> }> {
  await page.goto(`${baseUrl}/`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export progress' }).click()]);
  const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { version: number; progress: never };
  expect(file.version).toBe(2);
  return file.progress;
}

/** What the lesson, the map and an export must all say once the lesson is complete and its exercise passed with help. */
async function expectBothKept(page: Page): Promise<void> {
  await page.goto(lesson);
  expect(await completeButton(page).textContent()).toBe('Completed ✓ (click to undo)');
  expect(await lessonExerciseStatus(page)).toContain('passed with help');
  await page.goto(`${baseUrl}/`);
  const item = mapLesson(page, lessonId);
  await expect.poll(() => item.locator('.state').textContent()).toBe('Complete');
  expect(await item.locator(`[data-exercise-status="${exerciseId}"]`).innerText()).toContain('passed with help');
  expect(await page.locator('[data-module="foundations"] [data-module-progress]').textContent()).toBe(
    '1 of 1 lesson complete · 1 of 1 exercise passed (1 with help) · 0 of 5 quiz questions answered right',
  );
  const progress = await exportedProgress(page);
  expect(typeof progress.lessons[lessonId]?.completedAt).toBe('number');
  expect(progress.exercises[exerciseId]?.status).toBe('passed-with-help');
}

describe('progress in one page', () => {
  it('keeps a completed lesson when its exercise is passed afterwards, on the page, the map and in an export', async () => {
    const page = await freshPage(lesson);
    // The exercise panel is open before the lesson is marked complete, as when a learner reads on.
    await exerciseReady(page);
    await completeButton(page).click();
    expect(await page.locator('[data-progress-status]').textContent()).toContain('Marked complete.');
    await passWithHelp(page);
    // The lesson's own progress section follows the pass without a reload.
    await expect.poll(() => lessonExerciseStatus(page)).toContain('passed with help');
    expect(await completeButton(page).textContent()).toBe('Completed ✓ (click to undo)');
    await expectBothKept(page);
    await page.close();
  });

  it('keeps a passed exercise when the lesson is marked complete afterwards', async () => {
    const page = await freshPage(lesson);
    await passWithHelp(page);
    await completeButton(page).click();
    await expectBothKept(page);
    await page.close();
  });
});

describe('progress in two tabs', () => {
  it('keeps a lesson completed in one tab and its exercise passed in the other, and each tab shows the other', async () => {
    const first = await freshPage(lesson);
    const second = await newPage();
    await second.goto(lesson);
    await exerciseReady(second);
    await completeButton(first).click();
    await passWithHelp(second);
    // Each tab hears the other through the storage event, without a reload.
    await expect.poll(() => lessonExerciseStatus(first)).toContain('passed with help');
    await expect.poll(() => completeButton(second).textContent()).toBe('Completed ✓ (click to undo)');
    await second.close();
    await expectBothKept(first);
    await first.close();
  });
});

describe('self-check questions', () => {
  const quizLesson = `${baseUrl}/lessons/choosing-a-backend/`;
  const question = 'Smooth weighted round robin with weights a = 3, b = 1: what are the first four picks?';
  const score = (page: Page) => page.locator('[data-lesson-progress] [data-quiz-score]').innerText();

  it('reveals only the chosen option on a wrong try, keeps the answer and shows the score after a reload', async () => {
    const page = await freshPage(quizLesson);
    const quiz = page.locator('form[data-quiz]', { hasText: question });
    const options = quiz.locator('li');
    expect(await score(page)).toBe('Self-check: 6 questions, none answered yet');

    // A wrong try: "a a a b". Only its explanation shows; the right option says nothing.
    await options.nth(0).locator('label').click();
    await quiz.getByRole('button', { name: 'Check answer' }).click();
    expect(await quiz.locator('.feedback').textContent()).toContain('Not quite');
    expect(await quiz.locator('.explanation:visible').count()).toBe(1);
    expect(await options.nth(0).locator('.explanation').innerText()).toMatch(/^Not quite\./);
    expect(await options.nth(1).locator('.explanation').isVisible()).toBe(false);
    expect(await options.nth(1).getAttribute('data-state')).not.toBe('correct');
    expect(await quiz.innerText()).not.toContain('Correct.');
    expect(await score(page)).toBe('Self-check: 0 of 6 questions answered right');

    // The right answer, with the keyboard: the next option, then Tab to the button.
    await options.nth(0).locator('input').focus();
    await page.keyboard.press('ArrowDown');
    expect(await options.nth(1).locator('input').isChecked()).toBe(true);
    expect(await quiz.locator('.explanation:visible').count()).toBe(0);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await quiz.locator('.feedback').textContent()).toContain('Right.');
    expect(await quiz.locator('.explanation:visible').count()).toBe(4);
    expect(await options.nth(1).locator('.explanation').innerText()).toMatch(/^Correct\./);
    expect(await score(page)).toBe('Self-check: 1 of 6 questions answered right');

    await page.reload();
    expect(await options.nth(1).locator('input').isChecked()).toBe(true);
    expect(await quiz.locator('.feedback').textContent()).toContain('Right.');
    expect(await quiz.locator('.explanation:visible').count()).toBe(4);
    expect(await score(page)).toBe('Self-check: 1 of 6 questions answered right');

    await page.goto(`${baseUrl}/`);
    expect(await mapLesson(page, 'choosing-a-backend').locator('[data-quiz-score]').innerText()).toBe(
      'Self-check: 1 of 6 questions answered right',
    );
    await expect
      .poll(() => page.locator('[data-module="load-balancing"] [data-module-progress]').textContent())
      .toBe('0 of 2 lessons complete · 0 of 1 exercise passed · 1 of 12 quiz questions answered right');
    const progress = await exportedProgress(page);
    expect(Object.keys(progress.quizzes)).toHaveLength(1);
    await page.close();
  });
});

describe('the course map', () => {
  it('lists every module as live, the capstone last with its lesson, and promises no lesson that does not exist', async () => {
    const page = await freshPage(`${baseUrl}/`);
    expect(await page.locator('[data-coming]').count()).toBe(0);
    expect(await page.locator('[data-module]').count()).toBe(8);
    expect(await page.locator('.lede').innerText()).toMatch(/a capstone runs the whole of it through a production day of load and faults/);
    // Consensus and the capstone are live: their lessons are linked from the map.
    for (const slug of ['why-agreement-is-hard', 'the-log', 'design-review']) expect(await page.locator(`[data-module] a[href^="/lessons/${slug}/"]`).count(), slug).toBeGreaterThan(0);
    expect((await page.locator('[data-module="capstone"] h3').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Module 8 Capstone: a sharded, replicated store');
    await page.close();
  });

  it("knows every lesson's self-check questions by the ids the lesson page gives them", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    const lessons = await page.$$eval('.lesson[data-lesson]', (items) =>
      items.map((item) => ({ id: (item as HTMLElement).dataset.lesson!, quizzes: JSON.parse((item as HTMLElement).dataset.quizzes!) as string[] })),
    );
    for (const { id, quizzes } of lessons) {
      await page.goto(`${baseUrl}/lessons/${id}/`);
      const onPage = await page.$$eval('form[data-quiz]', (forms) => forms.map((f) => `${(f as HTMLElement).dataset.lesson}/${(f as HTMLElement).dataset.quiz}`));
      expect(onPage, id).toEqual(quizzes);
    }
    await page.close();
  });

  it('shows progress stored by the previous version of the site', async () => {
    const page = await freshPage(`${baseUrl}/`);
    await page.evaluate((id) => {
      const v1 = { version: 1, lessons: { [id]: { visitedAt: 1, completedAt: 2 } }, exercises: { 'capacity-planning': { status: 'passed', at: 2 } } };
      localStorage.setItem('faultlines:progress:v1', JSON.stringify(v1));
    }, lessonId);
    await page.reload();
    expect(await mapLesson(page, lessonId).locator('.state').textContent()).toBe('Complete');
    expect(await mapLesson(page, lessonId).locator(`[data-exercise-status="${exerciseId}"]`).innerText()).toContain(': passed');
    await page.close();
  });
});

describe('accessibility of progress', () => {
  it('has no serious or critical axe violation with answers, results and scores shown, in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const themed = await launchBrowser({ colorScheme: theme });
      try {
        const page = await themed.context.newPage();
        await page.goto(`${baseUrl}/lessons/choosing-a-backend/`);
        const quizzes = page.locator('form[data-quiz]');
        // One wrong try and one right answer, so both kinds of verdict are on screen.
        await quizzes.nth(1).locator('li').nth(0).locator('label').click();
        await quizzes.nth(1).getByRole('button', { name: 'Check answer' }).click();
        await quizzes.nth(2).locator('li').nth(1).locator('label').click();
        await quizzes.nth(2).getByRole('button', { name: 'Check answer' }).click();
        await page.evaluate(() => {
          const raw = JSON.parse(localStorage.getItem('faultlines:progress:v2')!) as { exercises: Record<string, unknown>; lessons: Record<string, unknown> };
          raw.exercises['capacity-planning'] = { status: 'passed-with-help', at: 1 };
          raw.exercises['sharding-ring'] = { status: 'passed', at: 1 };
          raw.lessons['numbers-that-matter'] = { visitedAt: 1, completedAt: 2 };
          localStorage.setItem('faultlines:progress:v2', JSON.stringify(raw));
        });
        const report: string[] = [];
        for (const path of ['/lessons/choosing-a-backend/', '/lessons/numbers-that-matter/', '/']) {
          await page.goto(baseUrl + path, { waitUntil: 'networkidle' });
          const include = path === '/' ? 'main' : '.quiz, [data-lesson-progress]';
          const result = await new AxeBuilder({ page }).include(include).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
            report.push(`${theme} ${path}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
          }
        }
        expect(report).toEqual([]);
      } finally {
        await themed.close();
      }
    }
  });
});
