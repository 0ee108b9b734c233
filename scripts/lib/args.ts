/**
 * Command-line arguments for the scripts: `node:util`'s `parseArgs` reads them, and this
 * module turns what it finds wrong into one kind of error, with the scripts' wording:
 *
 *   Unknown option --colour.
 *   --json needs a value.
 *   --keep takes no value.
 *   --seed needs a positive number.
 *
 * A script catches `UsageError`, prints its message (and, when `showHelp`, a pointer to
 * `--help`) and exits 2.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  /** Whether to point at --help after the message; a plain fact such as an unknown id needs no more. */
  readonly showHelp: boolean;

  constructor(message: string, showHelp = true) {
    super(message);
    this.showHelp = showHelp;
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias, as `h` for `-h`. */
  readonly short?: string;
}

export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  readonly values: OptionValues<O>;
  /** The arguments that are not options, in order (anything after `--` included). */
  readonly positionals: string[];
}

/**
 * Reads `argv` against `options`. A string option takes the next argument or `--name=value`;
 * a next argument that looks like an option (a dash and not a number) is not taken as its
 * value, so `--json --keep` says that --json needs a value. Given twice, the last one counts.
 * `unknown` words the error for an option not in `options`.
 */
export function readArgs<const O extends Record<string, OptionSpec>>(
  argv: readonly string[],
  options: O,
  unknown: (flag: string) => string = (flag) => `Unknown option ${flag}.`,
): ParsedArgs<O> {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (spec === undefined) throw new UsageError(unknown(token.rawName));
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value.`);
      values[token.name] = true;
    } else {
      const value = token.value;
      if (value === undefined || (!token.inlineValue && looksLikeOption(value))) throw new UsageError(`${token.rawName} needs a value.`);
      values[token.name] = value;
    }
  }
  return { values: values as OptionValues<O>, positionals };
}

function looksLikeOption(value: string): boolean {
  return value.startsWith('-') && value.length > 1 && Number.isNaN(Number(value));
}

/** `text` as a number above zero (a whole one if `integer`), or a UsageError naming `flag`. */
export function positiveNumber(flag: string, text: string, integer = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'whole ' : ''}number.`);
  }
  return n;
}
