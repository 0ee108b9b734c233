import { DecodedMap, getOriginalPosition } from '@vitest/utils/source-map';
import { hardenModule } from './harden.ts';
import { isLibrary } from './libraries.ts';
import { compile, firstLineShift, pathFromSourceUrl, SourceSyntaxError, type SourceMapJson } from './transpile.ts';
import type { Evaluator, ModuleFactory, ModuleUnit, SourceLocation } from './types.ts';

/** Extensions the loader compiles; anything else is plain data. */
const scriptExtensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/** What an extensionless relative specifier may mean, in the order tried. */
const candidateSuffixes = ['', '.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js'];

/** The values every module receives besides its own `exports`, `require` and `module`. */
export interface ModuleScope {
  readonly console: Console;
  readonly setTimeout: unknown;
  readonly setInterval: unknown;
  readonly clearTimeout: unknown;
  readonly clearInterval: unknown;
  readonly queueMicrotask: unknown;
}

interface LoadedModule {
  exports: unknown;
  readonly id: string;
  loaded: boolean;
}

/** Thrown when an import cannot be resolved; the message is written for the learner. */
export class ImportResolutionError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location: SourceLocation | undefined) {
    super(message);
    this.name = 'Error';
    this.location = location;
  }
}

/**
 * A tiny CommonJS loader over the exercise's files. Everything is compiled and turned into
 * factories before the first test runs (an evaluator may be asynchronous, such as Blob-URL
 * modules), so `require` itself stays synchronous, as CommonJS needs.
 */
export class ModuleLoader {
  readonly #files: Readonly<Record<string, string>>;
  readonly #builtins: ReadonlyMap<string, unknown>;
  readonly #scope: ModuleScope;
  readonly #evaluator: Evaluator;
  readonly #learnerFiles: ReadonlySet<string>;
  readonly #privateFiles: ReadonlySet<string>;
  readonly #maps = new Map<string, DecodedMap>();
  readonly #syntaxErrors = new Map<string, SourceSyntaxError>();
  readonly #evalFailures = new Map<string, unknown>();
  #factories: ReadonlyMap<string, ModuleFactory> = new Map();
  #cache = new Map<string, LoadedModule>();

  constructor(options: {
    files: Readonly<Record<string, string>>;
    builtins: ReadonlyMap<string, unknown>;
    scope: ModuleScope;
    evaluator: Evaluator;
    /**
     * Files that may not import `vitest` (see `GradeRequest.learnerFiles`); every other
     * module's exports are frozen once it has loaded.
     */
    learnerFiles?: readonly string[];
    /** Files the learner files may not import: the tests, and the files the learner is not shown. */
    privateFiles?: readonly string[];
  }) {
    this.#learnerFiles = new Set(options.learnerFiles ?? []);
    this.#privateFiles = new Set(options.privateFiles ?? []);
    this.#files = options.files;
    this.#builtins = options.builtins;
    this.#scope = options.scope;
    this.#evaluator = options.evaluator;
  }

