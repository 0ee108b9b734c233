/**
 * Runs in every end-to-end test file: after each test, and once more when the file ends,
 * any uncaught page error or console error from any page of any browser the file opened
 * fails the run. A learner's page must never throw, whatever they do; a test that provokes
 * a console error on purpose says so with `browser.allowConsoleError`.
 */
import { afterAll, afterEach } from 'vitest';
import { errorsOfClosedBrowsers, openBrowsers } from '../../scripts/lib/browser.ts';

function collected(): string[] {
  return [...errorsOfClosedBrowsers.splice(0), ...[...openBrowsers].flatMap((browser) => browser.takeErrors())];
}

function check(when: string): void {
  const errors = collected();
  if (errors.length > 0) {
    throw new Error(`The page reported ${errors.length} error${errors.length > 1 ? 's' : ''} ${when}:\n${errors.join('\n')}`);
  }
}

afterEach(() => check('during this test'));
afterAll(() => check('outside any test (in a before or after hook)'));
