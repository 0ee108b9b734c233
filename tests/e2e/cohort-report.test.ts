import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merge, toHtml } from '../../scripts/lib/cohort.ts';
import { missingEntry, report, type ReportExercise } from '../../scripts/lib/grade-report.ts';
import { launchBrowser } from '../../scripts/lib/browser.ts';

/**
 * The page `npm run report` writes for a team lead, opened from disk in Chromium as they
 * would open it: the chart is drawn, the numbers are on screen, nothing fails, and axe finds
 * nothing serious, in both themes and at phone width.
 */
const entry = (id: string, passed: number, total: number): ReportExercise => ({
  id,
  title: id,
  status: passed === total ? 'passed' : 'failed',
  passed,
  failed: total - passed,
  skipped: 0,
  total,
  seed: 1,
  durationMs: 100,
  components: [],
  tests: Array.from({ length: total }, (_, i) => ({ name: `t${i}`, file: 'x.test.ts', status: i < passed ? ('passed' as const) : ('failed' as const), durationMs: 1 })),
  errors: [],
});

let dir: string;
let url: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultlines-cohort-page-'));
  const require = createRequire(import.meta.url);
  const uplot = {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  // Alice's report also carries a capstone day (a real one, graded in Node): the page sums it up.
  const day = (JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/day-reports/capstone-grade-report.json'), 'utf8')) as { exercises: ReportExercise[] }).exercises[0]!;
  const cohort = merge([
    { name: 'alice', report: report('a', 'record', [entry('sharding-ring', 8, 8), entry('sharding-router', 13, 13), { ...day, report: day.report }]) },
    { name: 'bob', report: report('b', 'record', [entry('sharding-ring', 5, 8), missingEntry({ id: 'sharding-router', title: 'router' }, 1)]) },
  ]);
  writeFileSync(join(dir, 'summary.html'), toHtml(cohort, uplot));
  url = pathToFileURL(join(dir, 'summary.html')).href;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the cohort summary page', () => {
  for (const [theme, viewport] of [
    ['light', { width: 1280, height: 900 }],
    ['dark', { width: 390, height: 844 }],
  ] as const) {
    it(`shows the chart and every number, in the ${theme} theme at ${viewport.width} px, with no error or serious axe violation`, async () => {
      const browser = await launchBrowser({ colorScheme: theme, viewport });
      try {
        const page = await browser.context.newPage();
        await page.goto(url);
        await page.locator('#chart canvas').waitFor();
        const box = await page.locator('#chart canvas').boundingBox();
        expect(box!.width).toBeGreaterThan(200);
        expect(await page.locator('tbody tr').allInnerTexts()).toEqual([
          'sharding-ring\t1 of 2',
          'sharding-router\t1 of 2',
          'capstone\t1 of 1',
          'alice\t2026\t99.939%\t61%\t14.4 ms\t14.5 ms\t0\t9/9\tnothing',
          'alice\t3/3\t✓ 8/8\t✓ 13/13\t✓ 8/8',
          'bob\t0/3\t✗ 5/8\tno files\t–',
        ]);
        const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
        expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
        expect(browser.takeErrors()).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
