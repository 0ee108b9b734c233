import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPreview } from '../../scripts/preview.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The preview server's origin, e.g. `http://127.0.0.1:43123`. */
    baseUrl: string;
  }
}

const root = resolve(import.meta.dirname, '../..');

/**
 * Builds the site (unless FAULTLINES_E2E_USE_DIST=1 says the caller just built it, as
 * .ci/run does) and serves it with the same server as `npm run preview`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
