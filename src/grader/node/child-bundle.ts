/**
 * Starting the grading child from TypeScript sources costs several hundred milliseconds
 * (Node strips the types of every file on load), which a learner would pay on every run. So
 * the host bundles the child, and the simulator if there is one, into a cache folder with
 * esbuild once (a folder per checkout), and rebuilds only when a source file is newer than the bundle. If esbuild is
 * unavailable the child runs from source: slower, same verdicts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simSourceEntry } from './builtins.ts';

const graderDir = fileURLToPath(new URL('..', import.meta.url));
const simDir = fileURLToPath(new URL('../../sim/', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
// One folder per checkout: a worktree that shares this one's node_modules (a link to it)
// would otherwise leave its own bundle here, newer than these sources, and be run in their
// place.
const cacheDir = join(projectRoot, 'node_modules', '.cache', 'faultlines-grader', createHash('sha256').update(projectRoot).digest('hex').slice(0, 12));
const childSource = fileURLToPath(new URL('./child.ts', import.meta.url));

/** What the host should run: the child's entry file and the simulator entry it should load. */
export interface ChildEntry {
  readonly childPath: string;
  readonly simEntry: string;
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function stale(bundle: string, sourcesMtime: number): boolean {
  return !existsSync(bundle) || statSync(bundle).mtimeMs < sourcesMtime;
}

let cached: ChildEntry | undefined;

/** Returns bundled entries, building them first when missing or out of date. */
export async function childEntry(): Promise<ChildEntry> {
  if (cached) return cached;
  const fromSource: ChildEntry = { childPath: childSource, simEntry: simSourceEntry };
  try {
    const { build } = await import('esbuild');
    const common = { bundle: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'silent' } as const;
    // Several hosts may build at once; each writes a private file and renames it into place,
    // so a reader never sees half a bundle.
    const bundle = async (entry: string, outfile: string): Promise<void> => {
      const result = await build({ ...common, entryPoints: [entry], outfile, write: false });
      const output = result.outputFiles[0];
      if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
      const temporary = `${outfile}.${process.pid}.tmp`;
      writeFileSync(temporary, output.contents);
      renameSync(temporary, outfile);
    };
    mkdirSync(cacheDir, { recursive: true });
    const childBundle = join(cacheDir, 'child.mjs');
    const simBundle = join(cacheDir, 'sim.mjs');
    // The grader's own dependencies are bundled too; only the cache stamp decides rebuilds.
    if (stale(childBundle, newestMtime(graderDir))) {
      await bundle(childSource, childBundle);
    }
    let simEntry = simSourceEntry;
    if (existsSync(simSourceEntry)) {
      if (stale(simBundle, newestMtime(simDir))) await bundle(simSourceEntry, simBundle);
      simEntry = simBundle;
    }
    cached = { childPath: childBundle, simEntry };
  } catch {
    cached = fromSource;
  }
  return cached;
}
