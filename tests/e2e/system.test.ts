/**
 * The system page in Chromium, against the built site: the map of the store drawn from
 * content/system.json, each component's state for the learner filled in from their progress,
 * the switch between their code and the reference (kept after a reload, followed by another
 * tab), the interfaces, a phone's width and both themes, and axe. It also saves screenshots
 * of the page in both themes, on a phone and on a desktop, to /tmp/system-*.png for review.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadExercise } from '../../src/content/exercises.ts';
import { loadSystem } from '../../src/content/system.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { draftLessons, publishedExercises } from '../../scripts/lib/lessons.ts';

const baseUrl = inject('baseUrl');
const systemUrl = `${baseUrl}/system/`;
const system = loadSystem();
const published = publishedExercises();
/** Components whose exercise is in a published lesson; one whose lesson is a draft is shown as coming. */
const built = system.components.filter((c) => c.exercise !== undefined && published.has(c.exercise));
const planned = system.components.filter((c) => !built.includes(c));
const PROGRESS_KEY = 'faultlines:progress:v2';
/** When the seeded ring passed: 2 November 2026, midday UTC. */
const passedAt = Date.UTC(2026, 10, 2, 12);

/** Progress with the ring passed by the learner's own code, written against today's interface. */
const ringPassed = {
  version: 2,
  lessons: {},
  exercises: {
    'sharding-ring': {
      status: 'passed',
      at: passedAt,
      passing: { files: { 'ring.ts': '// the learner ring' }, at: passedAt, interfaceVersion: loadExercise('sharding-ring').interfaceVersion },
    },
  },
  quizzes: {},
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function pageWith(target: Browser, progress: object | undefined): Promise<Page> {
  const page = await target.context.newPage();
  await page.goto(systemUrl);
  await page.evaluate(
    ([key, value]) => {
      localStorage.clear();
      if (value) localStorage.setItem(key!, value);
    },
    [PROGRESS_KEY, progress ? JSON.stringify(progress) : undefined],
  );
  await page.goto(systemUrl);
  return page;
}

const card = (page: Page, id: string) => page.locator(`[data-component="${id}"]`);
const stateOf = (page: Page, id: string) => card(page, id).getAttribute('data-component-state');
const labelOf = (page: Page, id: string) => card(page, id).locator('[data-state-label]').innerText();
const storedRing = (page: Page) =>
  page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { exercises?: Record<string, { useReference?: boolean }> }).exercises?.['sharding-ring'], PROGRESS_KEY);

