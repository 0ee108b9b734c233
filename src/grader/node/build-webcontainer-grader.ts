import { build } from 'esbuild';
import { resolve } from 'node:path';

/**
 * Bundles the WebContainer grader (grader, test engine, simulator) into one Node ES module.
 * Everything is bundled, so the container needs no `npm install` before a run. `root` is
 * the project folder.
 */
export async function buildWebcontainerGrader(root = process.cwd()): Promise<string> {
  // Resolved from the project root rather than this module's URL: during the site build
  // this module is itself bundled into another folder.
  const result = await build({
    entryPoints: [resolve(root, 'src/grader/node/webcontainer-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minify: true,
    write: false,
    legalComments: 'none',
    // Some bundled CommonJS packages call require() for Node's built-ins.
    banner: { js: "import { createRequire as __faultlinesRequire } from 'node:module'; const require = __faultlinesRequire(import.meta.url);" },
  });
  return result.outputFiles[0]!.text;
}
