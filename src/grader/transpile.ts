import { transform } from 'sucrase';
import { moduleParameters, type SourceLocation } from './types.ts';

/** The compiled form of one exercise file. */
export interface Compiled {
  /** A function expression wrapping the CommonJS code; see `ModuleUnit.code`. */
  readonly code: string;
  /** Sucrase's token-level source map, for mapping stack positions back to the source. */
  readonly sourceMap: SourceMapJson;
}

/** The fields of a version 3 source map that stack mapping needs. */
export interface SourceMapJson {
  readonly version: number;
  readonly mappings: string;
  readonly names: string[];
  readonly sources: string[];
}

/** A file that does not parse: where, and what the parser said. */
export class SourceSyntaxError extends SyntaxError {
  readonly location: SourceLocation;
  readonly codeFrame: string;

  constructor(message: string, location: SourceLocation, codeFrame: string) {
    super(message);
    this.name = 'SyntaxError';
    this.location = location;
    this.codeFrame = codeFrame;
  }
}

/** The text put before the module body; it stays on line 1 so later lines keep their numbers. */
const prefix = `(function (${moduleParameters.join(', ')}) {`;

/** How many columns the wrapper shifts line 1; stack mapping subtracts it. */
export const firstLineShift = prefix.length;

/**
 * Strips TypeScript and turns `import`/`export` into CommonJS with sucrase. Sucrase keeps
 * every line where it was, which is what lets a failure point at the learner's own line;
 * columns move where imported names are rewritten, and the source map corrects those.
 * Modern syntax is left alone because every host runs a current engine.
 */
export function compile(path: string, source: string): Compiled {
  let result: ReturnType<typeof transform>;
  try {
    result = transform(source, {
      transforms: path.endsWith('.js') ? ['imports'] : ['typescript', 'imports'],
      filePath: path,
      disableESTransforms: true,
      sourceMapOptions: { compiledFilename: path },
    });
  } catch (error) {
    throw toSyntaxError(path, source, error);
  }
  const map = result.sourceMap;
  if (!map) throw new Error(`sucrase gave no source map for ${path}`);
  // The sourceURL names the code in stack traces (for evaluators that honour it), and the
  // closing brace sits on its own line so that a trailing line comment cannot swallow it.
  const code = `${prefix}${result.code}\n})\n//# sourceURL=${sourceUrlFor(path)}`;
  return { code, sourceMap: { version: map.version, mappings: map.mappings, names: map.names, sources: map.sources } };
}

/** The name evaluated code carries in stack traces; chosen so it cannot clash with real files. */
export function sourceUrlFor(path: string): string {
  // A file of an earlier exercise (`../sharding-ring/ring.ts`) keeps its `..` as `@up`, so
  // that nothing on the way normalises the URL into another file's name.
  return `faultlines-exercise:///${path.replace(/(^|\/)\.\.(?=\/)/g, '$1@up')}`;
}

/** The exercise path named by a stack frame's file name, if it is one of ours. */
export function pathFromSourceUrl(url: string): string | undefined {
  const head = 'faultlines-exercise:///';
  return url.startsWith(head) ? url.slice(head.length).replace(/(^|\/)@up(?=\/)/g, '$1..') : undefined;
}

function toSyntaxError(path: string, source: string, error: unknown): SourceSyntaxError {
  const raw = error instanceof Error ? error.message : String(error);
  // Sucrase prefixes "Error transforming <file>: " and suffixes " (line:column)"; the
  // grader says both itself, in the learner's terms.
  const message = raw.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '');
  const pos = typeof (error as { pos?: unknown }).pos === 'number' ? (error as { pos: number }).pos : 0;
  const location = locationOf(path, source, pos);
  return new SourceSyntaxError(message, location, codeFrame(source, location.line, location.column));
}

function locationOf(file: string, source: string, offset: number): SourceLocation {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { file, line, column };
}

/**
 * A few lines of source around a position, numbered, with a caret under the column, as
 * test runners print them.
 */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split('\n');
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\r$/, '');
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${text}`.trimEnd());
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}
