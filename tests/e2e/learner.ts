/**
 * What a learner does in a lesson, shared by the end-to-end files: paste code into the
 * exercise's editor, paste a whole solution file by file, play a simulation to its end.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Replaces the focused editor's text the way a learner pastes code: select all, then a
 * paste event carrying the text. (Typing it key by key would let the editor auto-indent it.)
 */
export async function pasteOver(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+A');
  await page.evaluate((pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Pastes each file of `files` into its tab of the exercise `section` (Monaco editor). */
export async function pasteFiles(page: Page, section: Locator, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const tab = section.locator('[role="tab"]', { hasText: new RegExp(`^${path.replace('.', '\\.')}$`) });
    await tab.click();
    // The editor shows the tab's file only once the tab is selected; a paste before that
    // lands in the file shown before.
    await expect.poll(() => tab.getAttribute('aria-selected'), { timeout: 5_000 }).toBe('true');
    const lines = section.locator('.monaco-editor .view-lines');
    // After a paste the editor shows the end of the text: its last lines say it took. (The
    // editor draws lines in an order of its own, so each is looked for by itself.)
    const last = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-3)
      .map(squash);
    for (let attempt = 1; ; attempt++) {
      await lines.click();
      await pasteOver(page, text);
      const took = await expect
        .poll(
          async () => {
            const shown = (await lines.innerText()).split('\n').map(squash);
            return last.every((line) => shown.includes(line));
          },
          { timeout: 3_000 },
        )
        .toBe(true)
        .then(() => true, () => false);
      if (took) break;
      if (attempt === 2) throw new Error(`the paste into ${path} did not take: its last lines, ${JSON.stringify(last)}, are not in the editor`);
    }
  }
}

/** Text as the editor draws it, for comparison: non-breaking spaces as spaces, runs of spaces as one. */
const squash = (text: string): string => text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

/** Plays the simulation in `section` from the start to its end at the fastest speed the control offers. */
export async function playToEnd(section: Locator): Promise<void> {
  await section.scrollIntoViewIfNeeded();
  await expect.poll(() => section.getAttribute('data-mounted'), { timeout: 20_000 }).toBe('ready');
  await section.locator('[data-speed]').selectOption('10000');
  await section.getByRole('button', { name: 'Play the simulation' }).click();
  await expect.poll(() => section.getAttribute('data-state'), { timeout: 60_000, interval: 250 }).toBe('finished');
}

/**
 * Points the mouse at the middle of the first `word` drawn in the editor of exercise `id`,
 * as a learner does to read its hover. Monaco draws a run of identifiers as one span: the
 * word is found inside it.
 */
export async function hoverWord(page: Page, id: string, word: string): Promise<void> {
  const spot = await page.evaluate(
    ([exercise, target]) => {
      for (const span of document.querySelectorAll(`[data-exercise="${exercise}"] .view-line span span`)) {
        const text = span.firstChild;
        const at = text?.textContent?.indexOf(target!) ?? -1;
        if (!text || at < 0) continue;
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + target!.length);
        const box = range.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      return null;
    },
    [id, word],
  );
  expect(spot, `"${word}" is not on screen in the editor of ${id}`).not.toBeNull();
  await page.mouse.move(spot!.x, spot!.y);
}
