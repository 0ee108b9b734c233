/**
 * Launches a headless Chromium through playwright-core, for the end-to-end tests
 * (`tests/e2e/`) and the benches that drive the built site (`scripts/bench/page.ts`,
 * `visual.ts`). Which Chromium is `find-chromium.ts`'s business. This file lives with the
 * scripts because tests may import scripts, never the reverse (`tests/unit/layers.test.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, thisMachine } from './find-chromium.ts';

let found: string | undefined;

/**
 * The Chromium to drive: CHROMIUM_PATH, else one installed in the usual places. Without
 * one it throws the line that says how to get one; the end-to-end suite's global setup
 * asks first, so that the suite stops once instead of failing file by file.
 */
export function chromiumPath(): string {
  if (found !== undefined) return found;
  const search = findChromium(thisMachine);
  if (!search.found) throw new Error(search.problem);
  found = search.path;
  return found;
}

/**
 * Flags that keep a headless Chromium quiet on a machine without internet: it must not try
 * to reach update, sync or field-trial servers, nor use QUIC or the GPU.
 */
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /**
   * Errors any page of this browser produced (uncaught exceptions, unhandled rejections,
   * console errors, CSP reports) since the last call, each prefixed with the page's path.
   * The end-to-end suite's setup file (`tests/e2e/setup.ts`) calls it after every test and
   * fails the test when the list is not empty.
   */
  takeErrors(): string[];
  /**
   * Lets console errors matching `pattern` through on `page`, for a test that provokes one on
   * purpose (a 404 it routes itself, say). Uncaught page errors are never let through.
   */
  allowConsoleError(page: Page, pattern: RegExp): void;
  close(): Promise<void>;
}

/** Every browser launched and not yet closed, for the suite's after-each check. */
export const openBrowsers = new Set<Browser>();
/** Errors of browsers closed before anyone took them (a file's afterAll closes its browser). */
export const errorsOfClosedBrowsers: string[] = [];

function pathOf(page: Page): string {
  try {
    const url = new URL(page.url());
    return url.pathname + url.search;
  } catch {
    return page.url();
  }
}

/**
 * Starts Chromium with a fresh profile. Playwright refuses `--user-data-dir` among the
 * arguments, so a persistent context in a new temporary folder stands in for it.
 */
export interface LaunchOptions {
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Emulates a phone: touch events and a mobile viewport. */
  readonly touch?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), 'faultlines-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: flags,
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1280, height: 900 },
    hasTouch: options.touch ?? false,
    isMobile: options.touch ?? false,
  });
  const errors: string[] = [];
  const allowed = new WeakMap<Page, RegExp[]>();
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if ((allowed.get(page) ?? []).some((pattern) => pattern.test(text))) return;
      errors.push(`${pathOf(page)}: console error: ${text}`);
    });
    page.on('pageerror', (error) => errors.push(`${pathOf(page)}: uncaught ${error.name}: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const browser: Browser = {
    context,
    takeErrors: () => errors.splice(0),
    allowConsoleError(page, pattern) {
      allowed.set(page, [...(allowed.get(page) ?? []), pattern]);
    },
    async close() {
      openBrowsers.delete(browser);
      await context.close();
      errorsOfClosedBrowsers.push(...errors.splice(0));
      rmSync(profile, { recursive: true, force: true });
    },
  };
  openBrowsers.add(browser);
  return browser;
}
