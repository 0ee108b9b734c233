import { describe, expect, it } from 'vitest';
import { createBackup, parseBackup, restoreBackup } from '../../../src/runtime/backup.ts';
import { CodeStore, type Removable } from '../../../src/runtime/exercise/code-store.ts';
import { ProgressStore, lessonState } from '../../../src/runtime/progress.ts';

class MemoryStorage implements Removable {
  readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('progress backups, version 2', () => {
  it('carry quiz answers, lessons and exercises to another browser', () => {
    const from = new MemoryStorage();
    const progress = new ProgressStore(from);
    progress.setCompleted('partitioning-keys', true, 5);
    progress.setExercise('sharding-ring', 'passed', 6);
    progress.setQuizAnswer('partitioning-keys/quiz-1x', [1], true, 7);
    const backup = createBackup(progress, new CodeStore(from), 8);
    expect(backup.version).toBe(2);

    const to = new MemoryStorage();
    restoreBackup(parseBackup(JSON.stringify(backup)), new ProgressStore(to), new CodeStore(to));
    const restored = new ProgressStore(to);
    expect(restored.data).toEqual(progress.data);
    expect(restored.quiz('partitioning-keys/quiz-1x')).toEqual({ choices: [1], correct: true, at: 7 });
  });

  it('import a version 1 file, keeping every lesson and exercise in it', () => {
    const v1 = {
      format: 'fault-lines-backup',
      version: 1,
      exportedAt: 100,
      progress: {
        version: 1,
        lessons: { 'numbers-that-matter': { visitedAt: 10, completedAt: 20 } },
        exercises: { 'capacity-planning': { status: 'passed-with-help', at: 25 } },
      },
      code: { 'capacity-planning': { files: { 'capacity.ts': 'export const x = 1;' }, savedAt: 30, helped: true } },
    };
    const storage = new MemoryStorage();
    const progress = new ProgressStore(storage);
    restoreBackup(parseBackup(JSON.stringify(v1)), progress, new CodeStore(storage));
    expect(progress.data).toEqual({ version: 2, lessons: v1.progress.lessons, exercises: v1.progress.exercises, quizzes: {} });
    expect(new CodeStore(storage).load('capacity-planning')?.helped).toBe(true);
  });

  it('add to the progress here instead of erasing what the file does not hold', () => {
    const storage = new MemoryStorage();
    const progress = new ProgressStore(storage);
    progress.setCompleted('partitioning-keys', true, 50);
    progress.setExercise('sharding-ring', 'passed', 51);
    progress.setQuizAnswer('partitioning-keys/quiz-1x', [2], true, 52);
    const older = new ProgressStore(new MemoryStorage());
    older.markVisited('partitioning-keys', 10);
    older.setCompleted('numbers-that-matter', true, 11);
    older.setExercise('sharding-ring', 'passed-with-help', 12);
    older.setQuizAnswer('partitioning-keys/quiz-1x', [0], false, 13);
    restoreBackup(parseBackup(JSON.stringify(createBackup(older, new CodeStore(new MemoryStorage()), 14))), progress, new CodeStore(storage));
    expect(progress.lesson('partitioning-keys')).toEqual({ visitedAt: 10, completedAt: 50 });
    expect(lessonState(progress.lesson('numbers-that-matter'))).toBe('complete');
    expect(progress.exercise('sharding-ring')).toBe('passed');
    expect(progress.quiz('partitioning-keys/quiz-1x')).toEqual({ choices: [2], correct: true, at: 52 });
  });

  it('refuse a file of an unknown version, with a message for the learner', () => {
    expect(() => parseBackup('{"format":"fault-lines-backup","version":3}')).toThrow('This file is not a Fault Lines backup (version 1 or 2).');
  });
});
