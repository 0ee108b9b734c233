/**
 * Carry-forward as a learner meets it, in Chromium against the built site: the ring they
 * pass in one lesson is the ring the router exercise's cluster places shards with in the
 * next; the result says so; a ring that passes its own tests but breaks the cluster is
 * pointed at, and one click re-runs with the reference ring to show it; the learner can
 * switch to the reference and back, and the choice outlives a reload.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { pasteFiles } from './learner.ts';

const baseUrl = inject('baseUrl');
const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const ringLesson = `${baseUrl}/lessons/partitioning-keys/?grader=worker`;
const routerLesson = `${baseUrl}/lessons/rebalancing-and-routing/?grader=worker`;

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(ringLesson);
  await page.evaluate(() => localStorage.clear());
});
afterAll(async () => {
  await browser?.close();
});

const section = (id: string): Locator => page.locator(`[data-exercise="${id}"]`);

async function open(url: string, id: string): Promise<Locator> {
  await page.goto(url);
  const exercise = section(id);
  await exercise.scrollIntoViewIfNeeded();
  await expect.poll(() => exercise.getAttribute('data-mounted'), { timeout: 30_000 }).toBe('ready');
  return exercise;
}

/** Runs the tests and waits for the outcome; returns the status line. */
async function runTests(exercise: Locator): Promise<{ outcome: string; status: string }> {
  // The previous outcome is cleared when a run starts.
  await exercise.locator('[data-action="run"]').click();
  await expect.poll(() => exercise.locator('[data-status]').getAttribute('data-outcome'), { timeout: 60_000, interval: 250 }).toBeTruthy();
  return { outcome: (await exercise.locator('[data-status]').getAttribute('data-outcome'))!, status: (await exercise.locator('[data-status]').textContent())! };
}

async function passRing(text: string): Promise<void> {
  const ring = await open(ringLesson, 'sharding-ring');
  await pasteFiles(page, ring, { 'ring.ts': text });
  const { outcome, status } = await runTests(ring);
  expect(outcome, status).toBe('pass');
}

const builtOn = (exercise: Locator): Locator => exercise.locator('[data-built-on] li[data-component="sharding-ring"]');

describe('the router exercise builds on the learner\'s ring', { timeout: 240_000 }, () => {
  it('grades with the ring the learner passed, and says so', async () => {
    await passRing(read('tests/fixtures/components/sharding-ring/alt-linear-scan/ring.ts'));
    const router = await open(routerLesson, 'sharding-router');
    await pasteFiles(page, router, {
      'router.ts': read('solutions/sharding-router/router.ts'),
      'migrate.ts': read('solutions/sharding-router/migrate.ts'),
    });
    const { outcome, status } = await runTests(router);
    expect(outcome, status).toBe('pass');
    await expect.poll(() => builtOn(router).getAttribute('data-source')).toBe('yours');
    expect(await builtOn(router).innerText()).toMatch(/^Your ring \(sharding-ring\/ring\.ts, passed .+\)\./);
    // A passing result offers no comparison.
    expect(await builtOn(router).locator('[data-action="run-with-reference"]').count()).toBe(0);
  });

  it('points at a ring that passes its own tests but breaks the cluster, and one click shows the reference ring passes', async () => {
    await passRing(read('tests/fixtures/components/sharding-ring/broken-string-hash/ring.ts'));
    const router = await open(routerLesson, 'sharding-router');
    const { outcome } = await runTests(router);
    expect(outcome).toBe('fail');
    const failure = await router.locator('.tests li.fail').first().innerText();
    expect(failure).toContain('your ring (../sharding-ring/ring.ts) put 32 of the 32 shards on');
    expect(await builtOn(router).getAttribute('data-source')).toBe('yours');
    await builtOn(router).locator('[data-action="run-with-reference"]').click();
    const blame = builtOn(router).locator('.blame');
    await expect.poll(() => blame.getAttribute('data-blame'), { timeout: 60_000, interval: 250 }).toBeTruthy();
    expect(await blame.textContent(), (await blame.textContent())!).toMatch(/^Passes with the reference ring: look at your ring\. With yours, \d+ tests? failed: “/);
    // The comparison does not replace the learner's result.
    expect(await router.locator('[data-status]').getAttribute('data-outcome')).toBe('fail');
  });

  it('switches the ring to the reference and back, and the choice outlives a reload', async () => {
    let router = await open(routerLesson, 'sharding-router');
    await builtOn(router).locator('[data-action="component-choice"]').click();
    expect(await builtOn(router).locator('.choice-note').textContent()).toContain('The reference ring will be used from the next run.');
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('faultlines:progress:v2')!).exercises['sharding-ring'].useReference);
    expect(stored).toBe(true);
    const { outcome } = await runTests(router);
    expect(outcome).toBe('pass');
    expect(await builtOn(router).getAttribute('data-source')).toBe('reference');
    expect(await builtOn(router).innerText()).toMatch(/^The reference ring, as you chose; yours passed on /);
    router = await open(routerLesson, 'sharding-router');
    // The restored result still says what it was built on.
    expect(await builtOn(router).innerText()).toMatch(/^The reference ring, as you chose/);
    await builtOn(router).locator('[data-action="component-choice"]').click();
    expect(await runTests(router).then((r) => r.outcome)).toBe('fail');
    expect(await builtOn(router).getAttribute('data-source')).toBe('yours');
  });
});
