import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { expectScreenshot } from './screenshots.ts';
import { hoverWord, pasteOver } from './learner.ts';

/**
 * A learner's session with the first exercise, in Chromium against the built site. There
 * is no internet here, so the WebContainer never boots and every run falls back to the
 * worker host — which is itself one of the things under test.
 */
const baseUrl = inject('baseUrl');
const lesson = `${baseUrl}/lessons/numbers-that-matter/`;
const exerciseId = 'capacity-planning';
const root = resolve(import.meta.dirname, '../..');
const solution = readFileSync(resolve(root, `solutions/${exerciseId}/capacity.ts`), 'utf8');
const starter = readFileSync(resolve(root, `exercises/${exerciseId}/capacity.ts`), 'utf8');

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const section = (page: Page) => page.locator(`[data-exercise="${exerciseId}"]`);
const statusText = (page: Page) => section(page).locator('[data-status]').textContent();

async function openExercise(page: Page): Promise<void> {
  await page.goto(lesson);
  await exerciseReady(page);
}

/** Scrolls to the exercise on the current page and waits until it can be used. */
async function exerciseReady(page: Page): Promise<void> {
  await section(page).scrollIntoViewIfNeeded();
  await page.waitForFunction((id) => document.querySelector<HTMLElement>(`[data-exercise="${id}"]`)?.dataset.mounted === 'ready', exerciseId, {
    timeout: 30_000,
  });
}

/**
 * Replaces the open file's text the way a learner pastes code: select all, then a paste
 * event carrying the text. (Typing it key by key would let the editor auto-indent it.)
 */
/**
 * Pastes `text` over the editor's code. `tap` focuses the editor with a touch instead of a
 * click; `checkSaved: false` skips waiting for the saved copy to equal it.
 */
async function replaceCode(page: Page, text: string, options: { readonly tap?: boolean; readonly checkSaved?: boolean } = {}): Promise<void> {
  const editor = section(page).locator('.monaco-editor .view-lines, textarea.plain-editor:visible').first();
  if (options.tap === true) await editor.tap();
  else await editor.click();
  await pasteOver(page, text);
  if (options.checkSaved !== false) await expect.poll(() => editorText(page), { timeout: 5_000 }).toBe(text);
}

async function editorText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    // Read what the learner sees: the saved copy is written on every change.
    const saved = localStorage.getItem('faultlines:code:v1:capacity-planning');
    return saved ? (JSON.parse(saved) as { files: Record<string, string> }).files['capacity.ts'] ?? '' : '';
  });
}