  /** Compiles every script file and asks the evaluator for its factory. */
  async prepare(): Promise<void> {
    const units: ModuleUnit[] = [];
    for (const [path, source] of Object.entries(this.#files)) {
      if (!isScript(path)) continue;
      try {
        const compiled = compile(path, source);
        this.#maps.set(path, new DecodedMap(compiled.sourceMap as SourceMapJson & { version: number }, path));
        units.push({ path, code: compiled.code });
      } catch (error) {
        if (error instanceof SourceSyntaxError) this.#syntaxErrors.set(path, error);
        else throw error;
      }
    }
    const evaluated = await this.#evaluator.define(units);
    this.#factories = evaluated.factories;
    for (const [path, error] of evaluated.failures) this.#evalFailures.set(path, error);
  }

  /**
   * Runs a test file with a fresh module cache, so that each test file sees its own copies
   * of the learner's modules, as vitest isolates test files.
   */
  runTestFile(path: string): unknown {
    this.#cache = new Map();
    return this.#load(path);
  }

  /** The syntax error of a file, if it does not parse. */
  syntaxErrorOf(path: string): SourceSyntaxError | undefined {
    return this.#syntaxErrors.get(path);
  }

  /**
   * Maps one stack frame's position in compiled code back to the source file. Sucrase keeps
   * lines, so only columns need the map; line 1 also carries the wrapper's prefix.
   */
  originalPosition(path: string, line: number, column: number): SourceLocation {
    const map = this.#maps.get(path);
    let generatedColumn = column;
    if (line === 1) generatedColumn -= firstLineShift + (this.#evaluator.firstLineExtraColumns ?? 0);
    if (map) {
      const found = getOriginalPosition(map, { line, column: Math.max(0, generatedColumn - 1) });
      if (found && found.line > 0) return { file: path, line: found.line, column: found.column + 1 };
    }
    return { file: path, line, column: Math.max(1, generatedColumn) };
  }

  /** The exercise path a stack frame's file name refers to, if any. */
  fileForStackName(name: string): string | undefined {
    return pathFromSourceUrl(name) ?? this.#evaluator.fileForStackName?.(name);
  }

  /** The source of an exercise file, for code frames. */
  sourceOf(path: string): string | undefined {
    return this.#files[path];
  }

  #load(path: string): unknown {
    const cached = this.#cache.get(path);
    if (cached) return cached.exports;
    const syntaxError = this.#syntaxErrors.get(path);
    if (syntaxError) throw syntaxError;
    const source = this.#files[path];
    if (source === undefined) throw new Error(`the exercise has no file ${path}`);
    if (path.endsWith('.json')) {
      const value: unknown = JSON.parse(source);
      this.#cache.set(path, { exports: value, id: path, loaded: true });
      return value;
    }
    if (!isScript(path)) {
      this.#cache.set(path, { exports: source, id: path, loaded: true });
      return source;
    }
    const evalFailure = this.#evalFailures.get(path);
    if (evalFailure !== undefined) throw evalFailure;
    const factory = this.#factories.get(path);
    if (!factory) throw new Error(`the grader could not evaluate ${path}`);
    const module: LoadedModule = { exports: {}, id: path, loaded: false };
    this.#cache.set(path, module);
    const require = (specifier: string): unknown => this.#require(path, specifier);
    const scope = this.#scope;
    try {
      factory.call(
        module.exports,
        module.exports,
        require,
        module,
        `/${path}`,
        `/${dirname(path)}`,
        scope.console,
        scope.setTimeout,
        scope.setInterval,
        scope.clearTimeout,
        scope.clearInterval,
        scope.queueMicrotask,
      );
    } catch (error) {
      // A module that failed halfway must not be handed out half-initialised next time.
      this.#cache.delete(path);
      throw error;
    }
    module.loaded = true;
    // The exercise's own modules (its harness, the tests) are shared with the learner's: once
    // loaded, their exports, classes and constants are frozen (see harden.ts), so a learner's
    // file cannot replace a function the tests measure with. The learner's own modules stay
    // as they are.
    if (!this.#learnerFiles.has(path)) hardenModule(module.exports, mutableExports(this.#files[path] ?? ''));
    return module.exports;
  }

  #require(importer: string, specifier: string): unknown {
    if (specifier === 'vitest' && this.#learnerFiles.has(importer)) {
      const at = this.#importLocation(importer, specifier);
      const others = [...this.#builtins.keys()].filter((k) => k !== 'vitest').map((k) => `"${k}"`);
      throw new ImportResolutionError(
        `Cannot import "vitest" in ${importer}${at ? `:${at.line}` : ''}: vitest runs the tests and measures your code, so your code may not use it. ` +
          `Your files can import the exercise's own files (./name.ts)${others.length > 0 ? ` and ${others.join(', ')}` : ''}.`,
        at,
      );
    }
    if (specifier === 'vitest' || this.#builtins.has(specifier)) return this.#builtins.get(specifier);
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) {
      const base = specifier.startsWith('/') ? specifier.slice(1) : join(dirname(importer), specifier);
      const target = this.#resolve(base);
      if (target === undefined) {
        const known = Object.keys(this.#files).filter((f) => isScript(f)).sort();
        throw new ImportResolutionError(
          `Cannot find "${specifier}" imported from ${importer}: the exercise has no such file (its files are ${known.join(', ')}).`,
          this.#importLocation(importer, specifier),
        );
      }
      if (this.#privateFiles.has(target) && this.#learnerFiles.has(importer)) {
        const at = this.#importLocation(importer, specifier);
        const what = target.endsWith('.test.ts') || target.endsWith('.spec.ts') ? 'a test file: the tests import your code, not the other way round' : 'a file the exercise keeps hidden: it belongs to the tests';
        const importable = Object.keys(this.#files)
          .filter((f) => isScript(f) && !this.#privateFiles.has(f) && f !== importer)
          .sort();
        const own = importable.filter((f) => !f.startsWith('../')).map((f) => `./${f}`);
        const earlier = importable.filter((f) => f.startsWith('../'));
        const list = [...own, ...earlier];
        throw new ImportResolutionError(
          `Cannot import "${specifier}" in ${importer}${at ? `:${at.line}` : ''}: ${target} is ${what}.` +
            (list.length > 0 ? ` Your files can import ${list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`}.` : ''),
          at,
        );
      }
      return this.#load(target);
    }
    const allowed = [
      'relative paths to the exercise\'s own files (./name.ts)',
      ...(this.#learnerFiles.has(importer) ? [] : ['"vitest"']),
      ...[...this.#builtins.keys()].filter((k) => k !== 'vitest').map((k) => `"${k}"`),
    ];
    const at = this.#importLocation(importer, specifier);
    const why = isLibrary(specifier)
      ? `this exercise does not offer the library ${specifier} (an exercise lists the libraries it offers in its exercise.json); here, code can import only`
      : 'exercises can import only';
    throw new ImportResolutionError(`Cannot import "${specifier}" in ${importer}${at ? `:${at.line}` : ''}: ${why} ${allowed.join(', ')}.`, at);
  }

  #resolve(base: string): string | undefined {
    for (const suffix of candidateSuffixes) {
      if (this.#files[base + suffix] !== undefined) return base + suffix;
    }
    // TypeScript lets `./ring.js` name `ring.ts`; honour that convention too.
    const swapped = base.replace(/\.([mc]?)js$/, '.$1ts');
    if (swapped !== base && this.#files[swapped] !== undefined) return swapped;
    return undefined;
  }

  /** Finds the import statement of a specifier in the importer's source, for messages. */
  #importLocation(importer: string, specifier: string): SourceLocation | undefined {
    const source = this.#files[importer];
    if (source === undefined) return undefined;
    for (const quote of ["'", '"']) {
      const offset = source.indexOf(`${quote}${specifier}${quote}`);
      if (offset === -1) continue;
      const before = source.slice(0, offset);
      const line = before.split('\n').length;
      const lineStart = before.lastIndexOf('\n') + 1;
      return { file: importer, line, column: offset - lineStart + 1 };
    }
    return undefined;
  }
}

/** Whether the grader compiles and loads a file as a module (`.ts`/`.js`…, not `.d.ts`). */
export function isScript(path: string): boolean {
  return scriptExtensions.some((ext) => path.endsWith(ext)) && !path.endsWith('.d.ts');
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * Joins and normalises exercise-relative paths. A `..` above the exercise's folder is kept:
 * `../sharding-ring/ring.ts` names a file of an earlier exercise the grader laid beside it.
 */
function join(dir: string, relative: string): string {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/**
 * The default evaluator: indirect `eval` of each module's function expression. It is the
 * fastest way and the only one a plain Node process has without extra flags, but under a
 * Content Security Policy it needs `'unsafe-eval'`; see the README.
 */
export const evalEvaluator: Evaluator = {
  name: 'eval',
  async define(units) {
    const factories = new Map<string, ModuleFactory>();
    const failures = new Map<string, unknown>();
    const indirectEval = globalThis.eval;
    for (const unit of units) {
      try {
        factories.set(unit.path, indirectEval(unit.code) as ModuleFactory);
      } catch (error) {
        failures.set(unit.path, error);
      }
    }
    return { factories, failures };
  },
};

/** The names a module's source declares with `export let` or `export var`: bindings it may update after it has loaded. */
export function mutableExports(source: string): string[] {
  return [...source.matchAll(/^\s*export\s+(?:let|var)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
}
