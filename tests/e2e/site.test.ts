import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { siteHeaders } from '../../src/site/headers.mjs';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

/** Follows every same-origin link from the home page and returns the paths it found. */
async function crawl(page: Page): Promise<string[]> {
  const seen = new Set<string>(['/']);
  const queue = ['/'];
  while (queue.length > 0 && seen.size < 500) {
    const path = queue.shift()!;
    await page.goto(baseUrl + path);
    const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== baseUrl || url.pathname.startsWith('/pagefind/')) continue;
      if (!seen.has(url.pathname)) {
        seen.add(url.pathname);
        queue.push(url.pathname);
      }
    }
  }
  return [...seen].sort();
}

/** Collects console errors and CSP violations, which a correct page never produces. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

let pages: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  pages = await crawl(page);
  await page.close();
});

afterAll(async () => {
  await browser?.close();
});

describe('the built site', () => {
  it('links every lesson from the course map, and every link leads to a page that exists', async () => {
    expect(pages).toContain('/');
    expect(pages).toContain('/search/');
    expect(pages.some((p) => p.startsWith('/lessons/'))).toBe(true);
    for (const path of pages) {
      const response = await fetch(baseUrl + path);
      expect(response.status, `${path} answered ${response.status}`).toBe(200);
    }
  });

  it('serves every page with the cross-origin isolation and security headers', async () => {
    for (const path of [...pages, '/no-such-page/']) {
      const response = await fetch(baseUrl + path);
      for (const [name, value] of Object.entries(siteHeaders)) {
        expect(response.headers.get(name), `${name} on ${path}`).toBe(value);
      }
    }
  });

  it('is cross-origin isolated and raises no console error or CSP violation on any page', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    for (const path of pages) {
      await page.goto(baseUrl + path, { waitUntil: 'networkidle' });
      expect(await page.evaluate(() => globalThis.crossOriginIsolated), `crossOriginIsolated on ${path}`).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('answers an unknown address with the 404 page', async () => {
    const response = await fetch(`${baseUrl}/lessons/no-such-lesson/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Page not found');
  });
});

describe('accessibility', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation on any page in the ${theme} theme`, async () => {
      const themed = await launchBrowser({ colorScheme: theme });
      try {
        const page = await themed.context.newPage();
        const report: string[] = [];
        for (const path of pages) {
          await page.goto(baseUrl + path, { waitUntil: 'networkidle' });
          const active = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
          expect(active, `${path} should render in the ${theme} theme`).toBe(theme);
          const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
          for (const v of result.violations) {
            if (v.impact === 'serious' || v.impact === 'critical') {
              report.push(`${path}: [${v.impact}] ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
            }
          }
        }
        expect(report).toEqual([]);
      } finally {
        await themed.close();
      }
      // Axe takes seconds on each long lesson page, and every page of the course is checked.
    }, 300_000);
  }
});

describe('navigation', () => {
  it('goes from the course map to a lesson and on through previous and next', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseUrl}/`);
    const first = page.locator('.lesson a').first();
    const title = (await first.textContent())!.trim();
    await first.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(title);
    const lessons = pages.filter((p) => p.startsWith('/lessons/'));
    if (lessons.length > 1) {
      await page.locator('a[rel="next"]').click();
      await page.waitForLoadState();
      await page.locator('a[rel="prev"]').click();
      await expect.poll(() => page.locator('h1').textContent()).toBe(title);
    }
    await page.close();
  });

  it('lets a keyboard user skip to the content, and every lesson has a table of contents that leads to its headings', async () => {
    const page = await browser.context.newPage();
    for (const path of pages.filter((p) => p.startsWith('/lessons/'))) {
      await page.goto(baseUrl + path);
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
      expect(focused).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      const targets = await page.$$eval('.toc a', (links) => links.map((a) => a.getAttribute('href')!));
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        expect(await page.locator(target).count(), `${path} ${target}`).toBe(1);
      }
    }
    await page.close();
  });

  it('switches theme with the toggle and keeps the choice on the next page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseUrl}/`);
    const scheme = () => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
    expect(await scheme()).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await scheme()).toBe('dark');
    await page.goto(`${baseUrl}/search/`);
    expect(await scheme()).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await scheme()).toBe('light');
    await page.close();
  });

  it('remembers a completed lesson on the course map after a reload', async () => {
    const page = await browser.context.newPage();
    const lesson = pages.find((p) => p.startsWith('/lessons/'))!;
    await page.goto(baseUrl + lesson);
    await page.getByRole('button', { name: 'Mark lesson complete' }).click();
    await page.goto(`${baseUrl}/`);
    const id = lesson.split('/')[2];
    await expect.poll(() => page.locator(`[data-lesson="${id}"] .state`).textContent()).toBe('Complete');
    await page.reload();
    expect(await page.locator(`[data-lesson="${id}"] .state`).textContent()).toBe('Complete');
    await page.close();
  });

  it('finds a lesson through site search', async () => {
    const page = await browser.context.newPage();
    const lesson = pages.find((p) => p.startsWith('/lessons/'))!;
    await page.goto(baseUrl + lesson);
    const word = (await page.locator('h1').textContent())!.trim().split(/\s+/)[0]!;
    await page.goto(`${baseUrl}/search/`);
    const input = page.getByRole('textbox');
    await input.fill(word);
    await expect.poll(() => page.locator('.pagefind-ui__result-link').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const hrefs = await page.$$eval('.pagefind-ui__result-link', (links) => links.map((a) => (a as HTMLAnchorElement).pathname));
    expect(hrefs).toContain(lesson);
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    for (const path of pages) {
      await page.goto(baseUrl + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    }
    await page.close();
  });
});

describe('on a phone', () => {
  let phone: Browser;
  beforeAll(async () => {
    phone = await launchBrowser({ viewport: { width: 375, height: 740 }, touch: true });
  });
  afterAll(async () => {
    await phone?.close();
  });

  it('shows every lesson\'s title on the first screen, with the contents folded behind a button', async () => {
    const page = await phone.context.newPage();
    for (const path of pages.filter((p) => p.startsWith('/lessons/'))) {
      await page.goto(baseUrl + path);
      const title = await page.locator('h1').boundingBox();
      expect(title, `${path}: the title is not laid out`).not.toBeNull();
      expect(title!.y + title!.height, `${path}: the title ends ${Math.round(title!.y + title!.height)}px down a 740px screen`).toBeLessThan(740);
      // Either the contents are folded away, or they come after the title in reading order.
      const contentsFirst = await page.evaluate(() => {
        const toc = document.querySelector('.toc');
        const h1 = document.querySelector('h1')!;
        return toc !== null && toc.checkVisibility() && Boolean(toc.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      expect(contentsFirst, `${path}: the table of contents comes before the lesson`).toBe(false);
      const toggle = page.getByRole('button', { name: 'Contents' });
      expect(await toggle.isVisible(), path).toBe(true);
      expect(await toggle.getAttribute('aria-expanded'), path).toBe('false');
      expect(await page.locator('.toc').isVisible(), path).toBe(false);
      expect(await page.locator('.module-nav').isVisible(), path).toBe(false);
    }
    await page.close();
  });

  it('opens and closes the contents from the keyboard and by touch, and a contents link leads to its heading', async () => {
    const page = await phone.context.newPage();
    const lesson = pages.find((p) => p.startsWith('/lessons/'))!;
    await page.goto(baseUrl + lesson);
    const toggle = page.getByRole('button', { name: 'Contents' });
    const panel = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    expect(await panel.locator('.toc').count()).toBe(1);
    expect(await panel.locator('.module-nav').count()).toBe(1);
    // Keyboard: Enter and Space toggle it.
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('.toc').isVisible()).toBe(true);
    expect(await page.locator('.module-nav a[aria-current="page"]').isVisible()).toBe(true);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('.toc').isVisible()).toBe(false);
    // Escape from inside the open contents closes them and returns to the button.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('#lesson-contents')))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe('lesson-contents');
    // Touch: open, tap a heading in the contents; the contents fold and the heading is on screen.
    await toggle.tap();
    const link = page.locator('.toc a').nth(1);
    const target = (await link.getAttribute('href'))!;
    await link.tap();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(target);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    const heading = await page.locator(target).boundingBox();
    expect(heading!.y).toBeGreaterThanOrEqual(-1);
    expect(heading!.y).toBeLessThan(740);
    await page.close();
  });

  it('keeps the contents beside the lesson on a wide screen, with no button to open them', async () => {
    const page = await browser.context.newPage();
    const lesson = pages.find((p) => p.startsWith('/lessons/'))!;
    await page.goto(baseUrl + lesson);
    expect(await page.locator('.toc').isVisible()).toBe(true);
    expect(await page.locator('.module-nav').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Contents' }).count()).toBe(0);
    await page.close();
  });
});
