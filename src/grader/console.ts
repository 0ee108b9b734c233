import { format, inspect } from '@vitest/utils/display';
import type { LogLimits, LogLine } from './types.ts';

const defaultLimits = { maxLines: 1000, maxChars: 100_000, maxLineChars: 2000 } as const;

/**
 * Collects what exercise code prints. A learner's loop can print millions of lines; the
 * results panel and the worker's message channel must not drown, so lines past the limits
 * are only counted, and a note at the end says how many were dropped.
 */
export class LogCapture {
  readonly #lines: LogLine[] = [];
  readonly #limits: Required<LogLimits>;
  readonly #onLine: ((line: LogLine) => void) | undefined;
  #chars = 0;
  #dropped = 0;
  /** The full name of the running test, stamped on each line. */
  currentTest: string | undefined;

  constructor(limits: LogLimits = {}, onLine?: (line: LogLine) => void) {
    this.#limits = { ...defaultLimits, ...limits };
    this.#onLine = onLine;
  }

  /** Records one call's output, which may span several lines. */
  write(stream: LogLine['stream'], text: string): void {
    for (const raw of text.split('\n')) {
      if (this.#lines.length >= this.#limits.maxLines || this.#chars >= this.#limits.maxChars) {
        this.#dropped++;
        continue;
      }
      const cut =
        raw.length > this.#limits.maxLineChars
          ? `${raw.slice(0, this.#limits.maxLineChars)}… (${raw.length - this.#limits.maxLineChars} more characters)`
          : raw;
      const line: LogLine = this.currentTest === undefined ? { stream, text: cut } : { stream, text: cut, test: this.currentTest };
      this.#lines.push(line);
      this.#chars += cut.length;
      this.#onLine?.(line);
    }
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** The kept lines, plus a closing note when some were dropped. */
  finish(): LogLine[] {
    if (this.#dropped === 0) return this.#lines;
    const { maxLines, maxChars } = this.#limits;
    return [
      ...this.#lines,
      {
        stream: 'stderr',
        text: `… ${this.#dropped} lines dropped (console output is capped at ${maxLines} lines and ${maxChars} characters)`,
      },
    ];
  }
}

/**
 * A `console` for exercise code that writes into a {@link LogCapture}. It is handed to each
 * module as a parameter rather than replacing the global one, so the host's own output
 * channel is never disturbed.
 */
export function createCapturedConsole(capture: LogCapture): Console {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let indent = '';
  const out = (stream: LogLine['stream']) => (...args: unknown[]) => {
    const text = format(...args);
    capture.write(stream, indent ? text.replace(/^/gm, indent) : text);
  };
  const log = out('stdout');
  const error = out('stderr');
  const captured = {
    log,
    info: log,
    debug: log,
    warn: error,
    error,
    trace: (...args: unknown[]) => error('Trace:', ...args),
    dir: (value: unknown) => log(inspect(value)),
    dirxml: log,
    table: (value: unknown) => log(inspect(value)),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) error('Assertion failed', ...args);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      log(`${label}: ${n}`);
    },
    countReset: (label = 'default') => counts.delete(label),
    group: (...args: unknown[]) => {
      if (args.length > 0) log(...args);
      indent += '  ';
    },
    groupCollapsed: (...args: unknown[]) => captured.group(...args),
    groupEnd: () => {
      indent = indent.slice(2);
    },
    time: (label = 'default') => timers.set(label, performance.now()),
    timeLog: (label = 'default', ...args: unknown[]) => {
      const start = timers.get(label);
      if (start !== undefined) log(`${label}: ${(performance.now() - start).toFixed(3)}ms`, ...args);
    },
    timeEnd: (label = 'default') => {
      captured.timeLog(label);
      timers.delete(label);
    },
    clear: () => {},
  };
  return captured as unknown as Console;
}
