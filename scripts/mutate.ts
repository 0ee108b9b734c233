/**
 * Mutation testing of the exercises' tests: how many plausible bugs in a reference solution
 * would the tests catch?
 *
 * For each exercise, the solution's files are laid over the editable files in a temporary
 * workspace outside the repository, with a vitest config that runs the tests as the grader
 * does (the simulator as `@faultlines/sim`, the exercise's seed and per-test timeout). StrykerJS
 * then mutates the editable files only (a `<` becomes `<=`, a condition becomes `true`, a
 * statement disappears, …) and runs the tests against every mutant. A mutant the tests still
 * pass is a bug a learner could write and be told is correct: the report lists them so that an
 * author can decide which deserve a test.
 *
 *   node scripts/mutate.ts [<id> ...] [options]     (run `--help` for the options)
 *
 * The run is a report: it exits 0 whatever the scores, 2 on usage errors, and 1 only when
 * Stryker could not run an exercise at all (no report, and not because it ran out of time).
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExerciseError, listExercises, loadExercise, type Exercise } from '../src/content/exercises.ts';
import { positiveNumber, readArgs, UsageError } from './lib/args.ts';
import { isMain } from './lib/main.ts';
import { duration, formatExercise, formatTable } from './lib/mutate/format.ts';
import { mutateExercise, stopAll, type ExerciseResult } from './lib/mutate/run.ts';
import { editableFiles, projectRoot, type CoverageAnalysis } from './lib/mutate/workspace.ts';

const exercisesDir = join(projectRoot, 'exercises');
const solutionsDir = join(projectRoot, 'solutions');

export const DEFAULT_TIMEOUT_MIN = 20;
export const DEFAULT_CONCURRENCY = 2;

const help = `Usage:
  node scripts/mutate.ts [<id> ...] [options]

Mutation-tests the exercises' tests: each exercise's reference solution is copied into a
temporary workspace and StrykerJS mutates its editable files, one small change at a time,
running the exercise's tests against each mutant. Prints, per exercise, how many mutants
the tests killed and every mutant they did not (file:line, mutator, replacement).
With no ids, every exercise in exercises/ is run, one after another.

Options:
  --json <file>          also write the results as JSON
  --timeout-min <n>      stop an exercise's run after <n> minutes and report it as
                         incomplete (default ${DEFAULT_TIMEOUT_MIN})
  --concurrency <n>      Stryker's test-runner processes (default ${DEFAULT_CONCURRENCY})
  --coverage <mode>      Stryker's coverageAnalysis: all (default: every test runs against
                         every mutant any test reached), off (every test for every mutant),
                         or perTest (only the tests that reached the mutant: faster, but it
                         undercounts when tests share a run, as every exercise's tests do)
  --keep                 keep the workspaces (runs that do not complete always keep theirs)
  -h, --help             show this help

Exit codes: 0 when every exercise was run (whatever the scores: this is a report),
1 when Stryker could not run an exercise at all, 2 for usage errors.`;

export interface Args {
  readonly ids: string[];
  json?: string;
  timeoutMin: number;
  concurrency: number;
  coverage: CoverageAnalysis;
  keep: boolean;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = readArgs(argv, {
    help: { type: 'boolean', short: 'h' },
    json: { type: 'string' },
    'timeout-min': { type: 'string' },
    concurrency: { type: 'string' },
    coverage: { type: 'string' },
    keep: { type: 'boolean' },
  });
  const coverage = values.coverage ?? 'all';
  if (coverage !== 'perTest' && coverage !== 'all' && coverage !== 'off') throw new UsageError(`--coverage is perTest, all or off (got ${coverage}).`);
  return {
    ids: [...new Set(positionals)],
    ...(values.json !== undefined ? { json: values.json } : {}),
    timeoutMin: values['timeout-min'] === undefined ? DEFAULT_TIMEOUT_MIN : positiveNumber('--timeout-min', values['timeout-min']),
    concurrency: values.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveNumber('--concurrency', values.concurrency, true),
    coverage,
    keep: values.keep ?? false,
    help: values.help ?? false,
  };
}

/** Loads the exercises to run; throws a UsageError naming an unknown or broken one. */
function exercisesFor(ids: readonly string[]): Exercise[] {
  const known = listExercises(exercisesDir);
  const wanted = ids.length > 0 ? ids : known;
  if (wanted.length === 0) throw new UsageError('There are no exercises (exercises/ is empty).');
  return wanted.map((id) => {
    if (!known.includes(id)) throw new UsageError(`There is no exercise "${id}". Available: ${known.join(', ')}.`);
    try {
      return loadExercise(id, { exercisesDir, solutionsDir });
    } catch (error) {
      if (error instanceof ExerciseError) throw new UsageError(`The exercise "${id}" cannot be mutated: ${error.message}`);
      throw error;
    }
  });
}

async function main(): Promise<number> {
  let args: Args;
  let exercises: Exercise[];
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(help);
      return 0;
    }
    exercises = exercisesFor(args.ids);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\nRun node scripts/mutate.ts --help for usage.`);
    return 2;
  }

  const baseDir = realpathSync(mkdtempSync(join(tmpdir(), 'faultlines-mutate-')));
  const stop = (): void => {
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const results: ExerciseResult[] = [];
  const started = Date.now();
  for (const exercise of exercises) {
    console.log(`mutating ${exercise.id} (${editableFiles(exercise).join(', ')}) …`);
    const result = await mutateExercise(exercise, {
      concurrency: args.concurrency,
      coverageAnalysis: args.coverage,
      timeoutMs: args.timeoutMin * 60_000,
      keep: args.keep,
      baseDir,
    });
    results.push(result);
    console.log(`${formatExercise(result)}\n`);
  }
  console.log(formatTable(results));
  console.log(`\n${results.length} exercise(s) in ${duration(Date.now() - started)}`);
  if (results.every((r) => r.workspace === undefined)) rmSync(baseDir, { recursive: true, force: true });

  if (args.json !== undefined) {
    const out = resolve(args.json);
    writeFileSync(out, `${JSON.stringify({ generatedAt: new Date().toISOString(), coverageAnalysis: args.coverage, exercises: results }, null, 2)}\n`);
    console.log(`results written to ${out}`);
  }
  return results.some((r) => r.status === 'error') ? 1 : 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