async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `[${v.impact}] ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

describe('the system page', () => {
  it('describes a system with built and planned components', () => {
    // A guard against tests that pass because the system is empty.
    expect(built.map((c) => c.id)).toContain('ring');
    expect(planned.length).toBeGreaterThan(0);
  });

  it('is served with every built component not started and every planned one coming, before any script runs', async () => {
    const html = await (await fetch(systemUrl)).text();
    for (const c of built) expect(html).toMatch(new RegExp(`data-component="${c.id}"[^>]*data-component-state="not-started"`));
    for (const c of planned) expect(html).toMatch(new RegExp(`data-component="${c.id}"[^>]*data-component-state="coming"`));
    // Highlighted at build time, and without the editor.
    expect(html).toContain('class="astro-code');
    expect(html.toLowerCase()).not.toContain('monaco');
  });

  it('shows every built component not started and every planned one coming for a new learner, each with its lesson', async () => {
    const requests: string[] = [];
    const page = await browser.context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(systemUrl);
    await page.evaluate(() => localStorage.clear());
    await page.reload({ waitUntil: 'networkidle' });
    expect(await page.locator('h1').innerText()).toBe('The system you will build');
    expect(await page.locator('[data-component]').count()).toBe(system.components.length);
    for (const c of built) {
      expect(await stateOf(page, c.id), c.id).toBe('not-started');
      expect(await labelOf(page, c.id), c.id).toBe('Not started');
      expect(await card(page, c.id).locator('[data-component-switch]').isVisible(), c.id).toBe(false);
      const lesson = card(page, c.id).locator(`a[href$="#exercise-${c.exercise}-title"]`);
      expect(await lesson.count(), `${c.id} links to the lesson that builds it`).toBe(1);
      expect(await card(page, c.id).innerText()).toContain(c.role);
    }
    for (const c of planned) {
      expect(await stateOf(page, c.id), c.id).toBe('coming');
      expect(await labelOf(page, c.id), c.id).toMatch(/^Coming in \S/);
    }
    // A component whose lesson is still a draft is coming: the map links no draft lesson.
    for (const draft of draftLessons()) expect(await page.locator(`a[href^="/lessons/${draft}/"]`).count(), draft).toBe(0);
    // Every component's layer is on the map, and the clients come first.
    const layers = await page.locator('[data-layer]').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.layer));
    expect(layers[0]).toBe('clients');
    for (const c of system.components) expect(layers).toContain(c.layer);
    // One folded interface per exercise, highlighted, opened by a component's link.
    const exercises = new Set(built.map((c) => c.exercise));
    expect(await page.locator('details.interface').count()).toBe(exercises.size);
    expect(await page.locator('#interface-sharding-ring').getAttribute('open')).toBeNull();
    await card(page, 'ring').getByRole('link', { name: 'Its interface' }).click();
    await expect.poll(() => page.locator('#interface-sharding-ring').getAttribute('open')).not.toBeNull();
    expect(await page.locator('#interface-sharding-ring pre.astro-code').innerText()).toContain('ownerOf(key: string): string;');
    expect(requests.filter((url) => /monaco|editor\.worker|ts\.worker/i.test(url))).toEqual([]);
    await page.close();
  });

  it('is linked from the home page and from the site header', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseUrl}/`);
    expect(await page.locator('main a[href="/system/"]').count()).toBe(1);
    await page.locator('header nav').getByRole('link', { name: 'System' }).click();
    await page.waitForURL(systemUrl);
    expect(await page.locator('header nav a[aria-current="page"]').innerText()).toBe('System');
    await page.close();
  });

  it("shows a passing ring as the learner's code, switches it to the reference from the keyboard, and keeps the choice after a reload", async () => {
    const page = await pageWith(browser, ringPassed);
    await expect.poll(() => stateOf(page, 'ring')).toBe('yours');
    expect(await labelOf(page, 'ring')).toMatch(/^Your code — passing since .*2026$/);
    // The other components are untouched.
    expect(await stateOf(page, 'router')).toBe('not-started');
    const button = card(page, 'ring').locator('[data-component-switch]');
    expect(await button.innerText()).toBe('Use the reference ring instead');
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await stateOf(page, 'ring')).toBe('reference');
    expect(await labelOf(page, 'ring')).toBe('Reference in use (you chose it)');
    expect(await card(page, 'ring').locator('[data-switch-note]').innerText()).toBe('Later exercises will use the reference ring.');
    expect(await button.innerText()).toBe('Use your ring again');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-component-switch'))).toBe(true);
    expect((await storedRing(page))?.useReference).toBe(true);

    await page.reload();
    expect(await stateOf(page, 'ring')).toBe('reference');
    expect(await labelOf(page, 'ring')).toBe('Reference in use (you chose it)');
    expect((await storedRing(page))?.useReference).toBe(true);

    // Switched back in another tab: this one follows without a reload.
    const other = await browser.context.newPage();
    await other.goto(systemUrl);
    await card(other, 'ring').locator('[data-component-switch]').click();
    expect(await stateOf(other, 'ring')).toBe('yours');
    await expect.poll(() => stateOf(page, 'ring')).toBe('yours');
    expect((await storedRing(page))?.useReference).toBeUndefined();
    await other.close();
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`fits a phone and a desktop in the ${theme} theme, with no serious axe violation`, async () => {
      const themed = await launchBrowser({ colorScheme: theme });
      try {
        // The ring is the learner's, the balancer the reference by choice: every state is on screen.
        const progress = structuredClone(ringPassed) as typeof ringPassed & { exercises: Record<string, unknown> };
        progress.exercises['balancer-heterogeneous'] = {
          status: 'passed-with-help',
          at: passedAt,
          passing: { files: { 'balancer.ts': '//' }, at: passedAt, interfaceVersion: loadExercise('balancer-heterogeneous').interfaceVersion },
          useReference: true,
        };
        const page = await pageWith(themed, progress);
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(theme);
        await expect.poll(() => stateOf(page, 'balancer')).toBe('reference');
        expect(await stateOf(page, 'ring')).toBe('yours');
        await page.locator('details.interface').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        expect(await seriousAxeViolations(page)).toEqual([]);
        await page.screenshot({ path: `/tmp/system-${theme}-desktop.png`, fullPage: true });

        await page.setViewportSize({ width: 375, height: 740 });
        await page.reload();
        await page.locator('details.interface').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
        expect(await seriousAxeViolations(page)).toEqual([]);
        await page.screenshot({ path: `/tmp/system-${theme}-375.png`, fullPage: true });
        // The map itself, on a phone, for a closer look.
        await page.locator('[data-system-map]').screenshot({ path: `/tmp/system-${theme}-375-map.png` });
        // The header's toggle switches the page, the highlighted interfaces included, to the other theme.
        const other = theme === 'light' ? 'dark' : 'light';
        await page.getByRole('button', { name: `Switch to ${other} theme` }).click();
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(other);
        const codeBackground = await page.locator('#interface-sharding-ring pre').evaluate((pre) => getComputedStyle(pre).backgroundColor);
        expect(codeBackground).toBe(other === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
        expect(await seriousAxeViolations(page)).toEqual([]);
      } finally {
        await themed.close();
      }
      // Three axe passes over every interface of the course, opened: about 4,500 elements each.
    }, 180_000);
  }
});
