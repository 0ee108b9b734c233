/**
 * Carry-forward on the learner's own machine: which version of each earlier component an
 * exercise is graded with when it is run from the repository (`npm run grade`, `npx vitest
 * exercises/<id>`), by the same rule as the page: the learner's latest passing version of
 * the file, or the reference when there is none.
 *
 * The record of passing versions lives in `.faultlines/components.json` at the top of the
 * repository (not committed): `npm run grade <id>` writes an exercise's editable files there
 * whenever the files in `exercises/<id>/` pass every test. So a file that passes is used as
 * it is; a file edited since and failing is replaced by the last version that passed (and
 * the grade says so); an exercise never passed gives way to the reference.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Exercise, UsedComponent } from '../../content/exercises.ts';

export const LOCAL_RECORD_VERSION = 1;

/** One exercise's last passing files, as kept locally. */
export interface LocalPass {
  /** When they passed (ISO 8601). */
  readonly at: string;
  /** The exercise's editable files, by path. */
  readonly files: Readonly<Record<string, string>>;
  /** The exercise's interface fingerprint when they passed. */
  readonly interfaceVersion: string;
}

export interface LocalRecord {
  readonly version: typeof LOCAL_RECORD_VERSION;
  readonly passing: Readonly<Record<string, LocalPass>>;
}

/** Where the record lives for a repository root. */
export function localRecordPath(projectRoot: string): string {
  return join(projectRoot, '.faultlines', 'components.json');
}

/**
 * Reads the record; a missing file is an empty record. A file that is not a record of this
 * version is an error with a message that says what to do, not a silently empty record.
 */
export function readLocalRecord(path: string): LocalRecord {
  if (!existsSync(path)) return { version: LOCAL_RECORD_VERSION, passing: {} };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete it to start the record afresh (the next passing grade of each exercise writes it again).`);
  }
  const record = value as Partial<LocalRecord> | null;
  if (!record || record.version !== LOCAL_RECORD_VERSION || typeof record.passing !== 'object' || record.passing === null) {
    throw new Error(`${path} is not a version ${LOCAL_RECORD_VERSION} record of passing components; delete it to start afresh.`);
  }
  return record as LocalRecord;
}

/** Records that `files` (the exercise's editable files) pass every test of `exercise`. */
export function recordLocalPass(path: string, exercise: Exercise, files: Readonly<Record<string, string>>, now: Date): void {
  const record = readLocalRecord(path);
  const editable = Object.fromEntries(exercise.files.filter((f) => f.role === 'editable').map((f) => [f.path, files[f.path] ?? f.starter]));
  const next: LocalRecord = {
    version: LOCAL_RECORD_VERSION,
    passing: { ...record.passing, [exercise.id]: { at: now.toISOString(), files: editable, interfaceVersion: exercise.interfaceVersion } },
  };
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Where a component's version came from. */
export type ComponentSource = 'yours' | 'saved' | 'reference';

/** The version of one component an exercise is graded with, and why. */
export interface ChosenComponent {
  readonly component: UsedComponent;
  readonly source: ComponentSource;
  readonly text: string;
  /** When the learner's version passed (for `yours` and `saved`). */
  readonly passedAt?: string;
  /** One sentence for the learner. */
  readonly reason: string;
}

export interface ChooseOptions {
  /** The folder holding the learner's exercise folders (`exercises/`). */
  readonly exercisesDir: string;
  readonly record: LocalRecord;
  /** Use the reference for every component (`--reference-deps`). */
  readonly referenceDeps?: boolean;
}

/** Chooses the version of each component of `exercise`, by the rule described above. */
export function chooseComponents(exercise: Exercise, options: ChooseOptions): ChosenComponent[] {
  return exercise.components.map((component) => {
    const reference = exercise.dependencyFiles[component.path]!;
    const name = `${component.exercise}/${component.file}`;
    if (options.referenceDeps) {
      return { component, source: 'reference', text: reference, reason: `${name}: the reference, as asked (--reference-deps, or FAULTLINES_REFERENCE_DEPS=1).` };
    }
    const pass = options.record.passing[component.exercise];
    const saved = pass?.files[component.file];
    if (pass === undefined || saved === undefined) {
      return {
        component,
        source: 'reference',
        text: reference,
        reason: `${name}: the reference — yours has not passed its exercise yet (npm run grade ${component.exercise} records it when it does).`,
      };
    }
    if (pass.interfaceVersion !== component.interfaceVersion) {
      return {
        component,
        source: 'reference',
        text: reference,
        reason:
          `${name}: the reference — your passing version was written against an earlier version of ${component.exercise}'s ` +
          `read-only files, which have changed since; grade ${component.exercise} again to use yours.`,
      };
    }
    const currentPath = join(options.exercisesDir, component.exercise, component.file);
    const current = existsSync(currentPath) ? readFileSync(currentPath, 'utf8') : undefined;
    if (current === saved) {
      return { component, source: 'yours', text: saved, passedAt: pass.at, reason: `${name}: yours (passed ${pass.at}).` };
    }
    return {
      component,
      source: 'saved',
      text: saved,
      passedAt: pass.at,
      reason: `${name}: your last passing version (${pass.at}); the file has changed since and has not passed again.`,
    };
  });
}

/** The chosen versions as `filesWith` takes them. */
export function componentFiles(chosen: readonly ChosenComponent[]): Record<string, string> {
  return Object.fromEntries(chosen.map((c) => [c.component.path, c.text]));
}
