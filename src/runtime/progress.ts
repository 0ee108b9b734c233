/**
 * The learner's progress, kept in the browser. It is small (a few hundred bytes per
 * lesson), so localStorage is enough; when storage is unavailable (private mode, a full
 * quota, a blocked cookie setting) the store keeps working in memory and says so through
 * `persistent`, so the page can tell the learner their progress will not survive a reload.
 */

export type ExerciseStatus = 'passed' | 'passed-with-help';

export interface LessonProgress {
  /** When the learner first opened the lesson (ms since the epoch). */
  readonly visitedAt?: number;
  /** When the learner marked it complete. */
  readonly completedAt?: number;
}

export interface ProgressData {
  readonly version: 1;
  readonly lessons: Readonly<Record<string, LessonProgress>>;
  readonly exercises: Readonly<Record<string, { readonly status: ExerciseStatus; readonly at: number }>>;
}

export const PROGRESS_KEY = 'faultlines:progress:v1';

const empty = (): ProgressData => ({ version: 1, lessons: {}, exercises: {} });

/** The subset of the Storage interface the store needs, so tests can pass a fake. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Parses stored progress, ignoring anything malformed rather than failing the page. */
export function parseProgress(text: string | null): ProgressData {
  if (!text) return empty();
  try {
    const value = JSON.parse(text) as Partial<ProgressData>;
    if (value.version !== 1 || typeof value.lessons !== 'object' || typeof value.exercises !== 'object') return empty();
    return { version: 1, lessons: value.lessons ?? {}, exercises: value.exercises ?? {} };
  } catch {
    return empty();
  }
}

export class ProgressStore {
  #storage: KeyValueStorage | undefined;
  #data: ProgressData;
  #persistent: boolean;
  #lastError: string | undefined;

  constructor(storage: KeyValueStorage | undefined) {
    this.#storage = storage;
    let text: string | null = null;
    try {
      text = storage?.getItem(PROGRESS_KEY) ?? null;
      this.#persistent = storage !== undefined;
    } catch (error) {
      this.#persistent = false;
      this.#lastError = describe(error);
    }
    this.#data = parseProgress(text);
  }

  /** False when progress lives only in memory and will be gone after a reload. */
  get persistent(): boolean {
    return this.#persistent;
  }

  /** Why storage failed, when it did. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  get data(): ProgressData {
    return this.#data;
  }

  lesson(id: string): LessonProgress {
    return this.#data.lessons[id] ?? {};
  }

  markVisited(id: string, now: number): void {
    if (this.lesson(id).visitedAt) return;
    this.#update({ ...this.#data, lessons: { ...this.#data.lessons, [id]: { ...this.lesson(id), visitedAt: now } } });
  }

  setCompleted(id: string, completed: boolean, now: number): void {
    const { completedAt: _, ...rest } = this.lesson(id);
    const next = completed ? { ...rest, visitedAt: rest.visitedAt ?? now, completedAt: now } : rest;
    this.#update({ ...this.#data, lessons: { ...this.#data.lessons, [id]: next } });
  }

  exercise(id: string): ExerciseStatus | undefined {
    return this.#data.exercises[id]?.status;
  }

  /**
   * Records a passed exercise. Passing with help (after showing the solution) never
   * overwrites an earlier clean pass, and a clean pass upgrades an assisted one.
   */
  setExercise(id: string, status: ExerciseStatus, now: number): void {
    const current = this.exercise(id);
    if (current === 'passed' || current === status) return;
    this.#update({ ...this.#data, exercises: { ...this.#data.exercises, [id]: { status, at: now } } });
  }

  /** Replaces everything, e.g. from an imported backup. */
  replace(data: ProgressData): void {
    this.#update(data);
  }

  #update(next: ProgressData): void {
    this.#data = next;
    if (!this.#storage) return;
    try {
      this.#storage.setItem(PROGRESS_KEY, JSON.stringify(next));
      this.#persistent = true;
    } catch (error) {
      this.#persistent = false;
      this.#lastError = describe(error);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The store for this page, backed by localStorage when the browser allows it. */
export function browserProgress(): ProgressStore {
  let storage: KeyValueStorage | undefined;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = undefined;
  }
  return new ProgressStore(storage);
}

/** A lesson's state as the course map shows it. */
export function lessonState(progress: LessonProgress): 'not-started' | 'in-progress' | 'complete' {
  if (progress.completedAt) return 'complete';
  if (progress.visitedAt) return 'in-progress';
  return 'not-started';
}
