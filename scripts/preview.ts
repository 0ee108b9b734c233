/**
 * `npm run preview`: serves the built site (dist/) the way a static host configured with
 * dist/_headers would — every response, HTML and 404 included, carries the site's
 * headers (cross-origin isolation and CSP). `astro preview` is not used because the Vite
 * preview server it wraps sends configured headers with static assets but not with the
 * HTML pages themselves, and without them the pages are not cross-origin isolated.
 *
 * The files are served by sirv (content types, ranges, safe path resolution); this module
 * adds what a static host does around it: the headers on every response, the redirect of
 * a page's address to its canonical form with a trailing slash, and the 404 page.
 *
 * Usage: node scripts/preview.ts [--port 4321] [--host localhost] [--dir dist]   (`--help` for more)
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve } from 'node:path';
import sirv from 'sirv';
import { siteHeaders } from '../src/site/headers.mjs';
import { readArgs, UsageError } from './lib/args.ts';
import { isMain } from './lib/main.ts';

export interface PreviewOptions {
  /** The built site; default `dist`. */
  readonly dir?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The headers sent with every response; default the site's (`src/site/headers.mjs`). Tests pass others to stand for a misconfigured host. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Starts the server and resolves once it listens; `url` is its origin. */
export function startPreview(options: PreviewOptions = {}): Promise<{ server: Server; url: string }> {
  const root = resolve(options.dir ?? 'dist');
  if (!existsSync(join(root, 'index.html'))) {
    return Promise.reject(new Error(`No built site in ${root}: run \`npm run build\` first.`));
  }
  const notFound = join(root, '404.html');
  const files = sirv(root, {
    // Looked up on each request rather than listed once at start, so a rebuild while the
    // preview runs is served without a restart.
    dev: true,
    onNoMatch: (req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
      if (req.method === 'HEAD') res.end();
      else createReadStream(notFound).pipe(res);
    },
  });
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(options.headers ?? siteHeaders)) res.setHeader(name, value);
    // Set before sirv answers, which keeps it: a preview must never show a stale build.
    res.setHeader('Cache-Control', 'no-cache');
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A page asked for without its trailing slash moves to the canonical address.
    if (!url.pathname.endsWith('/') && !extname(url.pathname) && existsSync(join(root, url.pathname, 'index.html'))) {
      res.writeHead(301, { Location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    files(req, res);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4321, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      done({ server, url: `http://${options.host ?? '127.0.0.1'}:${port}` });
    });
  });
}

const help = `Usage:
  node scripts/preview.ts [options]      (npm run preview -- [options])

Serves the built site with its headers (cross-origin isolation and CSP), as a static host
configured with dist/_headers would. Build it first with npm run build.

Options:
  --port <n>       the port to listen on (default 4321; 0 picks a free one)
  --host <name>    the address to listen on (default localhost)
  --dir <path>     the built site (default dist)
  -h, --help       show this help`;

export function parseArgs(argv: readonly string[]): PreviewOptions & { help: boolean } {
  const { values, positionals } = readArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    dir: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}.`);
  const port = Number(values.port ?? 4321);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port needs a whole number from 0 to 65535.');
  return { dir: values.dir, port, host: values.host ?? 'localhost', help: values.help ?? false };
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/preview.ts --help for usage.`);
    return 2;
  }
  if (options.help) {
    console.log(help);
    return 0;
  }
  const { url } = await startPreview(options);
  console.log(`Fault Lines preview: ${url}/ (serving ${options.dir ?? 'dist'} with the site's headers; Ctrl+C stops it)`);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
