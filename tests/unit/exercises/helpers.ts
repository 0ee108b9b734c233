/**
 * Shared by the exercise tests: where the course's and the fixtures' exercises live, temporary
 * copies to break on purpose, and a run of the real vitest CLI over several exercises at once
 * (the reference the grader must agree with).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exercise, ExerciseRoots } from '../../../src/content/exercises.ts';
import type { TestStatus } from '../../../src/grader/index.ts';
import { exerciseSetupFile, harnessModules } from '../../../vitest.config.ts';

/** A folder of exercises with its solutions beside it. */
export interface ExerciseRoot extends Required<Omit<ExerciseRoots, 'learnerFolder'>> {
  /** Short, path-safe: names the root in temporary folders and vitest project names. */
  readonly label: string;
}

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const courseRoot: ExerciseRoot = {
  label: 'course',
  exercisesDir: join(projectRoot, 'exercises'),
  solutionsDir: join(projectRoot, 'solutions'),
};

export const fixtureRoot: ExerciseRoot = {
  label: 'fixture',
  exercisesDir: join(projectRoot, 'tests', 'fixtures', 'exercises'),
  solutionsDir: join(projectRoot, 'tests', 'fixtures', 'solutions'),
};

/** The simulator's source entry, which exercises import as `@faultlines/sim`. */
export const simEntry = join(projectRoot, 'src', 'sim', 'index.ts');

const vitestCli = join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');
const reporter = join(projectRoot, 'tests', 'unit', 'grader', 'parity-reporter.ts');

/** Copies some exercises of a root, with their solutions, into a fresh temporary root. */
export function copyExercises(from: ExerciseRoot, ids: readonly string[]): ExerciseRoot {
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-exercises-'));
  const to: ExerciseRoot = { label: from.label, exercisesDir: join(dir, 'exercises'), solutionsDir: join(dir, 'solutions') };
  for (const id of ids) {
    cpSync(join(from.exercisesDir, id), join(to.exercisesDir, id), { recursive: true });
    cpSync(join(from.solutionsDir, id), join(to.solutionsDir, id), { recursive: true });
  }
  return to;
}

/** What `parity-reporter.ts` writes. */
export interface VitestReport {
  modules: { file: string; errors: string[]; tests: VitestTest[] }[];
  unhandled: string[];
}

export interface VitestTest {
  name: string;
  state: string;
  mode: string;
  errors: string[];
}

export function statusFromVitest(test: VitestTest): TestStatus {
  if (test.mode === 'todo') return 'todo';
  if (test.state === 'passed') return 'pass';
  if (test.state === 'failed') return 'fail';
  return 'skip';
}

