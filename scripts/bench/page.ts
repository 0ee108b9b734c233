/**
 * What a learner's browser loads and waits for, measured in headless Chromium against the
 * built site (built first if dist/ is missing):
 * - page.lesson_initial_js_gzip_bytes: JS and CSS a lesson with an exercise loads before
 *   the learner reaches the exercise (gzip, as a static host would serve it);
 * - page.editor_lazy_gzip_bytes: what reaching the exercise then loads (editor, workers,
 *   exercise data);
 * - grade.cold_ms_p50 / grade.warm_ms_p50: click on Run to the result in the Worker host,
 *   on a fresh page and on later runs, median over several runs;
 * - grade.overhead_warm_ms_p50: warm time minus the tests' own running time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../tests/e2e/browser.ts';
import { startPreview } from '../preview.ts';
import type { BenchSuite } from './types.ts';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'dist');
const lessonPath = '/lessons/numbers-that-matter/';
const exerciseId = 'capacity-planning';
const coldRuns = 5;
const warmRuns = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The gzip size of a built file, or 0 for anything not served from dist/. */
function gzipBytes(pathname: string): number {
  const file = join(dist, decodeURIComponent(pathname));
  if (!file.startsWith(dist) || !existsSync(file)) return 0;
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction((id) => document.querySelector<HTMLElement>(`[data-exercise="${id}"]`)?.dataset.mounted === 'ready', exerciseId, {
    timeout: 60_000,
  });
}

/** Clicks Run and waits for the result; returns [click-to-result ms, host ms, tests ms]. */
async function runOnce(page: Page): Promise<[number, number, number]> {
  const section = page.locator(`[data-exercise="${exerciseId}"]`);
  await page.evaluate((id) => {
    const status = document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)!;
    delete status.dataset.outcome;
  }, exerciseId);
  const started = await page.evaluate(() => performance.now());
  await section.locator('[data-action="run"]').click();
  await page.waitForFunction((id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome), exerciseId, {
    timeout: 60_000,
    polling: 5,
  });
  const ended = await page.evaluate(() => performance.now());
  const host = Number(await section.getAttribute('data-host-ms'));
  const tests = Number(await section.getAttribute('data-tests-ms'));
  return [ended - started, host, tests];
}

export const pageBench: BenchSuite = {
  name: 'page',
  async run(report) {
    if (!existsSync(join(dist, 'index.html'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('npm run build failed');
    }
    const { server, url } = await startPreview({ dir: dist, port: 0 });
    const browser = await launchBrowser();
    try {
      // Initial and lazy bytes.
      const page = await browser.context.newPage();
      const loaded = new Set<string>();
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.origin === url && ['script', 'stylesheet', 'font', 'fetch', 'xhr', 'other'].includes(r.resourceType())) loaded.add(u.pathname);
      });
      await page.goto(`${url}${lessonPath}?grader=worker`, { waitUntil: 'networkidle' });
      const initial = [...loaded].filter((p) => /\.(js|css)$/.test(p));
      report({
        name: 'page.lesson_initial_js_gzip_bytes',
        value: initial.reduce((sum, p) => sum + gzipBytes(p), 0),
        unit: 'bytes',
        note: `${initial.length} JS/CSS files before the exercise is reached; target < 60 KB`,
      });
      const before = new Set(loaded);
      await page.locator(`[data-exercise="${exerciseId}"]`).scrollIntoViewIfNeeded();
      await ready(page);
      await page.waitForLoadState('networkidle');
      const lazy = [...loaded].filter((p) => !before.has(p));
      report({
        name: 'page.editor_lazy_gzip_bytes',
        value: lazy.reduce((sum, p) => sum + gzipBytes(p), 0),
        unit: 'bytes',
        note: `${lazy.length} files loaded on reaching the exercise (editor, workers, exercise data)`,
      });
      await page.close();

      // Cold: a fresh page each time, Run pressed as soon as the editor is ready.
      const cold: number[] = [];
      for (let i = 0; i < coldRuns; i++) {
        const fresh = await browser.context.newPage();
        await fresh.goto(`${url}${lessonPath}?grader=worker`);
        await fresh.locator(`[data-exercise="${exerciseId}"]`).scrollIntoViewIfNeeded();
        await ready(fresh);
        cold.push((await runOnce(fresh))[0]);
        await fresh.close();
      }
      report({ name: 'grade.cold_ms_p50', value: median(cold), unit: 'ms', note: `click to result, first run on a fresh page, ${coldRuns} runs` });

      // Warm: further runs on one page.
      const warmPage = await browser.context.newPage();
      await warmPage.goto(`${url}${lessonPath}?grader=worker`);
      await warmPage.locator(`[data-exercise="${exerciseId}"]`).scrollIntoViewIfNeeded();
      await ready(warmPage);
      await runOnce(warmPage);
      const warm: number[] = [];
      const overhead: number[] = [];
      for (let i = 0; i < warmRuns; i++) {
        await warmPage.waitForTimeout(1_500); // The spare worker starts while the learner reads the result.
        const [total, , tests] = await runOnce(warmPage);
        warm.push(total);
        overhead.push(total - tests);
      }
      report({ name: 'grade.warm_ms_p50', value: median(warm), unit: 'ms', note: `click to result, ${warmRuns} runs; target < 300` });
      report({
        name: 'grade.overhead_warm_ms_p50',
        value: median(overhead),
        unit: 'ms',
        note: 'warm click-to-result minus the tests\' own time; target < 50',
      });
      await warmPage.close();
    } finally {
      await browser.close();
      server.close();
    }
  },
};
