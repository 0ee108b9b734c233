/**
 * Grades an exercise from the command line with the Node host: a fresh child process per
 * run and a hard deadline. Run `node scripts/grade.ts --help` for the flags.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatResult } from '../src/grader/format.ts';
import { defaultDeadlineMs, gradeInChild } from '../src/grader/node/host.ts';
import { exerciseIds, isTestFile, overlay, readFolder } from '../src/grader/node/exercise-files.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const help = `Usage:
  node scripts/grade.ts <id> [options]          grade exercises/<id>
  node scripts/grade.ts --tests <dir> [options] grade the exercise folder <dir>

The exercise folder supplies the tests (*.test.ts, *.spec.ts) and the starter files. By
default the starter files are graded as they are; these options lay other files over them
(test files among them are ignored: the exercise's own tests always decide):

  --dir <path>        grade the learner's files in <path>
  --solution          grade the reference files in solutions/<id>
  --tests <dir>       use <dir> as the exercise folder instead of exercises/<id>

Other options:
  --json              print the result as JSON instead of the readable report
  --deadline-s <n>    stop the run after <n> seconds (default ${defaultDeadlineMs / 1000})
  --timeout-ms <n>    per-test timeout (default 5000)
  --seed <n>          the seed tests read with inject('seed')
  -h, --help          show this help

Exit codes: 0 when every test passes, 1 when a test fails or the run has errors,
2 for usage errors (such as an unknown exercise).`;

class UsageError extends Error {}

interface Args {
  id?: string;
  dir?: string;
  tests?: string;
  solution: boolean;
  json: boolean;
  deadlineMs: number;
  timeoutMs?: number;
  seed?: number;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { solution: false, json: false, deadlineMs: defaultDeadlineMs, help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
    return v;
  };
  const number = (i: number, flag: string): number => {
    const n = Number(value(i, flag));
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--solution') args.solution = true;
    else if (arg === '--dir') args.dir = value(++i, arg);
    else if (arg === '--tests') args.tests = value(++i, arg);
    else if (arg === '--deadline-s') args.deadlineMs = number(++i, arg) * 1000;
    else if (arg === '--timeout-ms') args.timeoutMs = number(++i, arg);
    else if (arg === '--seed') args.seed = Math.floor(number(++i, arg));
    else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}.`);
    else if (args.id === undefined) args.id = arg;
    else throw new UsageError(`Only one exercise id can be given (got ${args.id} and ${arg}).`);
  }
  return args;
}

function folder(path: string, what: string): string {
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isDirectory()) throw new UsageError(`${what} ${path} is not a folder.`);
  return full;
}

function loadFiles(args: Args): Record<string, string> {
  let exerciseDir: string;
  if (args.tests !== undefined) {
    exerciseDir = folder(args.tests, 'The tests folder');
  } else {
    if (args.id === undefined) throw new UsageError('Name an exercise id, or give --tests <dir>.');
    exerciseDir = join(projectRoot, 'exercises', args.id);
    if (!existsSync(exerciseDir)) {
      const ids = exerciseIds(join(projectRoot, 'exercises'));
      throw new UsageError(
        `There is no exercise "${args.id}". ${ids.length > 0 ? `Available: ${ids.join(', ')}.` : 'There are no exercises yet (exercises/ is empty).'}`,
      );
    }
  }
  let submission: Record<string, string> | undefined;
  if (args.solution) {
    if (args.id === undefined) throw new UsageError('--solution needs an exercise id.');
    submission = readFolder(folder(join(projectRoot, 'solutions', args.id), 'The solution folder'));
  }
  if (args.dir !== undefined) submission = { ...submission, ...readFolder(folder(args.dir, 'The folder')) };
  return overlay(readFolder(exerciseDir), submission);
}

async function main(): Promise<number> {
  let args: Args;
  let files: Record<string, string>;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(help);
      return 0;
    }
    files = loadFiles(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/grade.ts --help for usage.`);
    return 2;
  }
  const testFiles = Object.keys(files).filter(isTestFile);
  if (testFiles.length === 0) {
    console.error('The exercise has no test files (*.test.ts or *.spec.ts).');
    return 2;
  }
  const result = await gradeInChild(
    {
      files,
      testFiles,
      ...(args.timeoutMs !== undefined ? { testTimeoutMs: args.timeoutMs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
    },
    { deadlineMs: args.deadlineMs },
  );
  console.log(args.json ? JSON.stringify(result, null, 2) : formatResult(result));
  return result.ok ? 0 : 1;
}

process.exitCode = await main();
