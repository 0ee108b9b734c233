import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listExercises, loadExercise } from '../../src/content/exercises.ts';
import { lessonsByExercise } from '../../scripts/lib/lessons.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { pasteFiles } from './learner.ts';

/**
 * Every exercise of the course, in the lesson that embeds it: the starter fails and the
 * reference solution, pasted into the editor file by file, passes — graded in the page.
 */
const baseUrl = inject('baseUrl');
const root = resolve(import.meta.dirname, '../..');

const lessons = lessonsByExercise();
const exercises = listExercises(join(root, 'exercises')).filter((id) => lessons.has(id));
let browser: Browser;
/** The capstone grades a whole simulated day: about 10 seconds a run in the worker. */
const CAPSTONE = 'capstone';

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function open(page: Page, id: string): Promise<void> {
  // The worker host directly: the WebContainer cannot boot here, and its fallback is tested elsewhere.
  await page.goto(`${baseUrl}/lessons/${lessons.get(id)}/?grader=worker`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const section = page.locator(`[data-exercise="${id}"]`);
  await section.scrollIntoViewIfNeeded();
  await page.waitForFunction((x) => document.querySelector<HTMLElement>(`[data-exercise="${x}"]`)?.dataset.mounted === 'ready', id, {
    timeout: 30_000,
  });
}

async function run(page: Page, id: string): Promise<string> {
  const section = page.locator(`[data-exercise="${id}"]`);
  await page.evaluate((x) => delete document.querySelector<HTMLElement>(`[data-exercise="${x}"] [data-status]`)!.dataset.outcome, id);
  await section.locator('[data-action="run"]').click();
  await page.waitForFunction((x) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${x}"] [data-status]`)?.dataset.outcome), id, {
    timeout: id === CAPSTONE ? 150_000 : 60_000,
  });
  return (await section.locator('[data-status]').textContent()) ?? '';
}

describe('every exercise in its lesson', () => {
  it('covers every exercise of the course', () => {
    expect(exercises).toEqual(listExercises(join(root, 'exercises')));
    expect(exercises.length).toBeGreaterThan(0);
  });

  for (const id of exercises) {
    it(`${id}: the starter fails and the pasted reference solution passes`, async () => {
      const exercise = loadExercise(id, { exercisesDir: join(root, 'exercises'), solutionsDir: join(root, 'solutions') });
      const page = await browser.context.newPage();
      try {
        await open(page, id);
        expect(await run(page, id)).toMatch(/tests passed\.$|^Not run/);
        expect(await page.locator(`[data-exercise="${id}"] [data-status]`).getAttribute('data-outcome')).toBe('fail');
        const section = page.locator(`[data-exercise="${id}"]`);
        // "Show trace" is offered only under tests that ran a simulation: the ring's tests
        // place keys and run none; the capacity plan's p99 tests simulate a busy hour.
        const traces = await section.locator('li.test.fail [data-action="trace"]').count();
        if (id === 'sharding-ring') expect(traces).toBe(0);
        if (id === 'capacity-planning') {
          expect(await section.locator('li.test.fail', { hasText: 'holds the p99 target' }).count()).toBeGreaterThan(0);
          expect(await section.locator('li.test.fail', { hasText: 'holds the p99 target' }).locator('[data-action="trace"]').count()).toBe(
            await section.locator('li.test.fail', { hasText: 'holds the p99 target' }).count(),
          );
        }
        await pasteFiles(page, section, exercise.solution);
        const total = (await run(page, id)).match(/^All (\d+) tests passed\.$/);
        expect(total, await section.locator('[data-results]').innerText()).not.toBeNull();
        if (id === CAPSTONE) {
          // The reference's day, all reference components: its report, opened from the results.
          await section.getByRole('link', { name: 'Read the day\u2019s report' }).click();
          await page.locator('.report-page[data-charts="drawn"]').waitFor({ timeout: 20_000 });
          expect(await page.locator('#report-verdict').innerText()).toBe('Every bound and prediction met (9 of 9)');
          expect(await page.locator('.advice li').allInnerTexts()).toEqual([expect.stringMatching(/^Nothing: every bound and prediction held/)]);
          expect(await page.locator('table.components tbody tr', { hasText: 'shard groups' }).innerText()).toContain('quorum-store/replica.ts: the reference');
          // The map on the Raft log: written before the clients came, read by all twelve routers.
          const controller = await page.locator('table.components tbody tr', { hasText: 'shard controller' }).innerText();
          expect(controller).toContain('raft-log/server.ts: the reference');
          expect(controller).toMatch(/led by ctl-\d from 0:00\.\d \(term 1\).*the map written at 0:00\.\d; 12 routers had read it by 0:00\.\d/s);
          // The rebalance at the peak: every shard the ring gave g5 moved, and no request failed for it.
          const moved = await page.locator('table.components tbody tr', { hasText: 'rebalance' }).innerText();
          expect(moved).toMatch(/g5 joined; your ring moved (\d+) of 32 shards \(\1 to g5; an even share is 6\.4\); \1 moved from 0:1\d\.\d to 0:1\d\.\d/);
          expect(moved).not.toMatch(/gave up|failed with that refusal/);
        }
      } finally {
        await page.close();
      }
    }, id === CAPSTONE ? 330_000 : undefined);
  }
});
