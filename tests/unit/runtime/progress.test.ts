import { describe, expect, it } from 'vitest';
import { PROGRESS_KEY, ProgressStore, lessonState, parseProgress, type KeyValueStorage } from '../../../src/runtime/progress.ts';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

class FullStorage extends MemoryStorage {
  override setItem(): void {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

describe('the progress store', () => {
  it('remembers visited and completed lessons across instances (a reload)', () => {
    const storage = new MemoryStorage();
    const first = new ProgressStore(storage);
    first.markVisited('numbers', 1000);
    first.setCompleted('numbers', true, 2000);
    const second = new ProgressStore(storage);
    expect(second.lesson('numbers')).toEqual({ visitedAt: 1000, completedAt: 2000 });
    expect(lessonState(second.lesson('numbers'))).toBe('complete');
    second.setCompleted('numbers', false, 3000);
    expect(lessonState(new ProgressStore(storage).lesson('numbers'))).toBe('in-progress');
  });

  it('keeps working in memory and says so when storage is full', () => {
    const store = new ProgressStore(new FullStorage());
    store.setCompleted('numbers', true, 5);
    expect(store.persistent).toBe(false);
    expect(store.lastError).toContain('QuotaExceededError');
    expect(lessonState(store.lesson('numbers'))).toBe('complete');
  });

  it('keeps working in memory when there is no storage at all', () => {
    const store = new ProgressStore(undefined);
    store.markVisited('a', 1);
    expect(store.persistent).toBe(false);
    expect(lessonState(store.lesson('a'))).toBe('in-progress');
  });

  it('ignores stored data it cannot read instead of breaking the page', () => {
    expect(parseProgress('{not json')).toEqual({ version: 1, lessons: {}, exercises: {} });
    expect(parseProgress('{"version":99}')).toEqual({ version: 1, lessons: {}, exercises: {} });
    const storage = new MemoryStorage();
    storage.setItem(PROGRESS_KEY, 'garbage');
    expect(new ProgressStore(storage).lesson('x')).toEqual({});
  });
});
