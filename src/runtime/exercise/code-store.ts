/**
 * Saves the learner's code for each exercise as they type. localStorage is used because
 * it is synchronous — a save issued on `pagehide` completes before the tab closes, which
 * an IndexedDB transaction does not guarantee — and code is small (a few KB per
 * exercise, far below the ~5 MB quota). When storage fails (private mode, a full quota,
 * storage blocked), the store keeps the code in memory, reports `mode: 'memory'` with the
 * reason, and the panel tells the learner to export their work.
 */
import type { KeyValueStorage } from '../progress.ts';

const PREFIX = 'faultlines:code:v1:';

export interface SavedCode {
  /** Editable file contents by path. */
  readonly files: Readonly<Record<string, string>>;
  /** When it was saved (ms since the epoch). */
  readonly savedAt: number;
  /** True once the learner has seen the reference solution for this exercise. */
  readonly helped?: boolean;
}

export interface Removable extends KeyValueStorage {
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

export class CodeStore {
  #storage: Removable | undefined;
  #memory = new Map<string, SavedCode>();
  #error: string | undefined;

  constructor(storage: Removable | undefined) {
    this.#storage = storage;
    if (!storage) this.#error = 'this browser gives the page no storage';
  }

  /** Where code is kept now. */
  get mode(): 'local' | 'memory' {
    return this.#error ? 'memory' : 'local';
  }

  /** Why code is only in memory, when it is. */
  get error(): string | undefined {
    return this.#error;
  }

  load(exerciseId: string): SavedCode | undefined {
    const fromMemory = this.#memory.get(exerciseId);
    if (fromMemory) return fromMemory;
    try {
      const text = this.#storage?.getItem(PREFIX + exerciseId);
      if (!text) return undefined;
      const value = JSON.parse(text) as SavedCode;
      if (typeof value !== 'object' || value === null || typeof value.files !== 'object') return undefined;
      return value;
    } catch {
      return undefined;
    }
  }

  /** Saves; returns false (and switches to memory) when storage refused. */
  save(exerciseId: string, files: Readonly<Record<string, string>>, now: number, helped = false): boolean {
    const value: SavedCode = helped ? { files: { ...files }, savedAt: now, helped } : { files: { ...files }, savedAt: now };
    this.#memory.set(exerciseId, value);
    if (!this.#storage) return false;
    try {
      this.#storage.setItem(PREFIX + exerciseId, JSON.stringify(value));
      this.#error = undefined;
      this.#memory.delete(exerciseId);
      return true;
    } catch (error) {
      this.#error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return false;
    }
  }

  clear(exerciseId: string): void {
    this.#memory.delete(exerciseId);
    try {
      this.#storage?.removeItem(PREFIX + exerciseId);
    } catch {
      // Nothing to clear when storage is unavailable.
    }
  }

  /** Every saved exercise, for export. */
  all(): Record<string, SavedCode> {
    const out: Record<string, SavedCode> = {};
    try {
      const storage = this.#storage;
      for (let i = 0; storage && i < storage.length; i++) {
        const key = storage.key(i);
        if (!key?.startsWith(PREFIX)) continue;
        const id = key.slice(PREFIX.length);
        const saved = this.load(id);
        if (saved) out[id] = saved;
      }
    } catch {
      // Fall through to what memory holds.
    }
    for (const [id, saved] of this.#memory) out[id] = saved;
    return out;
  }
}

export function browserCodeStore(): CodeStore {
  try {
    return new CodeStore(globalThis.localStorage);
  } catch {
    return new CodeStore(undefined);
  }
}
