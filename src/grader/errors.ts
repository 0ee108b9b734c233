import { processError } from '@vitest/utils/error';
import type { ModuleLoader } from './loader.ts';
import { codeFrame } from './transpile.ts';
import type { SourceLocation } from './types.ts';

/** An error as the grader reports it: text the learner can read, positions in their files. */
export interface DescribedError {
  readonly message: string;
  readonly stack?: string;
  readonly location?: SourceLocation;
  readonly expected?: string;
  readonly actual?: string;
  readonly diff?: string;
}

/** The shape `@vitest/utils` serialises errors into. */
interface SerializedError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly diff?: unknown;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

/**
 * Describes an error for the result. `raw` is either an error the runner has already
 * serialised (test failures) or a live value (import errors, unhandled errors), which is
 * serialised here the same way, diff included.
 */
export function describeError(raw: unknown, loader: ModuleLoader | undefined, alreadySerialized = false): DescribedError {
  const error = (alreadySerialized ? raw : processError(raw)) as SerializedError;
  const name = typeof error.name === 'string' && error.name !== '' ? error.name : undefined;
  const text = typeof error.message === 'string' ? error.message : String(error.message ?? raw);
  const message = name ? `${timeoutName(name, text)}: ${text}` : text;
  const frames = typeof error.stack === 'string' && loader ? exerciseFrames(error.stack, loader) : [];
  const described: {
    message: string;
    stack?: string;
    location?: SourceLocation;
    expected?: string;
    actual?: string;
    diff?: string;
  } = { message };
  if (frames.length > 0) {
    described.stack = [message, ...frames.map((f) => `    at ${f.fn ? `${f.fn} (${f.file}:${f.line}:${f.column})` : `${f.file}:${f.line}:${f.column}`}`)].join('\n');
    const top = frames[0];
    if (top) described.location = { file: top.file, line: top.line, column: top.column };
  }
  if (typeof error.diff === 'string' && error.diff !== '') described.diff = error.diff;
  if (typeof error.expected === 'string') described.expected = error.expected;
  if (typeof error.actual === 'string') described.actual = error.actual;
  return described;
}

interface Frame extends SourceLocation {
  readonly fn?: string;
}

const v8Frame = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$/;
const geckoFrame = /^\s*(.*?)@(.+?):(\d+):(\d+)\s*$/;

/**
 * The frames of a stack that lie in exercise files, with positions mapped back to the
 * source. Frames in the grader, the engine or the host are left out: a learner can do
 * nothing about them.
 */
export function exerciseFrames(stack: string, loader: ModuleLoader): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split('\n')) {
    const match = v8Frame.exec(line) ?? geckoFrame.exec(line);
    if (!match) continue;
    const [, fnName, url, lineText, columnText] = match;
    if (url === undefined || lineText === undefined || columnText === undefined) continue;
    const file = loader.fileForStackName(url);
    if (file === undefined) continue;
    const position = loader.originalPosition(file, Number(lineText), Number(columnText));
    const fn = fnName && !/^(Object\.)?(eval|<anonymous>)$/.test(fnName) ? fnName.replace(/^async /, '') : undefined;
    frames.push(fn ? { ...position, fn } : position);
  }
  return frames;
}

/** A code frame around a location in an exercise file, if the file is known. */
export function frameAt(location: SourceLocation | undefined, loader: ModuleLoader | undefined): string | undefined {
  if (!location || !loader) return undefined;
  const source = loader.sourceOf(location.file);
  return source === undefined ? undefined : codeFrame(source, location.line, location.column);
}

/**
 * The standalone runner (4.x) throws its timeouts as plain `Error`s; vitest 5 names them
 * `TestTimeoutError`. Learners compare what the page says with what `vitest run` prints in
 * their own editor, so the grader uses vitest 5's name.
 */
function timeoutName(name: string, message: string): string {
  return name === 'Error' && /^(Test|Hook) timed out in \d+ms\./.test(message) ? 'TestTimeoutError' : name;
}
