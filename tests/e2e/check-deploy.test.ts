import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../scripts/check-deploy.ts';
import { startPreview } from '../../scripts/preview.ts';
import { siteHeaders } from '../../src/site/headers.mjs';

/**
 * `npm run check-deploy` against the built site served two ways: as a static host
 * configured with dist/_headers serves it, and as one that drops the embedder policy and
 * half of the CSP. It must pass the first and name every problem of the second.
 */
const dist = join(resolve(import.meta.dirname, '../..'), 'dist');
let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function check(headers: Readonly<Record<string, string>>): Promise<{ code: number; lines: string[] }> {
  const started = await startPreview({ dir: dist, port: 0, headers });
  server = started.server;
  const lines: string[] = [];
  const code = await main([started.url], (line) => lines.push(line));
  return { code, lines };
}

describe('npm run check-deploy', { timeout: 120_000 }, () => {
  it('passes a host that sends the site headers, and says what it checked', async () => {
    const { code, lines } = await check(siteHeaders);
    expect(lines.filter((l) => l.startsWith('✓')).map((l) => l.replace(/\(http[^)]*\)|\(\/[^)]*\)/, '(…)'))).toEqual([
      "✓ the home page (…) is served with the site's headers",
      "✓ the lesson numbers-that-matter (…) is served with the site's headers",
      "✓ a script of the lesson (…) is served with the site's headers",
      '✓ the lesson is cross-origin isolated in Chromium',
    ]);
    expect(lines.at(-1)).toBe('The deployment is served as the course needs.');
    expect(code).toBe(0);
  });

  it('fails a host without the embedder policy, naming each missing header and the lost isolation', async () => {
    const { 'Cross-Origin-Embedder-Policy': _dropped, ...rest } = siteHeaders;
    const { code, lines } = await check({ ...rest, 'Content-Security-Policy': "default-src 'self'; script-src 'self'" });
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain('    Cross-Origin-Embedder-Policy is missing (expected "require-corp")');
    expect(text).toContain("    Content-Security-Policy's script-src lacks 'wasm-unsafe-eval' blob:");
    expect(text).toContain('    Content-Security-Policy has no worker-src directive');
    expect(text).toContain('✗ the lesson is cross-origin isolated in Chromium\n    crossOriginIsolated is false');
    expect(lines.at(-1)).toBe('4 check(s) failed.');
  });
});
