/**
 * The lesson's live simulation in Chromium, on the built site: it plays and pauses, a
 * parameter moves the metric the right way, the sequence diagram shows a known dropped
 * message, the linearizability counterexample view renders a recorded history, axe finds
 * nothing serious in either theme, nothing logs an error or breaks the CSP, and each view
 * still looks as it did (screenshots compared pixel by pixel, with a tolerance).
 *
 * Screenshots live in tests/e2e/__screenshots__/. After an intended visual change, review
 * the new pictures and update them with:
 *
 *   UPDATE_SCREENSHOTS=1 FAULTLINES_E2E_USE_DIST=1 npx vitest run --project e2e tests/e2e/visual.test.ts
 */
import AxeBuilder from '@axe-core/playwright';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { siteHeaders } from '../../src/site/headers.mjs';
import { scenario as lossyCluster } from '../../src/scenarios/lossy-cluster.ts';
import { fixturesDir } from '../unit/sim/fixtures-checker.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { expectScreenshot } from './screenshots.ts';

const baseUrl = inject('baseUrl');
const root = resolve(import.meta.dirname, '../..');
const lesson = `${baseUrl}/lessons/numbers-that-matter/`;
/** The lesson page with its simulation switched to the lossy scenario (same built scripts). */
const lossyPage = `${baseUrl}/__visual__/lossy/`;
const counterexamplePage = `${baseUrl}/__visual__/counterexample/`;
/** A recorded etcd history, from `tests/fixtures/linearizability`. */
const fixture = resolve(fixturesDir, 'etcd/etcd_000.log');

let light: Browser;
let dark: Browser;
const errors: string[] = [];

/** The counterexample view, bundled from source: it is not on any lesson page yet. */
async function counterexampleBundle(): Promise<{ js: string; css: string }> {
  const out = await build({
    stdin: {
      contents: `
        import { renderCounterexample } from './src/runtime/visual/counterexample-view.ts';
        import { checkLinearizability, parseEtcdLog, registerModel } from './src/sim/checker/index.ts';
        const text = document.querySelector('template#fixture').content.textContent;
        const result = checkLinearizability(registerModel(), parseEtcdLog(text));
        const host = document.querySelector('#cx');
        host.dataset.verdict = result.verdict;
        if (result.verdict === 'not-linearizable') renderCounterexample(host, result.counterexample, { timeUnit: 'events' });
      `,
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'counterexample-harness.ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    outdir: '/harness',
    minify: true,
    logLevel: 'silent',
  });
  const file = (ext: string) => out.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: file('.js'), css: file('.css') };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Serves the harness pages on the site's own origin, with the site's headers (CSP included). */
async function installHarness(browser: Browser, bundle: { js: string; css: string }): Promise<void> {
  const lessonHtml = await (await fetch(lesson)).text();
  // The site's styles, linked or inlined, as the lesson page has them.
  const head = lessonHtml.slice(0, lessonHtml.indexOf('</head>'));
  const headLinks = (head.match(/<link rel="stylesheet"[^>]*>|<style>[\s\S]*?<\/style>/g) ?? []).join('\n');
  const headers = { ...siteHeaders };
  await browser.context.route(`${baseUrl}/__visual__/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/__visual__/lossy/') {
      const body = lessonHtml.replaceAll('data-simulation="queueing-utilisation"', 'data-simulation="lossy-cluster"');
      return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body });
    }
    if (url.pathname === '/__visual__/counterexample/') {
      const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Counterexample view</title><script src="/theme-init.js"></script>${headLinks}<link rel="stylesheet" href="/__visual__/cx.css"></head>
<body><main id="main" style="max-width: 72ch; margin: 0 auto; padding: 1rem"><h1>Not linearizable: etcd_000</h1>
<section id="cx" aria-label="Counterexample"></section>
<template id="fixture">${escapeHtml(readFileSync(fixture, 'utf8'))}</template>
<script type="module" src="/__visual__/cx.js"></script></main></body></html>`;
      return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body });
    }
    if (url.pathname === '/__visual__/cx.js') return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/javascript' }, body: bundle.js });
    if (url.pathname === '/__visual__/cx.css') return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/css' }, body: bundle.css });
    return route.fulfill({ status: 404, body: 'not found' });
  });
}

function watch(page: Page): Page {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  return page;
}

const sim = (page: Page) => page.locator('[data-simulation]');
const state = (page: Page) => sim(page).getAttribute('data-state');
const playhead = async (page: Page) => Number(await sim(page).getAttribute('data-playhead-ms'));

