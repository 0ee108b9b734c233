/**
 * Grades each exercise's reference and its whole-submission fixtures over a range of seeds
 * (`npm run seeds -- [ids…] [options]`), to show that a bound holds for every correct design
 * across the seeds a grade may draw, not only at the exercise's own seed, and that the bugs
 * and cheats kept for it fail on every one.
 *
 * The subjects, per exercise: the reference (`solutions/<id>/`), each `alt-*` fixture in
 * `tests/fixtures/components/<id>/` (must pass), and each `bug-*` fixture (must fail, a
 * cheat included). `broken-*` fixtures pass their own exercise by design and are left out.
 * Components the exercise uses are the references. Every grade is a fresh child process of
 * the Node host, as `npm run grade` runs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listExercises, loadExercise, type Exercise } from '../src/content/exercises.ts';
import { exerciseGrade, readFolder } from '../src/grader/node/exercise-files.ts';
import { gradeInChild } from '../src/grader/node/host.ts';
import { positiveNumber, readArgs, UsageError } from './lib/args.ts';
import { pool } from './lib/grade-many.ts';
import { isMain } from './lib/main.ts';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const fixturesDir = join(projectRoot, 'tests', 'fixtures', 'components');

const help = `Usage:
  node scripts/seeds.ts [ids…] [options]      (npm run seeds -- [ids…] [options])

Grades the reference and every alt-* and bug-* fixture of each exercise (all when none is
named) once per seed, and prints, per subject, on how many seeds it did what it must: the
reference and the alt-* pass every test, the bug-* fail at least one. Exits 1 if any did not.

Options:
  --from <n>       first seed (default 1)
  --to <n>         last seed (default 20)
  --bugs-to <n>    last seed for bug-* fixtures (default: --to)
  --jobs <n>       grades at once (default 2)
  -h, --help       show this help`;

export interface Subject {
  readonly exercise: Exercise;
  /** `reference`, or the fixture's folder name. */
  readonly name: string;
  readonly mustPass: boolean;
  readonly files: Readonly<Record<string, string>>;
}

/** The reference and the alt-* and bug-* fixtures of `exercise`. */
export function subjectsOf(exercise: Exercise, dir = fixturesDir): Subject[] {
  const subjects: Subject[] = [{ exercise, name: 'reference', mustPass: true, files: exercise.solution }];
  const own = join(dir, exercise.id);
  if (!existsSync(own)) return subjects;
  const editable = new Set(exercise.files.filter((f) => f.role === 'editable').map((f) => f.path));
  for (const name of readdirSync(own).sort()) {
    if (!name.startsWith('alt-') && !name.startsWith('bug-')) continue;
    const files = Object.fromEntries(Object.entries(readFolder(join(own, name))).filter(([path]) => editable.has(path)));
    subjects.push({ exercise, name, mustPass: name.startsWith('alt-'), files });
  }
  return subjects;
}

export interface SubjectOutcome {
  readonly exercise: string;
  readonly subject: string;
  readonly mustPass: boolean;
  readonly seeds: number;
  /** Seeds on which it did what it must. */
  readonly asExpected: number;
  /** The others, with the first failing test (or error) for a subject that must pass. */
  readonly unexpected: readonly { readonly seed: number; readonly why: string }[];
}

export async function sweep(subjects: readonly Subject[], seeds: (subject: Subject) => readonly number[], jobs: number, onDone?: (o: SubjectOutcome) => void): Promise<SubjectOutcome[]> {
  const outcomes: SubjectOutcome[] = [];
  for (const subject of subjects) {
    const list = seeds(subject);
    const { request, deadlineMs } = exerciseGrade(subject.exercise, subject.files);
    const results = await pool(list, jobs, (seed) => gradeInChild({ ...request, seed }, { deadlineMs }));
    const unexpected: { seed: number; why: string }[] = [];
    results.forEach((result, i) => {
      if (result.ok === subject.mustPass) return;
      const failing = result.tests.find((t) => t.status === 'fail');
      const why = subject.mustPass ? (failing ? `${failing.name}: ${(failing.message ?? '').slice(0, 200)}` : (result.errors[0]?.message ?? 'failed')) : 'passed every test';
      unexpected.push({ seed: list[i]!, why });
    });
    const outcome = { exercise: subject.exercise.id, subject: subject.name, mustPass: subject.mustPass, seeds: list.length, asExpected: list.length - unexpected.length, unexpected };
    outcomes.push(outcome);
    onDone?.(outcome);
  }
  return outcomes;
}

function line(o: SubjectOutcome): string {
  const head = `${o.exercise.padEnd(22)} ${o.subject.padEnd(34)} ${(o.mustPass ? 'passes' : 'fails').padEnd(6)} ${String(o.asExpected).padStart(3)}/${o.seeds}`;
  return [head, ...o.unexpected.map((u) => `    seed ${u.seed}: ${u.why}`)].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = readArgs(argv, {
    help: { type: 'boolean', short: 'h' },
    from: { type: 'string' },
    to: { type: 'string' },
    'bugs-to': { type: 'string' },
    jobs: { type: 'string' },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const from = values.from === undefined ? 1 : positiveNumber('--from', values.from, true);
  const to = values.to === undefined ? 20 : positiveNumber('--to', values.to, true);
  const bugsTo = values['bugs-to'] === undefined ? to : positiveNumber('--bugs-to', values['bugs-to'], true);
  const jobs = values.jobs === undefined ? 2 : positiveNumber('--jobs', values.jobs, true);
  if (to < from || bugsTo < from) throw new UsageError('--to and --bugs-to must not be below --from.');
  const known = listExercises();
  for (const id of positionals) if (!known.includes(id)) throw new UsageError(`No exercise "${id}"; the exercises are ${known.join(', ')}.`);
  const ids = positionals.length > 0 ? positionals : known;
  const range = (last: number) => Array.from({ length: last - from + 1 }, (_, i) => from + i);
  console.log(`${'exercise'.padEnd(22)} ${'subject'.padEnd(34)} ${'must'.padEnd(6)} seeds as expected (${from}–${to}; bug-* to ${bugsTo})`);
  const outcomes = await sweep(
    ids.flatMap((id) => subjectsOf(loadExercise(id))),
    (s) => range(s.mustPass ? to : bugsTo),
    jobs,
    (o) => console.log(line(o)),
  );
  return outcomes.every((o) => o.unexpected.length === 0) ? 0 : 1;
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof UsageError ? `${error.message}\n\n${help}` : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
