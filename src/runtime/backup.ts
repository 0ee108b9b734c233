/**
 * Export and import of everything the course keeps in the browser — progress and the
 * learner's code — as one JSON file, so work can move to another browser or survive
 * clearing site data.
 */
import { parseProgress, type ProgressData, type ProgressStore } from './progress.ts';
import type { CodeStore, SavedCode } from './exercise/code-store.ts';

export interface Backup {
  readonly format: 'fault-lines-backup';
  readonly version: 1;
  readonly exportedAt: number;
  readonly progress: ProgressData;
  readonly code: Readonly<Record<string, SavedCode>>;
}

export function createBackup(progress: ProgressStore, code: CodeStore, now: number): Backup {
  return { format: 'fault-lines-backup', version: 1, exportedAt: now, progress: progress.data, code: code.all() };
}

/** Checks a file's text and returns the backup in it, or throws a message for the learner. */
export function parseBackup(text: string): Backup {
  let value: Partial<Backup>;
  try {
    value = JSON.parse(text) as Partial<Backup>;
  } catch {
    throw new Error('This file is not a Fault Lines backup: it is not valid JSON.');
  }
  if (value?.format !== 'fault-lines-backup' || value.version !== 1) {
    throw new Error('This file is not a Fault Lines backup (version 1).');
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
    version: 1,
    exportedAt: Number(value.exportedAt) || 0,
    progress: parseProgress(JSON.stringify(value.progress ?? null)),
    code,
  };
}

/** Applies a backup: its progress replaces the current one, its code is saved per exercise. */
export function restoreBackup(backup: Backup, progress: ProgressStore, code: CodeStore): void {
  progress.replace(backup.progress);
  for (const [id, saved] of Object.entries(backup.code)) code.save(id, saved.files, saved.savedAt, saved.helped);
}
