/**
 * A library an exercise offers, in Chromium against the built site: the balancer exercise
 * offers hdr-histogram-js. The page names it, the editor knows its types (a balancer built
 * on it shows no red squiggle), and a run in the worker host passes every test with it —
 * what a learner who reaches for the library sees. Any page or console error fails the test.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { loadExercise } from '../../src/content/exercises.ts';
import { hoverWord, pasteOver } from './learner.ts';

const baseUrl = inject('baseUrl');
const lesson = `${baseUrl}/lessons/failing-backends/`;
const exerciseId = 'balancer-heterogeneous';
const root = resolve(import.meta.dirname, '../..');
const builtOnLibrary = readFileSync(resolve(root, 'tests/fixtures/components/balancer-heterogeneous/alt-hdr-window/balancer.ts'), 'utf8');

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const section = (page: Page) => page.locator(`[data-exercise="${exerciseId}"]`);

describe('a library the exercise offers', () => {
  it('is named beside the exercise, typed in the editor, and graded in the worker: a balancer built on hdr-histogram-js passes', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(lesson);
    await page.evaluate(() => localStorage.clear());
    await page.goto(lesson);
    expect((await section(page).locator('[data-exercise-libraries]').innerText()).replace(/\s+/g, ' ')).toBe(
      'Your code may also import a published library: hdr-histogram-js (HdrHistogram: latency histograms with a fixed relative error, as load generators and proxies record them).',
    );
    await section(page).scrollIntoViewIfNeeded();
    await expect.poll(() => section(page).getAttribute('data-mounted'), { timeout: 30_000 }).toBe('ready');
    const editor = section(page).locator('.monaco-editor').first();

    // A probe at the top: the library's own types make its last line a type error, and its
    // hover shows the library's signature (unresolved, the import would be \`any\` instead).
    await section(page).locator('.monaco-editor .view-lines').click();
    const probe = "import { build as probeBuild } from 'hdr-histogram-js';\nexport const probe: string = probeBuild().getValueAtPercentile(50);\n";
    await pasteOver(page, probe + builtOnLibrary);
    await page.keyboard.press('Control+Home');
    await expect.poll(() => editor.locator('.squiggly-error').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await hoverWord(page, exerciseId, 'getValueAtPercentile');
    await expect.poll(() => page.locator('.monaco-hover').first().innerText().catch(() => ''), { timeout: 15_000 }).toContain('getValueAtPercentile(percentile: number): number');
    await page.mouse.move(0, 0);
    await page.keyboard.press('Escape');
    // The balancer alone: nothing is red.
    await section(page).locator('.monaco-editor .view-lines').click();
    await pasteOver(page, builtOnLibrary);
    await page.keyboard.press('Control+Home');
    await expect.poll(() => editor.locator('.squiggly-error').count(), { timeout: 30_000 }).toBe(0);

    await section(page).locator('[data-action="run"]').click();
    await page.waitForFunction((id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome), exerciseId, { timeout: 60_000 });
    const status = (await section(page).locator('[data-status]').innerText()).replace(/\s+/g, ' ');
    expect(status).toMatch(/^All \d+ tests passed/);
    expect(await section(page).locator('[data-status]').getAttribute('data-outcome')).toBe('pass');
    expect(errors).toEqual([]);
    await page.close();
  });
});
