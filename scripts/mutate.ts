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
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExerciseError, filesWith, listExercises, loadExercise, type Exercise } from '../src/content/exercises.ts';
import { positiveNumber, readArgs, UsageError } from './lib/args.ts';
import { isMain } from './lib/main.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const exercisesDir = join(projectRoot, 'exercises');
const solutionsDir = join(projectRoot, 'solutions');
const strykerBin = join(projectRoot, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

/** The simulator's source entry, which exercises import as `@faultlines/sim`. */
export const simEntry = join(projectRoot, 'src', 'sim', 'index.ts');

export const DEFAULT_TIMEOUT_MIN = 20;
export const DEFAULT_CONCURRENCY = 2;

export type CoverageAnalysis = 'perTest' | 'all' | 'off';

export interface WorkspaceOptions {
  /** Stryker worker processes (test runners) at once. */
  readonly concurrency: number;
  readonly coverageAnalysis: CoverageAnalysis;
  /** The node_modules the workspace links to (default: the repository's). */
  readonly nodeModules?: string;
  /** What `@faultlines/sim` resolves to (default: the simulator's source). */
  readonly simEntry?: string;
}

/** Where Stryker writes its JSON report, relative to the workspace. */
export const REPORT_FILE = join('reports', 'mutation.json');
/** Stryker's console output, relative to the workspace. */
export const LOG_FILE = 'stryker.log';
export const STRYKER_CONFIG_FILE = 'stryker.config.json';
export const VITEST_CONFIG_FILE = 'vitest.config.mjs';

/** The editable files of an exercise: the only ones mutated. */
export function editableFiles(exercise: Exercise): string[] {
  return exercise.files.filter((f) => f.role === 'editable').map((f) => f.path);
}

/** The vitest config of a workspace: the exercise's tests, run as `npx vitest exercises/<id>` runs them. */
export function vitestConfig(exercise: Exercise, sim: string = simEntry): object {
  return {
    // Vite's cache stays in the workspace (or Stryker's sandbox), not in the linked node_modules.
    cacheDir: '.vite',
    resolve: { alias: { '@faultlines/sim': sim } },
    test: {
      include: exercise.testFiles,
      environment: 'node',
      provide: { seed: exercise.meta.seed },
      testTimeout: exercise.meta.testTimeoutMs,
      watch: false,
    },
  };
}

/** The Stryker config of a workspace: mutate the editable files, run the exercise's tests with vitest. */
export function strykerConfig(exercise: Exercise, options: WorkspaceOptions): Record<string, unknown> {
  return {
    testRunner: 'vitest',
    vitest: { configFile: VITEST_CONFIG_FILE },
    mutate: editableFiles(exercise),
    coverageAnalysis: options.coverageAnalysis,
    concurrency: options.concurrency,
    reporters: ['clear-text', 'json'],
    jsonReporter: { fileName: REPORT_FILE },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    allowConsoleColors: false,
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    ignorePatterns: [REPORT_FILE, LOG_FILE, '.vite'],
    // A mutant that makes a test slower than the exercise's own per-test limit is a timeout,
    // not a survivor; below that, Stryker's margin over the dry run's time applies.
    timeoutMS: Math.max(5_000, exercise.meta.testTimeoutMs),
    dryRunTimeoutMinutes: 5,
    disableTypeChecks: true,
    warnings: false,
  };
}

/**
 * Builds the workspace of one exercise in `dir` (created if needed): its files with the
 * solution's laid over the editable ones, a vitest config, a Stryker config, and a link to
 * the repository's node_modules so that Stryker, vitest and the tests resolve their packages.
 */
export function buildWorkspace(exercise: Exercise, dir: string, options: WorkspaceOptions): void {
  mkdirSync(dir, { recursive: true });
  for (const [path, source] of Object.entries(filesWith(exercise, exercise.solution))) writeFileSync(join(dir, path), source);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(
    join(dir, VITEST_CONFIG_FILE),
    `// Written by scripts/mutate.ts for the exercise "${exercise.id}".\nexport default ${JSON.stringify(vitestConfig(exercise, options.simEntry ?? simEntry), null, 2)};\n`,
  );
  writeFileSync(join(dir, STRYKER_CONFIG_FILE), `${JSON.stringify(strykerConfig(exercise, options), null, 2)}\n`);
  symlinkSync(options.nodeModules ?? join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

// ---------------------------------------------------------------------------------------------
// Reading Stryker's JSON report (the mutation-testing-report-schema format).

interface Position {
  readonly line: number;
  readonly column: number;
}

interface ReportMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: Position; readonly end: Position };
}

export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: readonly ReportMutant[] }>>;
}

