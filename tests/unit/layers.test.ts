/**
 * The direction of the project's dependencies, checked over every import in `src/` and
 * `scripts/` so that it stays the way DESIGN.md draws it:
 *
 *   components -> runtime -> grader -> sim
 *
 * - `src/sim` runs unchanged in Node, a Worker and a WebContainer: it imports nothing
 *   outside itself, and nothing from Node, Astro or WebContainers.
 * - `src/grader` never reaches up into the browser (`src/runtime`, `src/scenarios`, the
 *   Astro layer). Its core (the files directly in `src/grader/` and `warm-up/`) is
 *   host-agnostic: it imports no Node module and nothing from the hosts' folders,
 *   `src/grader/node/` and `src/grader/worker/`.
 * - `src/runtime` reaches the simulator only through its public face, `src/sim/index.ts`,
 *   and the grader only through its core.
 * - Nothing in `src/` or `scripts/` imports from `tests/`; tests may import anything.
 *
 * Import specifiers are read with TypeScript's own pre-processor (static imports,
 * re-exports and dynamic `import()`), not by loading modules, so the check is fast and
 * sees type-only imports too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** One import: the importing file and the imported module, both relative to the root. */
interface Edge {
  readonly file: string;
  readonly specifier: string;
  /** The repository path a relative specifier names (query suffixes such as `?raw` dropped); undefined for a package. */
  readonly target: string | undefined;
}

const sourceFile = /\.(ts|mts|js|mjs|astro)$/;

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourcesUnder(path));
    else if (sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The imports of a file. In an `.astro` file, only its frontmatter and scripts hold imports; the pre-processor skips the markup. */
function importsOf(file: string, text: string): Edge[] {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => {
    const path = specifier.replace(/\?.*$/, '');
    const target = path.startsWith('.') ? relative(root, resolve(root, dirname(file), path)).split(sep).join('/') : undefined;
    return { file, specifier, target };
  });
}

const files = [...sourcesUnder('src'), ...sourcesUnder('scripts')];
const edges = files.flatMap((file) => importsOf(file, readFileSync(join(root, file), 'utf8')));

const nodeBuiltins = new Set(builtinModules);
const isNodeModule = (specifier: string): boolean => specifier.startsWith('node:') || nodeBuiltins.has(specifier.split('/')[0]!);
const isAstroOrContainer = (specifier: string): boolean =>
  specifier === 'astro' || specifier.startsWith('astro:') || specifier.startsWith('astro/') || specifier.startsWith('@astrojs/') || specifier.startsWith('@webcontainer/');
const within = (path: string | undefined, folder: string): boolean => path !== undefined && path.startsWith(`${folder}/`);
const isGraderHost = (path: string | undefined): boolean => within(path, 'src/grader/node') || within(path, 'src/grader/worker');
const astroLayer = ['src/components', 'src/layouts', 'src/pages'];

/** Every edge `rule` rejects, as `file imports 'specifier' (target): why`, for a failure that names both ends. */
function breaches(from: (file: string) => boolean, rule: (edge: Edge) => string | undefined): string[] {
  return edges
    .filter((edge) => from(edge.file))
    .flatMap((edge) => {
      const why = rule(edge);
      return why === undefined ? [] : [`${edge.file} imports '${edge.specifier}'${edge.target ? ` (${edge.target})` : ''}: ${why}`];
    });
}

describe('the layers of the project depend one way', () => {
  it('reads the imports of every source file', () => {
    // A guard against a check that passes because it saw nothing.
    expect(files.filter((file) => file.startsWith('src/sim/')).length).toBeGreaterThan(20);
    expect(edges).toContainEqual({ file: 'src/runtime/visual/protocol.ts', specifier: '../../sim/index.ts', target: 'src/sim/index.ts' });
  });

  it('keeps the simulator free of everything outside it', () => {
    expect(
      breaches(
        (file) => within(file, 'src/sim'),
        ({ specifier, target }) => {
          if (target !== undefined) return within(target, 'src/sim') ? undefined : 'the simulator imports only its own files';
          if (isNodeModule(specifier)) return 'the simulator must run in a browser Worker, without Node modules';
          if (isAstroOrContainer(specifier)) return 'the simulator knows nothing of Astro or WebContainers';
          return undefined;
        },
      ),
    ).toEqual([]);
  });

  it('keeps the grader below the browser runtime and the pages', () => {
    expect(
      breaches(
        (file) => within(file, 'src/grader'),
        ({ target }) =>
          ['src/runtime', 'src/scenarios', ...astroLayer].some((layer) => within(target, layer))
            ? 'the grader runs without the page: it must not import the browser runtime, scenarios or Astro components'
            : undefined,
      ),
    ).toEqual([]);
  });

  it("keeps the grader's core free of its hosts and of Node", () => {
    expect(
      breaches(
        (file) => within(file, 'src/grader') && !isGraderHost(file),
        ({ specifier, target }) => {
          if (isGraderHost(target)) return "the grader's core must not depend on a host (src/grader/node, src/grader/worker)";
          if (target === undefined && isNodeModule(specifier)) return "the grader's core runs in a Worker too, without Node modules";
          return undefined;
        },
      ),
    ).toEqual([]);
  });

  it("lets the browser runtime reach the simulator only through src/sim/index.ts, and the grader only through its core", () => {
    expect(
      breaches(
        (file) => within(file, 'src/runtime'),
        ({ target }) => {
          if (within(target, 'src/sim') && target !== 'src/sim/index.ts') return 'import the simulator from src/sim/index.ts, its public face';
          if (isGraderHost(target)) return "the browser's hosts use the grader's core, not another host's folder";
          if (astroLayer.some((layer) => within(target, layer))) return 'the runtime sits below the Astro components';
          return undefined;
        },
      ),
    ).toEqual([]);
  });

  it('never imports the tests from the code or the scripts', () => {
    expect(
      breaches(
        (file) => within(file, 'src') || within(file, 'scripts'),
        ({ target }) => (within(target, 'tests') ? 'tests may import the code and the scripts, never the reverse' : undefined),
      ),
    ).toEqual([]);
  });
});
