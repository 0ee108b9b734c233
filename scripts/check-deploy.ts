/**
 * Checks a deployed copy of the course: `npm run check-deploy -- https://course.example.org`.
 * The home page, a lesson with an exercise and one of its scripts must carry the site's
 * headers (`src/site/headers.mjs`), and the lesson, opened in Chromium, must be
 * cross-origin isolated, which the in-browser runtime needs. Run with --help for more.
 */
import { siteHeaders, cspDirectives } from '../src/site/headers.mjs';
import { launchBrowser } from './lib/browser.ts';
import { readArgs, UsageError } from './lib/args.ts';
import { exercisesInCourseOrder, lessonsByExercise } from './lib/lessons.ts';
import { isMain } from './lib/main.ts';

const help = `Usage:
  node scripts/check-deploy.ts <url> [--lesson <id>]   (npm run check-deploy -- <url>)

Checks that a deployed copy of the course (after npm run build and an upload of dist/ to a
static host) is served as the course needs:

  - the home page, a lesson with an exercise (default: the first exercise's lesson) and a
    script of that lesson carry the site's headers: cross-origin isolation (COOP, COEP,
    CORP), the Content-Security-Policy and the others in src/site/headers.mjs;
  - the lesson, opened in Chromium, is cross-origin isolated (window.crossOriginIsolated),
    so the page can run the tests in the browser.

Exit codes: 0 when everything holds, 1 when something does not (each problem is named),
2 for usage errors and a site that cannot be reached.`;

/** Names the differences between the headers a response carries and the site's. */
export function headerProblems(headers: Headers): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(siteHeaders)) {
    const got = headers.get(name);
    if (got === null) {
      problems.push(`${name} is missing (expected "${name === 'Content-Security-Policy' ? '…' : expected}")`);
      continue;
    }
    if (name === 'Content-Security-Policy') {
      // A host may add to the policy; every directive of the site's must be there with at least its sources.
      const policy = new Map(got.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([n, ...v]) => [n!.toLowerCase(), v]));
      for (const [directive, sources] of Object.entries(cspDirectives)) {
        const present = policy.get(directive);
        const lacking = sources.filter((s) => !present?.includes(s));
        if (present === undefined) problems.push(`Content-Security-Policy has no ${directive} directive`);
        else if (lacking.length > 0) problems.push(`Content-Security-Policy's ${directive} lacks ${lacking.join(' ')}`);
      }
    } else if (got.toLowerCase() !== expected.toLowerCase()) {
      problems.push(`${name} is "${got}", not "${expected}"`);
    }
  }
  return problems;
}

export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  let base: URL;
  let lesson: string;
  try {
    const { values, positionals } = readArgs(argv, { help: { type: 'boolean', short: 'h' }, lesson: { type: 'string' } });
    if (values.help) {
      print(help);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('Give the address of the deployed course, e.g. https://course.example.org/.');
    try {
      base = new URL(positionals[0]!.endsWith('/') ? positionals[0]! : `${positionals[0]}/`);
    } catch {
      throw new UsageError(`${positionals[0]} is not an address.`);
    }
    const lessons = lessonsByExercise();
    const first = exercisesInCourseOrder([...lessons.keys()])[0];
    lesson = values.lesson ?? lessons.get(first!)!;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/check-deploy.ts --help for usage.`);
    return 2;
  }

  let failures = 0;
  const check = (what: string, problems: readonly string[]): void => {
    if (problems.length === 0) print(`✓ ${what}`);
    else {
      failures++;
      print(`✗ ${what}`);
      for (const p of problems) print(`    ${p}`);
    }
  };

  const lessonUrl = new URL(`lessons/${lesson}/`, base);
  let lessonHtml = '';
  for (const [what, url] of [
    ['the home page', base],
    [`the lesson ${lesson}`, lessonUrl],
  ] as const) {
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'follow' });
    } catch (error) {
      console.error(`${url.href} cannot be reached: ${(error as Error).message}`);
      return 2;
    }
    if (url === lessonUrl) lessonHtml = await response.text();
    check(`${what} (${url.href}) is served with the site's headers`, [...(response.ok ? [] : [`it answered ${response.status}`]), ...headerProblems(response.headers)]);
  }
  // A script of the lesson: workers and modules need the headers too (COEP applies to them).
  const src = /<script[^>]+src="([^"]+)"/.exec(lessonHtml)?.[1];
  if (src === undefined) check('a script of the lesson', ['the lesson page has no <script src> to check (is it the course?)']);
  else {
    const scriptUrl = new URL(src, lessonUrl);
    const response = await fetch(scriptUrl);
    check(`a script of the lesson (${scriptUrl.pathname}) is served with the site's headers`, [
      ...(response.ok ? [] : [`it answered ${response.status}`]),
      ...headerProblems(response.headers),
    ]);
  }

  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(lessonUrl.href);
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true);
    check(`the lesson is cross-origin isolated in Chromium`, isolated ? [] : ['crossOriginIsolated is false: the page cannot run the tests in the browser; check COOP and COEP above']);
  } finally {
    browser.takeErrors();
    await browser.close();
  }
  print(failures === 0 ? 'The deployment is served as the course needs.' : `${failures} check(s) failed.`);
  return failures === 0 ? 0 : 1;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