/** A mutant the tests did not kill: what changed, and where. */
export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  /** `Survived` (tests ran and passed) or `NoCoverage` (no test ran the code). */
  readonly status: 'Survived' | 'NoCoverage';
  readonly original: string;
  readonly replacement: string;
}

export interface Counts {
  readonly total: number;
  readonly killed: number;
  readonly survived: number;
  readonly timedOut: number;
  readonly noCoverage: number;
  /** Mutants that did not compile or crashed the run: left out of the score, as Stryker does. */
  readonly errors: number;
  readonly ignored: number;
}

export interface Summary {
  readonly counts: Counts;
  /** Killed or timed out, over all valid mutants, in percent (Stryker's mutation score); null if none. */
  readonly score: number | null;
  readonly survivors: readonly Survivor[];
}

/** The text between two 1-based positions of `source`. */
function slice(source: string, start: Position, end: Position): string {
  const lines = source.split('\n');
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const parts = [(lines[start.line - 1] ?? '').slice(start.column - 1)];
  for (let l = start.line + 1; l < end.line; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[end.line - 1] ?? '').slice(0, end.column - 1));
  return parts.join('\n');
}

/** Code on one line, shortened for a report. */
export function oneLine(code: string, max = 80): string {
  const flat = code.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function summarise(report: MutationReport): Summary {
  let killed = 0;
  let survived = 0;
  let timedOut = 0;
  let noCoverage = 0;
  let errors = 0;
  let ignored = 0;
  let total = 0;
  const survivors: Survivor[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      total++;
      switch (m.status) {
        case 'Killed':
          killed++;
          break;
        case 'Timeout':
          timedOut++;
          break;
        case 'Survived':
        case 'NoCoverage':
          if (m.status === 'Survived') survived++;
          else noCoverage++;
          survivors.push({
            file,
            line: m.location.start.line,
            column: m.location.start.column,
            mutator: m.mutatorName,
            status: m.status,
            original: slice(source, m.location.start, m.location.end),
            replacement: m.replacement ?? '',
          });
          break;
        case 'Ignored':
          ignored++;
          break;
        default:
          // CompileError, RuntimeError (and Pending, which a finished report should not hold).
          errors++;
      }
    }
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.mutator.localeCompare(b.mutator));
  const valid = killed + timedOut + survived + noCoverage;
  return {
    counts: { total, killed, survived, timedOut, noCoverage, errors, ignored },
    score: valid === 0 ? null : ((killed + timedOut) / valid) * 100,
    survivors,
  };
}

// ---------------------------------------------------------------------------------------------
// Running Stryker on one workspace, bounded in time.

export type RunStatus = 'complete' | 'incomplete' | 'error';

export interface ExerciseResult {
  readonly id: string;
  readonly status: RunStatus;
  readonly durationMs: number;
  /** Present when the run completed. */
  readonly summary?: Summary;
  /** Why the run did not complete, with the end of Stryker's output. */
  readonly detail?: string;
  /** The workspace, when it was kept. */
  readonly workspace?: string;
}

function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Processes we started and have not seen end, so that an interrupt stops them too. */
const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    // The child leads a process group of its own (detached), which holds Stryker's workers.
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Runs Stryker in `dir`, its output to the log file, stopped (with its workers) after `timeoutMs`. */
function runStryker(dir: string, timeoutMs: number): Promise<{ code: number | null; timedOut: boolean }> {
  const log = openSync(join(dir, LOG_FILE), 'w');
  return new Promise((done) => {
    const child = spawn(process.execPath, [strykerBin, 'run', STRYKER_CONFIG_FILE], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let timedOut = false;
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    let settled = false;
    const finish = (code: number | null): void => {
      if (settled) return; // 'error' and 'exit' can both fire for one child
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) {
        running.delete(pid);
        // Any worker left behind by a crash goes with its group.
        killGroup(pid);
      }
      closeSync(log);
      done({ code, timedOut });
    };
    child.on('error', () => finish(null));
    child.on('exit', (code) => finish(code));
  });
}

