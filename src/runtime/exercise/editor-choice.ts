/**
 * Which editor the panel opens (Monaco, or the plain fallback the learner can choose or that
 * stands in when Monaco cannot load) and in which theme.
 */
import type { ExerciseEditor, EditorFile } from './editor-api.ts';
import type { LibraryName } from '../../grader/libraries.ts';
import { createPlainEditor } from './plain-editor.ts';

const EDITOR_PREFERENCE_KEY = 'faultlines:editor';

export type Theme = 'light' | 'dark';

export function currentTheme(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function preferredEditor(): 'monaco' | 'plain' {
  try {
    const saved = localStorage.getItem(EDITOR_PREFERENCE_KEY);
    if (saved === 'plain' || saved === 'monaco') return saved;
  } catch {
    // Fall through to the default.
  }
  return 'monaco';
}

/** Remembers the learner's choice of editor for the next page load. */
export function setPreferredEditor(kind: 'monaco' | 'plain'): void {
  try {
    localStorage.setItem(EDITOR_PREFERENCE_KEY, kind);
  } catch {
    // Without storage the choice cannot outlive the reload.
  }
}

/**
 * Opens the preferred editor in `host` on `files`; `context` holds the earlier exercises'
 * files, so that imports of a component type-check. `note` says why the plain editor
 * stands in, when Monaco was wanted and could not load.
 */
export async function openEditor(
  host: HTMLElement,
  id: string,
  files: readonly EditorFile[],
  context: () => { path: string; text: string }[],
  /** The published libraries the exercise offers (see src/grader/libraries.ts): the editor knows their types. */
  libraries: readonly LibraryName[] = [],
): Promise<{ editor: ExerciseEditor; note: string }> {
  host.replaceChildren();
  if (preferredEditor() !== 'monaco') return { editor: createPlainEditor(host, files), note: '' };
  try {
    const { createMonacoEditor } = await import('./monaco-editor.ts');
    return { editor: createMonacoEditor(host, id, files, currentTheme(), context(), libraries), note: '' };
  } catch (error) {
    return { editor: createPlainEditor(host, files), note: `The full editor could not load (${(error as Error).message}); this is a plain text editor.` };
  }
}