async function openSimulation(browser: Browser, url: string): Promise<Page> {
  const page = watch(await browser.context.newPage());
  await page.goto(url, { waitUntil: 'networkidle' });
  // Nothing heavy loads until the reader reaches the simulation.
  expect(await sim(page).getAttribute('data-mounted')).toBeNull();
  await sim(page).scrollIntoViewIfNeeded();
  await expect.poll(() => sim(page).getAttribute('data-mounted'), { timeout: 20_000 }).toBe('ready');
  return page;
}

/** Plays the whole run at the fastest speed and returns the p99 the summary table shows. */
async function playToEnd(page: Page): Promise<string> {
  await page.selectOption('[data-speed]', '10000');
  if ((await state(page)) !== 'playing') await sim(page).getByRole('button', { name: 'Play the simulation' }).click();
  await expect.poll(() => state(page), { timeout: 30_000 }).toBe('finished');
  return (await page.locator('[data-summary-table] td[data-key="p99"]').textContent())!;
}

function parseMs(text: string): number {
  const m = /([\d.]+)\s*(µs|ms|s)/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'µs' ? n / 1000 : n;
}

/** Puts a run at a fixed instant, so pictures are comparable between runs. */
async function settleAt(page: Page, atMs: number): Promise<void> {
  await page.selectOption('[data-speed]', '10000');
  await sim(page).getByRole('button', { name: 'Play the simulation' }).click();
  await expect.poll(async () => Number(await sim(page).getAttribute('data-available-ms')), { timeout: 20_000 }).toBeGreaterThanOrEqual(atMs);
  if ((await state(page)) === 'playing') await sim(page).getByRole('button', { name: 'Pause the simulation' }).click();
  await page.locator('[data-scrubber]').fill(String(atMs));
  await expect.poll(() => playhead(page)).toBe(atMs);
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
}

// ---------------------------------------------------------------- tests

beforeAll(async () => {
  const bundle = await counterexampleBundle();
  light = await launchBrowser({ colorScheme: 'light' });
  dark = await launchBrowser({ colorScheme: 'dark' });
  await installHarness(light, bundle);
  await installHarness(dark, bundle);
});

afterAll(async () => {
  await light?.close();
  await dark?.close();
});

describe('the simulation in a lesson', () => {
  it('plays, pauses where it was, and steps', async () => {
    const page = await openSimulation(light, lesson);
    expect(await state(page)).toBe('ready');
    await sim(page).getByRole('button', { name: 'Play the simulation' }).click();
    expect(await state(page)).toBe('playing');
    await expect.poll(() => playhead(page)).toBeGreaterThan(50);
    await sim(page).getByRole('button', { name: 'Pause the simulation' }).click();
    expect(await state(page)).toBe('paused');
    const at = await playhead(page);
    await page.waitForTimeout(400);
    expect(await playhead(page)).toBe(at);
    await sim(page).getByRole('button', { name: 'Step' }).click();
    await expect.poll(() => playhead(page)).toBeGreaterThan(at);
    await page.close();
  });

  it('shows a higher p99 after the request rate is raised towards saturation', async () => {
    const page = await openSimulation(light, lesson);
    const rate = page.getByRole('slider', { name: 'Request rate' });
    await rate.fill('50');
    await expect.poll(() => state(page)).toBe('ready');
    const low = parseMs(await playToEnd(page));
    await rate.fill('90');
    expect(await page.locator('[data-param="ratePerS"] output').textContent()).toBe('90 QPS');
    // The change restarts the run from the beginning.
    await expect.poll(() => state(page)).toBe('ready');
    expect(await playhead(page)).toBe(0);
    const high = parseMs(await playToEnd(page));
    expect(high).toBeGreaterThan(low * 2);
    await page.close();
  });

  it('marks the first dropped message of a seeded lossy run with a ✕ and its details', async () => {
    // The same run in Node: the runtime reads the lesson's controls, so ratePerS is 70.
    const built = lossyCluster.build({ ratePerS: 70, workers: 1 }, 1);
    await built.sim.runUntil(2_000);
    const firstDrop = built.sim.trace.ofType('drop')[0]!;
    expect(firstDrop.reason).toBe('loss');

    const page = await openSimulation(light, lossyPage);
    expect(await page.locator('[data-title]').textContent()).toBe(lossyCluster.title);
    await expect.poll(async () => Number(await sim(page).getAttribute('data-available-ms')), { timeout: 20_000 }).toBeGreaterThan(firstDrop.t);
    await sim(page).getByRole('button', { name: 'Next ✕' }).click();
    const details = page.locator('[data-seq-details]');
    await expect.poll(() => details.textContent()).toContain(`#${firstDrop.id} ${firstDrop.from} → ${firstDrop.to}`);
    expect(await details.textContent()).toContain('✕ lost by the network');
    await page.locator('.seq-list-box summary').click();
    await expect.poll(() => page.locator('[data-seq-list] li[data-dropped="loss"]').count()).toBeGreaterThan(0);
    // The list is the keyboard's way in: focusing an entry shows its details.
    await page.locator('[data-seq-list] li[data-dropped="loss"]').first().focus();
    expect(await details.textContent()).toContain('✕');
    await page.close();
  });
});

