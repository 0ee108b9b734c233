/**
 * The editor's file tabs: one per visible file, following the WAI-ARIA tabs pattern (arrow
 * keys move between them, and only the selected one is in the tab order).
 */
import { el } from '../dom.ts';
import type { EditorFile, ExerciseEditor } from './editor-api.ts';

/** The tab an arrow key moves to from tab `index` of `count`, wrapping around; undefined for any other key. */
export function tabAfterKey(key: string, index: number, count: number): number | undefined {
  const step = key === 'ArrowRight' ? 1 : key === 'ArrowLeft' ? -1 : 0;
  return step === 0 ? undefined : (index + step + count) % count;
}

export interface FileTabs {
  /** The file on show. */
  readonly activePath: () => string;
  /** Shows a file, and optionally a place in it. */
  readonly select: (path: string, line?: number, column?: number) => void;
}

/** Fills `tabs` with a tab per file, makes `editorHost` their tab panel, and shows the first file. */
export function createFileTabs(o: { readonly id: string; readonly tabs: HTMLElement; readonly editorHost: HTMLElement; readonly files: readonly EditorFile[]; readonly editor: ExerciseEditor }): FileTabs {
  const { id, files, editor, editorHost } = o;
  let activePath = files[0]!.path;
  const buttons = files.map((f) =>
    el('button', {
      type: 'button',
      role: 'tab',
      id: `${id}-tab-${f.path}`,
      textContent: f.readOnly ? `${f.path} (read-only)` : f.path,
      tabIndex: f.path === activePath ? 0 : -1,
    }),
  );
  const select = (path: string, line?: number, column?: number): void => {
    activePath = path;
    buttons.forEach((b, i) => {
      const selected = files[i]!.path === path;
      b.setAttribute('aria-selected', String(selected));
      b.tabIndex = selected ? 0 : -1;
    });
    editorHost.setAttribute('aria-labelledby', `${id}-tab-${path}`);
    editor.show(path, line, column);
  };
  buttons.forEach((b, i) => {
    b.setAttribute('aria-selected', String(i === 0));
    b.setAttribute('aria-controls', `${id}-editor`);
    b.addEventListener('click', () => select(files[i]!.path));
    b.addEventListener('keydown', (event) => {
      const next = tabAfterKey(event.key, i, buttons.length);
      if (next === undefined) return;
      event.preventDefault();
      select(files[next]!.path);
      buttons[next]!.focus();
    });
  });
  o.tabs.replaceChildren(...buttons);
  editorHost.id = `${id}-editor`;
  editorHost.setAttribute('role', 'tabpanel');
  select(activePath);
  return { activePath: () => activePath, select };
}
