/**
 * The learner's progress, kept in the browser. It is small (a few hundred bytes per
 * lesson), so localStorage is enough; when storage is unavailable (private mode, a full
 * quota, a blocked cookie setting) the store keeps working in memory and says so through
 * `persistent`, so the page can tell the learner their progress will not survive a reload.
 *
 * Several parts of a page record progress (the lesson's complete button, its quizzes, the
 * exercise panel), and another tab may be recording at the same time. So that no writer
 * erases another's work, the store never writes back a copy it read earlier: every change
 * reads the stored progress, applies itself to that, and writes the result at once
 * (localStorage is synchronous, so nothing can slip in between on this page). A page has
 * one store (`browserProgress()`), and `subscribe` tells its readers about changes made on
 * the page and, through the `storage` event, in other tabs.
 */

export type ExerciseStatus = 'passed' | 'passed-with-help';

export interface LessonProgress {
  /** When the learner first opened the lesson (ms since the epoch). */
  readonly visitedAt?: number;
  /** When the learner marked it complete. */
  readonly completedAt?: number;
}

export interface ExerciseProgress {
  readonly status: ExerciseStatus;
  /** When it was first passed with this status. */
  readonly at: number;
  /**
   * The learner's latest passing code: what later exercises that use this one's components
   * are graded with (see `src/runtime/exercise/components.ts`).
   */
  readonly passing?: PassingCode;
  /** The learner chose to have later exercises use the reference instead of their code. */
  readonly useReference?: true;
}

/** An exercise's editable files as they were when every test passed. */
export interface PassingCode {
  readonly files: Readonly<Record<string, string>>;
  /** When they passed. */
  readonly at: number;
  /** The exercise's interface fingerprint then (`interfaceVersion` in its payload). */
  readonly interfaceVersion: string;
  /** The same, file by file, when recorded: names the files that changed since. */
  readonly interfaceFiles?: Readonly<Record<string, string>>;
}

/** The learner's latest checked answer to one self-check question. */
export interface QuizAnswer {
  /** Indices of the options the learner chose, in the order the quiz lists them. */
  readonly choices: readonly number[];
  /** Whether exactly the correct options were chosen. */
  readonly correct: boolean;
  /** When the answer was checked. */
  readonly at: number;
}

export interface ProgressData {
  readonly version: 2;
  readonly lessons: Readonly<Record<string, LessonProgress>>;
  readonly exercises: Readonly<Record<string, ExerciseProgress>>;
  /** Keyed by `quizKey(lessonId, quizId)`. */
  readonly quizzes: Readonly<Record<string, QuizAnswer>>;
}

/**
 * Where progress is stored. Version 1 (no quiz answers) lived under `faultlines:progress:v1`;
 * it is read and migrated when no version 2 progress exists yet, and left in place.
 */
export const PROGRESS_KEY = 'faultlines:progress:v2';
export const PROGRESS_KEY_V1 = 'faultlines:progress:v1';

/** The key of a quiz answer: the quiz's id (derived from its question) within its lesson. */
export function quizKey(lessonId: string, quizId: string): string {
  return `${lessonId}/${quizId}`;
}

export const emptyProgress = (): ProgressData => ({ version: 2, lessons: {}, exercises: {}, quizzes: {} });

/** The subset of the Storage interface the store needs, so tests can pass a fake. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Reads progress of version 1 or 2 (from storage or from a backup file) into the current
 * shape. Malformed text gives empty progress rather than failing the page; within
 * readable progress, only the entries that are themselves malformed are left out.
 */
export function parseProgress(text: string | null): ProgressData {
  if (!text) return emptyProgress();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return emptyProgress();
  }
  return normaliseProgress(value);
}

/** The value-level half of `parseProgress`, for progress already parsed from JSON. */
export function normaliseProgress(value: unknown): ProgressData {
  if (!isObject(value) || (value.version !== 1 && value.version !== 2)) return emptyProgress();
  const lessons: Record<string, LessonProgress> = {};
  for (const [id, entry] of Object.entries(isObject(value.lessons) ? value.lessons : {})) {
    if (!isObject(entry)) continue;
    const lesson: { visitedAt?: number; completedAt?: number } = {};
    if (isTime(entry.visitedAt)) lesson.visitedAt = entry.visitedAt;
    if (isTime(entry.completedAt)) lesson.completedAt = entry.completedAt;
    lessons[id] = lesson;
  }
  const exercises: Record<string, ExerciseProgress> = {};
  for (const [id, entry] of Object.entries(isObject(value.exercises) ? value.exercises : {})) {
    if (!isObject(entry) || (entry.status !== 'passed' && entry.status !== 'passed-with-help')) continue;
    const passing = passingCodeOf(entry.passing);
    exercises[id] = {
      status: entry.status,
      at: isTime(entry.at) ? entry.at : 0,
      ...(passing ? { passing } : {}),
      ...(entry.useReference === true ? { useReference: true as const } : {}),
    };
  }
  const quizzes: Record<string, QuizAnswer> = {};
  // Version 1 had no quiz answers; version 2 adds them.
  for (const [key, entry] of Object.entries(value.version === 2 && isObject(value.quizzes) ? value.quizzes : {})) {
    if (!isObject(entry) || !Array.isArray(entry.choices) || typeof entry.correct !== 'boolean' || !isTime(entry.at)) continue;
    const choices = entry.choices.filter((c): c is number => Number.isInteger(c) && (c as number) >= 0);
    quizzes[key] = { choices, correct: entry.correct, at: entry.at };
  }
  return { version: 2, lessons, exercises, quizzes };
}

