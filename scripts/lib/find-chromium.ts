/**
 * Finds the Chromium (or Chrome) that the end-to-end tests and the browser benches drive.
 * playwright-core brings no browser of its own, so the tests use one already on the
 * machine, looked for in this order:
 *
 * 1. `CHROMIUM_PATH`, when it is set. It is taken at its word: a path that names no
 *    executable is an error, not a reason to pick some other browser quietly.
 * 2. The places a package manager or an installer puts one: Debian's and Ubuntu's
 *    `chromium` and `chromium-browser`, Google's `google-chrome`, the snap; on macOS the
 *    apps in `/Applications`.
 * 3. Playwright's browser cache (`npx playwright-core install chromium`), newest revision
 *    first: `~/.cache/ms-playwright` on Linux (or `$XDG_CACHE_HOME`),
 *    `~/Library/Caches/ms-playwright` on macOS, or `$PLAYWRIGHT_BROWSERS_PATH`.
 *
 * The search is a pure function of a {@link Machine}, so a unit test can ask it about a
 * Mac or an empty Linux box from any machine.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';

/** What the search may ask of the machine it runs on. */
export interface Machine {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder, without a trailing slash. */
  readonly home: string;
  /** Whether `path` is a file this user may execute. */
  isExecutable(path: string): boolean;
  /** The names of the entries of folder `path`; none when it does not exist. */
  list(path: string): readonly string[];
}

/** The browser found, or the one line that tells the developer how to get one. */
export type ChromiumSearch = { readonly found: true; readonly path: string } | { readonly found: false; readonly problem: string };

const linuxPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

const macPaths = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
];

/**
 * Where a `chromium-<revision>` folder of Playwright's cache keeps its executable: Chrome
 * for Testing in current releases (`chrome-linux64`, `chrome-mac-arm64`, …), a plain
 * Chromium build in older ones (`chrome-linux`, `chrome-mac`).
 */
const playwrightExecutables: Partial<Record<NodeJS.Platform, readonly string[]>> = {
  linux: ['chrome-linux64/chrome', 'chrome-linux-arm64/chrome', 'chrome-linux/chrome'],
  darwin: [
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
  ],
};

/** Playwright's cache folder, as playwright-core itself computes it. */
function playwrightCache({ platform, env, home }: Machine): string | undefined {
  const configured = env.PLAYWRIGHT_BROWSERS_PATH;
  // "0" means "inside node_modules/playwright-core", where a download lands only on request.
  if (configured !== undefined && configured !== '' && configured !== '0') return configured;
  if (platform === 'linux') return `${env.XDG_CACHE_HOME || `${home}/.cache`}/ms-playwright`;
  if (platform === 'darwin') return `${home}/Library/Caches/ms-playwright`;
  return undefined;
}

/** The revision of a `chromium-<revision>` folder, or undefined for any other entry. */
function chromiumRevision(name: string): number | undefined {
  const match = /^chromium-(\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Every path the search tries after `CHROMIUM_PATH`, in order. */
export function chromiumCandidates(machine: Machine): string[] {
  const installed = machine.platform === 'linux' ? linuxPaths : machine.platform === 'darwin' ? macPaths : [];
  const cache = playwrightCache(machine);
  const inCache = playwrightExecutables[machine.platform] ?? [];
  const revisions =
    cache === undefined || inCache.length === 0
      ? []
      : machine
          .list(cache)
          .flatMap((name) => {
            const revision = chromiumRevision(name);
            return revision === undefined ? [] : [{ name, revision }];
          })
          .sort((a, b) => b.revision - a.revision);
  return [...installed, ...revisions.flatMap(({ name }) => inCache.map((executable) => `${cache}/${name}/${executable}`))];
}

/** How to get a browser, in one line. */
export const noChromium =
  'No Chromium or Chrome found for the end-to-end tests. Install one (Debian or Ubuntu: `sudo apt-get install chromium`; ' +
  'macOS: Google Chrome in /Applications; anywhere: `npx playwright-core install chromium`) ' +
  'or set CHROMIUM_PATH=/path/to/chromium, then run the tests again.';

export function findChromium(machine: Machine): ChromiumSearch {
  const configured = machine.env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    return machine.isExecutable(configured)
      ? { found: true, path: configured }
      : {
          found: false,
          problem: `CHROMIUM_PATH=${configured} is not an executable file. Point it at a Chromium or Chrome binary, or unset it to use one installed in the usual places.`,
        };
  }
  const path = chromiumCandidates(machine).find((candidate) => machine.isExecutable(candidate));
  return path === undefined ? { found: false, problem: noChromium } : { found: true, path };
}

/** The machine these scripts run on. */
export const thisMachine: Machine = {
  platform: process.platform,
  env: process.env,
  home: homedir(),
  isExecutable(path) {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  list(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
};
