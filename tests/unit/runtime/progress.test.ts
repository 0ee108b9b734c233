import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROGRESS_KEY,
  PROGRESS_KEY_V1,
  ProgressStore,
  emptyProgress,
  lessonState,
  parseProgress,
  quizKey,
  quizScore,
  type ExerciseStatus,
  type KeyValueStorage,
  type ProgressData,
  type QuizAnswer,
} from '../../../src/runtime/progress.ts';

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

/**
 * One origin's localStorage seen from several tabs. As in a browser, a write in one tab
 * queues a `storage` event for every other tab, delivered later (`deliver`), and each
 * tab's store hears it through `refresh()`.
 */
class SharedStorage {
  readonly items = new Map<string, string>();
  readonly #pending: Array<{ tab: number; store: () => ProgressStore | undefined }> = [];
  readonly #stores: Array<ProgressStore | undefined> = [];

  tab(): { storage: KeyValueStorage; attach(store: ProgressStore): ProgressStore } {
    const index = this.#stores.push(undefined) - 1;
    const storage: KeyValueStorage = {
      getItem: (key) => this.items.get(key) ?? null,
      setItem: (key, value) => {
        this.items.set(key, value);
        this.#stores.forEach((_, other) => {
          if (other !== index) this.#pending.push({ tab: other, store: () => this.#stores[other] });
        });
      },
    };
    return { storage, attach: (store) => (this.#stores[index] = store) };
  }

  /** Delivers the oldest pending `storage` event; false when none is pending. */
  deliverOne(): boolean {
    const event = this.#pending.shift();
    event?.store()?.refresh();
    return event !== undefined;
  }

  deliverAll(): void {
    while (this.deliverOne());
  }
}

function openTab(shared: SharedStorage): ProgressStore {
  const { storage, attach } = shared.tab();
  return attach(new ProgressStore(storage));
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
    store.setExercise('ring', 'passed', 6);
    expect(store.persistent).toBe(false);
    expect(store.lastError).toContain('QuotaExceededError');
    expect(lessonState(store.lesson('numbers'))).toBe('complete');
    expect(store.exercise('ring')).toBe('passed');
  });

  it('keeps working in memory when there is no storage at all', () => {
    const store = new ProgressStore(undefined);
    store.markVisited('a', 1);
    expect(store.persistent).toBe(false);
    expect(lessonState(store.lesson('a'))).toBe('in-progress');
  });

  it('ignores stored data it cannot read instead of breaking the page', () => {
    expect(parseProgress('{not json')).toEqual(emptyProgress());
    expect(parseProgress('{"version":99}')).toEqual(emptyProgress());
    const storage = new MemoryStorage();
    storage.setItem(PROGRESS_KEY, 'garbage');
    expect(new ProgressStore(storage).lesson('x')).toEqual({});
  });

  it('leaves out only the malformed entries of otherwise readable progress', () => {
    const text = JSON.stringify({
      version: 2,
      lessons: { a: { visitedAt: 1, completedAt: 'yesterday' }, b: 'nonsense' },
      exercises: { ring: { status: 'passed', at: 3 }, router: { status: 'maybe', at: 4 } },
      quizzes: { 'a/quiz-1': { choices: [1], correct: true, at: 5 }, 'a/quiz-2': { choices: 'all' } },
    });
    expect(parseProgress(text)).toEqual({
      version: 2,
      lessons: { a: { visitedAt: 1 } },
      exercises: { ring: { status: 'passed', at: 3 } },
      quizzes: { 'a/quiz-1': { choices: [1], correct: true, at: 5 } },
    });
  });

  it('migrates progress stored by version 1 and keeps every lesson and exercise in it', () => {
    const storage = new MemoryStorage();
    const v1 = {
      version: 1,
      lessons: { 'numbers-that-matter': { visitedAt: 10, completedAt: 20 }, 'partitioning-keys': { visitedAt: 30 } },
      exercises: { 'capacity-planning': { status: 'passed-with-help', at: 25 } },
    };
    storage.setItem(PROGRESS_KEY_V1, JSON.stringify(v1));
    const store = new ProgressStore(storage);
    expect(store.data).toEqual({ ...v1, version: 2, quizzes: {} });
    // The first change writes version 2 under its own key; the version 1 copy is left alone.
    store.setQuizAnswer(quizKey('partitioning-keys', 'quiz-abc'), [2], true, 40);
    expect(JSON.parse(storage.getItem(PROGRESS_KEY)!)).toMatchObject({ version: 2, lessons: v1.lessons, exercises: v1.exercises });
    expect(JSON.parse(storage.getItem(PROGRESS_KEY_V1)!)).toEqual(v1);
    expect(new ProgressStore(storage).quiz('partitioning-keys/quiz-abc')).toEqual({ choices: [2], correct: true, at: 40 });
  });

  it('scores a lesson by the quizzes whose last answer was right', () => {
    const store = new ProgressStore(new MemoryStorage());
    store.setQuizAnswer('l/q1', [0], true, 1);
    store.setQuizAnswer('l/q2', [1], false, 2);
    store.setQuizAnswer('l/q3', [1], false, 3);
    store.setQuizAnswer('l/q3', [2], true, 4);
    expect(quizScore(store.data, ['l/q1', 'l/q2', 'l/q3', 'l/q4'])).toEqual({ right: 2, answered: 3, total: 4 });
  });
});

