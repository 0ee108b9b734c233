import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lessonsByExercise } from '../../scripts/lib/lessons.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';

/**
 * Counterexamples where the learner meets them. A linearizability test that fails shows
 * its counterexample under the failure: the quorum store's starter answers reads from one
 * replica, the checker rejects the history, and "Show counterexample" draws the few
 * operations that fail by themselves, on a timeline per client, with the checker's
 * explanation and a table. And the lesson "Partitions happen" shows one from a Jepsen
 * recording of etcd, as text first and drawn when the reader reaches it.
 */
const baseUrl = inject('baseUrl');
const exercise = 'quorum-store';
const failing = 'keeps the history linearizable while the network is whole';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('a failed linearizability test in the results', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`shows the counterexample on request and hides it again, readable in the ${theme} theme`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize(theme === 'dark' ? { width: 390, height: 844 } : { width: 1280, height: 900 });
      await page.goto(`${baseUrl}/lessons/${lessonsByExercise().get(exercise)}/?grader=worker`);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      const section = page.locator(`[data-exercise="${exercise}"]`);
      await section.scrollIntoViewIfNeeded();
      await page.waitForFunction((x) => document.querySelector<HTMLElement>(`[data-exercise="${x}"]`)?.dataset.mounted === 'ready', exercise, {
        timeout: 30_000,
      });
      await section.locator('[data-action="run"]').click();
      await page.waitForFunction((x) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${x}"] [data-status]`)?.dataset.outcome), exercise, {
        timeout: 60_000,
      });

      const test = section.locator('li.test.fail', { hasText: failing });
      await expect(test.locator('.message').textContent()).resolves.toContain('the history is not linearizable');
      // Only the checker's failures carry a counterexample.
      await expect(section.locator('li.test.fail', { hasText: 'refuses requests on the minority side' }).locator('[data-action="counterexample"]').count()).resolves.toBe(0);

      const button = test.locator('[data-action="counterexample"]');
      await expect(button.getAttribute('aria-expanded')).resolves.toBe('false');
      await button.click();
      const view = test.locator('.counterexample-host');
      await view.locator('.cx-explanation').waitFor();
      const explanation = (await view.locator('.cx-explanation').textContent()) ?? '';
      expect(explanation).toMatch(/^get\("k\d"\) → "clients-[abc]-\d+" \(client \d+\) cannot take effect/);
      expect(explanation).toMatch(/\(\d of the \d operations shown, on key "k\d"\)/);
      // The table lists every operation drawn: the message's own list, in the same number.
      const shown = Number(/of the (\d) operations shown/.exec(explanation)![1]);
      await expect(view.locator('tbody tr').count()).resolves.toBe(shown);
      await expect(view.locator('tbody').textContent()).resolves.toContain('cannot be ordered');
      // Simulated times read to a hundredth of a millisecond, not to the float's last digit.
      for (const cell of await view.locator('tbody td:nth-child(3)').allTextContents()) expect(cell).toMatch(/^[\d,]+(\.\d{1,2})? ms$/);
      await expect(view.locator('.cx-summary').textContent()).resolves.toMatch(/1 cannot be placed in any order that respects real time/);
      await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
      const plot = await view.locator('canvas').first().boundingBox();
      expect(plot?.width ?? 0).toBeGreaterThan(200);
      expect(plot!.x + plot!.width).toBeLessThanOrEqual((page.viewportSize()?.width ?? 0) + 1);

      const axe = await new AxeBuilder({ page }).include('.counterexample-host').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

      await button.click();
      await expect(view.locator('.cx-explanation').count()).resolves.toBe(0);
      await expect(button.textContent()).resolves.toBe('Show counterexample');
      await page.close();
    });
  }
});

describe('the recorded counterexample in the lesson', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`reads as text before it is drawn, then draws four operations, in the ${theme} theme`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize(theme === 'dark' ? { width: 390, height: 844 } : { width: 1280, height: 900 });
      await page.goto(`${baseUrl}/lessons/partitions-happen/`);
      const figure = page.locator('[data-counterexample]');
      // Far below the first screen: the page ships the explanation and the table, not the drawing.
      await expect(figure.getAttribute('data-mounted')).resolves.toBeNull();
      await expect(figure.locator('.cx-explanation').textContent()).resolves.toMatch(/^read\(\) → "2" \(client 11\) cannot take effect/);
      await expect(figure.locator('tbody tr').count()).resolves.toBe(4);
      await expect(figure.locator('canvas').count()).resolves.toBe(0);

      await figure.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-counterexample]')?.dataset.mounted === 'ready', null, { timeout: 30_000 });
      await figure.locator('canvas').first().waitFor();
      await expect(figure.locator('tbody tr').count()).resolves.toBe(4);
      await expect(figure.locator('tbody tr[data-role="unplaceable"]').textContent()).resolves.toContain('read() → "2"');
      await expect(figure.locator('.cx-summary').textContent()).resolves.toContain('After the valid prefix the state is "4"');
      const box = await figure.locator('canvas').first().boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual((page.viewportSize()?.width ?? 0) + 1);
      const axe = await new AxeBuilder({ page }).include('[data-counterexample]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      await page.close();
    });
  }
});
