import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { netlifyHeadersFile, vercelConfig } from './headers.mjs';

/**
 * Writes the site's headers for static hosts next to the built pages: `_headers`
 * (Netlify, Cloudflare Pages) and `vercel.json` (Vercel reads it from the deployed folder
 * when the output is deployed as is).
 * @returns {import('astro').AstroIntegration}
 */
export function staticHostHeaders() {
  return {
    name: 'faultlines:static-host-headers',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const out = fileURLToPath(dir);
        await writeFile(`${out}/_headers`, netlifyHeadersFile());
        await writeFile(`${out}/vercel.json`, JSON.stringify(vercelConfig(), null, 2) + '\n');
        logger.info('wrote _headers and vercel.json');
      },
    },
  };
}
