/**
 * Grades several exercises in one go (`npm run grade -- [ids…] [--dir folder] [--jobs N]`),
 * each in its own child process, and returns the report (`grade-report.ts`).
 *
 * An exercise that builds on an earlier one is graded with the version of that component
 * from the same folder when that exercise passed in this run, and with the reference
 * otherwise: the run does not read or write the local record of passing versions, so the
 * same folder gives the same report on any machine. Exercises are graded in waves, each
 * after the waves holding the exercises it builds on, with up to `jobs` at once in a wave;
 * the report is the same whatever `jobs` is (times aside).
 */
import { randomInt } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise } from '../../src/content/exercises.ts';
import { exerciseGrade, readFolder } from '../../src/grader/node/exercise-files.ts';
import { gradeInChild } from '../../src/grader/node/host.ts';
import { exerciseEntry, missingEntry, report, type GradeReport, type ReportExercise, type SeedRule } from './grade-report.ts';

export interface ManyOptions {
  readonly exercises: readonly Exercise[];
  /**
   * Where each exercise's editable files come from: `solutions` (the references), or a
   * folder laid out like `exercises/`, one subfolder per exercise id.
   */
  readonly source: { readonly kind: 'solutions' } | { readonly kind: 'folder'; readonly dir: string; readonly label: string };
  readonly seedRule: SeedRule;
  /** For the `fixed` rule. */
  readonly seed?: number;
  readonly jobs: number;
  readonly timeoutMs?: number;
  readonly deadlineMs?: number;
  /** Called as each exercise finishes, for progress lines. */
  readonly onDone?: (entry: ReportExercise) => void;
  /** Draws a `record` seed; replaceable in tests. */
  readonly drawSeed?: () => number;
}

/** The editable files of `exercise` in the source, or undefined when the folder has none for it. */
function submissionOf(exercise: Exercise, source: ManyOptions['source']): Record<string, string> | undefined {
  if (source.kind === 'solutions') return { ...exercise.solution };
  const dir = join(source.dir, exercise.id);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const own = readFolder(dir);
  const editable = exercise.files.filter((f) => f.role === 'editable').map((f) => f.path);
  if (!editable.some((path) => path in own)) return undefined;
  return Object.fromEntries(editable.filter((path) => path in own).map((path) => [path, own[path]!]));
}

/** The exercises in waves: each exercise after every exercise of this run whose component it uses. */
export function waves(exercises: readonly Exercise[]): Exercise[][] {
  const ids = new Set(exercises.map((e) => e.id));
  const placed = new Map<string, number>();
  const out: Exercise[][] = [];
  let left = [...exercises];
  while (left.length > 0) {
    const wave = left.filter((e) => e.components.every((c) => !ids.has(c.exercise) || placed.has(c.exercise)));
    // Components form a chain from earlier lessons to later ones, so a wave is never empty.
    if (wave.length === 0) throw new Error(`The exercises ${left.map((e) => e.id).join(', ')} build on each other in a cycle.`);
    for (const e of wave) placed.set(e.id, out.length);
    out.push(wave);
    left = left.filter((e) => !placed.has(e.id));
  }
  return out;
}

/** Runs `work` over `items`, at most `jobs` at a time, and keeps the order of `items` in the results. */
export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, runner));
  return results;
}

export async function gradeMany(options: ManyOptions): Promise<GradeReport> {
  const draw = options.drawSeed ?? (() => randomInt(1, 2 ** 31 - 1));
  const seeds = new Map(
    options.exercises.map((e) => [e.id, options.seedRule === 'record' ? draw() : options.seedRule === 'fixed' ? options.seed! : e.meta.seed]),
  );
  const submissions = new Map(options.exercises.map((e) => [e.id, submissionOf(e, options.source)]));
  const passed = new Set<string>();
  const entries = new Map<string, ReportExercise>();

  for (const wave of waves(options.exercises)) {
    const done = await pool(wave, Math.max(1, options.jobs), async (exercise): Promise<ReportExercise> => {
      const seed = seeds.get(exercise.id)!;
      const submission = submissions.get(exercise.id);
      if (submission === undefined) {
        const entry = missingEntry({ id: exercise.id, title: exercise.meta.title }, seed);
        options.onDone?.(entry);
        return entry;
      }
      const components: Record<string, string> = {};
      const used: { exercise: string; file: string; source: 'yours' | 'reference' }[] = [];
      for (const c of exercise.components) {
        const theirs = submissions.get(c.exercise)?.[c.file];
        const yours = passed.has(c.exercise) && theirs !== undefined;
        if (yours) components[c.path] = theirs;
        used.push({ exercise: c.exercise, file: c.file, source: yours ? 'yours' : 'reference' });
      }
      const graded = exerciseGrade(exercise, submission, components);
      const result = await gradeInChild(
        { ...graded.request, seed, ...(options.timeoutMs !== undefined ? { testTimeoutMs: options.timeoutMs } : {}) },
        { deadlineMs: options.deadlineMs ?? graded.deadlineMs },
      );
      const entry = exerciseEntry({ id: exercise.id, title: exercise.meta.title }, seed, result, used);
      options.onDone?.(entry);
      return entry;
    });
    for (const entry of done) {
      entries.set(entry.id, entry);
      if (entry.status === 'passed') passed.add(entry.id);
    }
  }
  const label = options.source.kind === 'solutions' ? 'solutions' : options.source.label;
  return report(label, options.seedRule, options.exercises.map((e) => entries.get(e.id)!));
}