function passingCodeOf(value: unknown): PassingCode | undefined {
  if (!isObject(value) || !isObject(value.files) || !isTime(value.at) || typeof value.interfaceVersion !== 'string') return undefined;
  const files: Record<string, string> = {};
  for (const [path, text] of Object.entries(value.files)) if (typeof text === 'string') files[path] = text;
  const interfaceFiles: Record<string, string> = {};
  for (const [path, hash] of Object.entries(isObject(value.interfaceFiles) ? value.interfaceFiles : {})) if (typeof hash === 'string') interfaceFiles[path] = hash;
  return { files, at: value.at, interfaceVersion: value.interfaceVersion, ...(Object.keys(interfaceFiles).length > 0 ? { interfaceFiles } : {}) };
}

const rank = (status: ExerciseStatus | undefined): number => (status === 'passed' ? 2 : status === 'passed-with-help' ? 1 : 0);

/**
 * Adds `incoming` (an imported backup) to `current` without losing anything either holds:
 * a lesson visited or completed in either stays so (the earlier visit is kept), an
 * exercise keeps its better result, and a quiz keeps the answer checked last.
 */
export function mergeProgress(current: ProgressData, incoming: ProgressData): ProgressData {
  const lessons: Record<string, LessonProgress> = { ...current.lessons };
  for (const [id, theirs] of Object.entries(incoming.lessons)) {
    const ours = lessons[id] ?? {};
    const visits = [ours.visitedAt, theirs.visitedAt].filter((t): t is number => t !== undefined);
    const completedAt = ours.completedAt ?? theirs.completedAt;
    // A lesson completed was visited, even if a hand-edited file forgot to say so.
    if (visits.length === 0 && completedAt !== undefined) visits.push(completedAt);
    lessons[id] = {
      ...(visits.length > 0 ? { visitedAt: Math.min(...visits) } : {}),
      ...(completedAt !== undefined ? { completedAt } : {}),
    };
  }
  const exercises: Record<string, ExerciseProgress> = { ...current.exercises };
  for (const [id, theirs] of Object.entries(incoming.exercises)) {
    const ours = exercises[id];
    const better = rank(theirs.status) > rank(ours?.status) ? theirs : ours!;
    // The later passing code wins, whichever side holds the better status; the choice of
    // the reference stays as it is here, unless only the backup has the exercise.
    const passing = [ours?.passing, theirs.passing].filter((p): p is PassingCode => p !== undefined).sort((a, b) => b.at - a.at)[0];
    const { passing: _p, useReference: _u, ...status } = better;
    const useReference = ours ? ours.useReference : theirs.useReference;
    exercises[id] = { ...status, ...(passing ? { passing } : {}), ...(useReference ? { useReference } : {}) };
  }
  const quizzes: Record<string, QuizAnswer> = { ...current.quizzes };
  for (const [key, theirs] of Object.entries(incoming.quizzes)) {
    const ours = quizzes[key];
    if (!ours || theirs.at > ours.at) quizzes[key] = theirs;
  }
  return { version: 2, lessons, exercises, quizzes };
}

export type ProgressListener = (data: ProgressData) => void;

export class ProgressStore {
  #storage: KeyValueStorage | undefined;
  /** The last progress read or written; the only copy while storage is failing. */
  #data: ProgressData;
  #text: string;
  #persistent: boolean;
  #lastError: string | undefined;
  #listeners = new Set<ProgressListener>();

  constructor(storage: KeyValueStorage | undefined) {
    this.#storage = storage;
    this.#persistent = storage !== undefined;
    this.#data = emptyProgress();
    this.#text = JSON.stringify(this.#data);
    this.#read();
  }

  /** False when progress lives only in memory and will be gone after a reload. */
  get persistent(): boolean {
    return this.#persistent;
  }