describe('the linearizability counterexample view', () => {
  it('draws a recorded etcd history that is not linearizable, with the unplaceable operation named', async () => {
    const page = watch(await light.context.newPage());
    await page.goto(counterexamplePage, { waitUntil: 'networkidle' });
    await expect.poll(() => page.locator('#cx').getAttribute('data-verdict')).toBe('not-linearizable');
    expect(await page.locator('.cx-explanation').textContent()).toContain('cannot take effect');
    expect(await page.locator('.cx-table tr[data-role="unplaceable"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.cx-plot canvas').count()).toBeGreaterThan(0);
    await page.close();
  });
});

describe('accessibility and looks', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation with the simulation loaded, in the ${theme} theme`, async () => {
      const browser = theme === 'light' ? light : dark;
      const report: string[] = [];
      for (const url of [lesson, counterexamplePage]) {
        const page = url === lesson ? await openSimulation(browser, url) : watch(await browser.context.newPage());
        if (url !== lesson) await page.goto(url, { waitUntil: 'networkidle' });
        else await settleAt(page, 5_000);
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(theme);
        await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        // The lesson's exercise (Monaco) is another component with its own checks; this file judges the simulation.
        const result = await new AxeBuilder({ page }).exclude('[data-exercise]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            report.push(`${url}: [${v.impact}] ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
          }
        }
        await page.close();
      }
      expect(report).toEqual([]);
    });

    it(`looks as it did: each view in the ${theme} theme`, async () => {
      const browser = theme === 'light' ? light : dark;
      const page = await openSimulation(browser, lesson);
      await settleAt(page, 5_000);
      await expectScreenshot(page, '[data-cluster]', `cluster-${theme}`);
      await expectScreenshot(page, '[data-seq-plot]', `sequence-${theme}`);
      await expectScreenshot(page, '[data-chart="latency"]', `latency-${theme}`);
      await expectScreenshot(page, '[data-chart="histogram"]', `histogram-${theme}`);
      await expectScreenshot(page, '[data-chart="load"]', `load-${theme}`);
      await expectScreenshot(page, '[data-chart="throughput"]', `throughput-${theme}`);
      await page.close();
      const cx = watch(await browser.context.newPage());
      await cx.goto(counterexamplePage, { waitUntil: 'networkidle' });
      await expect.poll(() => cx.locator('#cx').getAttribute('data-verdict')).toBe('not-linearizable');
      await expectScreenshot(cx, '.cx-plot', `counterexample-${theme}`);
      await cx.close();
    });
  }

  it('switches the views to the other theme when the reader toggles it', async () => {
    const page = await openSimulation(light, lesson);
    await settleAt(page, 2_000);
    const axisColour = () => page.locator('[data-seq-plot] canvas').first().evaluate((c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d')!;
      return getComputedStyle(document.documentElement).getPropertyValue('--bg') + ctx.canvas.width;
    });
    const before = await axisColour();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await expect.poll(axisColour).not.toBe(before);
    // The cluster view's circles use the dark background now.
    const fill = await page.locator('[data-cluster] circle[stroke]').first().getAttribute('fill');
    expect(fill?.toLowerCase()).toBe('#14161a');
    await page.close();
  });

  it('fits a 375 px phone without sideways scrolling', async () => {
    const page = watch(await light.context.newPage());
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(lesson);
    await sim(page).scrollIntoViewIfNeeded();
    await expect.poll(() => sim(page).getAttribute('data-mounted'), { timeout: 20_000 }).toBe('ready');
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('raised no console error and no CSP violation on any of these pages', () => {
    expect(errors).toEqual([]);
  });
});