export interface RunOptions extends WorkspaceOptions {
  readonly timeoutMs: number;
  /** Keep every workspace; by default only those of runs that did not complete are kept. */
  readonly keep: boolean;
  /** Where the workspaces go. */
  readonly baseDir: string;
}

export async function mutateExercise(exercise: Exercise, options: RunOptions): Promise<ExerciseResult> {
  const started = Date.now();
  const dir = join(options.baseDir, exercise.id);
  buildWorkspace(exercise, dir, options);
  const { code, timedOut } = await runStryker(dir, options.timeoutMs);
  const durationMs = Date.now() - started;
  const reportPath = join(dir, REPORT_FILE);
  let result: ExerciseResult;
  if (!timedOut && code === 0 && existsSync(reportPath)) {
    const summary = summarise(JSON.parse(readFileSync(reportPath, 'utf8')) as MutationReport);
    result = { id: exercise.id, status: 'complete', durationMs, summary, ...(options.keep ? { workspace: dir } : {}) };
  } else {
    const why = timedOut
      ? `stopped after ${duration(options.timeoutMs)} (--timeout-min), before Stryker finished`
      : `Stryker exited with code ${String(code)} and ${existsSync(reportPath) ? 'a report' : 'no report'}`;
    result = { id: exercise.id, status: timedOut ? 'incomplete' : 'error', durationMs, detail: `${why}\n${tail(join(dir, LOG_FILE), 25)}`, workspace: dir };
  }
  if (result.workspace === undefined) rmSync(dir, { recursive: true, force: true });
  return result;
}

// ---------------------------------------------------------------------------------------------
// The report.

const pad = (text: string, width: number): string => text.padEnd(width);
const padLeft = (text: string, width: number): string => text.padStart(width);
const scoreText = (score: number | null | undefined): string => (score === null || score === undefined ? 'n/a' : `${score.toFixed(1)}%`);
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function formatExercise(result: ExerciseResult): string {
  const lines = [`== ${result.id}: ${result.status} in ${duration(result.durationMs)}`];
  if (result.summary === undefined) {
    lines.push(result.detail ?? '');
    if (result.workspace !== undefined) lines.push(`workspace kept: ${result.workspace} (Stryker's output: ${join(result.workspace, LOG_FILE)})`);
    return lines.join('\n');
  }
  const { counts, score, survivors } = result.summary;
  lines.push(
    `mutants ${counts.total}: killed ${counts.killed}, survived ${counts.survived}, timed out ${counts.timedOut}, ` +
      `no coverage ${counts.noCoverage}${counts.errors > 0 ? `, errors ${counts.errors}` : ''}${counts.ignored > 0 ? `, ignored ${counts.ignored}` : ''}` +
      ` — mutation score ${scoreText(score)}`,
  );
  if (survivors.length > 0) {
    lines.push('not killed (file:line:column  mutator  original → replacement):');
    for (const s of survivors) {
      const tag = s.status === 'NoCoverage' ? ' [no coverage]' : '';
      lines.push(`  ${s.file}:${s.line}:${s.column}  ${s.mutator}${tag}  ${oneLine(s.original)} → ${oneLine(s.replacement)}`);
    }
  }
  if (result.workspace !== undefined) lines.push(`workspace kept: ${result.workspace}`);
  return lines.join('\n');
}

export function formatTable(results: readonly ExerciseResult[]): string {
  const head = ['exercise', 'status', 'mutants', 'killed', 'survived', 'timeout', 'no cov', 'score', 'time'];
  const rows = results.map((r) => {
    const c = r.summary?.counts;
    const n = (v: number | undefined): string => (v === undefined ? '-' : String(v));
    return [r.id, r.status, n(c?.total), n(c?.killed), n(c?.survived), n(c?.timedOut), n(c?.noCoverage), scoreText(r.summary?.score), duration(r.durationMs)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i < 2 ? pad(cell, widths[i]!) : padLeft(cell, widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The command line.

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
  --coverage <mode>      Stryker's coverageAnalysis: perTest (default: each mutant runs only
                         the tests that reach it), all or off (every test for every mutant;
                         slower, but safe when a test reads state another test computed)
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
  const coverage = values.coverage ?? 'perTest';
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
    for (const pid of running) killGroup(pid);
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
