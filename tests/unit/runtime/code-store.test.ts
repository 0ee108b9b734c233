import { describe, expect, it } from 'vitest';
import { CodeStore, type Removable } from '../../../src/runtime/exercise/code-store.ts';
import { ProgressStore } from '../../../src/runtime/progress.ts';
import { createBackup, parseBackup, restoreBackup } from '../../../src/runtime/backup.ts';

class MemoryStorage implements Removable {
  readonly items = new Map<string, string>();
  quotaBytes = Infinity;
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (v.length > this.quotaBytes) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

describe('the code store', () => {
  it('gives back what was saved after a reload', () => {
    const storage = new MemoryStorage();
    new CodeStore(storage).save('ring', { 'ring.ts': 'export const x = 1;' }, 10);
    expect(new CodeStore(storage).load('ring')).toEqual({ files: { 'ring.ts': 'export const x = 1;' }, savedAt: 10 });
  });

  it('keeps code in memory and reports why when the quota is full, then recovers when space frees up', () => {
    const storage = new MemoryStorage();
    storage.quotaBytes = 10;
    const store = new CodeStore(storage);
    expect(store.save('ring', { 'ring.ts': 'a long file that does not fit' }, 1)).toBe(false);
    expect(store.mode).toBe('memory');
    expect(store.error).toContain('QuotaExceededError');
    expect(store.load('ring')?.files['ring.ts']).toBe('a long file that does not fit');
    storage.quotaBytes = Infinity;
    expect(store.save('ring', { 'ring.ts': 'short' }, 2)).toBe(true);
    expect(store.mode).toBe('local');
  });

  it('works without any storage, in memory', () => {
    const store = new CodeStore(undefined);
    expect(store.save('a', { 'a.ts': 'x' }, 1)).toBe(false);
    expect(store.load('a')?.files).toEqual({ 'a.ts': 'x' });
    expect(store.mode).toBe('memory');
  });

  it('ignores a saved entry it cannot read', () => {
    const storage = new MemoryStorage();
    storage.setItem('faultlines:code:v1:a', '{broken');
    expect(new CodeStore(storage).load('a')).toBeUndefined();
  });
});

describe('progress backups', () => {
  it('round-trip progress and code, including the solved-with-help flag', () => {
    const from = new MemoryStorage();
    const progress = new ProgressStore(from);
    const code = new CodeStore(from);
    progress.setCompleted('numbers-that-matter', true, 5);
    progress.setExercise('ring', 'passed-with-help', 6);
    code.save('ring', { 'ring.ts': 'solved' }, 7, true);
    const text = JSON.stringify(createBackup(progress, code, 8));

    const to = new MemoryStorage();
    const restoredProgress = new ProgressStore(to);
    const restoredCode = new CodeStore(to);
    restoreBackup(parseBackup(text), restoredProgress, restoredCode);
    expect(new ProgressStore(to).data).toEqual(progress.data);
    expect(new CodeStore(to).load('ring')).toEqual({ files: { 'ring.ts': 'solved' }, savedAt: 7, helped: true });
  });

  it('refuse a file that is not a backup, with a message for the learner', () => {
    expect(() => parseBackup('not json')).toThrow('This file is not a Fault Lines backup: it is not valid JSON.');
    expect(() => parseBackup('{"format":"something-else"}')).toThrow('This file is not a Fault Lines backup (version 1 or 2).');
  });

  it('never lets a later assisted pass overwrite a clean one', () => {
    const progress = new ProgressStore(new MemoryStorage());
    progress.setExercise('ring', 'passed', 1);
    progress.setExercise('ring', 'passed-with-help', 2);
    expect(progress.exercise('ring')).toBe('passed');
  });
});
