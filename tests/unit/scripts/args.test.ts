/** `scripts/lib/args.ts`: the scripts' command lines, read with node:util's parseArgs. */
import { describe, expect, it } from 'vitest';
import { positiveNumber, readArgs, UsageError } from '../../../scripts/lib/args.ts';
import { parseArgs as gradeArgs } from '../../../scripts/grade.ts';

const options = {
  help: { type: 'boolean', short: 'h' },
  keep: { type: 'boolean' },
  json: { type: 'string' },
  seed: { type: 'string' },
} as const;

describe('readArgs', () => {
  it('reads flags, values (next argument or after =) and positionals, the last of a repeated value counting', () => {
    expect(readArgs(['a', '--keep', '--json', 'out.json', 'b', '-h', '--seed=7', '--json', 'again.json'], options)).toEqual({
      values: { keep: true, json: 'again.json', help: true, seed: '7' },
      positionals: ['a', 'b'],
    });
  });

  it('takes everything after -- as positionals', () => {
    expect(readArgs(['--', '--keep', '-x'], options).positionals).toEqual(['--keep', '-x']);
  });

  it('names an unknown option, long or short, in the words the caller chooses', () => {
    expect(() => readArgs(['--colour'], options)).toThrow(new UsageError('Unknown option --colour.'));
    expect(() => readArgs(['-x'], options)).toThrow('Unknown option -x.');
    expect(() => readArgs(['--colour'], options, (flag) => `No ${flag} here.`)).toThrow('No --colour here.');
  });

  it('says when a value is missing, and does not take the next option for one; a negative number is a value', () => {
    expect(() => readArgs(['--json'], options)).toThrow('--json needs a value.');
    expect(() => readArgs(['--json', '--keep'], options)).toThrow('--json needs a value.');
    expect(() => readArgs(['--json', '-h'], options)).toThrow('--json needs a value.');
    expect(readArgs(['--seed', '-5'], options).values.seed).toBe('-5');
    expect(readArgs(['--json=-odd-name'], options).values.json).toBe('-odd-name');
  });

  it('refuses a value for a flag', () => {
    expect(() => readArgs(['--keep=yes'], options)).toThrow('--keep takes no value.');
  });
});

describe('positiveNumber', () => {
  it('takes numbers above zero, whole ones when asked', () => {
    expect(positiveNumber('--n', '2.5')).toBe(2.5);
    expect(positiveNumber('--n', '3', true)).toBe(3);
    for (const bad of ['0', '-1', 'abc', '', 'Infinity']) expect(() => positiveNumber('--n', bad)).toThrow('--n needs a positive number.');
    expect(() => positiveNumber('--n', '1.5', true)).toThrow('--n needs a positive whole number.');
  });
});

describe('the command line of scripts/grade.ts', () => {
  it('reads every option', () => {
    expect(
      gradeArgs(['ring', '--dir', 'mine', '--solution', '--reference-deps', '--json', '--deadline-s', '2.5', '--timeout-ms', '300', '--seed', '7.9']),
    ).toEqual({
      id: 'ring',
      ids: ['ring'],
      many: false,
      jobs: 1,
      record: false,
      noFail: false,
      dir: 'mine',
      solution: true,
      referenceDeps: true,
      json: true,
      deadlineMs: 2500,
      timeoutMs: 300,
      seed: 7,
      help: false,
    });
    expect(gradeArgs(['--tests', 'folder', '-h'])).toEqual({
      ids: [],
      many: false,
      jobs: 1,
      record: false,
      noFail: false,
      tests: 'folder',
      solution: false,
      referenceDeps: false,
      json: false,
      help: true,
    });
  });

  it('grades several exercises with two ids, --all, or any option of a report', () => {
    expect(gradeArgs(['a', 'b'])).toMatchObject({ ids: ['a', 'b'], many: true });
    expect(gradeArgs(['a', 'b']).id).toBeUndefined();
    expect(gradeArgs(['--all'])).toMatchObject({ ids: [], many: true });
    expect(gradeArgs(['a', '--report', 'r.json', '--junit', 'j.xml', '--jobs', '3', '--record', '--no-fail'])).toMatchObject({
      id: 'a',
      many: true,
      report: 'r.json',
      junit: 'j.xml',
      jobs: 3,
      record: true,
      noFail: true,
    });
    for (const flag of ['--no-fail', '--record']) expect(gradeArgs([flag]).many).toBe(true);
    expect(() => gradeArgs(['--jobs', '1.5'])).toThrow('--jobs needs a positive whole number.');
    expect(() => gradeArgs(['--record', '--seed', '3'])).toThrow('--record draws a seed per exercise');
    expect(() => gradeArgs(['a', 'b', '--tests', 'f'])).toThrow('--tests grades one folder');
  });

  it('rejects an unknown option and bad numbers', () => {
    expect(() => gradeArgs(['--colour'])).toThrow('Unknown option --colour.');
    expect(() => gradeArgs(['--seed', '0'])).toThrow('--seed needs a positive number.');
    expect(() => gradeArgs(['--timeout-ms', '-5'])).toThrow('--timeout-ms needs a positive number.');
    expect(() => gradeArgs(['--dir'])).toThrow('--dir needs a value.');
  });
});