export function stripColours(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** One set of files to run: an exercise's files as the grader receives them. */
/**
 * Exercises that grade a whole system through a simulated day, about 10 seconds a run in
 * Node: the suites run them after the others, so that a busy machine does not push them
 * towards their time limit, and do not repeat them where another suite covers the same run.
 */
export const WHOLE_SYSTEM: ReadonlySet<string> = new Set(['capstone']);

export interface VitestJob {
  /** Unique and path-safe, e.g. `fixture/percentile/starter`. */
  readonly key: string;
  readonly exercise: Exercise;
  readonly files: Readonly<Record<string, string>>;
}

/** One test file's outcome under vitest. */
export interface VitestFile {
  readonly errors: string[];
  readonly tests: VitestTest[];
}

export interface VitestRun {
  /** Per job key, per test file (exercise path). */
  readonly files: ReadonlyMap<string, ReadonlyMap<string, VitestFile>>;
  /** Errors no test caught, from the whole run (vitest does not say which file caused them). */
  readonly unhandled: readonly string[];
}

/**
 * Runs `jobs` in two rounds: every job but the whole-system days first (beside `light`, work
 * of the caller's that may share the machine with them), then those days in a run of their
 * own (after `heavy`, which runs alone), so that a busy machine does not push a day past its
 * time limit. Returns both rounds' results as one run.
 */
export async function runVitestHeavyLast(
  jobs: readonly VitestJob[],
  lightTimeoutMs: number,
  beside: { readonly light?: () => Promise<unknown>; readonly heavy?: () => Promise<unknown> } = {},
): Promise<VitestRun> {
  const isHeavy = (job: VitestJob) => WHOLE_SYSTEM.has(job.exercise.id);
  const [light] = await Promise.all([runVitest(jobs.filter((j) => !isHeavy(j)), lightTimeoutMs), beside.light?.()]);
  await beside.heavy?.();
  const heavyJobs = jobs.filter(isHeavy);
  const heavy = heavyJobs.length === 0 ? undefined : await runVitest(heavyJobs, 120_000 * heavyJobs.length);
  return { files: new Map([...light.files, ...(heavy?.files ?? [])]), unhandled: [...light.unhandled, ...(heavy?.unhandled ?? [])] };
}

/**
 * Runs the real vitest CLI once over every job: each job's files go into a folder of their own
 * and get a project of their own, with the exercise's seed provided (for `inject('seed')`),
 * its per-test timeout and the simulator under `@faultlines/sim`, as `npx vitest` runs the
 * course's exercises. One CLI start-up for everything keeps the suite quick.
 */
export async function runVitest(allJobs: readonly VitestJob[], timeoutMs: number): Promise<VitestRun> {
  // Jobs with the same files, seed and time limit give the same results: each is run once,
  // and its results are given to every key that asked for it (the capstone builds on six
  // component exercises, so the suites ask for its reference run six times).
  const firstOf = new Map<string, string>();
  const sameAs = new Map<string, string>();
  const jobs: VitestJob[] = [];
  for (const job of allJobs) {
    const { seed, testTimeoutMs } = job.exercise.meta;
    const signature = JSON.stringify([seed, testTimeoutMs, Object.entries(job.files).sort(([a], [b]) => (a < b ? -1 : 1))]);
    const first = firstOf.get(signature);
    if (first === undefined) {
      firstOf.set(signature, job.key);
      jobs.push(job);
    } else sameAs.set(job.key, first);
  }
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-validity-'));
  // The project's packages, for the libraries an exercise offers (`import … from 'hdr-histogram-js'`),
  // as they resolve for `npx vitest` in exercises/.
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  try {
    const projects = jobs.map((job) => {
      // The exercise sits in `<job>/exercise/`, so that the files of the exercises it builds
      // on (`../sharding-ring/ring.ts`) land beside it in `<job>/sharding-ring/`, as in
      // `exercises/`.
      const folder = join(dir, ...job.key.split('/'), 'exercise');
      for (const [path, source] of Object.entries(job.files)) {
        const target = join(folder, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, source);
      }
      return {
        resolve: { alias: { '@faultlines/sim': simEntry } },
        test: {
          name: job.key,
          include: [`${job.key}/exercise/*.test.ts`],
          environment: 'node',
          setupFiles: [exerciseSetupFile],
          provide: { seed: job.exercise.meta.seed, harnessModules: harnessModules(folder, job.exercise.files) },
          testTimeout: job.exercise.meta.testTimeoutMs,
        },
      };
    });
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default ${JSON.stringify({ test: { watch: false, projects } }, null, 2)};\n`);
    const out = join(dir, 'report.json');
    const stderr = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [vitestCli, 'run', '--root', dir, `--reporter=${reporter}`],
        { env: { ...process.env, NO_COLOR: '1', FAULTLINES_PARITY_OUT: out }, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
        // A non-zero exit is expected (the starters fail); only a missing report is a problem.
        (_error, _stdout, stderr) => resolve(stderr),
      );
    });
    if (!existsSync(out)) throw new Error(`vitest run wrote no report (stopped after ${timeoutMs} ms, or crashed):\n${stderr.slice(0, 4000)}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
    const files = new Map<string, Map<string, VitestFile>>(jobs.map((job) => [job.key, new Map()]));
    for (const module of report.modules) {
      const parts = relative(dir, module.file).split(sep);
      const path = parts.pop()!;
      parts.pop(); // `exercise`
      files.get(parts.join('/'))?.set(path, { errors: module.errors.map(stripColours), tests: module.tests });
    }
    for (const [key, first] of sameAs) files.set(key, files.get(first)!);
    return { files, unhandled: report.unhandled.map(stripColours) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `task` over `items` with at most `limit` running at once, keeping the order. */
export { pool as mapLimit } from '../../../scripts/lib/grade-many.ts';

/**
 * Learner-like versions of components, by exercise: `tests/fixtures/components/<exercise>/`
 * holds `alt-<design>/` folders (other correct designs: they pass their own exercise, and
 * every exercise that uses them passes with them) and `broken-<flaw>/` folders (they pass
 * their own exercise's tests, but an exercise that uses them shows the flaw). See the
 * README there.
 */
export const componentsDir = join(projectRoot, 'tests', 'fixtures', 'components');

export interface ComponentVersion {
  /** The folder's name, e.g. `alt-quickselect`. */
  readonly name: string;
  readonly text: string;
}

/** The versions of one component file kept under `componentsDir`, by kind, sorted by name. */
export function componentVersions(exercise: string, file: string, kind: 'alt' | 'broken'): ComponentVersion[] {
  const dir = join(componentsDir, exercise);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith(`${kind}-`) && existsSync(join(dir, d.name, file)))
    .map((d) => ({ name: d.name, text: readFileSync(join(dir, d.name, file), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
