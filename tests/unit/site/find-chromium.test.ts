import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumCandidates, findChromium, noChromium, thisMachine, type Machine } from '../../../scripts/lib/find-chromium.ts';

/** A machine whose only executables are `files`; its folders are the ones those paths pass through. */
function machine(options: { platform?: NodeJS.Platform; env?: Record<string, string>; files?: readonly string[] }): Machine {
  const files = new Set(options.files ?? []);
  return {
    platform: options.platform ?? 'linux',
    env: options.env ?? {},
    home: options.platform === 'darwin' ? '/Users/ada' : '/home/ada',
    isExecutable: (path) => files.has(path),
    list(path) {
      const names = [...files].filter((file) => file.startsWith(`${path}/`)).map((file) => file.slice(path.length + 1).split('/')[0]!);
      return [...new Set(names)];
    },
  };
}

describe('finding a Chromium for the end-to-end tests', () => {
  it("uses Debian's /usr/bin/chromium on a machine that has it", () => {
    expect(findChromium(machine({ files: ['/usr/bin/chromium', '/usr/bin/google-chrome'] }))).toEqual({ found: true, path: '/usr/bin/chromium' });
  });

  it('takes CHROMIUM_PATH first, over any browser installed in the usual places', () => {
    const search = findChromium(machine({ env: { CHROMIUM_PATH: '/opt/chrome/chrome' }, files: ['/usr/bin/chromium', '/opt/chrome/chrome'] }));
    expect(search).toEqual({ found: true, path: '/opt/chrome/chrome' });
  });

  it('says so when CHROMIUM_PATH names no executable, rather than quietly driving another browser', () => {
    const search = findChromium(machine({ env: { CHROMIUM_PATH: '/opt/chrome/chrome' }, files: ['/usr/bin/chromium'] }));
    expect(search).toEqual({
      found: false,
      problem:
        'CHROMIUM_PATH=/opt/chrome/chrome is not an executable file. Point it at a Chromium or Chrome binary, or unset it to use one installed in the usual places.',
    });
  });

  it("finds Ubuntu's, Google's and the snap's browsers on Linux, in that order", () => {
    const linux = ['/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
    for (const [i, path] of linux.entries()) {
      expect(findChromium(machine({ files: linux.slice(i) })), path).toEqual({ found: true, path });
    }
  });

  it('finds Google Chrome, then Chromium, in /Applications on macOS', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    const chromium = '/Applications/Chromium.app/Contents/MacOS/Chromium';
    expect(findChromium(machine({ platform: 'darwin', files: [chromium, chrome] }))).toEqual({ found: true, path: chrome });
    expect(findChromium(machine({ platform: 'darwin', files: [chromium] }))).toEqual({ found: true, path: chromium });
    // A Linux path means nothing on a Mac.
    expect(findChromium(machine({ platform: 'darwin', files: ['/usr/bin/chromium'] })).found).toBe(false);
  });

  it("falls back on Playwright's cache, newest revision first, in both its current and its older layout", () => {
    const cache = '/home/ada/.cache/ms-playwright';
    const files = [
      `${cache}/chromium-1100/chrome-linux/chrome`,
      `${cache}/chromium-1205/chrome-linux64/chrome`,
      `${cache}/chromium-987/chrome-linux64/chrome`,
      `${cache}/chromium_headless_shell-1205/chrome-headless-shell-linux64/chrome-headless-shell`,
    ];
    expect(findChromium(machine({ files }))).toEqual({ found: true, path: `${cache}/chromium-1205/chrome-linux64/chrome` });
    expect(findChromium(machine({ files: files.slice(0, 1) }))).toEqual({ found: true, path: `${cache}/chromium-1100/chrome-linux/chrome` });
    // An installed browser comes first: it is the one the rest of the machine keeps up to date.
    expect(findChromium(machine({ files: [...files, '/usr/bin/google-chrome'] }))).toEqual({ found: true, path: '/usr/bin/google-chrome' });
  });

  it("looks for Playwright's cache where playwright-core puts it: XDG_CACHE_HOME, PLAYWRIGHT_BROWSERS_PATH, ~/Library/Caches", () => {
    const xdg = '/var/cache/ada/ms-playwright/chromium-1205/chrome-linux64/chrome';
    expect(findChromium(machine({ env: { XDG_CACHE_HOME: '/var/cache/ada' }, files: [xdg] }))).toEqual({ found: true, path: xdg });
    const shared = '/srv/browsers/chromium-1205/chrome-linux-arm64/chrome';
    expect(findChromium(machine({ env: { PLAYWRIGHT_BROWSERS_PATH: '/srv/browsers' }, files: [shared] }))).toEqual({ found: true, path: shared });
    const mac = '/Users/ada/Library/Caches/ms-playwright/chromium-1205/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing';
    expect(findChromium(machine({ platform: 'darwin', files: [mac] }))).toEqual({ found: true, path: mac });
  });

  it('says in one line how to get a browser when there is none', () => {
    expect(findChromium(machine({}))).toEqual({ found: false, problem: noChromium });
    expect(noChromium).not.toContain('\n');
    expect(noChromium).toContain('CHROMIUM_PATH=');
    expect(noChromium).toContain('apt-get install chromium');
    expect(noChromium).toContain('npx playwright-core install chromium');
  });

  it('knows no usual place outside Linux and macOS, so CHROMIUM_PATH is the way there', () => {
    expect(chromiumCandidates(machine({ platform: 'win32' }))).toEqual([]);
    const path = 'C:\\Chrome\\chrome.exe';
    expect(findChromium(machine({ platform: 'win32', env: { CHROMIUM_PATH: path }, files: [path] }))).toEqual({ found: true, path });
  });
});

describe('the machine the search runs on', () => {
  it('counts an executable file, and neither a folder nor a file without the execute bit nor a missing path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultlines-find-chromium-'));
    try {
      const plain = join(dir, 'plain');
      writeFileSync(plain, '');
      expect(thisMachine.isExecutable(process.execPath)).toBe(true);
      expect(thisMachine.isExecutable(dir)).toBe(false);
      expect(thisMachine.isExecutable(plain)).toBe(process.platform === 'win32');
      expect(thisMachine.isExecutable(join(dir, 'missing'))).toBe(false);
      expect(thisMachine.list(dir)).toEqual(['plain']);
      expect(thisMachine.list(join(dir, 'missing'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
