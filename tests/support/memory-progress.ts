/** Progress kept in memory, for tests of what the page derives from it. */
import { ProgressStore, type KeyValueStorage, type ProgressData } from '../../src/runtime/progress.ts';

/** A storage that keeps its items in a map the test can read. */
export function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

/** The progress a fresh store holds after `edit`. */
export function progressWith(edit: (store: ProgressStore) => void): ProgressData {
  const store = new ProgressStore(memoryStorage());
  edit(store);
  return store.data;
}