  /** Why storage failed, when it did. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Everything recorded, as stored now. */
  get data(): ProgressData {
    return this.#read();
  }

  lesson(id: string): LessonProgress {
    return this.data.lessons[id] ?? {};
  }

  markVisited(id: string, now: number): void {
    this.#change((data) => {
      const lesson = data.lessons[id] ?? {};
      if (lesson.visitedAt !== undefined) return data;
      return { ...data, lessons: { ...data.lessons, [id]: { ...lesson, visitedAt: now } } };
    });
  }

  setCompleted(id: string, completed: boolean, now: number): void {
    this.#change((data) => {
      const { completedAt, ...rest } = data.lessons[id] ?? {};
      if (completed === (completedAt !== undefined)) return data;
      const next = completed ? { ...rest, visitedAt: rest.visitedAt ?? now, completedAt: now } : rest;
      return { ...data, lessons: { ...data.lessons, [id]: next } };
    });
  }

  exercise(id: string): ExerciseStatus | undefined {
    return this.data.exercises[id]?.status;
  }

  /**
   * Records a passed exercise. Passing with help (after showing the solution) never
   * overwrites an earlier clean pass, and a clean pass upgrades an assisted one.
   */
  setExercise(id: string, status: ExerciseStatus, now: number, passing?: PassingCode): void {
    this.#change((data) => {
      const current = data.exercises[id];
      const upgrade = rank(current?.status) < rank(status);
      if (!upgrade && passing === undefined) return data;
      const next: ExerciseProgress = {
        ...(current ?? {}),
        ...(upgrade ? { status, at: now } : { status: current!.status, at: current!.at }),
        ...(passing ? { passing } : {}),
      };
      return { ...data, exercises: { ...data.exercises, [id]: next } };
    });
  }

  /** The learner's latest passing code of an exercise, if it has passed. */
  passing(id: string): PassingCode | undefined {
    return this.data.exercises[id]?.passing;
  }

  /**
   * Whether later exercises use the learner's code of this exercise (`mine`) or the
   * reference. Only a passed exercise has a choice; before that the reference is used.
   */
  setComponentChoice(id: string, choice: 'mine' | 'reference'): void {
    this.#change((data) => {
      const current = data.exercises[id];
      if (!current || (choice === 'reference') === Boolean(current.useReference)) return data;
      const { useReference: _, ...rest } = current;
      const next: ExerciseProgress = choice === 'reference' ? { ...rest, useReference: true } : rest;
      return { ...data, exercises: { ...data.exercises, [id]: next } };
    });
  }

  /** The latest checked answer to a quiz, under `quizKey(lessonId, quizId)`. */
  quiz(key: string): QuizAnswer | undefined {
    return this.data.quizzes[key];
  }

  setQuizAnswer(key: string, choices: readonly number[], correct: boolean, now: number): void {
    this.#change((data) => ({ ...data, quizzes: { ...data.quizzes, [key]: { choices: [...choices], correct, at: now } } }));
  }

  /** Adds imported progress (a backup) to what is recorded here; see `mergeProgress`. */
  importProgress(incoming: ProgressData): void {
    this.#change((data) => mergeProgress(data, incoming));
  }

  /**
   * Calls `listener` with the new progress whenever it changes, on this page or (once
   * `refresh` is called for a `storage` event) in another tab. Returns the unsubscribe.
   */
  subscribe(listener: ProgressListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-reads storage after another tab wrote it, and tells the listeners if anything changed. */
  refresh(): void {
    const before = this.#text;
    this.#read();
    if (this.#text !== before) this.#notify();
  }

  /** Reads the stored progress into `#data`, unless storage is failing (then memory is the truth). */
  #read(): ProgressData {
    if (!this.#storage || !this.#persistent) return this.#data;
    try {
      const text = this.#storage.getItem(PROGRESS_KEY) ?? this.#storage.getItem(PROGRESS_KEY_V1);
      const data = parseProgress(text);
      const normal = JSON.stringify(data);
      if (normal !== this.#text) {
        this.#data = data;
        this.#text = normal;
      }
    } catch (error) {
      this.#persistent = false;
      this.#lastError = describe(error);
    }
    return this.#data;
  }

  /** Applies `change` to the progress as stored now and writes the result straight back. */
  #change(change: (data: ProgressData) => ProgressData): void {
    const current = this.#read();
    const next = change(current);
    if (next === current) return;
    this.#data = next;
    this.#text = JSON.stringify(next);
    if (this.#storage) {
      try {
        this.#storage.setItem(PROGRESS_KEY, this.#text);
        this.#persistent = true;
      } catch (error) {
        this.#persistent = false;
        this.#lastError = describe(error);
      }
    }
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener(this.#data);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Where the page's one store is kept: on the global, so two bundles of this module still share it. */
const PAGE_STORE = Symbol.for('faultlines.progress');

/**
 * The page's one progress store, backed by localStorage when the browser allows it. Every
 * caller on a page gets the same store, and it follows other tabs through the `storage` event.
 */
export function browserProgress(): ProgressStore {
  const global = globalThis as typeof globalThis & { [PAGE_STORE]?: ProgressStore };
  const existing = global[PAGE_STORE];
  if (existing) return existing;
  let storage: Storage | undefined;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = undefined;
  }
  const store = new ProgressStore(storage);
  global[PAGE_STORE] = store;
  globalThis.addEventListener?.('storage', (event: StorageEvent) => {
    if (event.storageArea !== storage) return;
    if (event.key === null || event.key === PROGRESS_KEY || event.key === PROGRESS_KEY_V1) store.refresh();
  });
  return store;
}

/** A lesson's state as the course map shows it. */
export function lessonState(progress: LessonProgress): 'not-started' | 'in-progress' | 'complete' {
  if (progress.completedAt) return 'complete';
  if (progress.visitedAt) return 'in-progress';
  return 'not-started';
}

/** How a lesson's exercise stands, in the words the course shows. */
export function exerciseLabel(status: ExerciseStatus | undefined): string {
  if (status === 'passed') return 'passed';
  if (status === 'passed-with-help') return 'passed with help';
  return 'not passed yet';
}

/** How many of the given quizzes were last answered right. */
export function quizScore(data: ProgressData, keys: readonly string[]): { right: number; answered: number; total: number } {
  let right = 0;
  let answered = 0;
  for (const key of keys) {
    const answer = data.quizzes[key];
    if (!answer) continue;
    answered++;
    if (answer.correct) right++;
  }
  return { right, answered, total: keys.length };
}

/** What the course map needs to know about a lesson to summarise progress. */
export interface TrackedLesson {
  readonly id: string;
  readonly exercises: readonly string[];
  /** Keys of its quizzes (`quizKey(lessonId, quizId)`). */
  readonly quizKeys: readonly string[];
}

export interface ModuleSummary {
  readonly lessonsComplete: number;
  readonly lessons: number;
  readonly exercisesPassed: number;
  readonly exercisesPassedWithHelp: number;
  readonly exercises: number;
  readonly quizRight: number;
  readonly quizzes: number;
}

/** A module's progress in numbers: lessons complete, exercises passed, questions answered right. */
export function moduleSummary(data: ProgressData, lessons: readonly TrackedLesson[]): ModuleSummary {
  let lessonsComplete = 0;
  let exercisesPassed = 0;
  let exercisesPassedWithHelp = 0;
  let exercises = 0;
  let quizRight = 0;
  let quizzes = 0;
  for (const lesson of lessons) {
    if (lessonState(data.lessons[lesson.id] ?? {}) === 'complete') lessonsComplete++;
    for (const id of lesson.exercises) {
      exercises++;
      const status = data.exercises[id]?.status;
      if (status) exercisesPassed++;
      if (status === 'passed-with-help') exercisesPassedWithHelp++;
    }
    const score = quizScore(data, lesson.quizKeys);
    quizRight += score.right;
    quizzes += score.total;
  }
  return { lessonsComplete, lessons: lessons.length, exercisesPassed, exercisesPassedWithHelp, exercises, quizRight, quizzes };
}

/** A lesson's quiz score in words, e.g. "3 of 4 questions answered right". */
export function quizScoreLabel(score: { right: number; answered: number; total: number }): string {
  const questions = score.total === 1 ? 'question' : 'questions';
  if (score.answered === 0) return `${score.total} ${questions}, none answered yet`;
  return `${score.right} of ${score.total} ${questions} answered right`;
}

/** A module's summary in words, for the course map. */
export function moduleSummaryLabel(summary: ModuleSummary): string {
  const parts = [`${summary.lessonsComplete} of ${summary.lessons} ${summary.lessons === 1 ? 'lesson' : 'lessons'} complete`];
  if (summary.exercises > 0) {
    const help = summary.exercisesPassedWithHelp > 0 ? ` (${summary.exercisesPassedWithHelp} with help)` : '';
    parts.push(`${summary.exercisesPassed} of ${summary.exercises} ${summary.exercises === 1 ? 'exercise' : 'exercises'} passed${help}`);
  }
  if (summary.quizzes > 0) parts.push(`${summary.quizRight} of ${summary.quizzes} quiz questions answered right`);
  return parts.join(' · ');
}
