import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lessonsByExercise } from '../../scripts/lib/lessons.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { playToEnd } from './learner.ts';

/**
 * The leader election lesson's live simulation names each server's role and term, in the
 * per-node table and under each server in the cluster view.
 *
 * The leader election exercise where the learner meets it, and Show trace on a test that runs
 * many seeds. The starter votes for every candidate and saves nothing, so the safety tests
 * fail naming the seed and the servers; the lossy-network test runs 50 seeds and then its
 * worst seed again, and Show trace must draw that run (the last of the 51 it created), not
 * the first.
 */
const baseUrl = inject('baseUrl');
const exercise = 'raft-election';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the leader election exercise', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`fails the starter on safety with the seed and servers named, and traces the worst of 50 seeds (${theme} theme)`, async () => {
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
      await expect(section.locator('[data-status]').textContent()).resolves.toMatch(/^5 of 14 tests passed\.$/);

      // Safety: a second vote in one term, with the seed, the servers and the time.
      const votes = section.locator('li.test.fail', { hasText: 'grants at most one vote per term' });
      await expect(votes.locator('.message').textContent()).resolves.toMatch(
        /^Seed \d+ \(chaos run 1 of 50; Show trace draws it\): n\d voted for n\d and then for n\d in term \d+ \(the second vote at [\d,.]+ ms\)\./,
      );

      // The lossy test names its worst seed; Show trace opens on that run.
      const lossy = section.locator('li.test.fail', { hasText: 'keeps its leader through 10 s of 5% message loss' });
      const message = (await lossy.locator('.message').textContent()) ?? '';
      const worst = /The most: Seed (\d+) \(lossy run (\d+) of 50/.exec(message);
      expect(worst, message).not.toBeNull();
      await lossy.locator('[data-action="trace"]').click();
      const trace = lossy.locator('.test-trace');
      await trace.waitFor({ timeout: 60_000 });
      await expect(trace.locator('.trace-verdict').textContent()).resolves.toBe('In the traced run the test failed again, the same way.');
      await expect(trace.locator('label', { hasText: 'This test created' }).textContent()).resolves.toBe(
        'This test created 51 simulations; the last 8 were traced. Show ',
      );
      const select = trace.locator('select');
      await expect(select.locator('option').count()).resolves.toBe(8);
      await expect(select.locator('option:checked').textContent()).resolves.toContain(`(seed ${worst![1]})`);
      const caption = (await trace.locator('figcaption').textContent()) ?? '';
      expect(caption).toMatch(new RegExp(`^Simulation 51: 5 nodes, [\\d,]+ messages over [\\d.]+ s of simulated time \\(seed ${worst![1]}\\)`));
      // The table names the five servers, each of which sent and received messages.
      const rows = await trace.locator('.trace-table tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t')[0])).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
      for (const row of rows) expect(Number(row.split('\t')[1]!.replace(/,/g, ''))).toBeGreaterThan(0);
      // Another of the eight can be chosen.
      await select.selectOption({ index: 0 });
      await expect(trace.locator('figcaption').textContent()).resolves.toMatch(/^Simulation 44: 5 nodes/);
      await page.close();
    });
  }
});

describe('the leader election lesson’s live simulation', () => {
  /** The per-node table as rows of cells by column heading. */
  const nodeTable = (page: Page) =>
    page.locator('[data-simulation="raft-election"] [data-node-table]').evaluate((table) => {
      const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
      return [...table.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries([...tr.children].map((cell, i) => [heads[i], cell.textContent ?? ''])));
    });

  it('shows each server’s role and term in the table and under its node, and down for the crashed one', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/lessons/${lessonsByExercise().get(exercise)}/`);
    const section = page.locator('[data-simulation="raft-election"]');
    await playToEnd(section);
    await section.locator('[data-tables] > summary').click();

    // At the end of the default seed's run one server leads, the rest follow; the clients have no note.
    await expect.poll(() => nodeTable(page)).toSatisfy((rows: Record<string, string>[]) => rows.length === 6 && rows.every((r) => 'State' in r));
    const end = await nodeTable(page);
    expect(end.map((r) => r['Node'])).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'clients']);
    expect(end.filter((r) => /^leader · term \d+$/.test(r['State']!))).toHaveLength(1);
    expect(end.filter((r) => /^follower · term \d+$/.test(r['State']!))).toHaveLength(4);
    expect(end.at(-1)!['State']).toBe('');
    await expect(section.locator('[data-node-table] td.note', { hasText: /^leader · term \d+$/ }).isVisible()).resolves.toBe(true);
    await expect(section.locator('[data-cluster] svg').getAttribute('aria-label')).resolves.toMatch(/The tables below list each node's load and state\.$/);

    // Scrubbed back to 4.1 s: the crashed leader is down, in the table and under its node,
    // and on a phone the cluster view breaks the other notes onto two lines, none cut short.
    await section.locator('[data-scrubber]').fill('4100');
    await expect.poll(() => section.getAttribute('data-playhead-ms')).toBe('4100');
    await expect.poll(async () => (await nodeTable(page)).filter((r) => r['State'] === 'down').map((r) => r['Node'])).toEqual(['n2']);
    const notes = await section.locator('[data-cluster] text[data-note]').evaluateAll((texts) =>
      texts.map((t) => ({ note: t.getAttribute('data-note'), lines: [...t.querySelectorAll('tspan')].map((s) => s.textContent) })),
    );
    expect(notes).toEqual([
      { note: 'follower · term 1', lines: ['follower', 'term 1'] },
      { note: 'down', lines: ['down'] },
      { note: 'follower · term 1', lines: ['follower', 'term 1'] },
      { note: 'follower · term 1', lines: ['follower', 'term 1'] },
      { note: 'follower · term 1', lines: ['follower', 'term 1'] },
    ]);
    expect(browser.takeErrors()).toEqual([]);
    await page.close();
  });
});