describe('two writers of one progress (two parts of a page, or two tabs)', () => {
  it('keeps a completed lesson when its exercise is passed afterwards', () => {
    const storage = new MemoryStorage();
    const button = new ProgressStore(storage);
    const panel = new ProgressStore(storage);
    button.setCompleted('numbers-that-matter', true, 1);
    panel.setExercise('capacity-planning', 'passed-with-help', 2);
    const after = new ProgressStore(storage);
    expect(lessonState(after.lesson('numbers-that-matter'))).toBe('complete');
    expect(after.exercise('capacity-planning')).toBe('passed-with-help');
    expect(button.exercise('capacity-planning')).toBe('passed-with-help');
  });

  it('keeps a passed exercise when its lesson is marked complete afterwards', () => {
    const storage = new MemoryStorage();
    const button = new ProgressStore(storage);
    const panel = new ProgressStore(storage);
    panel.setExercise('capacity-planning', 'passed', 1);
    button.setCompleted('numbers-that-matter', true, 2);
    const after = new ProgressStore(storage);
    expect(lessonState(after.lesson('numbers-that-matter'))).toBe('complete');
    expect(after.exercise('capacity-planning')).toBe('passed');
  });

  it("keeps each tab's writes, and a storage event tells the other tab's listeners", () => {
    const shared = new SharedStorage();
    const first = openTab(shared);
    const second = openTab(shared);
    const heard: ProgressData[] = [];
    const unsubscribe = second.subscribe((data) => heard.push(data));
    first.setCompleted('numbers-that-matter', true, 1);
    second.setExercise('capacity-planning', 'passed', 2);
    expect(heard).toHaveLength(1); // its own write
    shared.deliverAll();
    expect(heard).toHaveLength(1); // the first tab's event came before the second tab's write, which already held it
    first.setQuizAnswer('numbers-that-matter/quiz-1', [0], true, 3);
    shared.deliverAll();
    expect(heard).toHaveLength(2);
    expect(heard[1]!.quizzes['numbers-that-matter/quiz-1']).toEqual({ choices: [0], correct: true, at: 3 });
    for (const store of [first, second, new ProgressStore(shared.tab().storage)]) {
      expect(lessonState(store.lesson('numbers-that-matter'))).toBe('complete');
      expect(store.exercise('capacity-planning')).toBe('passed');
    }
    unsubscribe();
    first.markVisited('partitioning-keys', 4);
    shared.deliverAll();
    expect(heard).toHaveLength(2);
  });

  it('tells its own listeners about a change made on the page, and not about a change that changed nothing', () => {
    const store = new ProgressStore(new MemoryStorage());
    let calls = 0;
    store.subscribe(() => calls++);
    store.setExercise('ring', 'passed', 1);
    store.setExercise('ring', 'passed-with-help', 2);
    store.markVisited('a', 3);
    store.markVisited('a', 4);
    expect(calls).toBe(2);
  });
});

/*
 * The property: whatever two tabs do, in any order, with storage events arriving late or
 * not at all, every fact recorded stays recorded until an action undoes it on purpose.
 * The model below states the facts, not how the store keeps them.
 */
const lessons = ['numbers-that-matter', 'partitioning-keys', 'registries-and-leases'] as const;
const exercises = ['capacity-planning', 'sharding-ring'] as const;
const quizzes = ['partitioning-keys/quiz-a', 'partitioning-keys/quiz-b', 'numbers-that-matter/quiz-c'] as const;

type Action =
  | { kind: 'visit'; tab: number; lesson: string }
  | { kind: 'complete'; tab: number; lesson: string; completed: boolean }
  | { kind: 'pass'; tab: number; exercise: string; status: ExerciseStatus }
  | { kind: 'quiz'; tab: number; quiz: string; choices: number[]; correct: boolean }
  | { kind: 'import'; tab: number; lessons: string[]; completed: string[]; exercise?: [string, ExerciseStatus]; quiz?: [string, number] }
  | { kind: 'deliver' };

