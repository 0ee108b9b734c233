/**
 * A plain text editor, one textarea per file. Used when Monaco cannot load (an old or
 * locked-down browser, a failed download) and offered on touch screens, where Monaco's
 * text input is unreliable. It has no type checking: the grader still reports syntax
 * errors with file and line.
 */
import type { EditorFile, EditorMarker, ExerciseEditor } from './editor-api.ts';

export function createPlainEditor(container: HTMLElement, files: readonly EditorFile[]): ExerciseEditor {
  const areas = new Map<string, HTMLTextAreaElement>();
  const changeListeners: ((path: string) => void)[] = [];
  const runListeners: (() => void)[] = [];
  const host = document.createElement('div');
  host.className = 'plain-host';
  container.append(host);
  const markerList = document.createElement('ul');
  markerList.className = 'plain-markers';
  const markers = new Map<string, readonly EditorMarker[]>();
  for (const file of files) {
    const area = document.createElement('textarea');
    area.value = file.text;
    area.readOnly = file.readOnly;
    area.spellcheck = false;
    area.autocapitalize = 'off';
    area.setAttribute('autocorrect', 'off');
    area.wrap = 'off';
    area.className = 'plain-editor';
    area.setAttribute('aria-label', `${file.path}, code editor${file.readOnly ? ', read-only' : ''}`);
    area.hidden = file !== files[0];
    area.addEventListener('input', () => changeListeners.forEach((l) => l(file.path)));
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        runListeners.forEach((l) => l());
      }
    });
    areas.set(file.path, area);
    host.append(area);
  }
  host.append(markerList);
  let current = files[0]!.path;

  function renderMarkers(): void {
    markerList.replaceChildren(
      ...(markers.get(current) ?? []).map((m) => {
        const li = document.createElement('li');
        li.textContent = `${m.path}:${m.line}:${m.column} ${m.message}`;
        return li;
      }),
    );
  }

  function lineOffset(text: string, line: number, column: number): number {
    let offset = 0;
    for (let l = 1; l < line; l++) {
      const next = text.indexOf('\n', offset);
      if (next < 0) break;
      offset = next + 1;
    }
    return offset + column - 1;
  }

  return {
    kind: 'plain',
    getValue: (path) => areas.get(path)?.value ?? '',
    setValue(path, text) {
      const area = areas.get(path);
      if (area && area.value !== text) {
        area.value = text;
        changeListeners.forEach((l) => l(path));
      }
    },
    show(path, line, column) {
      const area = areas.get(path);
      if (!area) return;
      for (const [p, a] of areas) a.hidden = p !== path;
      current = path;
      renderMarkers();
      if (line) {
        const at = lineOffset(area.value, line, column ?? 1);
        area.focus();
        area.setSelectionRange(at, at);
      }
    },
    onChange: (listener) => void changeListeners.push(listener),
    onRunShortcut: (listener) => void runListeners.push(listener),
    setMarkers(path, list) {
      markers.set(path, list);
      renderMarkers();
    },
    diagnostics: async () => [],
    showDiff() {
      // The plain editor shows the reference in the panel's own comparison view instead.
      return undefined;
    },
    setTheme() {
      // Colours come from the site's CSS variables.
    },
    focus: () => areas.get(current)?.focus(),
    dispose: () => host.remove(),
  };
}
