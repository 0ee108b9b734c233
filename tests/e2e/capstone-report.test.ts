/**
 * The day's report in Chromium, against the built site, as a learner and a team lead use it:
 *
 * - the page with no run yet, then with a report file opened (the fixture is the report of a
 *   real day, graded in Node), its numbers, charts and traces on screen, saved again as the
 *   same kind of file, and a file it cannot read refused in words; in both themes, at a
 *   phone's width, with axe;
 * - a learner-like mix: the capstone graded in the page with one weak component of the
 *   learner's own (a registry that holds six routers, which passed its own exercise), and the
 *   report, opened from the results, pointing at it, and still there after a reload.
 *
 * Screenshots of the page go to /tmp/report-*.png for review.
 */
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkReport, type GradeReport } from '../../scripts/lib/grade-report.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { lessonsByExercise } from '../../scripts/lib/lessons.ts';
import { loadExercise } from '../../src/content/exercises.ts';
import { pasteFiles } from './learner.ts';

const baseUrl = inject('baseUrl');
const root = resolve(import.meta.dirname, '../..');
const reportUrl = `${baseUrl}/report/`;
const fixture = join(root, 'tests/fixtures/day-reports/capstone-grade-report.json');
const PROGRESS_KEY = 'faultlines:progress:v2';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `[${v.impact}] ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

const message = (page: Page) => page.locator('[data-report-message]');
const drawn = (page: Page) => page.locator('.report-page[data-charts="drawn"]').waitFor({ timeout: 20_000 });

/** The capstone's lesson in the worker host, for a learner with nothing stored yet: its exercise, mounted. */
async function freshCapstone(page: Page): Promise<Locator> {
  await page.goto(`${baseUrl}/lessons/${lessonsByExercise().get('capstone')}/?grader=worker`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const section = page.locator('[data-exercise="capstone"]');
  await section.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-exercise="capstone"]')?.dataset.mounted === 'ready', undefined, { timeout: 30_000 });
  return section;
}

describe('the report page', () => {
  for (const [theme, viewport] of [
    ['light', { width: 1280, height: 900 }],
    ['dark', { width: 390, height: 844 }],
  ] as const) {
    it(`draws an opened report file with its numbers, charts and traces, saves it, and refuses a bad file, in the ${theme} theme at ${viewport.width} px`, async () => {
      const own = await launchBrowser({ colorScheme: theme, viewport });
      try {
        const page = await own.context.newPage();
        await page.goto(reportUrl);
        await page.evaluate(() => localStorage.clear());
        await page.reload();
        await expect.poll(() => message(page).innerText()).toBe('No day has run in this browser yet: run the capstone\u2019s tests, or open a report file.');
        expect(await page.getByRole('button', { name: 'Save this report' }).isDisabled()).toBe(true);

        await page.getByLabel('Open a report file').setInputFiles(fixture);
        await drawn(page);
        expect(await message(page).innerText()).toBe('Showing capstone-grade-report.json.');
        expect(await page.locator('#report-verdict').innerText()).toBe('Every bound and prediction met (9 of 9)');
        const bounds = await page.locator('table.bounds tbody tr').allInnerTexts();
        expect(bounds[0]).toBe('availability outside the zone cut\t99.983%\t≥ 99.900%\t+0.083 points\tmet');
        expect(bounds).toHaveLength(6);
        expect(await page.locator('table.predictions tbody tr').first().innerText()).toBe('p99 at the peak\t15 ms\t14.845 ms\t± 4.453 ms\tmet');
        // Both charts hold the day's 80 buckets, on canvases as wide as the page allows.
        expect(await page.locator('.chart-host[data-drawn="80"]').count()).toBe(2);
        const box = await page.locator('.report-chart canvas').first().boundingBox();
        expect(box!.width).toBeGreaterThan(250);
        expect(await page.locator('table.windows tbody tr').first().innerText()).toMatch(/^router-a3 crashes\t0:04\.6\t0:09\.6\t66,336\t120\t55%\t14\.5 ms$/);
        expect(await page.locator('table.components tbody tr').first().innerText()).toMatch(/^balancer\tbalancer-heterogeneous\/balancer\.ts: the reference\t14\t—\t/);

        const first = page.locator('.slowest > li').first();
        expect(await first.locator('p').innerText()).toMatch(/^get k0 from users-3 at 0:04\.6: 250\.0 ms, failed after 1 attempt/);
        await first.getByRole('button', { name: 'Show trace' }).click();
        expect(await first.locator('.trace-lines li').first().innerText()).toBe(
          'Attempt 1: sent to router-a3 at +0.0 ms, timed out at +250.0 ms. The router passed it to g1-2 at +5.0 ms, which had not answered when the attempt ended.',
        );
        expect(await first.getByRole('button', { name: 'Hide trace' }).getAttribute('aria-expanded')).toBe('true');
        await page.screenshot({ path: `/tmp/report-${theme}-${viewport.width}.png`, fullPage: true });
        expect(await seriousAxeViolations(page)).toEqual([]);

        // Saved, it is the same grade report, which checkReport reads and the page opens again.
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save this report' }).click()]);
        expect(download.suggestedFilename()).toBe('faultlines-day-seed-2026.json');
        const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as GradeReport;
        expect(checkReport(saved)).toEqual([]);
        expect(saved).toEqual(JSON.parse(readFileSync(fixture, 'utf8')));
        expect(await message(page).innerText()).toMatch(/^Saved as faultlines-day-seed-2026\.json/);

        // A file that is not a report: said in words, and the report on show stays.
        await page.getByLabel('Open a report file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"faultlines-grade-report","version":2}') });
        await expect.poll(() => message(page).innerText()).toBe('notes.json: This grade report cannot be read: This report is version 2; this version of the course reads version 1 only.');
        expect(await message(page).getAttribute('role')).toBe('alert');
        expect(await page.locator('#report-verdict').innerText()).toBe('Every bound and prediction met (9 of 9)');
        expect(own.takeErrors()).toEqual([]);
      } finally {
        await own.close();
      }
    });
  }
});

describe('the report page and a last run it cannot draw', () => {
  it('says why it cannot draw the report a stored run left, keeps saving off, and still opens a report file', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(reportUrl);
      // A run stored by another version of the course: its report is a version this page does not read.
      const run = {
        hintsShown: 0,
        lastRun: {
          at: Date.UTC(2026, 11, 1, 12),
          files: { 'plan.ts': '// the plan' },
          note: { summary: 'Ran in a worker.' },
          result: { ok: true, tests: [], logs: [], errors: [], summary: { passed: 8, failed: 0, skipped: 0, total: 8 }, durationMs: 9_000, droppedLogLines: 0, report: { format: 'faultlines-day-report', version: 99 } },
        },
      };
      await page.evaluate((value) => {
        localStorage.clear();
        localStorage.setItem('faultlines:panel:v1:capstone', value);
      }, JSON.stringify(run));
      await page.reload();
      await expect
        .poll(() => message(page).innerText())
        .toBe(
          'Your last run of the capstone left a report this page cannot draw: This day report is version 99; this version of the course reads version 1 only. Run its tests again, or open a report file.',
        );
      expect(await page.locator('.report-page').getAttribute('data-state')).toBe('empty');
      expect(await page.getByRole('button', { name: 'Save this report' }).isDisabled()).toBe(true);
      await page.getByLabel('Open a report file').setInputFiles(fixture);
      await drawn(page);
      expect(await page.locator('#report-verdict').innerText()).toBe('Every bound and prediction met (9 of 9)');
      expect(browser.takeErrors()).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('a long run in the page', () => {
  it('shows how far the day has got, and stops at once when the learner presses Stop, the page working on', async () => {
    const page = await browser.context.newPage();
    try {
      const section = await freshCapstone(page);
      await section.locator('[data-action="run"]').click();
      const progress = section.locator('.run-progress');
      await expect.poll(() => progress.locator('.run-progress-text').innerText(), { timeout: 30_000 }).toMatch(/^\d+\.\d s of 16\.5 s simulated$/);
      const value = Number(await progress.locator('progress').getAttribute('value'));
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(1);
      const pressed = Date.now();
      await section.getByRole('button', { name: 'Stop the run' }).click();
      await page.waitForFunction(() => Boolean(document.querySelector<HTMLElement>('[data-exercise="capstone"] [data-status]')?.dataset.outcome), undefined, { timeout: 10_000 });
      expect(Date.now() - pressed).toBeLessThan(5_000);
      expect(await section.locator('[data-status]').innerText()).toBe('Stopped: you stopped the run.');
      expect(await section.locator('.run-error.cancelled').innerText()).toMatch(/^You stopped the run after \d+\.\d s between tests \(in a before or after hook\)\. Your code is as you left it/);
      expect(await section.locator('li.test').count()).toBe(8);
      expect(await progress.count()).toBe(0);
      // The page still works: the run button is back, and the code is there after a reload.
      await expect.poll(() => section.locator('[data-action="run"]').isEnabled(), { timeout: 20_000 }).toBe(true);
      expect(browser.takeErrors()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});

describe('a first run, with the starter plan', () => {
  it('leaves a report though plan.ts predicts nothing yet, and the report says the predictions are still to make', async () => {
    const page = await browser.context.newPage();
    try {
      const section = await freshCapstone(page);
      await section.locator('[data-action="run"]').click();
      await page.waitForFunction(() => Boolean(document.querySelector<HTMLElement>('[data-exercise="capstone"] [data-status]')?.dataset.outcome), undefined, { timeout: 150_000 });
      expect(await section.locator('[data-status]').getAttribute('data-outcome')).toBe('fail');
      expect(await section.locator('li.test.fail', { hasText: 'measures what you predicted' }).innerText()).toContain('p99 at the peak: no number yet in plan.ts, the day measured');

      await section.getByRole('link', { name: 'Read the day\u2019s report' }).click();
      await page.waitForURL(reportUrl);
      await drawn(page);
      expect(await message(page).innerText()).toMatch(/^Your last day in this browser, run /);
      expect(await page.locator('table.predictions tbody tr').allInnerTexts()).toEqual([
        expect.stringMatching(/^p99 at the peak\tnot predicted yet\t\d+\.?\d* ms\t± [\d.]+ ms\tmissed$/),
        expect.stringMatching(/^acknowledged writes lost \(RPO\)\tnot predicted yet\t\d+ writes\t± 0 writes\tmissed$/),
        expect.stringMatching(/^recovery after the zone cut \(RTO\)\tnot predicted yet\t/),
      ]);
      expect(await page.locator('.advice li').allInnerTexts()).toContain(await page.locator('.advice li', { hasText: 'Prediction (plan.ts): p99 at the peak: not predicted yet' }).innerText());
      // The starter's quorums (R = W = 1) do not meet: the report says so first.
      expect(await page.locator('.advice li').first().innerText()).toMatch(/^Quorums \(plan\.ts\): R = 1 and W = 1 of 5 do not overlap/);
      expect(browser.takeErrors()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 200_000);
});

describe('a learner-like mix in the page', () => {
  it('grades the capstone with one weak component of the learner\u2019s own, and the report, opened from the results, points at it and is there after a reload', async () => {
    const lessons = lessonsByExercise();
    const discovery = loadExercise('discovery-leases');
    const weak = join(root, 'tests/fixtures/components/discovery-leases/broken-six-slots');
    const passedAt = Date.UTC(2026, 11, 1, 12);
    const progress = {
      version: 2,
      lessons: {},
      exercises: {
        'discovery-leases': {
          status: 'passed',
          at: passedAt,
          passing: {
            files: { 'registry.ts': readFileSync(join(weak, 'registry.ts'), 'utf8'), 'client-cache.ts': readFileSync(join(weak, 'client-cache.ts'), 'utf8') },
            at: passedAt,
            interfaceVersion: discovery.interfaceVersion,
          },
        },
      },
      quizzes: {},
    };
    const page = await browser.context.newPage();
    try {
      const lesson = `${baseUrl}/lessons/${lessons.get('capstone')}/?grader=worker`;
      await page.goto(lesson);
      await page.evaluate(([key, value]) => {
        localStorage.clear();
        localStorage.setItem(key!, value!);
      }, [PROGRESS_KEY, JSON.stringify(progress)]);
      await page.reload();
      const section = page.locator('[data-exercise="capstone"]');
      await section.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-exercise="capstone"]')?.dataset.mounted === 'ready', undefined, { timeout: 30_000 });
      const capstone = loadExercise('capstone', { exercisesDir: join(root, 'exercises'), solutionsDir: join(root, 'solutions') });
      await pasteFiles(page, section, capstone.solution);
      await section.locator('[data-action="run"]').click();
      await page.waitForFunction(() => Boolean(document.querySelector<HTMLElement>('[data-exercise="capstone"] [data-status]')?.dataset.outcome), undefined, { timeout: 150_000 });
      expect(await section.locator('[data-status]').getAttribute('data-outcome')).toBe('fail');
      // Six slots for twelve routers: which ones it keeps depends on the order they register in.
      expect(await section.locator('li.test.fail').first().innerText()).toMatch(/never listed [1-6] of the 12 routers/);

      // Saved from the results, without the report page: the grade report, with the learner's registry as theirs.
      const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('button', { name: 'save it as a file' }).click()]);
      const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as GradeReport;
      expect(checkReport(saved)).toEqual([]);
      expect(saved.source).toBe('browser');
      expect(saved.exercises[0]!.components.filter((c) => c.exercise === 'discovery-leases').map((c) => c.source)).toEqual(['yours', 'yours']);
      expect((saved.exercises[0]!.report as { advice: string[] }).advice[0]).toMatch(/^Registry \(discovery-leases\/registry\.ts\)/);
      expect(await section.locator('.report-link [role="status"]').innerText()).toMatch(/Saved as faultlines-day-seed-\d+\.json\./);

      await section.getByRole('link', { name: 'Read the day\u2019s report' }).click();
      await page.waitForURL(reportUrl);
      await drawn(page);
      expect(await message(page).innerText()).toMatch(/^Your last day in this browser, run /);
      expect(await page.locator('#report-verdict').innerText()).toMatch(/^\d+ of 9 bounds and predictions missed$/);
      expect(await page.locator('.advice li').first().innerText()).toMatch(/^Registry \(discovery-leases\/registry\.ts\): it never listed [1-6] of the 12 routers/);
      expect(await page.locator('table.components tbody tr', { hasText: 'client cache and registry' }).innerText()).toContain('discovery-leases/client-cache.ts, registry.ts: yours');
      expect(await page.locator('table.components tbody tr', { hasText: 'shard groups' }).innerText()).toContain('quorum-store/replica.ts: the reference');

      await page.reload();
      await drawn(page);
      expect(await page.locator('.advice li').first().innerText()).toMatch(/^Registry \(discovery-leases\/registry\.ts\)/);
      expect(browser.takeErrors()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);
});
