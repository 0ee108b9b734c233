/**
 * Moving work between the page and a local folder, in the page's own backup format
 * (`src/runtime/backup.ts`, "fault-lines-backup" version 2): `npm run learn -- --export
 * file.json` writes one that the page's Import reads, and `npm run learn -- --import
 * file.json` reads the page's Export (version 1 or 2). Pure planning here; the command line
 * writes the files.
 */
import { parseBackup, type Backup } from '../../src/runtime/backup.ts';
import type { ExerciseProgress } from '../../src/runtime/progress.ts';
import type { Exercise } from '../../src/content/exercises.ts';
import type { LocalRecord } from '../../src/grader/node/local-components.ts';

const editable = (e: Exercise): string[] => e.files.filter((f) => f.role === 'editable').map((f) => f.path);

/**
 * A backup of the local folder: the editable files of every exercise as they are (in a
 * clone the files in exercises/ are both the starters and the learner's work, so all of them
 * go), and every recorded pass, with the code that passed.
 */
export function exportBackup(exercises: readonly Exercise[], filesOf: (e: Exercise) => Readonly<Record<string, string>>, record: LocalRecord, now: Date): Backup {
  const code: Record<string, { files: Record<string, string>; savedAt: number }> = {};
  const passed: Record<string, ExerciseProgress> = {};
  for (const e of exercises) {
    const files = filesOf(e);
    code[e.id] = { files: Object.fromEntries(editable(e).map((path) => [path, files[path] ?? e.files.find((f) => f.path === path)!.starter])), savedAt: now.getTime() };
    const pass = record.passing[e.id];
    if (pass !== undefined) {
      const at = Date.parse(pass.at);
      passed[e.id] = { status: 'passed', at, passing: { files: { ...pass.files }, at, interfaceVersion: pass.interfaceVersion } };
    }
  }
  return { format: 'fault-lines-backup', version: 2, exportedAt: now.getTime(), progress: { version: 2, lessons: {}, exercises: passed, quizzes: {} }, code };
}

export interface ImportPlan {
  /** Editable files to write, and where the local text goes first when it would be lost. */
  readonly writes: readonly { readonly exercise: string; readonly path: string; readonly text: string; readonly keepLocalAs?: string }[];
  /** Passes to record: the code that passed, and when. */
  readonly passes: readonly { readonly exercise: Exercise; readonly files: Readonly<Record<string, string>>; readonly at: Date }[];
  /** One sentence for each thing left out, and why. */
  readonly notes: readonly string[];
}

/**
 * What importing `text` (the page's export) does to the folder. Code replaces an exercise's
 * editable files; a local file that differs from the import is kept beside it as
 * `<file>.before-import`, so nothing is lost. A pass is recorded when it was
 * made against the exercise's current read-only files. Throws the page's own message for a
 * file that is not a backup.
 */
export function planImport(text: string, exercises: readonly Exercise[], filesOf: (e: Exercise) => Readonly<Record<string, string>>): ImportPlan {
  const backup = parseBackup(text);
  const byId = new Map(exercises.map((e) => [e.id, e]));
  const writes: { exercise: string; path: string; text: string; keepLocalAs?: string }[] = [];
  const passes: { exercise: Exercise; files: Record<string, string>; at: Date }[] = [];
  const notes: string[] = [];
  for (const [id, saved] of Object.entries(backup.code)) {
    const e = byId.get(id);
    if (e === undefined) {
      notes.push(`${id}: not an exercise of this course; its code was left out.`);
      continue;
    }
    const local = filesOf(e);
    for (const path of editable(e)) {
      const incoming = saved.files[path];
      if (incoming === undefined || incoming === local[path]) continue;
      writes.push({ exercise: id, path, text: incoming, ...(local[path] !== undefined ? { keepLocalAs: `${path}.before-import` } : {}) });
    }
  }
  for (const [id, entry] of Object.entries(backup.progress.exercises)) {
    const e = byId.get(id);
    if (e === undefined || entry.passing === undefined) continue;
    if (entry.passing.interfaceVersion !== e.interfaceVersion) {
      notes.push(`${id}: it passed against earlier read-only files, which have changed since; run its tests again to record it.`);
      continue;
    }
    passes.push({ exercise: e, files: { ...entry.passing.files }, at: new Date(entry.passing.at) });
  }
  return { writes, passes, notes };
}