async function runAndWait(page: Page, how: 'button' | 'shortcut' = 'button'): Promise<string> {
  if (how === 'button') await section(page).locator('[data-action="run"]').click();
  else await page.keyboard.press('Control+Enter');
  await page.waitForFunction(
    (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
    exerciseId,
    { timeout: 40_000 },
  );
  return (await statusText(page)) ?? '';
}

async function newPage(context: BrowserContext = browser.context): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

describe('the exercise in a lesson', () => {
  it('loads no editor code until the learner reaches the exercise', async () => {
    const page = await newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(lesson);
    await page.waitForLoadState('networkidle');
    expect(requested.filter((p) => /monaco|editor\.api|ts\.worker|panel|exercises\//.test(p))).toEqual([]);
    const css = await page.$$eval('link[rel="stylesheet"]', (links) => links.map((l) => (l as HTMLLinkElement).href));
    expect(css.filter((href) => /monaco|editor/i.test(href))).toEqual([]);
    await section(page).scrollIntoViewIfNeeded();
    await expect.poll(() => requested.some((p) => p.endsWith(`/exercises/${exerciseId}.json`)), { timeout: 15_000 }).toBe(true);
    await page.close();
  });

  it('fails the starter with the assertion message, and says which host ran and why', async () => {
    const page = await newPage();
    await openExercise(page);
    const headline = await runAndWait(page);
    expect(headline).toMatch(/^\d+ of 21 tests passed\.$/);
    const results = (await section(page).locator('[data-results]').innerText()).replace(/\s+/g, ' ');
    expect(results).toContain('holds the p99 target for a checkout API at its busiest hour');
    expect(results).toContain('the target is 120 ms');
    // Where the tests ran, in plain words; the technical reason is one click away.
    const where = section(page).locator('details.host');
    expect(await where.locator('summary').textContent()).toMatch(/^Your tests ran in this browser tab\. Seed 1128; \d+ ms in all\.$/);
    expect(await where.locator('p').isVisible()).toBe(false);
    await where.locator('summary').click();
    expect(await where.locator('p').textContent()).toContain('The in-browser Node.js runtime (WebContainer) is still starting');
    await page.close();
  });

  it("shows a failing test's trace: its simulation as a message diagram, a time slider and a table in words", async () => {
    const page = await newPage();
    await openExercise(page);
    await runAndWait(page);
    const test = section(page).locator('li.test.fail', { hasText: 'holds the p99 target for a checkout API' });
    const show = test.locator('[data-action="trace"]');
    expect(await show.textContent()).toBe('Show trace');
    // Keyboard only: focus the button and press Enter.
    await show.focus();
    await page.keyboard.press('Enter');
    const trace = test.locator('.test-trace');
    await trace.waitFor({ timeout: 40_000 });
    expect(await trace.locator('.trace-verdict').textContent()).toBe('In the traced run the test failed again, the same way.');
    const caption = (await trace.locator('figcaption').textContent()) ?? '';
    expect(caption).toMatch(/^Simulation 1: 2 nodes, [\d,]+ messages over [\d.]+ s of simulated time \(seed 1128\)/);
    expect(Number(/([\d,]+) messages/.exec(caption)![1]!.replace(/,/g, ''))).toBeGreaterThan(10_000);
    // The table says in words what the diagram draws: the client sent 10,000 requests, the server answered them.
    const rows = await trace.locator('.trace-table tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[0])).toEqual(['server', 'clients']);
    const client = rows[1]!.split('\t').map((c) => c.trim());
    expect(Number(client[1])).toBeGreaterThan(5_000);
    expect(await trace.locator('.seq-plot canvas').count()).toBeGreaterThan(0);
    // The slider moves through simulated time; the list shows the messages in view.
    const slider = trace.locator('input[type="range"]');
    const startText = await trace.locator('output').textContent();
    await slider.focus();
    await page.keyboard.press('End');
    expect(await slider.inputValue()).toBe(await slider.getAttribute('max'));
    expect(await trace.locator('output').textContent()).not.toBe(startText);
    await trace.locator('summary', { hasText: 'Messages in view' }).click();
    await expect.poll(() => trace.locator('.seq-list li').count()).toBeGreaterThan(0);
    const axe = await new AxeBuilder({ page }).include('.test-trace').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    // On a phone-sized screen the trace fits without sideways scrolling (its table scrolls on its own).
    await page.setViewportSize({ width: 375, height: 800 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth))
      .toBeLessThanOrEqual(0);
    // The same button hides it again.
    await show.click();
    expect(await test.locator('.test-trace').count()).toBe(0);
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    await page.close();
  });

  it('keeps one spare grader worker when a trace and a run overlap', async () => {
    const page = await newPage();
    await openExercise(page);
    const graders = () => page.workers().filter((w) => /worker-entry/.test(w.url())).length;
    await runAndWait(page);
    await expect.poll(graders).toBe(1);
    const test = section(page).locator('li.test.fail', { hasText: 'holds the p99 target for a checkout API' });
    await test.locator('[data-action="trace"]').click();
    await page.evaluate((id) => delete document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)!.dataset.outcome, exerciseId);
    await runAndWait(page);
    // Both finished; each started the next spare worker only if there was none.
    await page.waitForTimeout(2_000);
    expect(graders()).toBe(1);
    await page.close();
  });

  it('passes a correct implementation typed into the editor, run with Ctrl+Enter', async () => {
    const page = await newPage();
    await openExercise(page);
    await replaceCode(page, solution);
    expect(await runAndWait(page, 'shortcut')).toBe('All 21 tests passed.');
    await page.close();
  });

  it('keeps the code, the hints opened and the last result after a reload, and shows what broke when the code is broken', async () => {
    const page = await newPage();
    await page.goto(lesson);
    await page.evaluate(() => localStorage.clear());
    await openExercise(page);
    await replaceCode(page, 'export function workersNeeded(): number {\n  return 1;\n}\n');
    await page.waitForTimeout(500);
    await page.reload();
    await openExercise(page);
    expect(await statusText(page)).toContain('Your saved code is back in the editor.');
    expect(await editorText(page)).toContain('return 1;');
    await section(page).locator('[data-action="hint"]').click();
    const headline = await runAndWait(page);
    expect(headline).toMatch(/^\d+ of 21 tests passed\.$/);
    const results = await section(page).locator('[data-results]').innerText();
    expect(results).toContain('keeps 8 workers busy on average, so a single worker would be 800% busy');

    await page.reload();
    await openExercise(page);
    // The hint is still open, and the last result is back, saying when it ran.
    expect(await section(page).locator('[data-hints] li').count()).toBe(1);
    expect(await section(page).locator('[data-action="hint"]').textContent()).toBe('Show hint 2 of 4');
    expect(await statusText(page)).toContain('Your last result is below.');
    expect(await section(page).locator('.restored').textContent()).toMatch(new RegExp(`^Your last run \\(.+\\): ${headline.replace(/\./g, '\\.')}$`));
    expect(await section(page).locator('li.test').count()).toBe(21);
    expect(await section(page).locator('[data-results]').innerText()).toContain('keeps 8 workers busy on average, so a single worker would be 800% busy');
    // The restored result can still be traced: the code has not changed since.
    expect(await section(page).locator('li.test.fail [data-action="trace"]').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('adds the type checker\'s findings to the result, also when they arrive after the tests', async () => {
    const page = await newPage();
    await openExercise(page);
    await replaceCode(page, 'export function workersNeeded(): number {\n  const n: number = "three";\n  return n;\n}\n');
    await runAndWait(page);
    const box = section(page).locator('[data-results] .diagnostics');
    // Either at once or later; never missing.
    await expect.poll(() => box.getAttribute('data-typecheck'), { timeout: 30_000 }).toBe('done');
    expect(await box.innerText()).toMatch(/The type checker found a problem\s+capacity\.ts:2:9 Type 'string' is not assignable to type 'number'\./);
    await page.close();
  });

  it('stops a loop that never ends at the per-test limit, names the test, lists the rest as not run, and keeps the page responsive', async () => {
    const page = await newPage();
    await openExercise(page);
    await replaceCode(page, 'export function workersNeeded(): number {\n  while (true) {}\n}\n');
    await section(page).locator('[data-action="run"]').click();
    // The clock starts when the learner's code starts running (the first test starts).
    await expect.poll(() => statusText(page), { timeout: 15_000, interval: 50 }).toMatch(/^Running test 1/);
    const started = Date.now();
    // While the learner's loop spins in the worker, the page still answers at once.
    await page.waitForTimeout(1_000);
    const t0 = Date.now();
    await page.evaluate(() => document.title);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await page.waitForFunction(
      (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
      exerciseId,
      { timeout: 20_000 },
    );
    const stoppedAfterMs = Date.now() - started;
    expect(await statusText(page)).toBe('Stopped: the code did not finish in time.');
    const results = await section(page).locator('[data-results]').innerText();
    expect(results).toMatch(/Stopped after \d+\.\d s while running "workersNeeded > returns a whole number of workers, at least one": one test may take 4 s/);
    // Stopped by the per-test limit (4 s and a 0.5 s grace), long before the 20 s run limit;
    // the slack is for a busy machine.
    expect(stoppedAfterMs).toBeLessThan(8_000);
    // Every test is listed: the stopped one, and the rest as not run, with why.
    const tests = section(page).locator('li.test');
    expect(await tests.count()).toBe(21);
    expect(await section(page).locator('li.test.fail').count()).toBe(1);
    expect(await section(page).locator('li.test.skip', { hasText: 'Not run: the run was stopped before this test.' }).count()).toBe(20);
    // The next run works: the stopped worker was replaced.
    await replaceCode(page, solution);
    expect(await runAndWait(page)).toBe('All 21 tests passed.');
    await page.close();
  });

  it('stops a loop that prints as it spins at the same limit: console output does not keep a run alive', async () => {
    const page = await newPage();
    await openExercise(page);
    await replaceCode(
      page,
      'export function workersNeeded(): number {\n  let last = 0;\n  for (;;) {\n    if (Date.now() - last > 300) {\n      console.log("still thinking");\n      last = Date.now();\n    }\n  }\n}\n',
    );
    await section(page).locator('[data-action="run"]').click();
    await page.waitForFunction(
      (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
      exerciseId,
      { timeout: 30_000 },
    );
    expect(await statusText(page)).toBe('Stopped: the code did not finish in time.');
    expect(await section(page).locator('[data-results]').innerText()).toMatch(/Stopped after [4-7]\.\d s while running "[^"]+": one test may take 4 s/);
    // What it printed before the stop is kept for the learner.
    expect(await section(page).locator('[data-console]').textContent()).toContain('still thinking');
    await page.close();
  });

  it('refuses to run code with a syntax error and points at the line', async () => {
    const page = await newPage();
    await openExercise(page);
    await replaceCode(page, 'export function workersNeeded( {\n  return 1;\n}\n');
    await section(page).locator('[data-action="run"]').click();
    // The parser notices the missing ")" where `return` appears, on line 2.
    await expect.poll(() => statusText(page), { timeout: 20_000 }).toBe('Not run: a syntax error in capacity.ts at line 2.');
    const results = await section(page).locator('[data-results]').innerText();
    expect(results).toMatch(/capacity\.ts:2:\d+/);
    await page.close();
  });

  it('gives hints one at a time, resets to the starter, and shows the solution as help', async () => {
    const page = await newPage();
    // A learner who has not passed it before (earlier tests share this browser's storage).
    await page.goto(lesson);
    await page.evaluate(() => localStorage.clear());
    await openExercise(page);
    const hint = section(page).locator('[data-action="hint"]');
    await hint.click();
    await expect.poll(() => section(page).locator('[data-hints] li').count()).toBe(1);
    expect(await hint.textContent()).toBe('Show hint 2 of 4');
    await hint.click();
    await hint.click();
    await hint.click();
    expect(await hint.isDisabled()).toBe(true);

    await replaceCode(page, 'export function workersNeeded(): number { return 3; }\n');
    await section(page).locator('[data-action="reset"]').click();
    await expect.poll(() => editorText(page)).toBe(starter);

    await section(page).locator('[data-action="solution"]').click();
    await expect.poll(() => editorText(page)).toBe(solution);
    expect(await section(page).locator('[data-exercise-status]').isVisible()).toBe(false);
    expect(await runAndWait(page)).toBe('All 21 tests passed.');
    const status = await page.evaluate(() => JSON.parse(localStorage.getItem('faultlines:progress:v2')!).exercises['capacity-planning'].status);
    expect(status).toBe('passed-with-help');
    // The panel says so, and still does after a reload.
    expect(await section(page).locator('[data-exercise-status]').textContent()).toBe('Passed with help');
    await page.reload();
    await openExercise(page);
    expect(await section(page).locator('[data-exercise-status]').textContent()).toBe('Passed with help');
    await page.close();
  });

  it('compares the learner file with the reference side by side, labelled, and inline where it does not fit', async () => {
    const page = await newPage();
    // The starter, not code an earlier test saved in this browser.
    await page.goto(lesson);
    await page.evaluate(() => localStorage.clear());
    await openExercise(page);
    await section(page).locator('[data-action="compare"]').click();
    const diffEditor = section(page).locator('.monaco-diff-editor');
    await expect.poll(() => diffEditor.count(), { timeout: 15_000 }).toBe(1);
    expect(await section(page).locator('[data-action="compare"]').getAttribute('aria-pressed')).toBe('true');
    // Two columns, each labelled, the learner's on the left.
    expect(await section(page).locator('.diff-label.mine').textContent()).toBe('Your code: capacity.ts');
    expect(await section(page).locator('.diff-label.reference').textContent()).toBe('Reference: capacity.ts');
    expect(await statusText(page)).toContain('Comparing your capacity.ts (left) with the reference (right).');
    const mine = await diffEditor.locator('.editor.original').boundingBox();
    const reference = await diffEditor.locator('.editor.modified').boundingBox();
    expect(mine && reference && mine.width > 200 && reference.width > 200).toBe(true);
    expect(mine!.x).toBeLessThan(reference!.x);
    // Both sides hold text, and the differences between starter and reference are marked.
    await expect.poll(() => diffEditor.locator('.editor.modified .view-lines').innerText()).toContain('ServiceProfile');
    await expect.poll(() => diffEditor.locator('.editor.original .view-lines').innerText()).toContain('ServiceProfile');
    await expect.poll(() => diffEditor.locator('.line-insert, .char-insert').count()).toBeGreaterThan(0);
    await section(page).locator('[data-action="compare"]').click();
    await expect.poll(() => diffEditor.count()).toBe(0);
    await page.close();

    // At phone width the comparison is one column, and the labels and status say so.
    const phone = await launchBrowser({ viewport: { width: 375, height: 740 }, touch: true });
    try {
      const small = await newPage(phone.context);
      await openExercise(small);
      await section(small).locator('[data-action="compare"]').tap();
      await expect.poll(() => section(small).locator('.monaco-diff-editor').count(), { timeout: 15_000 }).toBe(1);
      expect(await section(small).locator('.monaco-diff').getAttribute('data-layout')).toBe('inline');
      expect(await section(small).locator('.diff-label.inline').textContent()).toContain('lines only in your code are marked −, lines only in the reference +');
      expect(await statusText(small)).toContain('in one column');
    } finally {
      await phone.close();
    }
  });

  it("offers the TypeScript service's completions, hover docs and red squiggles, the simulator's types included", async () => {
    const page = await newPage();
    await openExercise(page);
    const editor = section(page).locator('.monaco-editor').first();
    await replaceCode(
      page,
      [
        "import { Simulation } from '@faultlines/sim';",
        "import type { ServiceProfile } from './types.ts';",
        '',
        'export function workersNeeded(profile: ServiceProfile): number {',
        '  const wrong: number = profile.ratePerS > 0 ? "many" : 1;',
        '  const sim = new Simulation({ seed: 1 });',
        '  return wrong',
        '}',
        '',
      ].join('\n'),
    );
    // A type error gets a red squiggle (the TypeScript worker may take a few seconds to start).
    await expect.poll(() => editor.locator('.squiggly-error').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // Hovering a field of the exercise's own type shows its documentation.
    await hoverWord(page, exerciseId, 'ratePerS');
    await expect.poll(() => page.locator('.monaco-hover').first().innerText().catch(() => ''), { timeout: 15_000 }).toContain('Requests arriving per second');
    // Completions come from the simulator's real types: after `sim.`, its methods.
    await editor.locator('.view-line', { hasText: 'return wrong' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('; sim.');
    const suggestions = section(page).locator('.suggest-widget .monaco-list-row');
    await expect.poll(() => suggestions.allInnerTexts().then((rows) => rows.join(' ')), { timeout: 15_000 }).toContain('addNode');
    await page.keyboard.press('Escape');
    await page.close();
  });

  it('can be used with the keyboard alone', async () => {
    const page = await newPage();
    await openExercise(page);
    await page.evaluate(() => localStorage.removeItem('faultlines:code:v1:capacity-planning'));
    const run = section(page).locator('[data-action="run"]');
    await run.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
      exerciseId,
      { timeout: 40_000 },
    );
    // The file tabs follow the tabs pattern: arrow keys move between files.
    await section(page).locator('[role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await section(page).locator('[role="tab"][aria-selected="true"]').textContent()).toBe('types.ts (read-only)');
    await page.close();
  });

  it('has no serious or critical axe violation with the editor, results and a trace open, and the trace looks as it did, in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const themed = await launchBrowser({ colorScheme: theme });
      try {
        const page = await themed.context.newPage();
        await openExercise(page);
        await runAndWait(page);
        const failing = section(page).locator('li.test.fail', { hasText: 'holds the p99 target for a checkout API' });
        await failing.locator('[data-action="trace"]').click();
        await failing.locator('.test-trace figcaption').waitFor({ timeout: 40_000 });
        // The trace view looks as it did (the seeded starter run, its first tenth on screen).
        await page.mouse.move(0, 0);
        await page.waitForTimeout(300);
        await expectScreenshot(page, '.test-trace figure', `trace-${theme}`);
        const result = await new AxeBuilder({ page })
          .include(`[data-exercise="${exerciseId}"]`)
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
          .analyze();
        const serious = result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${theme}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
        expect(serious).toEqual([]);
      } finally {
        await themed.close();
      }
    }
  });
});

describe('the terminal panel', () => {
  it('shows what the WebContainer process prints, for the exercise that ran', async () => {
    const page = await newPage();
    await openExercise(page);
    expect(await section(page).locator('[data-terminal-panel]').isVisible()).toBe(false);
    // The WebContainer host dispatches its process output this way; it cannot boot here.
    await page.evaluate((id) => {
      document.dispatchEvent(new CustomEvent('faultlines:terminal', { detail: { exerciseId: id, text: 'grader: 8 tests collected\n' } }));
    }, exerciseId);
    await section(page).locator('[data-terminal-panel] summary').click();
    await expect.poll(() => section(page).locator('[data-terminal]').innerText(), { timeout: 10_000 }).toContain('grader: 8 tests collected');
    const css = await page.$$eval('link[rel="stylesheet"]', (links) => links.map((l) => (l as HTMLLinkElement).href));
    expect(css.filter((href) => /xterm/i.test(href))).toEqual([]);
    await page.close();
  });
});

describe('when things go wrong', () => {
  it('says so when the exercise cannot be loaded, and the page keeps working', async () => {
    const page = await newPage();
    browser.allowConsoleError(page, /Failed to load resource: the server responded with a status of 404/);
    await page.route(`**/exercises/${exerciseId}.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto(lesson);
    await section(page).scrollIntoViewIfNeeded();
    await expect.poll(() => statusText(page), { timeout: 15_000 }).toContain(`This exercise could not be loaded: the server answered 404`);
    await page.getByRole('button', { name: 'Mark lesson complete' }).click();
    expect(await page.locator('[data-progress-status]').textContent()).toContain('Marked complete.');
    await page.close();
  });

  it('keeps working in memory and tells the learner when storage is full', async () => {
    const page = await newPage();
    await page.addInitScript(() => {
      Storage.prototype.setItem = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await openExercise(page);
    // Nothing can be saved here, so the saved copy cannot confirm the paste; the run below does.
    await replaceCode(page, solution, { checkSaved: false });
    await expect.poll(() => section(page).locator('[data-storage]').isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await section(page).locator('[data-storage]').textContent()).toContain('QuotaExceededError');
    expect(await runAndWait(page)).toBe('All 21 tests passed.');
    await page.close();
  });
});

describe('on a phone', () => {
  it('lets a learner with a touch screen edit, run and read the results', async () => {
    const phone = await launchBrowser({ viewport: { width: 375, height: 740 }, touch: true });
    try {
      const page = await newPage(phone.context);
      await openExercise(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // A compact panel: the actions in at most two rows, the file tabs in one (they scroll
      // sideways), and every action still on screen.
      const rows = (selector: string) =>
        section(page)
          .locator(selector)
          .evaluateAll((elements) => new Set(elements.filter((e) => e.getClientRects().length > 0).map((e) => Math.round(e.getBoundingClientRect().top))).size);
      expect(await rows('.toolbar button'), 'rows of toolbar buttons').toBeLessThanOrEqual(2);
      expect(await rows('[role="tab"]'), 'rows of file tabs').toBe(1);
      expect(await section(page).locator('[role="tab"]').count()).toBeGreaterThan(1);
      for (const action of ['run', 'hint', 'reset', 'compare', 'solution', 'switch-editor']) {
        const box = (await section(page).locator(`[data-action="${action}"]`).boundingBox())!;
        expect(box.x, action).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, action).toBeLessThanOrEqual(375);
      }
      await replaceCode(page, solution, { tap: true });
      await section(page).locator('[data-action="run"]').tap();
      await page.waitForFunction(
        (id) => Boolean(document.querySelector<HTMLElement>(`[data-exercise="${id}"] [data-status]`)?.dataset.outcome),
        exerciseId,
        { timeout: 40_000 },
      );
      expect(await statusText(page)).toBe('All 21 tests passed.');
      // The plain editor is one tap away for phones where the full editor struggles.
      // Switching reloads the page with the other editor.
      await Promise.all([page.waitForEvent('load'), section(page).locator('[data-action="switch-editor"]').tap()]);
      await exerciseReady(page);
      expect(await section(page).locator('textarea.plain-editor').first().inputValue()).toBe(solution);
    } finally {
      await phone.close();
    }
  });
});
