import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findChromium, thisMachine } from '../../scripts/lib/find-chromium.ts';
import { startPreview } from '../../scripts/preview.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The preview server's origin, e.g. `http://127.0.0.1:43123`. */
    baseUrl: string;
  }
}

const root = resolve(import.meta.dirname, '../..');

/**
 * Checks that there is a Chromium to drive, builds the site (unless
 * FAULTLINES_E2E_USE_DIST=1 says the caller just built it, as .ci/run does) and serves it
 * with the same server as `npm run preview`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Without a browser every file would fail on its own launch error; stop once, before the
  // build, with the line that says how to get one (the stack would only bury it).
  const chromium = findChromium(thisMachine);
  if (!chromium.found) throw Object.assign(new Error(chromium.problem), { stack: chromium.problem });
  const useDist = process.env.FAULTLINES_E2E_USE_DIST === '1' && existsSync(resolve(root, 'dist/index.html'));
  if (!useDist) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', env: process.env });
    if (build.status !== 0) throw new Error('npm run build failed; the end-to-end tests need the built site');
  }
  const { server, url: baseUrl } = await startPreview({ dir: resolve(root, 'dist'), port: 0 });
  project.provide('baseUrl', baseUrl);
  return async () => {
    await new Promise((done) => server.close(done));
  };
}
