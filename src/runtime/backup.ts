/**
 * Export and import of everything the course keeps in the browser — progress and the
 * learner's code — as one JSON file, so work can move to another browser or survive
 * clearing site data.
 */
import { normaliseProgress, type ProgressData, type ProgressStore } from './progress.ts';
import type { CodeStore, SavedCode } from './exercise/code-store.ts';

/**
 * Version 2 carries progress of version 2 (quiz answers included). Version 1 files, from
 * before quiz answers were kept, still import: their progress is migrated as it is read.
 */
export interface Backup {
  readonly format: 'fault-lines-backup';
  readonly version: 2;
  readonly exportedAt: number;
  readonly progress: ProgressData;
  readonly code: Readonly<Record<string, SavedCode>>;
}

export function createBackup(progress: ProgressStore, code: CodeStore, now: number): Backup {
  return { format: 'fault-lines-backup', version: 2, exportedAt: now, progress: progress.data, code: code.all() };
}

/** Checks a file's text and returns the backup in it, or throws a message for the learner. */
export function parseBackup(text: string): Backup {
  let value: Partial<Backup>;
  try {
    value = JSON.parse(text) as Partial<Backup>;
  } catch {
    throw new Error('This file is not a Fault Lines backup: it is not valid JSON.');
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (value?.format !== 'fault-lines-backup' || (version !== 1 && version !== 2)) {
    throw new Error('This file is not a Fault Lines backup (version 1 or 2).');
  }
  const code: Record<string, SavedCode> = {};
  for (const [id, saved] of Object.entries(value.code ?? {})) {
    if (saved && typeof saved === 'object' && typeof saved.files === 'object' && typeof saved.savedAt === 'number') {
      const files: Record<string, string> = {};
      for (const [path, text] of Object.entries(saved.files)) if (typeof text === 'string') files[path] = text;
      code[id] = saved.helped === true ? { files, savedAt: saved.savedAt, helped: true } : { files, savedAt: saved.savedAt };
    }
  }
  return {
    format: 'fault-lines-backup',
    version: 2,
    exportedAt: Number(value.exportedAt) || 0,
    progress: normaliseProgress(value.progress),
    code,
  };
}

/**
 * Applies a backup: its progress is added to the progress here (nothing recorded here is
 * lost by importing an older file), and its code is saved per exercise.
 */
export function restoreBackup(backup: Backup, progress: ProgressStore, code: CodeStore): void {
  progress.importProgress(backup.progress);
  for (const [id, saved] of Object.entries(backup.code)) code.save(id, saved.files, saved.savedAt, saved.helped);
}