const tab = fc.integer({ min: 0, max: 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('visit' as const), tab, lesson: fc.constantFrom(...lessons) }),
  fc.record({ kind: fc.constant('complete' as const), tab, lesson: fc.constantFrom(...lessons), completed: fc.boolean() }),
  fc.record({ kind: fc.constant('pass' as const), tab, exercise: fc.constantFrom(...exercises), status: fc.constantFrom<ExerciseStatus>('passed', 'passed-with-help') }),
  fc.record({
    kind: fc.constant('quiz' as const),
    tab,
    quiz: fc.constantFrom(...quizzes),
    choices: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
    correct: fc.boolean(),
  }),
  fc.record(
    {
      kind: fc.constant('import' as const),
      tab,
      lessons: fc.subarray([...lessons]),
      completed: fc.subarray([...lessons]),
      exercise: fc.tuple(fc.constantFrom(...exercises), fc.constantFrom<ExerciseStatus>('passed', 'passed-with-help')),
      // An answer checked this many steps before the import (a backup made a while ago).
      quiz: fc.tuple(fc.constantFrom(...quizzes), fc.integer({ min: 1, max: 5 })),
    },
    { requiredKeys: ['kind', 'tab', 'lessons', 'completed'] },
  ),
  fc.constant({ kind: 'deliver' as const }),
);

interface Facts {
  visited: Set<string>;
  completed: Set<string>;
  exercises: Map<string, ExerciseStatus>;
  quizzes: Map<string, QuizAnswer>;
}

function backupOf(a: Extract<Action, { kind: 'import' }>, now: number): ProgressData {
  const data = emptyProgress();
  const lessonsIn: Record<string, { visitedAt?: number; completedAt?: number }> = {};
  for (const id of a.lessons) lessonsIn[id] = { visitedAt: now - 100 };
  for (const id of a.completed) lessonsIn[id] = { ...lessonsIn[id], completedAt: now - 50 };
  return {
    ...data,
    lessons: lessonsIn,
    exercises: a.exercise ? { [a.exercise[0]]: { status: a.exercise[1], at: now - 10 } } : {},
    quizzes: a.quiz ? { [a.quiz[0]]: { choices: [3], correct: false, at: now - a.quiz[1] } } : {},
  };
}

describe('the progress store, for any interleaving of two tabs', () => {
  it('never loses anything recorded earlier unless an action undid it', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const shared = new SharedStorage();
        const tabs = [openTab(shared), openTab(shared)];
        const facts: Facts = { visited: new Set(), completed: new Set(), exercises: new Map(), quizzes: new Map() };
        let now = 1000;
        for (const a of actions) {
          now += 1;
          if (a.kind === 'deliver') {
            shared.deliverOne();
            continue;
          }
          const store = tabs[a.tab]!;
          switch (a.kind) {
            case 'visit':
              store.markVisited(a.lesson, now);
              facts.visited.add(a.lesson);
              break;
            case 'complete':
              store.setCompleted(a.lesson, a.completed, now);
              if (a.completed) facts.completed.add(a.lesson);
              else facts.completed.delete(a.lesson);
              if (a.completed) facts.visited.add(a.lesson);
              break;
            case 'pass':
              store.setExercise(a.exercise, a.status, now);
              if (facts.exercises.get(a.exercise) !== 'passed') facts.exercises.set(a.exercise, a.status);
              break;
            case 'quiz':
              store.setQuizAnswer(a.quiz, a.choices, a.correct, now);
              facts.quizzes.set(a.quiz, { choices: a.choices, correct: a.correct, at: now });
              break;
            case 'import': {
              const backup = backupOf(a, now);
              store.importProgress(backup);
              for (const [id, lesson] of Object.entries(backup.lessons)) {
                if (lesson.visitedAt !== undefined) facts.visited.add(id);
                if (lesson.completedAt !== undefined) facts.completed.add(id);
                if (lesson.completedAt !== undefined) facts.visited.add(id);
              }
              for (const [id, { status }] of Object.entries(backup.exercises)) {
                if (facts.exercises.get(id) !== 'passed') facts.exercises.set(id, status);
              }
              // An answer in the backup replaces one here only if it was checked later.
              for (const [key, answer] of Object.entries(backup.quizzes)) {
                const known = facts.quizzes.get(key);
                if (!known || answer.at > known.at) facts.quizzes.set(key, answer);
              }
              break;
            }
          }
          // Every tab, and a tab opened now, sees every fact — before the events arrive.
          for (const view of [...tabs, new ProgressStore(shared.tab().storage)]) {
            for (const id of lessons) {
              expect(view.lesson(id).visitedAt !== undefined, `${id} visited`).toBe(facts.visited.has(id));
              expect(view.lesson(id).completedAt !== undefined, `${id} complete`).toBe(facts.completed.has(id));
            }
            for (const id of exercises) expect(view.exercise(id), id).toBe(facts.exercises.get(id));
            for (const key of quizzes) expect(view.quiz(key), key).toEqual(facts.quizzes.get(key));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
